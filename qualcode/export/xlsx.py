"""Excel workbooks researchers can filter and read: frozen header, filters, widths, wrapping."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from qualcode.export import files
from qualcode.core.files import atomic_output

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Sheet:
    """One sheet: its frame, which columns wrap, which are percentages, and any notes above nothing."""

    name: str
    frame: pd.DataFrame
    wrap: tuple[str, ...] = ()
    percent: tuple[str, ...] = ()
    decimals: dict[str, str] = field(default_factory=dict)  # column -> number format
    max_width: int = 60


def sheet_names(names: list[str]) -> list[str]:
    """Valid, unique Excel sheet names (at most 31 characters, no []:*?/\\)."""
    out: list[str] = []
    for name in names:
        base = _BAD_SHEET_CHARS.sub("_", str(name)).strip("'") or "sheet"
        base = base[:31]
        candidate, n = base, 2
        while candidate.casefold() in {o.casefold() for o in out}:
            suffix = f"~{n}"
            candidate = base[:31 - len(suffix)] + suffix
            n += 1
        out.append(candidate)
    return out


def _cell_value(value):
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


class SheetWriter:
    """One sheet of a write-only workbook, written row by row: memory holds the first
    ``sample`` rows (the column widths are measured on them, as Excel users expect) and
    then one row at a time.  Header bold on a fill, frozen, filtered; ``wrap`` columns
    wrap, ``percent`` columns show percentages, ``decimals`` maps a column to a format."""

    def __init__(self, book, name: str, columns: list, *, wrap: tuple[str, ...] = (),
                 percent: tuple[str, ...] = (), decimals: dict[str, str] | None = None,
                 max_width: int = 60, sample: int = 500, path: str | Path | None = None):
        """``path``: the workbook's file, named if the sheet outgrows Excel."""
        self.ws = book.create_sheet(name)
        self.name, self.path = name, path
        self.columns = [str(c) for c in columns]
        self.max_width, self.sample = max_width, sample
        decimals = decimals or {}
        self._formats = ["0.0%" if c in percent else decimals.get(c) for c in columns]
        self._wrap = [c in wrap for c in columns]
        self._styled = any(self._formats) or any(self._wrap)
        self._pending: list[list] | None = []
        self.rows = 0

    def append(self, values) -> None:
        values = [_cell_value(v) for v in values]
        self.rows += 1
        if self.rows >= files.EXCEL_MAX_ROWS:
            raise files.too_many_rows(self.name, self.path)
        if self._pending is None:
            self._write(values)
            return
        self._pending.append(values)
        if len(self._pending) >= self.sample:
            self._start()

    def _start(self) -> None:
        """Widths from the header and the rows held so far; then the header and those rows."""
        for j, column in enumerate(self.columns):
            texts = [column] + [str(row[j]) for row in self._pending if row[j] is not None]
            longest = max((len(t) for t in texts), default=8)
            self.ws.column_dimensions[get_column_letter(j + 1)].width = min(max(8, longest + 2),
                                                                           self.max_width)
        self.ws.freeze_panes = "A2"
        header = []
        for column in self.columns:
            cell = WriteOnlyCell(self.ws, value=column)
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            header.append(cell)
        self.ws.append(header)
        pending, self._pending = self._pending, None
        for values in pending:
            self._write(values)

    def _write(self, values: list) -> None:
        if self._styled:
            values = [self._styled_cell(v, fmt, wrap) if (fmt or wrap) else v
                      for v, fmt, wrap in zip(values, self._formats, self._wrap)]
        self.ws.append(values)

    def _styled_cell(self, value, fmt, wrap) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=value)
        if fmt:
            cell.number_format = fmt
        if wrap:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        return cell

    def finish(self) -> None:
        """Write what is still held and set the filter over every row."""
        if self._pending is not None:
            self._start()
        if self.columns:
            self.ws.auto_filter.ref = f"A1:{get_column_letter(len(self.columns))}{max(1, self.rows + 1)}"


def write_only_book() -> Workbook:
    return Workbook(write_only=True)


def save_book(book: Workbook, writers: list[SheetWriter], path: str | Path) -> Path:
    """Finish every sheet and save the book atomically to ``path``."""
    for writer in writers:
        writer.finish()
    with atomic_output(path, (".xlsx",)) as tmp:
        book.save(tmp)
    return Path(path)


def write_workbook(sheets: list[Sheet], path: str | Path) -> Path:
    """Write the sheets atomically to ``path`` (.xlsx), in openpyxl's write-only mode."""
    book = write_only_book()
    writers = []
    for sheet, name in zip(sheets, sheet_names([s.name for s in sheets])):
        writer = SheetWriter(book, name, list(sheet.frame.columns), wrap=sheet.wrap,
                             percent=sheet.percent, decimals=sheet.decimals, max_width=sheet.max_width,
                             path=path)
        for row in sheet.frame.itertuples(index=False):
            writer.append(row)
        writers.append(writer)
    return save_book(book, writers, path)
