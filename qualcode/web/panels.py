"""The agreement panel and the analysis page, with their chart and downloads: views of the
same library functions the command line calls (``agreement``, ``export counts``,
``compare``, ``export excerpts``, ``report``, ``export qdpx``)."""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from qualcode.core.errors import QualcodeError, SelectionError
from qualcode.store import queries
from qualcode.store.project import Project
from qualcode.web.actions import model_path
from qualcode.web.context import bench, project_for, render, reviewer_for
from qualcode.web.pages import codes_of, human_coders
from qualcode.workflows.learning import machine_taggers, model_tagger, tagger_agreement
from qualcode.workflows.review import Reviewer

STATUS_CHOICES = {"not-rejected": ("suggested", "accepted"), "accepted": ("accepted",),
                  "all": ("suggested", "accepted", "rejected")}
QUOTES_SHOWN = 200
DOWNLOADS = ("quotes.csv", "quotes.xlsx", "quotes.docx", "counts.csv", "counts.xlsx", "comparison.csv",
             "comparison.xlsx", "report.docx", "project.qdpx")
MEDIA = {".csv": "text/csv; charset=utf-8", ".docx": "application/vnd.openxmlformats-officedocument."
         "wordprocessingml.document", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml."
         "sheet", ".qdpx": "application/zip"}


def agreement(request: Request) -> Response:
    """Each machine tagger against this reviewer on the turns they reviewed (``?fragment=1``:
    the panel alone, for the transcript page's sidebar)."""
    with project_for(request) as project:
        who = reviewer_for(request, project)
        table, notes = tagger_agreement(project, who)
        model = model_path(request, who)
        names = {c.id: c.name for c in codes_of(request, project, who).values()}
    groups = [(tagger, part.to_dict("records")) for tagger, part in table.groupby("tagger", sort=False)]
    template = "agreement_panel.html" if request.query_params.get("fragment") else "agreement.html"
    return render(request, template, who=who, groups=groups, notes=notes, names=names,
                  model_tagger=model_tagger(who),
                  model_file=model.name if model.is_file() else "", page="agreement")


@dataclass
class Query:
    """The analysis page's choices, from its address."""

    by: str
    coder: str
    status: str
    code: str
    role: str
    document: str

    @property
    def statuses(self) -> tuple[str, ...]:
        return STATUS_CHOICES[self.status]

    def selection(self, who: Reviewer) -> dict:
        return {"codebook": who.codebook_id, "coder": self.coder, "status": self.statuses}

    def excerpts(self, project: Project, who: Reviewer):
        """The quote table's rows for these choices (``qualcode export excerpts``)."""
        from qualcode.analysis import iter_excerpts
        return iter_excerpts(project, code=self.code or None, role=self.role or None,
                             document=self.document or None, **self.selection(who))


def _query(request: Request, project: Project, who: Reviewer) -> Query:
    params = request.query_params
    people = human_coders(project, who.codebook_ids)
    default = who.coder if who.coder in people else (machine_taggers(project, who) or [who.coder])[0]
    status = params.get("status", "not-rejected")
    if status not in STATUS_CHOICES:
        raise SelectionError(f"unknown status choice {status!r}; use {', '.join(STATUS_CHOICES)}")
    return Query(params.get("by", "role"), params.get("coder", default), status, params.get("code", ""),
                 params.get("role", ""), params.get("document", ""))


def analysis(request: Request) -> Response:
    from qualcode.analysis import compare_display, compare_groups, counts_display, counts_by

    with project_for(request) as project:
        who = reviewer_for(request, project)
        query = _query(request, project, who)
        codes = codes_of(request, project, who)
        sections: dict = {}
        sections["counts"] = _attempt(lambda: counts_display(counts_by(project, query.by, **query.selection(who))))
        sections["compare"] = _attempt(lambda: compare_display(compare_groups(project, query.by,
                                                                              **query.selection(who))))

        def quotes():
            rows = query.excerpts(project, who)
            shown = [dict(zip(rows.columns, row)) for row, _ in zip(rows.rows, range(QUOTES_SHOWN))]
            rows.rows.close()  # before the project closes
            return {"rows": shown, "selection": rows.selection}
        sections["quotes"] = _attempt(quotes)
        choices = {"by": ["role", "document", "participant", *queries.attribute_names(project)],
                   "coder": [*human_coders(project, who.codebook_ids), *machine_taggers(project, who), "all"],
                   "status": list(STATUS_CHOICES), "role": queries.turn_roles(project),
                   "document": queries.document_names(project)}
    return render(request, "analysis.html", who=who, query=query, sections=sections, choices=choices,
                  codes=codes, downloads=DOWNLOADS, query_string=request.url.query, page="analysis")


def _attempt(make):
    """(result, None), or (None, the message) when the selection leaves nothing."""
    try:
        return make(), None
    except QualcodeError as exc:
        return None, str(exc)


def chart(request: Request) -> Response:
    """The heatmap of codes by group (``qualcode plot --kind heatmap``), as SVG."""
    from qualcode.analysis import counts_by
    from qualcode.export.plots import heatmap_figure

    with project_for(request) as project:
        who = reviewer_for(request, project)
        query = _query(request, project, who)
        figure = heatmap_figure(counts_by(project, query.by, **query.selection(who)))
    out = io.BytesIO()
    figure.savefig(out, format="svg")
    return Response(out.getvalue(), media_type="image/svg+xml")


def download(request: Request) -> Response:
    """One of the files the command line writes, written by the same function, for the
    analysis page's current choices."""
    what = request.path_params["what"]
    if what not in DOWNLOADS:
        raise SelectionError(f"nothing to download as {what!r}")
    with project_for(request) as project, tempfile.TemporaryDirectory() as folder:
        who = reviewer_for(request, project)
        query = _query(request, project, who)
        path = Path(folder) / what
        _write(project, who, query, path)
        content = path.read_bytes()
    name = f"{Path(bench(request).settings.project).stem}_{what}"
    return Response(content, media_type=MEDIA[path.suffix],
                    headers={"content-disposition": f'attachment; filename="{name}"'})


def _write(project: Project, who: Reviewer, query: Query, path: Path) -> None:
    kind, selection = path.stem, query.selection(who)
    if kind == "quotes":
        from qualcode.export.excerpts import write_excerpts
        rows = query.excerpts(project, who)
        write_excerpts(rows, path, note=f"Selection: {rows.selection}.")
    elif kind == "counts":
        from qualcode.analysis import counts_by
        from qualcode.export.tables import write_counts
        write_counts(counts_by(project, query.by, **selection), path)
    elif kind == "comparison":
        from qualcode.analysis import compare_groups
        from qualcode.export.tables import write_comparison
        write_comparison(compare_groups(project, query.by, **selection), path)
    elif kind == "report":
        from qualcode.export.report import write_report
        write_report(project, path, by=query.by, codebook=who.codebook_id, coder=query.coder,
                     status=query.statuses, notes=[])
    else:
        from qualcode.exchange.refi import export_qdpx
        export_qdpx(project, path, statuses=query.statuses)
