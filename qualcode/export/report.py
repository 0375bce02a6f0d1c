"""A Word report for a committee: corpus, codebook, counts, comparison, figures, quotes.

    >>> from qualcode.store.project import open_project
    >>> from qualcode.export.report import write_report
    >>> with open_project("study.qcproj") as project:
    ...     write_report(project, "report.docx")

The numbers come from :func:`qualcode.analysis.report.report_data` (a notebook can call it
for the same tables); this module only renders them, stating the selection it used.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from qualcode.analysis.compare import compare_display
from qualcode.analysis.report import ReportData, report_data
from qualcode.core.files import atomic_output, table_format
from qualcode.export.alignment import add_alignment_sections
from qualcode.export.excerpts_docx import add_quote_sections
from qualcode.export.plots import alignment_figure, bars_figure, heatmap_figure, save_figure
from qualcode.export.tables import methods_text
from qualcode.export.word import (add_figure, add_note, add_table, breakable, fit_widths, natural_widths,
                                  new_document, usable_width)

TITLE = "Focus-group coding report"
#: Inches of the code column of the count and comparison tables, and the least each group's
#: column gets before the groups are split over several tables.
CODE_COLUMN = 2.2
GROUP_COLUMN = 1.1


def _fmt_int(n) -> str:
    return f"{int(n):,}"


def build_report(data: ReportData, *, title: str = TITLE, figure_dir: Path):
    """The report as a python-docx Document (figures are written into ``figure_dir``)."""
    doc = new_document()
    width = usable_width(doc)
    doc.add_heading(title, level=0)
    intro = doc.add_paragraph()
    intro.add_run(f"Project {data.project or '(unnamed)'}, {date.today().isoformat()}. ").bold = True
    intro.add_run(f"Codings used: {data.selection.describe()}. The turns of {data.left_out} are left "
                  "out of every count. Speakers are shown by participant id and role.")
    _corpus_section(doc, data, width)
    _codebook_section(doc, data, width)
    _counts_section(doc, data, width, figure_dir)
    _comparison_section(doc, data, width, figure_dir)
    _exemplars_section(doc, data)
    if data.alignment is not None:
        doc.add_heading("6. Alignment within scholar-mentor pairs", level=1)
        figure = None
        if (data.alignment.across["raised"] > 0).any():
            figure = save_figure(alignment_figure(data.alignment), figure_dir / "alignment.png")
        add_alignment_sections(doc, data.alignment, level=2, figure=figure)
    return doc


def _corpus_section(doc, data: ReportData, width: float) -> None:
    documents, roles = data.documents, data.roles
    doc.add_heading("1. Corpus", level=1)
    by_role = ", ".join(f"{r.participants} {r.role}{'s' if r.participants != 1 else ''}"
                        for r in roles.itertuples())
    doc.add_paragraph(
        f"{len(documents)} transcript{'s' if len(documents) != 1 else ''}, {data.participants} "
        f"participants ({by_role}), {_fmt_int(documents['turns'].sum())} turns and "
        f"{_fmt_int(documents['words'].sum())} words.")
    attrs = [c for c in documents.columns if c not in ("document", "participants", "turns", "words")]
    header = ["Document", *[a.capitalize() for a in attrs], "Participants", "Turns", "Words"]
    numeric = len(attrs) + 1
    add_table(doc, header,
              [[r["document"], *[r[a] for a in attrs], _fmt_int(r["participants"]),
                _fmt_int(r["turns"]), _fmt_int(r["words"])] for _, r in documents.iterrows()],
              size=8, align_right=range(numeric, numeric + 3))
    doc.add_paragraph()
    header, rows = ["Role", "Participants", "Turns", "Words"], \
        [[r.role, _fmt_int(r.participants), _fmt_int(r.turns), _fmt_int(r.words)] for r in roles.itertuples()]
    add_table(doc, header, rows, fit_widths(header, rows, min(width, 4.5)), align_right=(1, 2, 3))


def _codebook_section(doc, data: ReportData, width: float) -> None:
    tree = data.tree
    codes = tree.frame()
    themes = int((codes["depth"] == 0).sum())
    doc.add_heading("2. Codebook", level=1)
    doc.add_paragraph(f"{data.selection.codebook or 'No codebook'}: {len(codes)} codes in {themes} themes.")
    rows = [[("\u2003" * d) + n + "\n" + ("\u2003" * d) + c, " ".join(tree.definition.get(c, "").split())]
            for c, n, d in zip(codes["code"], codes["name"], codes["depth"])]
    header = ["Code (name and id)", "Definition"]
    narrowest = natural_widths(header, rows, size=8)[0][0]   # as wide as the longest name or id
    add_table(doc, header, rows, fit_widths(header, rows, width, size=8, fixed={0: max(narrowest, 2.0)}),
              size=8)


def _counts_section(doc, data: ReportData, width: float, figure_dir: Path) -> None:
    counts = data.counts
    doc.add_heading(f"3. Codes by {data.by}", level=1)
    doc.add_paragraph(
        "For each code: participant turns coded out of the group's participant turns (share), and "
        "the number of distinct participants who raised it. A theme counts its own codings and "
        "those of its subcodes, each turn once.")
    groups = list(dict.fromkeys(counts["group"]))
    cells = {}
    for code, part in counts.groupby("code", sort=False):
        first = part.iloc[0]
        cells[code] = [("\u2003" * int(first["depth"])) + str(first["name"])]
        for group in groups:
            g = part[part["group"] == group].iloc[0]
            cells[code].append(f"{g['turns']}/{g['group_turns']} ({g['share']:.0%})\n"
                               f"{g['participants']} of {g['group_participants']} participants")
    per_table = max(1, int((width - CODE_COLUMN) // GROUP_COLUMN))   # groups side by side
    for first in range(0, len(groups), per_table):
        shown = range(1 + first, 1 + min(first + per_table, len(groups)))
        header = ["Code", *[breakable(groups[i - 1]) for i in shown]]
        rows = [[row[0], *[row[i] for i in shown]] for row in cells.values()]
        add_table(doc, header, rows, fit_widths(header, rows, width, size=8, fixed={0: CODE_COLUMN}), size=8)
        doc.add_paragraph()
    heatmap = save_figure(heatmap_figure(counts, title=f"Share of participant turns by {data.by}"),
                          figure_dir / "heatmap.png")
    add_figure(doc, heatmap, width)


def _comparison_section(doc, data: ReportData, width: float, figure_dir: Path) -> None:
    doc.add_heading("4. Comparison", level=1)
    table = data.comparison
    if table is None:
        add_note(doc, f"No comparison: {data.no_comparison}.")
        return
    a, b, unit = table["a"].iloc[0], table["b"].iloc[0], table["unit"].iloc[0]
    display = compare_display(table)
    doc.add_paragraph(f"{a.capitalize()} vs {b}: for each code, the share of each group's "
                      "participant turns, the difference in percentage points with its 95% "
                      "confidence interval, and Fisher's exact test adjusted for multiple "
                      "comparisons.")
    display = display.drop(columns=[f"{a}/{b} participants"])
    for side, group in (("a", a), ("b", b)):
        display[f"{group} {unit}"] = [
            f"{cell}\n{n}/{m} people" for cell, n, m in
            zip(display[f"{group} {unit}"], table[f"{side}_participants"], table[f"{side}_group_participants"])]
    header = ["adj. p" if c == "adjusted p" else breakable(c) for c in display.columns]
    rows = display.values.tolist()
    add_table(doc, header, rows, fit_widths(header, rows, width, size=8, fixed={0: CODE_COLUMN}), size=8)
    add_note(doc, "people: distinct participants who raised the code.", size=8)
    for line in methods_text(table):
        add_note(doc, line, size=8)
    bars = save_figure(bars_figure(table), figure_dir / "bars.png")
    add_figure(doc, bars, width)


def _exemplars_section(doc, data: ReportData) -> None:
    chosen = data.exemplars
    doc.add_heading("5. Exemplar quotes", level=1)
    doc.add_paragraph(f"Up to {data.per_code} quotes per code, chosen from different participants "
                      f"and roles ({len(chosen)} of {data.excerpts} quotes; each quote: "
                      f"{chosen.attrs.get('context', 'whole sentences')}). The full table: "
                      "qualcode export excerpts PROJECT -o quotes.docx.")
    add_quote_sections(doc, chosen, chosen.attrs.get("attributes", []), theme_level=2, code_level=3)


def write_report(project, path: str | Path, *, title: str = TITLE, notes: list[str] | None = None,
                 **options) -> Path:
    """Write the report for an open :class:`~qualcode.store.project.Project` to ``path``.

    Options are those of :func:`~qualcode.analysis.report.report_data`: ``by`` (default
    ``role``), ``a``/``b`` (the groups compared), ``codebook``, ``coder``, ``status``,
    ``exemplars`` (quotes per code, 3), ``real_names`` (False), ``pairs`` (a pairs file:
    adds the alignment within scholar-mentor pairs); and ``title``.  What was left out,
    and why, is added to ``notes`` if given.
    """
    table_format(path, (".docx",))
    data = report_data(project, **options)
    if notes is not None:
        notes.extend(data.notes)
    with tempfile.TemporaryDirectory(prefix="qualcode-report-") as tmp:
        doc = build_report(data, title=title, figure_dir=Path(tmp))
        with atomic_output(path) as out:
            doc.save(out)
    return Path(path)
