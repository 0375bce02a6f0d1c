"""Excel workbooks researchers can filter and read: frozen header, filters, widths, wrapping."""

from __future__ import annotations

import io
import math
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from qualcode.core.files import atomic_output
from qualcode.export import files
from qualcode.export.ooxml import write_package, xml_text

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
#: The most characters an Excel cell holds (openpyxl cuts longer text there).
MAX_CELL_TEXT = 32_767
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
    """A cell's value as str, bool, int, float or None (for NaN and missing values too)."""
    if value is None or type(value) is str:
        return value
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return None if math.isnan(value) else float(value)
    return None if pd.isna(value) else str(value)


class SheetWriter:
    """One sheet of a workbook, written row by row into a temporary file as the XML openpyxl
    writes in its write-only mode (strings inline): memory holds one row.  The column
    widths are measured on the first ``sample`` rows, as Excel users expect.  Header bold
    on a fill, frozen, filtered; ``wrap`` columns wrap, ``percent`` columns show
    percentages, ``decimals`` maps a column to a number format.  :meth:`Book.save` puts
    the rows into the workbook openpyxl writes (header row, widths, styles)."""

    def __init__(self, book, name: str, columns: list, *, wrap: tuple[str, ...] = (),
                 percent: tuple[str, ...] = (), decimals: dict[str, str] | None = None,
                 max_width: int = 60, sample: int = 500, path: str | Path | None = None):
        """``path``: the workbook's file, named if the sheet outgrows Excel."""
        self.ws = book.create_sheet(name)
        self.name, self.path = name, path
        self.columns = [str(c) for c in columns]
        self.max_width, self.sample = max_width, sample
        self._header = [self._cell(c, font=Font(bold=True), fill=HEADER_FILL,
                                   alignment=Alignment(vertical="top", wrap_text=True)) for c in self.columns]
        decimals = decimals or {}
        self._cells = [_Column(get_column_letter(j + 1), self._style("0.0%" if c in percent else decimals.get(c),
                                                                      c in wrap))
                       for j, c in enumerate(self.columns)]
        self._longest = [len(c) for c in self.columns]
        self._rows = tempfile.TemporaryFile()
        self.rows = 0

    def _cell(self, value=None, **style) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=value)
        for key, setting in style.items():
            setattr(cell, key, setting)
        return cell

    def _style(self, fmt: str | None, wrap: bool) -> str:
        """The ``s`` attribute of a column's cells ("" when they have no style of their own)."""
        if not (fmt or wrap):
            return ""
        cell = self._cell(**({"number_format": fmt} if fmt else {}),
                          **({"alignment": Alignment(wrap_text=True, vertical="top")} if wrap else {}))
        return f' s="{cell.style_id}"'

    def append(self, values) -> None:
        self.add(self.render(values))

    def render(self, values) -> Row:
        """``values`` as a row of this sheet, which :meth:`add` may put into this sheet and
        others of the same columns and formats (rendered once, written to each)."""
        values = [_cell_value(v) for v in values]
        return Row(values, _row_xml(self._cells, values).encode("utf-8"))

    def add(self, row: Row) -> None:
        self.rows += 1
        if self.rows >= files.EXCEL_MAX_ROWS:
            raise files.too_many_rows(self.name, self.path)
        if self.rows <= self.sample:
            self._longest = [max(n, len(str(v))) if v is not None else n for n, v in zip(self._longest, row.values)]
        self._rows.write(row.xml.replace(_ROW_NUMBER, b"%d" % (self.rows + 1)))

    def finish(self) -> None:
        """Widths from the header and the first rows, frozen header, the filter over every row."""
        for j, longest in enumerate(self._longest):
            self.ws.column_dimensions[get_column_letter(j + 1)].width = min(max(8, longest + 2), self.max_width)
        self.ws.freeze_panes = "A2"
        self.ws.append(self._header)
        if self.columns:
            self.ws.auto_filter.ref = f"A1:{get_column_letter(len(self.columns))}{max(1, self.rows + 1)}"

    def sheet_xml(self, template: str) -> Iterator[str | bytes]:
        """The sheet's XML: openpyxl's (``template``, header row only), the rows inserted."""
        end = template.index("</sheetData>")
        yield template[:end]
        self._rows.seek(0)
        while block := self._rows.read(1 << 20):
            yield block
        yield template[end:]

    def close(self) -> None:
        self._rows.close()


