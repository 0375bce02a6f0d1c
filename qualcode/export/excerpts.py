"""Write a quote table (from :func:`qualcode.analysis.excerpts_table`, or streamed by
:func:`qualcode.analysis.excerpts.iter_excerpts`) as CSV, Excel or Word."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
from docx.shared import Pt

from qualcode.analysis.excerpts import ExcerptRows, excerpts_frame, position_label
from qualcode.analysis.quotes import QUESTION
from qualcode.core.files import EXCERPT_SUFFIXES, atomic_output, table_format
from qualcode.export.word import GREY, add_note, add_table, fit_widths, natural_widths, new_document, usable_width
from qualcode.export.xlsx import Book, Sheet, sheet_names, write_workbook

ALL_SHEET = "all"

#: Columns whose cells wrap in Excel.
WRAPPED = ("text", QUESTION)


def group_label(row, attributes: list[str]) -> str:
    """The focus group a quote comes from: its ``group`` attribute, else the document; plus site."""
    group = row.get("group") if "group" in attributes else None
    label = str(group) if isinstance(group, str) and group else str(row["document"])
    site = row.get("site") if "site" in attributes else None
    if isinstance(site, str) and site and site.casefold() not in label.casefold():
        label += f", {site}"
    return label


def write_excerpts(frame: pd.DataFrame | ExcerptRows, path: str | Path, *, title: str = "Coded excerpts",
                   note: str | None = None) -> Path:
    """Write the quote table; the format follows the suffix (.csv, .xlsx or .docx).

    ``frame``: the table, or the stream :func:`~qualcode.analysis.excerpts.iter_excerpts`
    gives, which CSV and Excel files receive row by row (the same file as from the frame);
    a Word file holds every quote it prints, so the rows are read into a frame for it."""
    suffix = table_format(path, EXCERPT_SUFFIXES)
    if isinstance(frame, ExcerptRows):
        try:
            if suffix == ".csv":
                write_excerpt_rows_csv(frame, path)
            elif suffix == ".xlsx":
                write_excerpt_rows_xlsx(frame, path)
            else:
                write_excerpts_docx(excerpts_frame(frame), path, title=title, note=note)
        finally:  # a write that failed half-way leaves no stream reading from the project
            close = getattr(frame.rows, "close", None)
            if close is not None:
                close()
        return Path(path)
    if suffix == ".csv":
        with atomic_output(path) as tmp:
            frame.to_csv(tmp, index=False, encoding="utf-8-sig")
    elif suffix == ".xlsx":
        write_excerpts_xlsx(frame, path)
    else:
        write_excerpts_docx(frame, path, title=title, note=note)
    return Path(path)


def write_excerpt_rows_csv(excerpts: ExcerptRows, path: str | Path) -> int:
    """Write streamed rows as CSV, one at a time, exactly as ``DataFrame.to_csv`` writes the
    table (UTF-8 with BOM, minimal quoting, missing values empty); returns the rows written."""
    written = 0
    with atomic_output(path) as tmp:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(excerpts.columns)
            for row in excerpts.rows:
                writer.writerow(row)
                written += 1
    return written


def write_excerpt_rows_xlsx(excerpts: ExcerptRows, path: str | Path) -> Path:
    """Streamed rows as the workbook :func:`write_excerpts_xlsx` writes: an "all" sheet, then
    one per theme in the order themes first come; every sheet is written row by row."""
    theme_at = excerpts.columns.index("theme")
    with Book(path) as book:
        every = book.add_sheet(ALL_SHEET, excerpts.columns, wrap=WRAPPED)
        names, by_theme = [ALL_SHEET], {}
        for values in excerpts.rows:
            row = every.render(values)   # once for both sheets
            every.add(row)
            theme = values[theme_at]
            sheet = by_theme.get(theme)
            if sheet is None:
                names.append(str(theme))
                sheet = by_theme[theme] = book.add_sheet(sheet_names(names)[-1], excerpts.columns, wrap=WRAPPED)
            sheet.add(row)
        return book.save()


def write_excerpts_xlsx(frame: pd.DataFrame, path: str | Path) -> Path:
    """An "all" sheet, then one sheet per theme (named by theme id), in codebook order."""
    sheets = [Sheet(ALL_SHEET, frame, wrap=WRAPPED)]
    for theme in dict.fromkeys(frame["theme"]):
        sheets.append(Sheet(str(theme), frame[frame["theme"] == theme], wrap=WRAPPED))
    return write_workbook(sheets, path)


def write_excerpts_docx(frame: pd.DataFrame, path: str | Path, *, title: str = "Coded excerpts",
                        note: str | None = None) -> Path:
    """Quotes grouped by theme (heading 1) and code (heading 2), one table per code."""
    table_format(path, (".docx",))
    doc = new_document()
    doc.add_heading(title, level=0)
    if "real_names" in frame.attrs:
        pseudonymous = not frame.attrs["real_names"]
    else:
        pseudonymous = frame["speaker"].str.fullmatch(r".+ \(.+\)").all() if len(frame) else True
    lines = [f"{len(frame)} quotes" + (f" ({frame.attrs['context']})." if frame.attrs.get("context") else ".")]
    if note:
        lines.append(note)
    if pseudonymous:
        lines.append("Speakers are shown by participant id and role; names spoken inside quotes are "
                     "not removed.")
    add_note(doc, " ".join(lines))
    add_quote_sections(doc, frame, frame.attrs.get("attributes", []))
    with atomic_output(path) as tmp:
        doc.save(tmp)
    return Path(path)


def _asked(quote) -> str:
    """The facilitator's question (a quote table's ``facilitator_question``) on a line of its
    own above the quote, or nothing."""
    asked = quote.get(QUESTION)
    return f"Q: {asked}\n" if isinstance(asked, str) and asked else ""


def add_quote_sections(doc, frame: pd.DataFrame, attributes: list[str], theme_level: int = 1,
                       code_level: int = 2) -> None:
    """Headings and quote tables for every theme and code present in ``frame``."""
    width = usable_width(doc)
    for theme, in_theme in frame.groupby("theme", sort=False):
        doc.add_heading(str(in_theme["theme_name"].iloc[0]), level=theme_level)
        for code, quotes in in_theme.groupby("code", sort=False):
            name = str(quotes["code_name"].iloc[0])
            heading = doc.add_heading(level=code_level)
            heading.add_run(name if code != theme else f"{name} (general)")
            tag = heading.add_run(f"   {code} \u00b7 {len(quotes)} quote{'s' if len(quotes) != 1 else ''}")
            tag.font.size = Pt(9)
            tag.font.color.rgb = GREY
            tag.bold = False
            rows = [(_asked(q) + f"\u201c{q['text'].strip()}\u201d", q["speaker"], group_label(q, attributes),
                     position_label(q)) for _, q in quotes.iterrows()]
            header = ["Quote", "Speaker", "Group", "Position"]
            one_line = natural_widths(header, rows)[1]   # speaker, group, position: on one line
            add_table(doc, header, rows, fit_widths(header, rows, width, fixed={
                i: min(w, 1.6) for i, w in enumerate(one_line) if i}))
            doc.add_paragraph()
