"""Write a quote table (from :func:`qualcode.analysis.excerpts_table`, or streamed by
:func:`qualcode.analysis.excerpts.iter_excerpts`) as CSV, Excel or Word (the Word
document: :mod:`qualcode.export.excerpts_docx`)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from qualcode.analysis.excerpts import ExcerptRows
from qualcode.analysis.quotes import QUESTION
from qualcode.core.files import EXCERPT_SUFFIXES, atomic_output, table_format
from qualcode.export.excerpts_docx import write_excerpts_docx
from qualcode.export.xlsx import Book, Sheet, sheet_names, write_workbook

ALL_SHEET = "all"

#: Columns whose cells wrap in Excel.
WRAPPED = ("text", QUESTION)


def write_excerpts(frame: pd.DataFrame | ExcerptRows, path: str | Path, *, title: str = "Coded excerpts",
                   note: str | None = None) -> Path:
    """Write the quote table; the format follows the suffix (.csv, .xlsx or .docx).

    ``frame``: the table, or the stream :func:`~qualcode.analysis.excerpts.iter_excerpts`
    gives, which every format receives row by row (the same file as from the frame)."""
    suffix = table_format(path, EXCERPT_SUFFIXES)
    if isinstance(frame, ExcerptRows):
        try:
            if suffix == ".csv":
                write_excerpt_rows_csv(frame, path)
            elif suffix == ".xlsx":
                write_excerpt_rows_xlsx(frame, path)
            else:
                write_excerpts_docx(frame, path, title=title, note=note)
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