#: Stands for the row number in a rendered row (XML text never holds it: :func:`xml_text`).
_ROW_NUMBER = b"\0"


class _Column:
    """How a column's cells start (``<c r="B\0" s="2"``) and whether they have a style."""

    def __init__(self, letter: str, style: str):
        self.opening, self.styled = f'<c r="{letter}\0"{style}', bool(style)


@dataclass(frozen=True)
class Row:
    """A row rendered by :meth:`SheetWriter.render`: its values, and its XML, the row number left open."""

    values: list
    xml: bytes


def _row_xml(columns: list[_Column], values: list) -> str:
    """One ``<row>`` of values from :func:`_cell_value`, as openpyxl's write-only mode
    writes it, but text is never taken for a formula or an error code, text longer than a
    cell holds is cut there, and characters XML forbids are dropped."""
    out = ['<row r="\0">']
    for column, value in zip(columns, values):
        kind = type(value)
        if kind is str:
            if not value:
                out.append(f'{column.opening} t="inlineStr"></c>')
                continue
            text = value[:MAX_CELL_TEXT]
            space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
            out.append(f'{column.opening} t="inlineStr"><is><t{space}>{xml_text(text)}</t></is></c>')
        elif value is None:
            if column.styled:
                out.append(f'{column.opening} t="n"></c>')
        elif kind is bool:
            out.append(f'{column.opening} t="b"><v>{value:d}</v></c>')
        else:   # int or float
            number = "%.16g" % value if math.isfinite(value) else ""
            out.append(f'{column.opening} t="n"><v>{number}</v></c>')
    out.append("</row>")
    return "".join(out)


class Book:
    """A workbook written sheet by sheet, each row by row (:class:`SheetWriter`), then saved
    atomically to ``path``; use it in a ``with`` block, which deletes the sheets' temporary
    files however it ends."""

    def __init__(self, path: str | Path):
        self.path = path
        self.workbook = Workbook(write_only=True)
        self.sheets: list[SheetWriter] = []

    def add_sheet(self, name: str, columns: list, **options) -> SheetWriter:
        """A new sheet, last; ``options``: those of :class:`SheetWriter`."""
        self.sheets.append(SheetWriter(self.workbook, name, columns, path=self.path, **options))
        return self.sheets[-1]

    def save(self) -> Path:
        """openpyxl writes the workbook with each sheet's header row, widths and styles; the
        rows go into its sheets' XML as the file is written."""
        for sheet in self.sheets:
            sheet.finish()
        template = io.BytesIO()
        self.workbook.save(template)
        with atomic_output(self.path, (".xlsx",)) as tmp:
            write_package(template.getvalue(), tmp, {sheet.ws.path.lstrip("/"): sheet.sheet_xml
                                                     for sheet in self.sheets})
        return Path(self.path)

    def __enter__(self) -> Book:
        return self

    def __exit__(self, *exc) -> None:
        for sheet in self.sheets:
            sheet.close()


def write_workbook(sheets: list[Sheet], path: str | Path) -> Path:
    """Write the sheets atomically to ``path`` (.xlsx), each row by row (:class:`SheetWriter`)."""
    with Book(path) as book:
        for sheet, name in zip(sheets, sheet_names([s.name for s in sheets])):
            writer = book.add_sheet(name, list(sheet.frame.columns), wrap=sheet.wrap, percent=sheet.percent,
                                    decimals=sheet.decimals, max_width=sheet.max_width)
            for row in sheet.frame.itertuples(index=False):
                writer.append(row)
        return book.save()
