"""Word, tables, the same conversation in every format, offsets, and bad input."""

import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest

from qualcode.core.errors import FormatError, InputError
from qualcode.ingest import FORMATS, read_document

from format_samples import CONVERSATION, LONG_GROUP, LONG_GROUP_HEADER

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
#: .odt, .pdf and .rtf files LibreOffice wrote (fixtures/formats/make_fixtures.py)
OFFICE = Path(__file__).parent / "fixtures" / "formats"

TIMES = [(5.0, 9.0), (10.0, 15.5), (16.0, 20.0), (21.0, 23.0)]


def _ts(seconds, sep="."):
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{int(h):02d}:{int(m):02d}:{int(s):02d}{sep}{round((s % 1) * 1000):03d}"


def _docx_paragraphs(path):
    d = docx.Document()
    d.add_paragraph("Scholars focus group, Lakeshore")
    for speaker, text in CONVERSATION:
        p = d.add_paragraph()
        p.add_run(speaker + ":").bold = True
        p.add_run(" " + text)
    d.save(path)


def _docx_table(path):
    d = docx.Document()
    d.add_paragraph("Group 2 transcript")
    table = d.add_table(rows=1, cols=3)
    for cell, title in zip(table.rows[0].cells, ("Time", "Speaker", "Utterance")):
        cell.text = title
    for (speaker, text), (start, _) in zip(CONVERSATION, TIMES):
        row = table.add_row().cells
        row[0].text, row[1].text, row[2].text = _ts(start)[:8], speaker, text
    d.save(path)


