"""OpenDocument, PDF, RTF and Markdown transcripts: structure, headers, tables, page furniture,
and their errors.  The .odt/.pdf/.rtf fixtures are LibreOffice's (fixtures/formats/make_fixtures.py)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from format_samples import (HEADER_DOC_METADATA, HEADER_DOC_TURNS, LONG_GROUP, TABLE_ROWS)
from qualcode.core.errors import FormatError, InputError
from qualcode.ingest import read_document, read_transcript, read_units

OFFICE = Path(__file__).parent / "fixtures" / "formats"


def turns_and_lines(doc):
    return [(s.speaker, doc.segment_text(s), s.line) for s in doc.segments]


# ---- OpenDocument ----------------------------------------------------------------------------

def test_odt_with_a_header_bold_and_plain_labels_a_bold_name_alone_and_a_label_alone():
    read = read_transcript(OFFICE / "with_header.odt")
    doc = read.document
    assert doc.format == "odt"
    assert doc.metadata == HEADER_DOC_METADATA
    assert turns_and_lines(doc) == [(s, t, n) for (s, t), n in zip(HEADER_DOC_TURNS, (4, 5, 8, 9))]
    assert doc.roles == {"Moderator": "facilitator"}
    assert read.report.header_lines == ["Mentor focus group 2"]
    assert read.report.metadata_keys == ["Date", "Site"]


def test_odt_table_gives_the_turns_with_times_and_the_paragraphs_are_its_header():
    doc = read_document(OFFICE / "table.odt")
    assert [(s.speaker, doc.segment_text(s), s.time_start, s.line) for s in doc.segments] == [
        (speaker, text, float(int(t[-2:]) + 60 * int(t[3:5])), n)
        for n, (t, speaker, text) in enumerate(TABLE_ROWS[1:], start=2)]
    assert doc.metadata == {"header": "Mentor group 4, Riverbend"}


def _odt(path: Path, body: str, styles: str = "") -> Path:
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
          'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}>'
               f'<office:automatic-styles>{styles}</office:automatic-styles>'
               f'<office:body><office:text>{body}</office:text></office:body></office:document-content>')
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", content)
    return path


def test_odt_spaces_tabs_lists_notes_and_inherited_bold(tmp_path):
    styles = ('<style:style style:name="Strong" style:family="text"><style:text-properties fo:font-weight="bold"/>'
              '</style:style><style:style style:name="T9" style:family="text" style:parent-style-name="Strong"/>')
    body = ('<text:h>Group 7</text:h>'
            '<text:p><text:span text:style-name="T9">Mentor A</text:span></text:p>'
            '<text:p>We<text:s text:c="3"/>met<text:tab/>weekly.<text:note><text:note-body>'
            '<text:p>A footnote.</text:p></text:note-body></text:note></text:p>'
            '<text:list><text:list-item><text:p>P4: From a list item.</text:p></text:list-item></text:list>')
    doc = read_document(_odt(tmp_path / "hand.odt", body, styles))
    assert turns_and_lines(doc) == [("Mentor A", "We met weekly.", 2), ("P4", "From a list item.", 4)]
    assert doc.metadata == {"header": "Group 7"}


def test_odt_that_is_damaged_or_not_a_text(tmp_path, write):
    with pytest.raises(FormatError, match=r"fake.odt: not an OpenDocument .odt file: it is not a zip archive"):
        read_document(write("fake.odt", "Moderator: hello\n"))
    bad = _odt(tmp_path / "bad.odt", "<text:p>P1: unclosed")
    with pytest.raises(FormatError, match=r"bad.odt: damaged OpenDocument file: "):
        read_document(bad)
    other = tmp_path / "other.odt"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(FormatError, match=r"other.odt: a zip archive but not an OpenDocument text"):
        read_document(other)


def test_odt_renamed_txt_is_sniffed(tmp_path):
    renamed = tmp_path / "renamed.txt"
    renamed.write_bytes((OFFICE / "with_header.odt").read_bytes())
    assert read_document(renamed).format == "odt"


# ---- PDF -------------------------------------------------------------------------------------

def test_pdf_lines_wrapped_inside_a_paragraph_join_and_page_furniture_is_dropped():
    """Two pages: a running head and 'Page N of 2' on each, and P2's turn broken by the page end."""
    doc = read_document(OFFICE / "long_group.pdf")
    assert doc.format == "pdf"
    assert doc.turns() == LONG_GROUP
    assert [s.line for s in doc.segments] == [4, 9, 16, 24, 32, 36, 44, 48]
    assert doc.metadata == {"Date": "2 May 2024", "header": "Scholar focus group 3, Riverbend"}
    assert "CONFIDENTIAL" not in doc.text and "Page" not in doc.text


def test_pdf_header_and_bold_name_alone_read_as_in_word():
    doc = read_document(OFFICE / "with_header.pdf")
    assert doc.metadata == HEADER_DOC_METADATA
    assert doc.turns() == HEADER_DOC_TURNS


