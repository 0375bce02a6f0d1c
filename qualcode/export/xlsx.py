"""Excel workbooks researchers can filter and read: frozen header, filters, widths, wrapping."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from qualcode.export.files import atomic_output

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


def write_workbook(sheets: list[Sheet], path: str | Path) -> Path:
    """Write the sheets atomically to ``path`` (.xlsx)."""
    book = Workbook()
    book.remove(book.active)
    for sheet, name in zip(sheets, sheet_names([s.name for s in sheets])):
        ws = book.create_sheet(name)
        frame = sheet.frame
        columns = list(frame.columns)
        ws.append([str(c) for c in columns])
        for row in frame.itertuples(index=False):
            ws.append([_cell_value(v) for v in row])
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        for j, column in enumerate(columns, start=1):
            letter = get_column_letter(j)
            texts = [str(column)] + [str(v) for v in frame[column].head(500) if v is not None]
            longest = max((len(t) for t in texts), default=8)
            width = min(max(8, longest + 2), sheet.max_width)
            ws.column_dimensions[letter].width = width
            fmt = "0.0%" if column in sheet.percent else sheet.decimals.get(column)
            wrap = column in sheet.wrap
            if fmt or wrap:
                for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    if fmt:
                        cell.number_format = fmt
                    if wrap:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        if frame.shape[1]:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(frame) + 1)}"
    with atomic_output(path) as tmp:
        book.save(tmp)
    return Path(path)
