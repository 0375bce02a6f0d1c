"""PDF transcripts (transcription services and archives deliver them): text by pdfminer.six.

pdfminer.six rather than pypdf: on this project's fixtures both give the same lines, but
pdfminer's layout analysis also groups lines into paragraphs (text boxes) and names each
character's font, and the reader needs both: a blank line between paragraphs (so a
paragraph with no label is seen as one) and bold names alone on a line as labels, as in
Word files.

What becomes text:

* each text line of each page, top to bottom, is a unit for the plain-text parser
  (:mod:`qualcode.ingest.plaintext`), so a line that wraps inside a paragraph joins the
  turn with a space; a blank line separates paragraphs (text boxes);
* a paragraph that runs on over a page break joins its turn as if no break were there,
  unless the page's last line ends a sentence short of the margin;
* a line ending in a hyphen joins the next with no space when that one starts in lowercase
  (``well-`` + ``known`` -> ``well-known``; a soft hyphen is dropped);
* running heads and feet (a line at the top or bottom of most pages, digits aside) and page
  numbers (``3``, ``- 3 -``, ``Page 3 of 10``) are dropped.

``line`` numbers count the PDF's text lines from the first page on.  A PDF with no text
layer (a scan) is a FormatError asking for OCR or a text export.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from qualcode.core.errors import FormatError, InputError

#: How many lines at each end of a page may be a running head or foot.
EDGE_LINES = 2
_PAGE_NUMBER = re.compile(
    r"^(?:(?:page|p\.|pg\.?|p\u00e1gina|pagina|seite|s\.)\s*)?\d{1,4}"
    r"(?:\s*(?:of|/|de|von|di|sur|van)\s*\d{1,4})?$|^[-\u2013\u2014]\s*\d{1,4}\s*[-\u2013\u2014]$", re.I)
_SENTENCE_END = ('.', '?', '!', '"', '\u201d', ')', ']', '\u2026')


@dataclass
class _Line:
    number: int
    text: str
    box: int
    x1: float
    bold: bool
    alone: bool        # the only line of its text box


def _pages(path: Path) -> list[list[_Line]]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar, LTTextContainer

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    pages, number, box_id = [], 0, 0
    for layout in extract_pages(str(path), laparams=LAParams()):
        boxes = sorted((b for b in layout if isinstance(b, LTTextContainer)), key=lambda b: (-b.y1, b.x0))
        lines = []
        for box in boxes:
            box_id += 1
            box_lines = [line for line in box if hasattr(line, "get_text")]
            for line in box_lines:
                number += 1
                text = line.get_text().rstrip("\n").strip()
                chars = [c for c in line if isinstance(c, LTChar) and c.get_text().strip()]
                bold = bool(chars) and all("bold" in c.fontname.casefold() for c in chars)
                if text:
                    lines.append(_Line(number, text, box_id, line.x1, bold, len(box_lines) == 1))
        pages.append(lines)
    return pages


def _edge_key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split())).casefold()


def _running(pages: list[list[_Line]]) -> set[int]:
    """Line numbers of running heads and feet and of page numbers."""
    drop = set()
    edges = {"top": Counter(), "bottom": Counter()}
    for lines in pages:
        for end, chosen in (("top", lines[:EDGE_LINES]), ("bottom", lines[-EDGE_LINES:])):
            edges[end].update({_edge_key(line.text) for line in chosen})
    least = max(2, (len(pages) + 1) // 2)
    for lines in pages:
        for end, chosen in (("top", lines[:EDGE_LINES]), ("bottom", lines[-EDGE_LINES:])):
            for line in chosen:
                repeated = len(pages) >= 2 and edges[end][_edge_key(line.text)] >= least
                if repeated or _PAGE_NUMBER.match(line.text.strip()):
                    drop.add(line.number)
    return drop


def _units(pages: list[list[_Line]], drop: set[int]) -> list[tuple[int, str, bool]]:
    """``(line, text, bold alone)`` with ``(n, "", False)`` between paragraphs."""
    units: list[tuple[int, str, bool]] = []
    previous: _Line | None = None
    for lines in pages:
        kept = [line for line in lines if line.number not in drop]
        width = max((line.x1 for line in kept), default=0.0)
        for i, line in enumerate(kept):
            if previous is not None and line.box != previous.box:
                new_page = i == 0
                ended = previous.text.endswith(_SENTENCE_END) and previous.x1 < 0.85 * previous_width
                if not new_page or ended:
                    units.append((line.number, "", False))
            if units and units[-1][1].endswith(("-", "\u00ad")) and line.text[:1].islower():
                last_line, last_text, _ = units.pop()
                units.append((last_line, last_text.rstrip("\u00ad") + line.text, False))
            else:
                units.append((line.number, line.text, line.bold and line.alone))
            previous, previous_width = line, width
    return units


def read_pdf_units(path: Path) -> list[tuple[int, str, bool]]:
    """The PDF's text as ``(line, text, bold alone)`` units (see the module docstring)."""
    if not path.exists():
        raise InputError("file not found", path)
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psexceptions import PSException

    try:
        pages = _pages(path)
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise InputError("the PDF is password-protected: save an unprotected copy", path) from None
    except (PDFSyntaxError, PSException) as exc:
        raise FormatError(f"not a valid PDF file ({exc.__class__.__name__}: {exc})", path) from None
    except Exception as exc:  # pdfminer raises many kinds on a damaged file
        raise FormatError(f"damaged PDF file ({exc.__class__.__name__}: {exc})", path) from None
    if not any(pages):
        raise FormatError("the PDF has no text (a scanned image?): run OCR on it, or export the "
                          "transcript as .docx or .txt", path)
    return _units(pages, _running(pages))
