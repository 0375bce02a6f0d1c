"""The requests that change the project (JSON in, JSON out): a review decision, a coding of
a selected span, undo, training; and the way to the turn the model is least sure of.

Each answer carries the sentence to show, the reviewer's progress and, for the turn the
decision changed, its new HTML (drawn by the same template as the page, every value
escaped), so the page swaps one turn and never builds HTML from data itself.
"""

from __future__ import annotations

from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from qualcode.core.errors import SelectionError
from qualcode.store import reviews
from qualcode.store.project import Project
from qualcode.web.context import bench, project_for, reviewer_for
from qualcode.web.pages import codes_of
from qualcode.web.transcript import document_turns
from qualcode.workflows import learning, review
from qualcode.workflows.review import Decision, Reviewer

DECISIONS = {"accept": review.accept, "reject": review.reject, "remove": review.remove}


async def _body(request: Request) -> dict:
    try:
        body = await request.json()
    except ValueError:
        raise SelectionError("the request is not JSON") from None
    if not isinstance(body, dict):
        raise SelectionError("the request is not a JSON object")
    return body


def _number(body: dict, key: str) -> int:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SelectionError(f"{key} must be a whole number, not {value!r}")
    return value


def _answer(request: Request, project: Project, who: Reviewer, decision: Decision | None,
            view: dict, message: str | None = None) -> JSONResponse:
    out: dict = {"message": message or (decision.message if decision else "nothing to undo")}
    document = view.get("document")
    if decision is not None:
        out.update(changed=decision.changed, segment=decision.segment_id, document=decision.document_id)
        if decision.document_id == document:
            out["turn_html"] = turn_html(request, project, who, decision.document_id, decision.segment_id, view)
    if isinstance(document, int):
        out["progress"] = {"document": reviews.review_counts(project, who.coder, who.codebook_ids, document),
                           "all": reviews.review_counts(project, who.coder, who.codebook_ids, suggestions=False)}
    return JSONResponse(out)


def turn_html(request: Request, project: Project, who: Reviewer, document_id: int, segment_id: int,
              view: dict) -> str:
    """One turn as the transcript page draws it, for the page to swap in."""
    codes = codes_of(request, project, who)
    tagger = view.get("tagger") if isinstance(view.get("tagger"), str) else None
    turns = document_turns(project, who, document_id, codes, real_names=view.get("names") == "real",
                           taggers={tagger} if tagger else None, segment_id=segment_id)
    template = request.app.state.templates.get_template("turn.html")
    return template.render(turns=turns)


def _view(body: dict) -> dict:
    view = body.get("view")
    return view if isinstance(view, dict) else {}


async def decide(request: Request) -> JSONResponse:
    """``{"action": "accept"|"reject"|"remove", "coding": ID}`` or ``{"action": "reviewed",
    "segment": ID}``."""
    return await run_in_threadpool(_decide, request, await _body(request))


def _decide(request: Request, body: dict) -> JSONResponse:
    action = body.get("action")
    with project_for(request) as project:
        who = reviewer_for(request, project)
        if action in DECISIONS:
            decision = DECISIONS[action](project, who, _number(body, "coding"))
        elif action == "reviewed":
            decision = review.mark_reviewed(project, who, _number(body, "segment"))
        else:
            raise SelectionError(f"unknown action {action!r}")
        return _answer(request, project, who, decision, _view(body))


async def code_span(request: Request) -> JSONResponse:
    """``{"document": ID, "start": N, "end": N, "code": CODE}``: a coding of that span."""
    return await run_in_threadpool(_code_span, request, await _body(request))


def _code_span(request: Request, body: dict) -> JSONResponse:
    code = body.get("code")
    if not isinstance(code, str):
        raise SelectionError("no code given")
    with project_for(request) as project:
        who = reviewer_for(request, project)
        decision = review.add_coding(project, who, _number(body, "document"), _number(body, "start"),
                                     _number(body, "end"), code)
        return _answer(request, project, who, decision, _view(body))


async def undo(request: Request) -> JSONResponse:
    """Take back the reviewer's last decision."""
    return await run_in_threadpool(_undo, request, await _body(request))


def _undo(request: Request, body: dict) -> JSONResponse:
    with project_for(request) as project:
        who = reviewer_for(request, project)
        return _answer(request, project, who, review.undo(project, who), _view(body))


def model_path(request: Request, who: Reviewer) -> Path:
    """Where the model trained on a reviewer's decisions is kept: beside the project,
    ``<project>.<coder>.qcmodel`` (a name the server makes, never one from the request)."""
    project = Path(bench(request).settings.project)
    return project.with_name(f"{project.stem}.{who.coder}.qcmodel")


def train(request: Request) -> JSONResponse:
    """Train on the reviewer's decisions and refresh the model's suggestions on the turns
    they have not reviewed (one training at a time per server)."""
    state = bench(request)
    if not state.training.acquire(blocking=False):
        raise SelectionError("a model is being trained already: wait for it to finish")
    try:
        with project_for(request) as project:
            who = reviewer_for(request, project)
            run = learning.train_and_refresh(project, who, model_path(request, who))
    finally:
        state.training.release()
    state.models[(who.coder, who.codebook_id)] = run.model
    return JSONResponse({"message": f"trained on {run.trained_on} turns you reviewed ({len(run.learned)} codes "
                                    f"learned); {run.suggestions} fresh suggestions by {run.tagger} on "
                                    f"{run.turns} turns you have not reviewed; model saved as "
                                    f"{model_path(request, who).name}"})


def uncertain(request: Request) -> JSONResponse:
    """Where the turn is that the reviewer's model is least sure of."""
    with project_for(request) as project:
        who = reviewer_for(request, project)
        model = bench(request).models.get((who.coder, who.codebook_id))
        path = model_path(request, who)
        if model is None and path.is_file():
            from qualcode.tagging.ml.modelfile import load_model
            model = load_model(path)
        if model is None:
            raise SelectionError("train the model first (the Train button)")
        document, turn = learning.next_uncertain_turn(project, model)
        document_id = project.document_id(document)
    return JSONResponse({"url": f"/documents/{document_id}#t{turn}", "document": document, "turn": turn})
