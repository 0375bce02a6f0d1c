"""One reader for every table qualcode takes in: CSV, TSV and Excel .xlsx.

Manifests and speakers tables, coding sheets, Taguette highlights and transcripts kept as
tables all come through here (a transcript finds its own columns and builds its turns,
:mod:`qualcode.ingest.tables`):

- a text table is decoded as a transcript is (:mod:`qualcode.core.encoding`: UTF-8 with
  or without a byte order mark, UTF-16, Windows-1252), with the same limit on the length
  of a line;
- its delimiter is the one of comma, semicolon (what Excel writes where a comma is the
  decimal separator) and tab that occurs most often in the header line, quoted text left
  out; a tie goes to the comma.  A caller that knows better (a ``.tsv`` transcript) says so;
- an .xlsx workbook is checked for a zip bomb (:func:`~qualcode.core.office.check_office_zip`)
  before openpyxl opens it; its cells keep their types (numbers, times) until
  :func:`cell_text` makes them text;
- row numbers are what a spreadsheet shows: the header is row 1, and a cell holding a
  line break does not shift the rows below it;
- every problem is an :class:`~qualcode.core.errors.InputError` (or
  :class:`~qualcode.core.errors.FormatError`) naming the file and, where known, the row.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.core.encoding import read_text_file
from qualcode.core.errors import FormatError, InputError, QualcodeError
from qualcode.core.office import check_office_zip

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
READABLE_SUFFIXES = (".csv", ".tsv", ".tab", ".txt") + EXCEL_SUFFIXES
DELIMITERS = (",", ";", "\t")

#: ``(row number, cells)``: text cells from a CSV or TSV, typed ones from a workbook.
Record = tuple[int, list]


@dataclass
class Table:
    """A table with a header row: its rows as ``{column: text}`` (blank rows left out)."""

    path: Path
    columns: list[str]                       # casefolded, stripped header names (no empty ones)
    rows: list[tuple[int, dict[str, str]]]   # (row number, {column: stripped text})
    header: list[str] = field(default_factory=list)  # the header cells as written, stripped

    def has(self, column: str) -> bool:
        return column in self.columns


def cell_text(value) -> str:
    """A cell as stripped text: empty for nothing, ``3`` for a workbook's 3.0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def is_blank(cells: list) -> bool:
    return not any(cell_text(c) for c in cells)


def read_table(path: str | Path, *, what: str = "table", sheet: str | int | None = None,
               prefer_sheet: str | None = None) -> Table:
    """Every non-blank row of a CSV/TSV file or of an .xlsx workbook's sheet (``sheet``, else
    the sheet named ``prefer_sheet`` if there is one, else the first), under its header.

    ``what`` names the table in errors ("cannot read .json codings: ...")."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in READABLE_SUFFIXES:
        raise InputError(f"cannot read {suffix or 'a file without suffix'} {what}: use .csv, .tsv or .xlsx",
                         path)
    if suffix in EXCEL_SUFFIXES:
        records = read_xlsx_records(path, sheet, prefer_sheet)
    else:
        records = parse_delimited(read_text_file(path), path)
    return table_of(records, path)


def table_of(records: list[Record], path: Path) -> Table:
    """The :class:`Table` of records whose first one is the header."""
    if not records:
        raise InputError("empty file, expected a header row", path)
    header = [cell_text(h) for h in records[0][1]]
    if not any(header):
        raise InputError("empty header row", path, records[0][0])
    columns = [h.casefold() for h in header]
    seen: set[str] = set()
    for name in columns:
        if name and name in seen:
            raise InputError(f"column {name!r} appears twice in the header", path, 1)
        seen.add(name)
    rows = []
    for number, record in records[1:]:
        cells = [cell_text(c) for c in record]
        if not any(cells):
            continue
        if any(cells[len(columns):]):
            raise InputError(f"{len(cells)} cells but the header has {len(columns)}", path, number)
        rows.append((number, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(columns) if h}))
    return Table(path, [h for h in columns if h], rows, header)


def sniff_delimiter(line: str) -> str:
    """Comma, semicolon or tab: the one ``line`` (a header) holds most often outside quotes."""
    outside = re.sub(r'"[^"]*"', "", line)
    return max(DELIMITERS, key=outside.count)


def parse_delimited(text: str, path: str | Path | None, delimiter: str | None = None) -> list[Record]:
    """Every record of a CSV/TSV text (a blank line is an empty record), numbered from 1."""
    if delimiter is None:
        end = text.find("\n")
        delimiter = sniff_delimiter(text if end < 0 else text[:end])
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        return list(enumerate(reader, start=1))
    except csv.Error as exc:
        kind = "TSV" if delimiter == "\t" else "CSV"
        raise FormatError(f"malformed {kind}: {exc}", path, reader.line_num) from None


def read_xlsx_records(path: str | Path, sheet: str | int | None = None,
                      prefer: str | None = None) -> list[Record]:
    """Every row of one sheet of an .xlsx workbook, cells as openpyxl gives them (see
    :func:`read_table` for which sheet)."""
    import openpyxl  # local import: only Excel users pay for it

    path = Path(path)
    if zipfile.is_zipfile(path):
        check_office_zip(path, ".xlsx")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise InputError("file not found", path) from None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FormatError(f"not an Excel .xlsx workbook ({exc.__class__.__name__}: {exc})", path) from None
    except Exception as exc:  # lxml and openpyxl errors on a damaged workbook part
        raise FormatError(f"damaged Excel workbook: {exc.__class__.__name__}: {exc}", path) from None
    try:
        rows = _worksheet(book, path, sheet, prefer).iter_rows(values_only=True)
        return list(enumerate((list(row) for row in rows), start=1))
    except QualcodeError:
        raise
    except Exception as exc:  # a damaged sheet part: lxml, zipfile or openpyxl errors
        raise FormatError(f"damaged Excel workbook: {exc.__class__.__name__}: {exc}", path) from None
    finally:
        book.close()


def _worksheet(book, path: Path, sheet: str | int | None, prefer: str | None):
    if sheet is None:
        return book[prefer] if prefer in book.sheetnames else book.worksheets[0]
    if isinstance(sheet, int) or str(sheet).isdigit():
        index = int(sheet)
        if not 0 <= index < len(book.worksheets):
            raise InputError(f"no sheet number {index}; the workbook has {len(book.worksheets)} "
                             f"sheets: {', '.join(book.sheetnames)}", path)
        return book.worksheets[index]
    if sheet in book.sheetnames:
        return book[sheet]
    raise InputError(f"no sheet named {sheet!r}; sheets: {', '.join(book.sheetnames)}", path)
