"""The sample's Word outputs as a reader sees them: rendered to PDF by LibreOffice, then read
back word by word with positions (poppler's ``pdftotext -bbox-layout``) and image by image
(``pdfimages -list``).

What a reader would notice, checked on the report, the quote document, the alignment document
and the pairs report: a word outside the page's printable area (a table wider than the page);
a word broken over lines a few letters at a time (a column too narrow for a document name,
issue 13); a heading missing or out of order; a figure missing, shrunk or far from its
section; a page count far from what the content needs.  ``test_the_checks_flag_*`` renders a
small document with bad column widths, so the checks themselves are tested.

Page 1 of each rendered output is written as a PNG (``pdftoppm -r 50``) beside the PDFs, to
look at when a check fails.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest

from golden_outputs import COMMANDS, DOMAINS, MENTORING, SAMPLE, run_commands
from qualcode.codebook.load import load_codebook
from qualcode.export.word import add_table, new_document

PAIRS = SAMPLE / "pairs"
PAIRS_PROJECT = "pairs.qcproj"
#: The golden harness's commands that give the sample's Word outputs, then those of the
#: sample pairs as ``make demo`` runs them.
WORD_COMMANDS = [(name, argv) for name, argv in COMMANDS
                 if argv[0] == "ingest" or argv[0] == "code" and MENTORING in argv
                 or argv[-1].endswith(".docx")] + [
    (None, ["ingest", PAIRS_PROJECT, "--manifest", str(PAIRS / "manifest.csv"),
            "--speakers", str(PAIRS / "speakers.csv")]),
    (None, ["code", PAIRS_PROJECT, "--codebook", DOMAINS]),
    (None, ["alignment", PAIRS_PROJECT, "--pairs", str(PAIRS / "pairs.csv"), "-o", "{out}/alignment.docx"]),
    (None, ["report", PAIRS_PROJECT, "--pairs", str(PAIRS / "pairs.csv"), "-o", "{out}/pairs_report.docx"]),
]
OUTPUTS = ["report", "excerpts", "alignment", "pairs_report"]
#: Points per inch; how far (points) a word may stray past a margin, for rounding.
PT = 72
SLACK = 1.0
#: Word's length unit per inch, and a picture's shown size.
EMU = 914400
EXTENT = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}extent"


def _tools_or_skip() -> None:
    for tool, package in (("soffice", "libreoffice-writer"), ("pdftotext", "poppler-utils"),
                          ("pdfimages", "poppler-utils"), ("pdftoppm", "poppler-utils")):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not found: install the {package} package to render Word outputs")


def render(paths: list[Path], folder: Path) -> dict[str, Path]:
    """Each .docx converted to PDF by one LibreOffice run (a private profile, so runs in
    parallel do not clash); ``{stem: pdf}``; page 1 of each also as a PNG."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{folder / 'lo-profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), *map(str, paths)],
                   check=True, capture_output=True, timeout=180)
    pdfs = {path.stem: folder / f"{path.stem}.pdf" for path in paths}
    for stem, pdf in pdfs.items():
        subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", "-singlefile",
                        str(pdf), str(folder / f"{stem}-page1")], check=True, timeout=60)
    return pdfs


@dataclass
class Word:
    text: str
    page: int      # from 1
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class Rendered:
    docx: Path
    pdf: Path
    pages: int
    size: tuple[float, float]   # points
    words: list[Word]


