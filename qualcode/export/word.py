"""Shared python-docx helpers: a plain document, real table styles, header rows that repeat."""

from __future__ import annotations

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


def add_table(doc, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float],
              style: str = TABLE_STYLE, size: float = 9, align_right: Sequence[int] = ()):
    """A table with a styled, repeating header row; widths in inches."""
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
