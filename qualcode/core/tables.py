"""Read a codings table (CSV, TSV or XLSX) into numbered rows of strings.

Row numbers are spreadsheet row numbers: the header is row 1, so "row 7" is the
row a researcher sees as 7 in Excel or LibreOffice.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from qualcode.core.errors import FormatError, InputError
from qualcode.core.encoding import read_text_file

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")


@dataclass
class Table:
    path: Path
    columns: list[str]                       # casefolded, stripped header names
    rows: list[tuple[int, dict[str, str]]]   # (row number, {column: stripped text})

    def has(self, column: str) -> bool:
        return column in self.columns


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(path: str | Path) -> Table:
    """Every non-blank row of the file (CSV/TSV), or of an XLSX workbook's sheet named
    'coding' (as written by ``export coding-sheet``), else its first sheet."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise InputError(f"cannot read {suffix or 'a file without suffix'} codings: use .csv or .xlsx",
                         path)
    if suffix == ".xlsx":
        records = _xlsx_records(path)
    else:
        text = read_text_file(path)
        first = text.split("\n", 1)[0]
        delimiter = max((",", ";", "\t"), key=first.count)
        try:
            records = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        except csv.Error as exc:
            raise FormatError(f"malformed CSV: {exc}", path) from None
    if not records or not any(_cell(c) for c in records[0]):
        raise InputError("empty file, expected a header row (document, turn, codes...)", path)
    header = [_cell(h).casefold() for h in records[0]]
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise InputError(f"column {name!r} appears twice in the header", path, 1)
        seen.add(name)
    rows = []
    for number, record in enumerate(records[1:], start=2):
        cells = [_cell(c) for c in record]
        if not any(cells):
            continue
        if len(cells) > len(header) and any(cells[len(header):]):
            raise InputError(f"row {number} has {len(cells)} cells but the header has {len(header)}",
                             path)
        rows.append((number, {h: (cells[i] if i < len(cells) else "")
                              for i, h in enumerate(header) if h}))
    return Table(path, [h for h in header if h], rows)


def _xlsx_records(path: Path) -> list[list]:
    import openpyxl  # local import: only Excel users pay for it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FormatError(f"not an Excel .xlsx workbook ({exc.__class__.__name__}: {exc})", path) from None
    try:
        sheet = book["coding"] if "coding" in book.sheetnames else book.worksheets[0]
        return [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
