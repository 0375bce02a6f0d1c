"""The pages a person reads: the documents list, the transcript, and the form where a person
names themselves."""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from qualcode.core.errors import QualcodeError, SelectionError
from qualcode.core.roles import FACILITATOR
from qualcode.store import frames, queries, reviews
from qualcode.store.codebooks import codebook_by_id, load_stored_codebook
from qualcode.store.coders import person_coder_name
from qualcode.store.project import Project
from qualcode.web.context import bench, project_for, remember_coder, render, reviewer_for
from qualcode.web.security import CSRF_FIELD, csrf_ok
from qualcode.web.transcript import Code, codebook_codes, document_turns
from qualcode.workflows.learning import machine_taggers
from qualcode.workflows.review import Reviewer


def codes_of(request: Request, project: Project, who: Reviewer) -> dict[str, Code]:
    """The reviewer's codebook's codes, with criteria and examples when the project keeps
    the codebook's YAML (read once per server)."""
    cache = bench(request).codebooks
    if who.codebook_id not in cache:
        try:  # None: kept without its YAML, names and definitions only
            cache[who.codebook_id] = load_stored_codebook(project, codebook_by_id(project, who.codebook_id))
        except QualcodeError:
            cache[who.codebook_id] = None
    return codebook_codes(project, who.codebook_id, cache[who.codebook_id])


def human_coders(project: Project, codebook_ids) -> list[str]:
    """People with codings or reviewed turns in this codebook, by name."""
    kinds = frames.coder_kinds(project)
    coders = frames.coders_of(project, codebook_ids, ("suggested", "accepted", "rejected"))
    return sorted(c for c in coders if kinds.get(c, "human") == "human")


def documents(request: Request) -> Response:
    with project_for(request) as project:
        who = reviewer_for(request, project)
        docs = frames.documents_frame(project)
        attributes = queries.attribute_names(project)
        speakers = frames.speakers_frame(project)
        coders = human_coders(project, who.codebook_ids)
        if who.coder not in coders:
            coders.append(who.coder)
        progress = reviews.review_progress(project, who.codebook_ids)
        rows = []
        for doc in docs.to_dict("records"):
            mine = speakers[speakers["document"] == doc["document"]]
            roles = mine.groupby(mine["role"].fillna("(none)"), sort=True).size()
            participant_turns = int(mine.loc[mine["role"].fillna("") != FACILITATOR, "turns"].sum())
            rows.append({"id": doc["document_id"], "name": doc["document"], "turns": doc["turns"],
                         "words": doc["words"], "participant_turns": participant_turns,
                         "attributes": [_value(doc.get(a)) for a in attributes],
                         "roles": [(role, int(n)) for role, n in roles.items()],
                         "progress": [(c, progress.get((doc["document_id"], c), 0)) for c in coders]})
        overall = reviews.review_counts(project, who.coder, who.codebook_ids)
    return render(request, "documents.html", who=who, documents=rows, attributes=attributes,
                  coders=coders, overall=overall, page="documents")


def _value(value) -> str:
    return value if isinstance(value, str) else ""


def transcript(request: Request) -> Response:
    document_id = request.path_params["document_id"]
    params = request.query_params
    real_names = params.get("names") == "real"
    with project_for(request) as project:
        who = reviewer_for(request, project)
        names = dict(project.document_ids_and_names())
        if document_id not in names:
            raise SelectionError(f"no document {document_id} in the project")
        codes = codes_of(request, project, who)
        code_filter = params.get("code") or None
        if code_filter is not None and code_filter not in codes:
            raise SelectionError(f"unknown code {code_filter!r} in codebook {who.codebook}")
        taggers = machine_taggers(project, who)
        shown = params.get("tagger")
        turns = document_turns(project, who, document_id, codes, real_names=real_names,
                               code_filter=code_filter, taggers={shown} if shown in taggers else None)
        progress = {"document": reviews.review_counts(project, who.coder, who.codebook_ids, document_id),
                    "all": reviews.review_counts(project, who.coder, who.codebook_ids, suggestions=False)}
    ids = list(names)
    at = ids.index(document_id)
    return render(request, "transcript.html", who=who, document_id=document_id, document=names[document_id],
                  turns=turns, codes=codes, code_filter=code_filter, real_names=real_names,
                  taggers=taggers, tagger=shown if shown in taggers else "", progress=progress,
                  previous=ids[at - 1] if at else None, following=ids[at + 1] if at + 1 < len(ids) else None,
                  picker=[{"id": c.id, "name": c.name, "depth": c.depth} for c in codes.values()],
                  page="transcript")


async def coder_form(request: Request) -> Response:
    """GET: the form; POST: take the name (checked like every coder name) into a cookie."""
    target = request.query_params.get("next", "/")
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    problem, name = "", ""
    if request.method == "POST":
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        name = (form.get("name") or [""])[0]
        if not csrf_ok(request, (form.get(CSRF_FIELD) or [""])[0]):
            problem = "The form had expired: please send it again."
        else:
            try:
                with project_for(request) as project:
                    name = person_coder_name(project, name)
            except SelectionError as exc:
                problem = exc.message
            else:
                response = RedirectResponse(target, status_code=303)
                remember_coder(response, name)
                return response
    with project_for(request) as project:
        known = human_coders(project, project.codebooks_frame()["codebook_id"].tolist())
    return render(request, "coder.html", status_code=400 if problem else 200, problem=problem,
                  name=name, target=target, known=known, page="coder")

