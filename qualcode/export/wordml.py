"""WordprocessingML written as text: paragraphs, runs and tables with the elements and
attributes python-docx gives them, for a body too long to build as python-docx objects.

:func:`save_streamed` writes a python-docx document (styles, page set-up, title) with a
stream of these after its content; :func:`insert` adds a few to a python-docx document.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Inches, RGBColor

from qualcode.core.files import atomic_output
from qualcode.export.ooxml import write_package, xml_text

#: An empty paragraph (``doc.add_paragraph()``).
EMPTY_PARAGRAPH = "<w:p/>"
#: The table look of every table: header row styled, first column not (the style would
#: bold every quote), banded rows.
_TABLE_LOOK = ('<w:tblLook w:firstColumn="0" w:firstRow="1" w:lastColumn="0" w:lastRow="0" '
               'w:noHBand="0" w:noVBand="1" w:val="0420"/>')
_BREAKS = re.compile(r"([\t\r\n])")


def run(text: str, *, size: float | None = None, bold: bool | None = None, italic: bool = False,
        color: RGBColor | None = None) -> str:
    """A run (``paragraph.add_run(text)`` with these font settings): a tab becomes
    ``<w:tab/>``, each line break (``\\n`` or ``\\r``) a ``<w:br/>``."""
    props = ("" if bold is None else "<w:b/>" if bold else '<w:b w:val="0"/>') + \
        ("<w:i/>" if italic else "") + \
        (f'<w:color w:val="{color}"/>' if color is not None else "") + \
        (f'<w:sz w:val="{round(size * 2)}"/>' if size is not None else "")   # in half-points
    content = "".join(_run_content(text))
    if not props and not content:
        return "<w:r/>"
    return "<w:r>" + (f"<w:rPr>{props}</w:rPr>" if props else "") + content + "</w:r>"


def _run_content(text: str) -> Iterator[str]:
    for part in _BREAKS.split(text):
        if part == "\t":
            yield "<w:tab/>"
        elif part in ("\r", "\n"):
            yield "<w:br/>"
        elif part:
            space = ' xml:space="preserve"' if len(part.strip()) < len(part) else ""
            yield f"<w:t{space}>{xml_text(part)}</w:t>"


def paragraph(runs: Iterable[str] = (), *, style_id: str | None = None, align: str | None = None) -> str:
    """A paragraph of ``runs`` (see :func:`run`), with a paragraph style (by id) or alignment."""
    props = (f'<w:pStyle w:val="{style_id}"/>' if style_id else "") + \
        (f'<w:jc w:val="{align}"/>' if align else "")
    inner = (f"<w:pPr>{props}</w:pPr>" if props else "") + "".join(runs)
    return f"<w:p>{inner}</w:p>" if inner else EMPTY_PARAGRAPH


def table(header: Sequence[str], rows: Iterable[Sequence], widths: Sequence[float], *, style_id: str,
          size: float = 9, align_right: Sequence[int] = ()) -> Iterator[str]:
    """A table with a styled header row that repeats on every page, centred, fixed column
    ``widths`` (inches), rows that do not break across pages; cells in ``size`` points,
    the columns ``align_right`` right-aligned.  Yields the table row by row."""
    twips = [Inches(w).twips for w in widths]
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in twips)
    yield (f'<w:tbl><w:tblPr><w:tblStyle w:val="{style_id}"/><w:tblW w:type="auto" w:w="0"/>'
           f'<w:jc w:val="center"/><w:tblLayout w:type="fixed"/>{_TABLE_LOOK}</w:tblPr>'
           f"<w:tblGrid>{grid}</w:tblGrid>")
    yield _row((paragraph([run(str(text), size=size, bold=True)]) for text in header),
               twips, '<w:tblHeader w:val="true"/>')
    right = set(align_right)
    for values in rows:
        yield _row((paragraph([run("" if text is None else str(text), size=size)],
                              align="right" if j in right else None) for j, text in enumerate(values)),
                   twips)
    yield "</w:tbl>"


def _row(paragraphs: Iterable[str], twips: Sequence[int], header: str = "") -> str:
    cells = "".join(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{w}"/></w:tcPr>{p}</w:tc>'
                    for w, p in zip(twips, paragraphs))
    return f'<w:tr><w:trPr>{header}<w:cantSplit w:val="true"/></w:trPr>{cells}</w:tr>'


def insert(doc, fragments: Iterable[str]) -> None:
    """Add body elements written as WordprocessingML text at the end of ``doc``'s body
    (before its section properties), as python-docx's own ``add_*`` methods do."""
    body = doc.element.body
    wrapper = parse_xml(f"<w:body {nsdecls('w')}>{''.join(fragments)}</w:body>")
    end = body.sectPr
    for element in list(wrapper):
        if end is not None:
            end.addprevious(element)
        else:
            body.append(element)


def save_streamed(doc, body: Iterable[str], path: str | Path) -> Path:
    """Save ``doc`` to ``path`` atomically with ``body`` (WordprocessingML text, streamed)
    after its content, before the section properties that end its body."""
    template = io.BytesIO()
    doc.save(template)

    def document(xml: str) -> Iterator[str]:
        end = xml.rindex("<w:sectPr")
        yield xml[:end]
        yield from body
        yield xml[end:]

    with atomic_output(path) as tmp:
        write_package(template.getvalue(), tmp, {doc.part.partname.lstrip("/"): document})
    return Path(path)