def _xlsx(path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Participant", "Content", "Start"])
    for (speaker, text), (start, _) in zip(CONVERSATION, TIMES):
        ws.append([speaker, text, start])
    book.save(path)


def _every_format(tmp_path):
    def write(name, text):
        p = tmp_path / name
        p.write_text(text, encoding="utf-8", newline="")
        return p

    files = {}
    files["text"] = write("conv.txt", "".join(f"{s}: {t}\n" for s, t in CONVERSATION))
    files["rev"] = write("conv_rev.txt", "".join(f"{s} ({_ts(a)[:8]}):\n{t}\n\n"
                                                 for (s, t), (a, _) in zip(CONVERSATION, TIMES)))
    files["otter"] = write("conv_otter.txt", "".join(f"{s}  {_ts(a)[3:8]}\n{t}\n\n"
                                                     for (s, t), (a, _) in zip(CONVERSATION, TIMES)))
    # the Zoom VTT splits P1's first turn over two cues, which merge back
    cues = []
    for (s, t), (a, b) in zip(CONVERSATION, TIMES):
        if s == "P1" and t.startswith("Weekly"):
            cues += [(s, "Weekly updates,", a, 12.0), (s, "and a draft by week four.", 12.0, b)]
        else:
            cues.append((s, t, a, b))
    files["vtt-zoom"] = write("conv_zoom.vtt", "WEBVTT\n\n" + "".join(
        f"{n}\n{_ts(a)} --> {_ts(b)}\n{s}: {t}\n\n" for n, (s, t, a, b) in enumerate(cues, 1)))
    files["vtt-teams"] = write("conv_teams.vtt", "WEBVTT\n\n" + "".join(
        f"a1b2-c3d4/{n}-0\n{_ts(a)} --> {_ts(b)}\n<v {s}>{t}</v>\n\n"
        for n, (s, t, a, b) in enumerate(cues, 1)))
    files["srt"] = write("conv.srt", "".join(
        f"{n}\n{_ts(a, ',')} --> {_ts(b, ',')}\n{s}: {t}\n\n" for n, (s, t, a, b) in enumerate(cues, 1)))
    files["docx-paragraphs"] = tmp_path / "conv.docx"
    _docx_paragraphs(files["docx-paragraphs"])
    files["docx-table"] = tmp_path / "conv_table.docx"
    _docx_table(files["docx-table"])
    files["csv"] = write("conv.csv", "speaker,text\n" + "".join(f'{s},"{t}"\n' for s, t in CONVERSATION))
    files["tsv"] = write("conv.tsv", "Who\tSaid\n" + "".join(f"{s}\t{t}\n" for s, t in CONVERSATION))
    files["xlsx"] = tmp_path / "conv.xlsx"
    _xlsx(files["xlsx"])
    files["markdown"] = write("conv.md", "# Scholars focus group, Lakeshore\n\n" + "".join(
        f"**{s}:** {t}\n\n" for s, t in CONVERSATION))
    for suffix in ("odt", "pdf", "rtf"):
        files[suffix] = OFFICE / f"conversation.{suffix}"
    return files


EXPECTED_FORMATS = {"text": "text", "rev": "rev", "otter": "otter", "vtt-zoom": "vtt", "vtt-teams": "vtt",
                    "srt": "srt", "docx-paragraphs": "docx", "docx-table": "docx", "csv": "csv",
                    "tsv": "tsv", "xlsx": "xlsx", "markdown": "markdown", "odt": "odt", "pdf": "pdf",
                    "rtf": "rtf"}


def test_same_conversation_in_every_format(tmp_path):
    files = _every_format(tmp_path)
    assert set(files) == set(EXPECTED_FORMATS)
    for kind, path in files.items():
        doc = read_document(path)
        assert doc.turns() == CONVERSATION, kind
        assert doc.format == EXPECTED_FORMATS[kind], kind
        assert doc.name == path.name
        for seg in doc.segments:
            assert doc.text[seg.start:seg.end] == dict(enumerate(CONVERSATION))[seg.index][1]
    # the formats that carry times keep them
    for kind in ("vtt-zoom", "vtt-teams", "srt"):
        doc = read_document(files[kind])
        assert [(s.time_start, s.time_end) for s in doc.segments] == TIMES, kind
    for kind in ("rev", "otter", "docx-table", "xlsx"):
        assert [s.time_start for s in read_document(files[kind]).segments] == [a for a, _ in TIMES], kind
    assert set(FORMATS) == set(EXPECTED_FORMATS.values()) | {"zoom-text"}


def test_same_conversation_gives_the_same_codes_in_every_format(tmp_path):
    """The rules code each reading the same: the same codes at the same places in each turn."""
    from qualcode.codebook import load_codebook
    from qualcode.tagging import RuleTagger

    tagger = RuleTagger(load_codebook(Path(__file__).parents[1] / "codebooks" / "mentoring_expectations.yaml"))

    def codes(path):
        doc = read_document(path)
        found = []
        for seg in doc.segments:
            for coding in tagger.tag_text(doc.segment_text(seg)):
                found.append((seg.index, coding.code_id, coding.start, coding.end))
        return sorted(found)

    files = _every_format(tmp_path)
    expected = codes(files["text"])
    assert expected == [(1, "value.accountability", 0, 41)]
    for kind, path in files.items():
        assert codes(path) == expected, kind
    # a longer group, its PDF (wrapped lines, a running head, page numbers) and its .odt
    plain = tmp_path / "long_group.txt"
    plain.write_text("\n".join(LONG_GROUP_HEADER) + "\n" + "".join(f"{s}: {t}\n" for s, t in LONG_GROUP),
                     encoding="utf-8")
    expected = codes(plain)
    assert len(expected) == 22 and len({code for _, code, _, _ in expected}) == 10
    assert codes(OFFICE / "long_group.pdf") == codes(OFFICE / "long_group.odt") == expected


def test_docx_paragraphs_header_label_only_bold_name_and_paragraphs(tmp_path):
    d = docx.Document()
    d.add_paragraph("Mentor focus group")
    d.add_paragraph("Date: 12 June 2024")
    d.add_paragraph("Moderator: Let's start.")
    d.add_paragraph().add_run("P2").bold = True
    d.add_paragraph("I had two mentors.")
    d.add_paragraph("Note: one of them left.")
    d.add_paragraph("Dr. Lee:")
    d.add_paragraph("That happens.")
    path = tmp_path / "mentors.docx"
    d.save(path)
    doc = read_document(path)
    assert doc.metadata == {"Date": "12 June 2024", "header": "Mentor focus group"}
    assert [(s.speaker, doc.segment_text(s), s.line) for s in doc.segments] == [
        ("Moderator", "Let's start.", 3),
        ("P2", "I had two mentors.\nNote: one of them left.", 4),
        ("Dr. Lee", "That happens.", 7)]


def test_docx_table_rows_are_lines(tmp_path):
    d = docx.Document()
    table = d.add_table(rows=0, cols=2)
    for speaker, text in [("Facilitator", "Any last thoughts?"), ("P3", ""), ("P4", "No.")]:
        row = table.add_row().cells
        row[0].text, row[1].text = speaker, text
    path = tmp_path / "plain_table.docx"
    d.save(path)
    doc = read_document(path)
    assert [(s.speaker, doc.segment_text(s), s.line) for s in doc.segments] == [
        ("Facilitator", "Any last thoughts?", 1), ("P4", "No.", 3)]


def test_csv_columns_configurable_rows_skipped_and_line_is_row(write):
    path = write("t.csv", "Row,Person Name,Remark,Start Time\n1,P1,Hello,00:00:03\n2,P2,,\n"
                          "3,P2,\"Line one\nline two\",4.5\n")
    with pytest.raises(InputError, match=r"t.csv, line 1: missing a speaker column \(speaker, name, participant, "
                                         r"who\) and a text column .*columns found: 'Row', 'Person Name', "
                                         r"'Remark', 'Start Time'"):
        read_document(path)
    doc = read_document(path, speaker_column="person name", text_column="REMARK")
    assert [(s.speaker, doc.segment_text(s), s.time_start, s.line) for s in doc.segments] == [
        ("P1", "Hello", 3.0, 2), ("P2", "Line one\nline two", 4.5, 4)]
    with pytest.raises(InputError, match=r"missing text column 'words'; columns found: 'Row'"):
        read_document(path, speaker_column="person name", text_column="words")


def test_xlsx_sheet_choice_and_errors(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["nothing here"])
    ws = book.create_sheet("Transcript")
    ws.append(["Speaker", "Text"])
    ws.append(["P1", "First."])
    ws.append([None, None])
    ws.append(["P2", "Second."])
    path = tmp_path / "t.xlsx"
    book.save(path)
    doc = read_document(path, sheet="Transcript")
    assert [(s.speaker, doc.segment_text(s), s.line) for s in doc.segments] == [("P1", "First.", 2),
                                                                                  ("P2", "Second.", 4)]
    assert read_document(path, sheet=1).turns() == doc.turns()
    with pytest.raises(InputError, match=r"t.xlsx: no sheet named 'Data'; sheets: Notes, Transcript"):
        read_document(path, sheet="Data")
    with pytest.raises(InputError, match=r"t.xlsx, line 1: missing a speaker column .*columns found: 'nothing here'"):
        read_document(path)


def test_offsets_slice_turn_text_for_every_fixture():
    for path in sorted(FIXTURES.iterdir()):
        doc = read_document(path)
        assert doc.segments, path
        for seg in doc.segments:
            text = doc.text[seg.start:seg.end]
            assert text and text == text.strip()
            head = seg.speaker + ": " if seg.speaker else ""
            assert doc.text[seg.start - len(head):seg.start] == head


# ---- bad input -------------------------------------------------------------------------------

def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"nope.txt: file not found"):
        read_document(tmp_path / "nope.txt")