def read_pdf(docx_path: Path, pdf: Path) -> Rendered:
    xhtml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], check=True, capture_output=True,
                           timeout=60).stdout
    root = ET.fromstring(xhtml)
    words, size = [], (0.0, 0.0)
    pages = [e for e in root.iter() if e.tag.endswith("}page")]
    for number, page in enumerate(pages, 1):
        size = (float(page.get("width")), float(page.get("height")))
        words += [Word(w.text or "", number, *(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")))
                  for w in page.iter() if w.tag.endswith("}word")]
    return Rendered(docx_path, pdf, len(pages), size, words)


# --- the checks: each returns what a reader would notice (empty: nothing) -----------------------

def page_area(path: Path) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of the printable area in points, the same in every section."""
    sections = {(s.page_width, s.page_height, s.left_margin, s.right_margin, s.top_margin, s.bottom_margin)
                for s in docx.Document(str(path)).sections}
    assert len(sections) == 1, f"{path.name}: sections of different page set-ups"
    width, height, left, right, top, bottom = (v / EMU * PT for v in sections.pop())
    return left, top, width - right, height - bottom


def off_the_page(rendered: Rendered) -> list[Word]:
    """Words outside the printable area: a table wider than the page, a figure's caption cut."""
    left, top, right, bottom = page_area(rendered.docx)
    return [w for w in rendered.words if w.x0 < left - SLACK or w.x1 > right + SLACK
            or w.y0 < top - SLACK or w.y1 > bottom + SLACK]


def document_text(path: Path) -> list[str]:
    """The text of every paragraph of the document, table cells included."""
    body = docx.Document(str(path)).element.body
    return ["".join(_text(e) for e in p.iter()) for p in body.iter() if p.tag.endswith("}p")]


def _text(element) -> str:
    """The text of one element of a run: a break or tab between words is a space."""
    if element.tag.endswith("}t"):
        return element.text or ""
    return " " if element.tag.endswith(("}br", "}tab", "}cr")) else ""


_AFTER_BREAK = re.compile(r"(?<=[-/\u2013\u2014])")


def word_pieces(paragraphs: list[str]) -> set[str]:
    """Every word of the document, and every run of its pieces where a line may break inside it
    (after a hyphen or slash, or at a zero-width space)."""
    pieces = set()
    for text in paragraphs:
        for word in text.split():
            parts = [p for chunk in word.split("\u200b") for p in _AFTER_BREAK.split(chunk) if p]
            pieces.update("".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1))
    return pieces


def broken_words(rendered: Rendered) -> list[Word]:
    """Words on the page that are no word of the document nor a piece of one cut where a line
    may break: the fragments of a word broken by a column too narrow for it."""
    known = word_pieces(document_text(rendered.docx))
    return [w for w in rendered.words if w.text.replace("\u200b", "") not in known and not _bullet(w.text)]


def _bullet(text: str) -> bool:
    """A list item's bullet (a symbol font's private-use glyph, or a bullet sign)."""
    return all(unicodedata.category(ch) == "Co" or ch in "\u2022\u25e6\u25aa" for ch in text)


def headings(path: Path) -> list[tuple[str, str]]:
    """(style name, text) of the title and every heading, in document order."""
    return [(p.style.name, p.text) for p in docx.Document(str(path)).paragraphs
            if p.style.name == "Title" or p.style.name.startswith("Heading")]


def heading_pages(rendered: Rendered) -> list[int | None]:
    """The page of each heading of the document, looked for in reading order after the one
    before it (None: not found there)."""
    stream, page_at = "", []
    for word in rendered.words:
        stream += word.text
        page_at += [word.page] * len(word.text)
    found, start = [], 0
    for _, text in headings(rendered.docx):
        at = stream.find("".join(text.split()), start)
        found.append(page_at[at] if at >= 0 else None)
        start = at + 1 if at >= 0 else start
    return found


def figures(path: Path) -> list[tuple[float, float, str]]:
    """(width, height) in inches of every picture of the document, in order, with the heading
    of the section it is in."""
    shown, heading = [], ""
    for paragraph in docx.Document(str(path)).paragraphs:
        if paragraph.style.name.startswith("Heading"):
            heading = paragraph.text
        shown += [(int(e.get("cx")) / EMU, int(e.get("cy")) / EMU, heading) for e in paragraph._p.iter(EXTENT)]
    return shown


def pdf_images(pdf: Path) -> list[tuple[int, float, float]]:
    """(page, width, height in inches) of every image drawn in the PDF (``pdfimages -list``)."""
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], check=True, capture_output=True,
                             text=True, timeout=60).stdout.splitlines()[2:]   # after its header
    images = []
    for line in listing:
        page, _, kind, width, height, *rest = line.split()
        if kind == "image":
            x_ppi, y_ppi = float(rest[7]), float(rest[8])
            images.append((int(page), int(width) / x_ppi, int(height) / y_ppi))
    return images


def estimated_pages(path: Path) -> float:
    """Pages the content needs, from the document alone: each paragraph's lines at its size
    over the usable width, each table row as tall as its fullest cell over its column's width,
    each figure as tall as it is shown."""
    doc = docx.Document(str(path))
    left, top, right, bottom = page_area(path)
    width, height = (right - left) / PT, (bottom - top) / PT
    total = 0.0   # inches
    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = docx.text.paragraph.Paragraph(child, doc)
            total += _lines(paragraph.text, width, _size(paragraph)) * _size(paragraph) * 1.25 / PT
            total += sum(int(e.get("cy")) / EMU for e in child.iter(EXTENT))
        elif tag == "tbl":
            table = docx.table.Table(child, doc)
            columns = [c.width / EMU for c in table.columns]
            for row in table.rows:
                lines = max(sum(_lines(p.text, w - 0.15, _size(p)) for p in cell.paragraphs)
                            for cell, w in zip(row.cells, columns))
                total += lines * _size(row.cells[0].paragraphs[0]) * 1.25 / PT + 0.03
    return total / height


def _size(paragraph) -> float:
    sizes = [r.font.size.pt for r in paragraph.runs if r.font.size is not None]
    style = paragraph.style
    while not sizes and style is not None:
        sizes = [style.font.size.pt] if style.font.size is not None else []
        style = style.base_style
    return max(sizes or [11.0])


def _lines(text: str, width: float, size: float) -> int:
    """Lines of ``text`` at ``size`` points in ``width`` inches (Calibri's average advance)."""
    per_line = max(1, int(width * PT / (size * 0.5)))
    return sum(max(1, math.ceil(len(line) / per_line)) for line in text.split("\n"))


