"""OpenDocument text (.odt: LibreOffice, and what Taguette and QualCoder read).

Read as a .docx is (:mod:`qualcode.ingest.word`): paragraphs and headings in document order,
a label at a paragraph's start, plain or bold, or a short bold name alone; paragraphs before
the first label are header metadata; a table that is a transcript gives the turns instead.

The file is read with lxml from its ``content.xml`` (and ``styles.xml``, for which styles
are bold), after the zip guard has checked what the archive would unpack to.  odfpy is not
used: it was last released in 2020, builds a full object tree, and resolves no style
inheritance either, which bold labels need; lxml is already a dependency.
Footnotes, comments and tracked deletions are not part of the text.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from qualcode.core.errors import FormatError, InputError
from qualcode.ingest.decisions import ReadOptions
from qualcode.ingest.plaintext import ParsedText
from qualcode.core.office import check_office_zip
from qualcode.ingest.word import paragraphs_or_table

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"

_PARAGRAPHS = {f"{{{TEXT}}}p", f"{{{TEXT}}}h"}
_SKIPPED = {f"{{{TEXT}}}note", f"{{{OFFICE}}}annotation", f"{{{TEXT}}}tracked-changes",
            f"{{{TEXT}}}sequence-decls", f"{{{OFFICE}}}forms"}
_STYLE_NAME = (f"{{{TEXT}}}style-name", f"{{{TABLE}}}style-name")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def _parts(path: Path) -> tuple[bytes, bytes | None]:
    if not path.exists():
        raise InputError("file not found", path)
    if not zipfile.is_zipfile(path):
        raise FormatError("not an OpenDocument .odt file: it is not a zip archive", path)
    check_office_zip(path, ".odt")
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "content.xml" not in names:
                raise FormatError("a zip archive but not an OpenDocument text (no content.xml)", path)
            return zf.read("content.xml"), zf.read("styles.xml") if "styles.xml" in names else None
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FormatError(f"damaged OpenDocument file: {exc}", path) from None


def _xml(data: bytes, path: Path):
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise FormatError(f"damaged OpenDocument file: {exc}", path) from None


class _Styles:
    """Which named styles are bold, following ``style:parent-style-name``."""

    def __init__(self, *roots):
        self.own: dict[str, bool | None] = {}
        self.parent: dict[str, str] = {}
        for root in roots:
            if root is None:
                continue
            for style in root.iter(f"{{{STYLE}}}style"):
                name = style.get(f"{{{STYLE}}}name")
                props = style.find(f"{{{STYLE}}}text-properties")
                weight = props.get(f"{{{FO}}}font-weight") if props is not None else None
                self.own[name] = None if weight is None else weight == "bold" or weight.isdigit() and int(weight) >= 600
                if style.get(f"{{{STYLE}}}parent-style-name"):
                    self.parent[name] = style.get(f"{{{STYLE}}}parent-style-name")

    def bold(self, name: str | None, inherited: bool) -> bool:
        seen = set()
        while name and name not in seen:
            seen.add(name)
            if self.own.get(name) is not None:
                return bool(self.own[name])
            name = self.parent.get(name)
        return inherited


def _runs(element, styles: _Styles, bold: bool, out: list[tuple[str, bool]]) -> None:
    """``(text, bold)`` pieces of a paragraph, in order."""
    bold = styles.bold(element.get(_STYLE_NAME[0]), bold)
    if element.text:
        out.append((element.text, bold))
    for child in element:
        tag = child.tag
        if tag in _SKIPPED or not isinstance(tag, str):
            pass
        elif tag == f"{{{TEXT}}}s":
            out.append((" " * int(child.get(f"{{{TEXT}}}c", "1") or 1), bold))
        elif tag in (f"{{{TEXT}}}tab", f"{{{TEXT}}}line-break"):
            out.append((" ", bold))
        else:
            _runs(child, styles, bold, out)
        if child.tail:
            out.append((child.tail, bold))


def _paragraph(element, styles: _Styles) -> tuple[str, bool]:
    pieces: list[tuple[str, bool]] = []
    _runs(element, styles, False, pieces)
    text = "".join(t for t, _ in pieces)
    visible = [b for t, b in pieces if t.strip()]
    return text, bool(visible) and all(visible)


def _cell_text(cell, styles: _Styles) -> str:
    return "\n".join(_paragraph(p, styles)[0].strip() for p in cell.iter(*_PARAGRAPHS)).strip()


def _table(table, styles: _Styles) -> list[list[str]]:
    rows = []
    for row in table.iter(f"{{{TABLE}}}table-row"):
        cells = []
        for cell in row:
            if cell.tag not in (f"{{{TABLE}}}table-cell", f"{{{TABLE}}}covered-table-cell"):
                continue
            repeat = min(int(cell.get(f"{{{TABLE}}}number-columns-repeated", "1") or 1), 64)
            cells += [_cell_text(cell, styles)] * repeat
        while cells and not cells[-1]:
            cells.pop()  # repeated empty cells fill a row out to the page's width
        rows.append(cells)
    return rows


def _walk(element, styles: _Styles, paragraphs: list, tables: list) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIPPED:
            continue
        if tag in _PARAGRAPHS:
            paragraphs.append(_paragraph(child, styles))
        elif tag == f"{{{TABLE}}}table":
            tables.append(_table(child, styles))
        else:  # lists, sections, frames: their paragraphs in order
            _walk(child, styles, paragraphs, tables)


def read_odt_parts(path: Path) -> tuple[list[tuple[str, bool]], list[list[list[str]]]]:
    """``(paragraphs, tables)``: each paragraph's text and whether all of it is bold, and each
    table's rows of cell texts."""
    content, styles_xml = _parts(path)
    root = _xml(content, path)
    styles = _Styles(_xml(styles_xml, path) if styles_xml else None, root)
    body = root.find(f"{{{OFFICE}}}body/{{{OFFICE}}}text")
    if body is None:
        raise FormatError("an OpenDocument file with no text body (a spreadsheet or a drawing?)", path)
    paragraphs: list[tuple[str, bool]] = []
    tables: list[list[list[str]]] = []
    _walk(body, styles, paragraphs, tables)
    return paragraphs, tables


def read_odt(path: Path, speaker_column=None, text_column=None, options: ReadOptions | None = None) -> ParsedText:
    paragraphs, tables = read_odt_parts(path)
    return paragraphs_or_table(paragraphs, tables, path, speaker_column, text_column, options)


def odt_units(path: Path) -> list[tuple[int, str]]:
    """An .odt file's paragraphs as ``(number, text)`` units (for a discussion guide)."""
    paragraphs, _ = read_odt_parts(path)
    return [(n, text) for n, (text, _) in enumerate(paragraphs, start=1)]