@pytest.mark.parametrize("name,data", [("empty.txt", b""), ("blank.txt", b"  \r\n\n"),
                                       ("empty.vtt", b""), ("empty.docx", b"")])
def test_empty_files(write, name, data):
    with pytest.raises(InputError, match=rf"{name}: empty file"):
        read_document(write(name, data))


@pytest.mark.parametrize("data,message", [
    (b"%PDF-1.7\n...", r"not a valid PDF file \(PDFSyntaxError: No /Root object"),
    (b"PK\x03\x04\x14\x00garbage", "not a text file: it looks like a zip archive"),
    (bytes(range(256)) * 4, "not a text file: it holds binary data"),
    (b"P1: hi\x00\x01\x02 there\n", "not a text file: it holds binary data"),
])
def test_binary_given_as_text(write, data, message):
    with pytest.raises(InputError, match=rf"bin.txt: {message}"):
        read_document(write("bin.txt", data))


def test_docx_that_is_not_a_zip_or_not_word(write, tmp_path):
    with pytest.raises(FormatError, match=r"fake.docx: not a Word .docx file: it is not a zip archive"):
        read_document(write("fake.docx", "Moderator: hello\n"))
    other = tmp_path / "other.docx"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(FormatError, match=r"other.docx: a zip archive but not a Word document"):
        read_document(other)


def test_docx_without_turns(tmp_path):
    d = docx.Document()
    d.add_paragraph("Only a title")
    path = tmp_path / "title.docx"
    d.save(path)
    with pytest.raises(FormatError, match=r"title.docx: no speaker turns found"):
        read_document(path)


def test_xlsx_that_is_not_a_workbook(write):
    with pytest.raises(FormatError, match=r"bad.xlsx: not an Excel .xlsx workbook"):
        read_document(write("bad.xlsx", "speaker,text\n"))


def test_old_office_suffix_is_refused(write):
    with pytest.raises(InputError, match=r"old.doc: old Word .doc files cannot be read: save the file as .docx"):
        read_document(write("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"))


def test_docx_given_as_txt_is_read_as_word(tmp_path):
    path = tmp_path / "renamed.txt"
    _docx_paragraphs(path)
    doc = read_document(path)
    assert (doc.format, doc.turns()) == ("docx", CONVERSATION)