# --- the sample's outputs ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Rendered]:
    """The sample's Word outputs, and ``bad``: a document made wrong on purpose
    (:func:`bad_widths`), rendered by one LibreOffice run (its start-up is most of the time)."""
    _tools_or_skip()
    work = tmp_path_factory.mktemp("word_rendering")
    run_commands(work, WORD_COMMANDS)
    paths = [work / "out" / f"{name}.docx" for name in OUTPUTS] + [bad_widths(work / "out" / "bad.docx")]
    return {stem: read_pdf(work / "out" / f"{stem}.docx", pdf)
            for stem, pdf in render(paths, work / "pdf").items()}


@pytest.mark.parametrize("name", OUTPUTS)
def test_every_word_is_inside_the_printable_area(rendered, name):
    out = rendered[name]
    assert out.words and out.size == (612.0, 792.0)    # python-docx's default: US Letter
    assert [(w.page, w.text) for w in off_the_page(out)] == []


@pytest.mark.parametrize("name", OUTPUTS)
def test_no_word_is_broken_over_lines(rendered, name):
    assert [(w.page, w.text) for w in broken_words(rendered[name])] == []


@pytest.mark.parametrize("name", OUTPUTS)
def test_the_headings_appear_in_order(rendered, name):
    out = rendered[name]
    pages = heading_pages(out)
    assert [h for h, page in zip(headings(out.docx), pages) if page is None] == []
    assert pages[0] == 1 and headings(out.docx)[0][0] == "Title"
    assert pages == sorted(pages) and pages[-1] <= out.pages


def test_the_report_sections_are_numbered_and_the_quotes_follow_the_codebook(rendered):
    for name, sections in (("report", 5), ("pairs_report", 6)):
        numbered = [t for style, t in headings(rendered[name].docx) if style == "Heading 1"]
        assert [t.split(".")[0] for t in numbered] == [str(n) for n in range(1, sections + 1)]
    themes = [c.name for c in load_codebook(MENTORING).roots]
    shown = [t for style, t in headings(rendered["excerpts"].docx) if style == "Heading 1"]
    assert shown == [t for t in themes if t in shown] and len(shown) >= len(themes) - 1


@pytest.mark.parametrize("name", OUTPUTS)
def test_the_page_count_fits_the_content(rendered, name):
    out = rendered[name]
    need = estimated_pages(out.docx)
    assert math.floor(0.8 * need) <= out.pages <= math.ceil(1.25 * need), (out.pages, need)


@pytest.mark.parametrize("name,count", [("report", 2), ("excerpts", 0), ("alignment", 0), ("pairs_report", 3)])
def test_the_figures_are_drawn_at_their_size_in_their_section(rendered, name, count):
    out = rendered[name]
    wanted, drawn = figures(out.docx), pdf_images(out.pdf)
    assert len(wanted) == len(drawn) == count
    titles, pages = [t for _, t in headings(out.docx)], heading_pages(out) + [out.pages]
    for (width, height, section), (page, w, h) in zip(wanted, drawn):
        assert abs(w - width) < 0.05 and abs(h - height) < 0.05
        at = titles.index(section)
        assert pages[at] <= page <= pages[at + 1]     # after its section's heading, before the next


def test_page_one_of_each_is_an_image_to_look_at(rendered):
    for name, out in rendered.items():   # the document made wrong on purpose too
        png = out.pdf.with_name(f"{name}-page1.png")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- the checks on a document made wrong on purpose ----------------------------------------------

NAME = "mentors_northfield_zoom.vtt"


def bad_widths(path: Path) -> Path:
    """A table whose name column is a quarter of an inch (the issue-13 report), and a table
    of two columns of four inches each: wider than the page."""
    doc = new_document()
    doc.add_heading("Bad widths", level=0)
    add_table(doc, ["Document", "Role"], [[NAME, "mentor"]], widths=[0.25, 1.5], size=8)
    doc.add_paragraph()
    add_table(doc, ["Left", "Right"], [["west", "east"]], widths=[4.0, 4.0], size=8)
    doc.save(path)
    return path


@pytest.fixture
def bad(rendered) -> Rendered:
    return rendered["bad"]


def test_the_checks_flag_a_name_broken_letter_by_letter(bad):
    fragments = broken_words(bad)   # the header too: the column is narrower than "Document"
    assert "".join(w.text for w in fragments) == "Document" + NAME
    assert len(fragments) >= 8 and max(len(w.text) for w in fragments) <= 6
    assert sorted(w.text for w in bad.words if w not in fragments) == \
        ["Bad", "Left", "Right", "Role", "east", "mentor", "west", "widths"]


def test_the_checks_flag_a_table_wider_than_the_page(bad):
    # eight inches centred on a page 8.5 wide: the left column starts in the left margin
    assert sorted(w.text for w in off_the_page(bad)) == ["Left", "west"]
