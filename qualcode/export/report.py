"""A Word report for a committee: corpus, codebook, counts, comparison, figures, quotes.

    >>> from qualcode.store.project import open_project
    >>> from qualcode.export.report import write_report
    >>> with open_project("study.qcproj") as project:
    ...     write_report(project, "report.docx")

The numbers come from :mod:`qualcode.analysis` with the same selection rules as
the CLI; the report states the selection it used.
"""

from __future__ import annotations

import tempfile
import textwrap
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from qualcode.analysis.alignment import pairs_alignment
from qualcode.analysis.compare import compare_counts, compare_display, default_pair
from qualcode.analysis.counts import counts_by
from qualcode.analysis.excerpts import excerpts_table, exemplar_quotes, exemplar_rows, iter_excerpts
from qualcode.analysis.frames import is_frames, project_attributes
from qualcode.analysis.selection import (FACILITATOR, NO_VALUE, CodeTree, select_codings,
                                         select_from_project)
from qualcode.core.errors import SelectionError
from qualcode.export.alignment import add_alignment_sections
from qualcode.export.excerpts import add_quote_sections
from qualcode.core.files import atomic_output, table_format
from qualcode.export.plots import alignment_figure, bars_figure, heatmap_figure, save_figure
from qualcode.export.tables import methods_text
from qualcode.export.word import add_figure, add_note, add_table, new_document, usable_width
from qualcode.store.frames import documents_frame
from qualcode.store.queries import participants_by_document, speaking_participants, turns_by_role


@dataclass
class ReportOptions:
    by: str = "role"
    a: str | None = None
    b: str | None = None
    codebook: str | int | None = None
    coder: str | None = None
    status: tuple[str, ...] | None = None
    exemplars: int = 3
    real_names: bool = False
    title: str = "Focus-group coding report"
    pairs: str | Path | None = None  # a pairs file: add the alignment within scholar-mentor pairs
    notes: list[str] = field(default_factory=list)  # what was left out, and why


