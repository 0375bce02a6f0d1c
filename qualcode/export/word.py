"""Shared python-docx helpers: a plain document, real table styles, header rows that repeat."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor

from qualcode.export import wordml

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
    return fit_natural(*natural_widths(header, rows, size), total, fixed)


def fit_natural(narrow: list[float], wide: list[float], total: float,
                fixed: dict[int, float] | None = None) -> list[float]:
    """:func:`fit_widths` from the columns' :func:`natural_widths`."""
    fixed = fixed or {}
    narrow, wide = list(narrow), list(wide)
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
    measure = TextMeasure(len(header))
    for cells in (header, *rows):
        measure.add(cells)
    return measure.widths(size)


class TextMeasure:
    """The longest word and the longest line of each column of a table, measured row by row
    (:func:`natural_widths` of a table too long to hold)."""

    def __init__(self, columns: int):
        self.word = [0] * columns
        self.line = [0] * columns

    def add(self, cells: Sequence) -> None:
        for j, cell in enumerate(cells):
            for line in str(cell if cell is not None else "").split("\n"):
                self.line[j] = max(self.line[j], len(line))
                if len(line) > self.word[j]:   # else no word of it is longer
                    self.word[j] = max(self.word[j], *map(len, _BREAKS.split(line)))

    def widths(self, size: float = 9) -> tuple[list[float], list[float]]:
        """(narrowest, widest) width of each column in inches, at ``size`` points."""
        narrow = [max(MIN_COLUMN, _inches(word, size)) for word in self.word]
        return narrow, [max(n, _inches(line, size)) for n, line in zip(narrow, self.line)]


_BREAKS = re.compile(r"[\s\u200b]+")


def _inches(characters: int, size: float) -> float:
    return characters * CHAR_WIDTH * size + CELL_PADDING


def breakable(name: str) -> str:
    """A file or group name that may wrap after ``_``, ``.`` and ``-`` (a zero-width space
    there) rather than letter by letter: for headers too narrow for the whole name."""
    return "".join(ch + "\u200b" if ch in "_." else ch for ch in str(name))


def add_table(doc, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float] | None = None,
              style: str = TABLE_STYLE, size: float = 9, align_right: Sequence[int] = ()) -> None:
    """Add a table with a styled, repeating header row (:func:`qualcode.export.wordml.table`);
    widths in inches (None: :func:`fit_widths` over the page's width)."""
    if widths is None:
        widths = fit_widths(header, rows, usable_width(doc), size)
    wordml.insert(doc, wordml.table(header, rows, widths, style_id=doc.styles[style].style_id, size=size,
                                    align_right=align_right))


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
