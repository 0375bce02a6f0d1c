"""Shared python-docx helpers: a plain document, real table styles, header rows that repeat."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor

TABLE_STYLE = "Light List Accent 1"
GREY = RGBColor(0x59, 0x59, 0x59)


def new_document(font: str = "Calibri", size: float = 11):
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = font
    normal.font.size = Pt(size)
    # East-Asian font slot too, or Word falls back to another face for some characters
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), font)
    section = doc.sections[0]
    section.left_margin = section.right_margin = Inches(0.9)
    section.top_margin = section.bottom_margin = Inches(0.9)
    return doc


def usable_width(doc) -> float:
    section = doc.sections[-1]
    return (section.page_width - section.left_margin - section.right_margin) / 914400  # inches


def _repeat_header(row) -> None:
    props = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    props.append(flag)


def _no_split(row) -> None:
    props = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:cantSplit")
    flag.set(qn("w:val"), "true")
    props.append(flag)


def _table_look(table) -> None:
    """Header row styled, first column not (the style would bold every quote)."""
    props = table._tbl.tblPr
    look = props.find(qn("w:tblLook"))
    if look is None:
        look = OxmlElement("w:tblLook")
        props.append(look)
    for key, value in (("w:firstRow", "1"), ("w:lastRow", "0"), ("w:firstColumn", "0"),
                       ("w:lastColumn", "0"), ("w:noHBand", "0"), ("w:noVBand", "1"),
                       ("w:val", "0420")):
        look.set(qn(key), value)


#: Inches per character of Calibri, per point of font size (its average advance, a little
#: generous), and what a cell's margins take.
CHAR_WIDTH = 0.55 / 72
CELL_PADDING = 0.17
#: The narrowest column :func:`fit_widths` makes.
MIN_COLUMN = 0.45


def fit_widths(header: Sequence[str], rows: Sequence[Sequence], total: float, size: float = 9,
               fixed: dict[int, float] | None = None) -> list[float]:
    """Column widths (inches) that add up to ``total``: every column at least as wide as its
    longest word (so no word is broken letter by letter), then the room left shared so that
    as many cells as possible fit on one line, and what is left after that to the columns
    of long text.  ``fixed``: widths given for some columns (by index)."""
    fixed = fixed or {}
    narrow, wide = natural_widths(header, rows, size)
    for index, width in fixed.items():
        narrow[index] = wide[index] = width
    room = total - sum(narrow)
    if room <= 0:   # too many long words: the longest give way, the others stay whole
        return _capped(narrow, total, fixed)
    need = [w - n for n, w in zip(narrow, wide)]
    if sum(need) >= room:
        return [n + d * room / sum(need) for n, d in zip(narrow, need)]
    left = room - sum(need)
    stretch = [0 if i in fixed else w for i, w in enumerate(wide)]
    return [w + left * s / sum(stretch) for w, s in zip(wide, stretch)] if sum(stretch) else wide


def _capped(widths: list[float], total: float, fixed: dict[int, float]) -> list[float]:
    """``widths`` with the widest cut down to one cap (fixed ones kept) so that they add up
    to ``total``."""
    free = sorted(w for i, w in enumerate(widths) if i not in fixed)
    budget = total - sum(fixed.values())
    cap = budget / len(free) if free else 0.0
    for k, width in enumerate(free):   # the cap where the narrower columns keep their widths
        rest = len(free) - k
        if width * rest + sum(free[:k]) >= budget:
            cap = (budget - sum(free[:k])) / rest
            break
    return [fixed.get(i, min(w, max(cap, MIN_COLUMN))) for i, w in enumerate(widths)]


def natural_widths(header: Sequence[str], rows: Sequence[Sequence], size: float = 9) -> tuple[list[float], list[float]]:
    """(narrowest, widest) useful width of each column, in inches: as wide as its longest word,
    and as wide as its longest line."""
    narrow, wide = [], []
    for cells in (list(zip(header, *rows)) if rows else [(h,) for h in header]):
        lines = [line for cell in cells for line in str(cell if cell is not None else "").split("\n")]
        words = [word for line in lines for word in _BREAKS.split(line) if word]
        narrow.append(max(MIN_COLUMN, _inches(max(map(len, words), default=0), size)))
        wide.append(max(narrow[-1], _inches(max(map(len, lines), default=0), size)))
    return narrow, wide


_BREAKS = re.compile(r"[\s\u200b]+")


def _inches(characters: int, size: float) -> float:
    return characters * CHAR_WIDTH * size + CELL_PADDING


def breakable(name: str) -> str:
    """A file or group name that may wrap after ``_``, ``.`` and ``-`` (a zero-width space
    there) rather than letter by letter: for headers too narrow for the whole name."""
    return "".join(ch + "\u200b" if ch in "_." else ch for ch in str(name))


def add_table(doc, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float] | None = None,
              style: str = TABLE_STYLE, size: float = 9, align_right: Sequence[int] = ()):
    """A table with a styled, repeating header row; widths in inches (None: :func:`fit_widths`
    over the page's width)."""
    if widths is None:
        widths = fit_widths(header, rows, usable_width(doc), size)
    table = doc.add_table(rows=1, cols=len(header))
    table.style = doc.styles[style]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _table_look(table)
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(text))
        run.bold = True
        run.font.size = Pt(size)
    _repeat_header(table.rows[0])
    for values in rows:
        cells = table.add_row().cells
        for j, (cell, text) in enumerate(zip(cells, values)):
            para = cell.paragraphs[0]
            run = para.add_run("" if text is None else str(text))
            run.font.size = Pt(size)
            if j in align_right:
                para.alignment = 2  # right
    for row in table.rows:
        _no_split(row)
        for cell, width in zip(row.cells, widths):
            cell.width = Inches(width)
    for column, width in zip(table.columns, widths):
        column.width = Inches(width)
    return table


def add_note(doc, text: str, size: float = 9, italic: bool = True):
    para = doc.add_paragraph()
    run = para.add_run(text)
    run.italic = italic
    run.font.size = Pt(size)
    run.font.color.rgb = GREY
    return para


def add_figure(doc, path: Path, width: float, max_height: float = 8.0) -> None:
    """Insert a PNG as wide as the page allows, but never taller than ``max_height`` inches."""
    from PIL import Image

    with Image.open(path) as image:
        w, h = image.size
    shown = min(width, 6.3, max_height * w / h)
    doc.add_picture(str(path), width=Inches(shown))
    doc.paragraphs[-1].alignment = 1  # centre