def corpus_tables(source) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(documents, roles): per document its attributes, participants, turns, words; per role
    the participants, turns and words.  ``source``: :class:`CorpusFrames`, or an open project
    (aggregated in SQL, without reading the turns)."""
    if is_frames(source):
        segments = source.segments.assign(role=source.segments["role"].fillna(NO_VALUE))
        attrs = [a for a in source.attribute_names]
        speakers = (segments[segments["role"] != FACILITATOR].groupby("document")["participant"]
                    .nunique().rename("participants"))
        documents = source.documents
        roles = (segments.groupby("role").agg(participants=("participant", "nunique"),
                                              turns=("segment_id", "size"), words=("words", "sum"))
                 .reset_index())
    else:
        attrs = project_attributes(source)
        speakers = participants_by_document(source, FACILITATOR)
        documents = documents_frame(source)
        roles = turns_by_role(source, NO_VALUE)
    documents = documents[["document", *attrs, "turns", "words"]].merge(
        speakers, on="document", how="left")
    documents["participants"] = documents["participants"].fillna(0).astype(int)
    documents = documents[["document", *attrs, "participants", "turns", "words"]]
    order = {"scholar": 0, "mentor": 1, "facilitator": 2}
    roles = roles.sort_values("role", key=lambda s: s.map(lambda r: (order.get(r, 3), r)))
    return documents.fillna(""), roles.reset_index(drop=True)


def _short(text: str, width: int = 170) -> str:
    return textwrap.shorten(" ".join(str(text or "").split()), width, placeholder=" \u2026")


def _fmt_int(n) -> str:
    return f"{int(n):,}"


def build_report(source, options: ReportOptions | None = None, *, figure_dir: Path):
    """The report as a python-docx Document (figures are written into ``figure_dir``).

    ``source``: an open project (every figure aggregated in SQL and the exemplar quotes
    picked from a stream: memory holds what the report prints, not the codings) or
    :class:`CorpusFrames`."""
    opts = options or ReportOptions()
    frames = source if is_frames(source) else None
    if frames is not None:
        codings, selection = select_codings(frames, codebook=opts.codebook, coder=opts.coder,
                                            status=opts.status)
        tree = CodeTree.for_selection(frames, selection, codings)
        name, total_participants = frames.name, frames.segments["participant"].nunique()
    else:
        selection = select_from_project(source, codebook=opts.codebook, coder=opts.coder,
                                        status=opts.status)
        tree = CodeTree.for_project(source, selection)
        name, total_participants = source.path.name, speaking_participants(source)
    counts = counts_by(source, opts.by, codebook=opts.codebook, coder=opts.coder, status=opts.status,
                       total=True)
    alignment = _alignment(source, opts)
    doc = new_document()
    width = usable_width(doc)

    doc.add_heading(opts.title, level=0)
    intro = doc.add_paragraph()
    intro.add_run(f"Project {name or '(unnamed)'}, {date.today().isoformat()}. ").bold = True
    intro.add_run(f"Codings used: {selection.describe()}. Facilitator turns are left out of every "
                  "count. Speakers are shown by participant id and role.")

    # ------------------------------------------------------------------ corpus
    documents, roles = corpus_tables(source)
    doc.add_heading("1. Corpus", level=1)
    by_role = ", ".join(f"{r.participants} {r.role}{'s' if r.participants != 1 else ''}"
                        for r in roles.itertuples())
    doc.add_paragraph(
        f"{len(documents)} transcript{'s' if len(documents) != 1 else ''}, {total_participants} "
        f"participants ({by_role}), {_fmt_int(documents['turns'].sum())} turns and "
        f"{_fmt_int(documents['words'].sum())} words.")
    attrs = [c for c in documents.columns if c not in ("document", "participants", "turns", "words")]
    header = ["Document", *[a.capitalize() for a in attrs], "Participants", "Turns", "Words"]
    numeric = len(attrs) + 1
    add_table(doc, header,
              [[r["document"], *[r[a] for a in attrs], _fmt_int(r["participants"]),
                _fmt_int(r["turns"]), _fmt_int(r["words"])] for _, r in documents.iterrows()],
              [width - 0.9 * len(attrs) - 2.6, *[0.9] * len(attrs), 1.1, 0.7, 0.8],
              align_right=range(numeric, numeric + 3))
    doc.add_paragraph()
    add_table(doc, ["Role", "Participants", "Turns", "Words"],
              [[r.role, _fmt_int(r.participants), _fmt_int(r.turns), _fmt_int(r.words)]
               for r in roles.itertuples()], [1.6, 1.1, 0.9, 0.9], align_right=(1, 2, 3))

    # ---------------------------------------------------------------- codebook
    codes = tree.frame()
    themes = int((codes["depth"] == 0).sum())
    doc.add_heading("2. Codebook", level=1)
    doc.add_paragraph(f"{selection.codebook or 'No codebook'}: {len(codes)} codes in {themes} themes.")
    add_table(doc, ["Code", "Id", "Definition"],
              [[("\u2003" * d) + n, c, _short(tree.definition.get(c, ""))]
               for c, n, d in zip(codes["code"], codes["name"], codes["depth"])],
              [2.1, 1.6, width - 3.7], size=8)

    # ------------------------------------------------------------------ counts
    doc.add_heading(f"3. Codes by {opts.by}", level=1)
    doc.add_paragraph(
        "For each code: participant turns coded out of the group's participant turns (share), and "
        "the number of distinct participants who raised it. A theme counts its own codings and "
        "those of its subcodes, each turn once.")
    groups = list(dict.fromkeys(counts["group"]))
    rows = []
    for code, part in counts.groupby("code", sort=False):
        first = part.iloc[0]
        row = [("\u2003" * int(first["depth"])) + str(first["name"])]
        for group in groups:
            g = part[part["group"] == group].iloc[0]
            row.append(f"{g['turns']}/{g['group_turns']} ({g['share']:.0%})\n"
                       f"{g['participants']} of {g['group_participants']} participants")
        rows.append(row)
    group_width = min(1.45, (width - 2.2) / max(len(groups), 1))
    add_table(doc, ["Code", *groups], rows, [width - group_width * len(groups), *[group_width] * len(groups)],
              size=8)
    heatmap = save_figure(heatmap_figure(counts, title=f"Share of participant turns by {opts.by}"),
                          figure_dir / "heatmap.png")
    doc.add_paragraph()
    add_figure(doc, heatmap, width)

    # -------------------------------------------------------------- comparison
    doc.add_heading("4. Comparison", level=1)
    try:
        a, b = default_pair([g for g in groups if g != "all"], opts.by, opts.a, opts.b)
    except SelectionError as exc:
        a = b = None
        opts.notes.append(f"comparison left out: {exc}")
        add_note(doc, f"No comparison: {exc}.")
    if a is not None:
        table = compare_counts(counts[counts["group"] != "all"], a, b)
        display = compare_display(table)
        doc.add_paragraph(f"{a.capitalize()} vs {b}: for each code, the share of each group's "
                          "participant turns, the difference in percentage points with its 95% "
                          "confidence interval, and Fisher's exact test adjusted for multiple "
                          "comparisons.")
        display = display.drop(columns=[f"{a}/{b} participants"])
        for side, group in (("a", a), ("b", b)):
            display[f"{group} {table['unit'].iloc[0]}"] = [
                f"{cell}\n{n}/{m} people" for cell, n, m in
                zip(display[f"{group} {table['unit'].iloc[0]}"], table[f"{side}_participants"],
                    table[f"{side}_group_participants"])]
        header = ["adj. p" if c == "adjusted p" else c for c in display.columns]
        add_table(doc, header, display.values.tolist(),
                  [width - 5.1, 1.0, 1.0, 1.2, 0.6, 0.6, 0.7], size=8)
        add_note(doc, "people: distinct participants who raised the code.", size=8)
        for line in methods_text(table):
            add_note(doc, line, size=8)
        bars = save_figure(bars_figure(table), figure_dir / "bars.png")
        add_figure(doc, bars, width)

    # --------------------------------------------------------------- exemplars
    doc.add_heading("5. Exemplar quotes", level=1)
    quote_options = dict(codebook=opts.codebook, coder=opts.coder, status=opts.status,
                         real_names=opts.real_names)
    if frames is not None:
        quotes = excerpts_table(frames, **quote_options)
        chosen, quoted = exemplar_quotes(quotes, per_code=opts.exemplars), len(quotes)
    else:
        chosen, quoted = exemplar_rows(iter_excerpts(source, **quote_options), per_code=opts.exemplars)
    doc.add_paragraph(f"Up to {opts.exemplars} quotes per code, chosen from different participants "
                      f"and roles ({len(chosen)} of {quoted} coded excerpts). The full table: "
                      "qualcode export excerpts PROJECT -o quotes.docx.")
    add_quote_sections(doc, chosen, chosen.attrs.get("attributes", []), theme_level=2, code_level=3)

    if alignment is not None:
        doc.add_heading("6. Alignment within scholar-mentor pairs", level=1)
        figure = None
        if (alignment.across["raised"] > 0).any():
            figure = save_figure(alignment_figure(alignment), figure_dir / "alignment.png")
        add_alignment_sections(doc, alignment, level=2, figure=figure)
    return doc


def _alignment(source, opts: ReportOptions):
    """The alignment of the pairs in ``opts.pairs`` (None without a pairs file); read first,
    so a bad pairs file stops the report before anything is built."""
    if opts.pairs is None:
        return None
    if is_frames(source):
        raise SelectionError("the alignment of pairs is read from a project, not from frames")
    return pairs_alignment(source, opts.pairs, codebook=opts.codebook, coder=opts.coder,
                           status=opts.status, real_names=opts.real_names)


def write_report(project, path: str | Path, **options) -> Path:
    """Write the report for an open :class:`~qualcode.store.project.Project` (or :class:`CorpusFrames`)
    to ``path``.

    Options: ``by`` (default ``role``), ``a``/``b`` (the groups compared),
    ``codebook``, ``coder``, ``status``, ``exemplars`` (quotes per code, 3),
    ``real_names`` (False), ``title``, ``pairs`` (a pairs file: adds the alignment within
    scholar-mentor pairs, :mod:`qualcode.analysis.alignment`).
    """
    table_format(path, (".docx",))
    opts = ReportOptions(**options)
    with tempfile.TemporaryDirectory(prefix="qualcode-report-") as tmp:
        doc = build_report(project, opts, figure_dir=Path(tmp))
        with atomic_output(path) as out:
            doc.save(out)
    return Path(path)