def test_pdf_units_drop_page_numbers_and_repeated_heads():
    from qualcode.ingest.pdf import _Line, _running, _units

    def page(number, texts):
        return [_Line(number * 10 + i, text, number * 10 + i, 500.0, False, True) for i, text in enumerate(texts)]

    pages = [page(1, ["Study 4 - draft", "P1: one", "- 1 -"]), page(2, ["Study 4 - draft", "P2: two", "- 2 -"]),
             page(3, ["Study 4 - draft", "P3: three", "Page 3 of 3"])]
    drop = _running(pages)
    assert sorted(drop) == [10, 12, 20, 22, 30, 32]
    assert [t for _, t, _ in _units(pages, drop) if t] == ["P1: one", "P2: two", "P3: three"]
    hyphen = [[_Line(1, "P1: a well-", 1, 500.0, False, False), _Line(2, "known case", 1, 300.0, False, False)]]
    assert [t for _, t, _ in _units(hyphen, set())] == ["P1: a well-known case"]


def _pdf_without_text(path: Path) -> Path:
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def test_pdf_errors(tmp_path, write):
    with pytest.raises(FormatError, match=r"scan.pdf: the PDF has no text \(a scanned image\?\): run OCR"):
        read_document(_pdf_without_text(tmp_path / "scan.pdf"))
    with pytest.raises(FormatError, match=r"broken.pdf: not a valid PDF file"):
        read_document(write("broken.pdf", b"%PDF-1.4\nnothing else"))
    with pytest.raises(InputError, match=r"empty.pdf: empty file"):
        read_document(write("empty.pdf", b""))
    with pytest.raises(InputError, match=r"gone.pdf: file not found"):
        read_document(tmp_path / "gone.pdf")


# ---- RTF -------------------------------------------------------------------------------------

def test_rtf_from_libreoffice_and_by_hand(write):
    doc = read_document(OFFICE / "with_header.rtf")
    assert doc.format == "rtf"
    assert doc.metadata == HEADER_DOC_METADATA
    # formatting is dropped: a bold name alone is no label in RTF, its paragraph joins the turn before
    assert doc.turns()[0] == ("Moderator", "Let\u2019s start with how you met your scholar. Dr. Okafor "
                                           "We met at the orientation. Note: she was assigned to me.")
    rtf = (r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Arial;}}{\*\generator Writer;}"
           "{\\info{\\title Group 9}}\\f0 Scholars group 9\\par\n"
           "Moderator: Caf\\'e9 or tea? It\\'92s late.\\par\n"
           "P1: Tea, thanks\\u8212? and a biscuit.\\line Maybe two.\\par\n}")
    doc = read_document(write("hand.rtf", rtf))
    assert doc.turns() == [("Moderator", "Caf\u00e9 or tea? It\u2019s late."),
                           ("P1", "Tea, thanks\u2014 and a biscuit. Maybe two.")]
    assert doc.metadata == {"header": "Scholars group 9"}


def test_rtf_renamed_txt_is_sniffed_and_a_fake_rtf_is_an_error(write):
    assert read_document(write("x.txt", r"{\rtf1\ansi P1: Hello.\par P2: Hi.\par}")).format == "rtf"
    with pytest.raises(FormatError, match=r"fake.rtf, line 1: not an RTF file"):
        read_document(write("fake.rtf", "P1: hello\n"))


# ---- Markdown --------------------------------------------------------------------------------

def test_markdown_labels_headings_front_matter_and_markup(write):
    text = ("---\ntitle: Group 3\ndate: 2024-05-02\n---\n# Scholar focus group 3\n\n"
            "**Moderator:** How did you *first* learn what was expected?\n\n"
            "**P1**: From the [handbook](https://example.org/h), mostly.\n"
            "- and from other scholars\n\n"
            "## Part two\n\n"
            "## Question 2. Did you sign an agreement?\n\n"
            "*P2:* No\\* (not yet)\n\n"
            "---\n\n"
            "P3: Yes.\n")
    read = read_transcript(write("group3.md", text))
    doc = read.document
    assert doc.format == "markdown"
    assert doc.metadata == {"title": "Group 3", "date": "2024-05-02", "headings": "Part two"}
    assert [(s.speaker, doc.segment_text(s), s.line, s.attributes) for s in doc.segments] == [
        ("Moderator", "How did you first learn what was expected?", 7, None),
        ("P1", "From the handbook, mostly. and from other scholars", 9, None),
        ("Moderator", "Question 2. Did you sign an agreement?", 14, None),
        ("P2", "No* (not yet)", 16, {"question": "Q2"}),
        ("P3", "Yes.", 20, {"question": "Q2"})]
    assert read.report.questions == [(14, "2")]


def test_markdown_is_sniffed_from_bold_labels(write):
    doc = read_document(write("notes.txt", "**Moderator:** Hello.\n**P1:** Hi.\n"))
    assert (doc.format, doc.turns()) == ("markdown", [("Moderator", "Hello."), ("P1", "Hi.")])


# ---- lines of any readable file (a discussion guide) ----------------------------------------

def test_read_units_of_each_format(tmp_path, write):
    assert read_units(OFFICE / "with_header.odt")[:2] == [(1, "Mentor focus group 2"), (2, "Date: 12 June 2024")]
    assert [t for _, t in read_units(OFFICE / "with_header.pdf") if t][:2] == ["Mentor focus group 2",
                                                                           "Date: 12 June 2024"]
    assert read_units(write("g.md", "# Guide\n1. **First?**\n"))[1:] == [(2, "1. First?"), (3, "")]
    with pytest.raises(InputError, match=r"g.csv: a csv file cannot be read as lines"):
        read_units(write("g.csv", "question\nWhy?\n"))
