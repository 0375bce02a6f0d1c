"""The one table reader: CSV, TSV and .xlsx in the encodings and delimiters people's tools
write, rows numbered as a spreadsheet shows them, every problem naming the file and row."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from qualcode.core import office
from qualcode.core.errors import FormatError, InputError
from qualcode.core.tables import cell_text, read_table, sniff_delimiter
from qualcode.exchange.taguette import read_highlights
from qualcode.ingest.manifest import read_manifest, read_speakers

FIXTURES = Path(__file__).parent / "fixtures" / "tables"


def test_a_manifest_saved_by_a_european_excel(tmp_path):
    """Semicolons, Windows-1252 and CRLF, a quoted cell holding a semicolon."""
    path = FIXTURES / "manifest_semicolon_cp1252.csv"
    entries = read_manifest(path)
    assert [(e.path, e.attributes, e.line) for e in entries] == [
        (FIXTURES / "scholars_montréal.txt",
         {"role": "scholar", "site": "Montréal", "group": "Boursiers été"}, 2),
        (FIXTURES / "mentors_genève.txt", {"role": "mentor", "site": "Genève", "group": "Mentors; séance 2"}, 3),
    ]


def test_a_speakers_table_saved_as_unicode_text():
    """Excel's "Unicode Text": UTF-16 with a byte order mark, tab-separated."""
    assignments = read_speakers(FIXTURES / "speakers_unicode_text.txt")
    assert [(a.document, a.label, a.participant, a.role, a.line) for a in assignments] == [
        ("scholars_montréal.txt", "Dr. Lefèvre", "M07", "mentor", 2),
        (None, "Modérateur", "F01", "facilitator", 3),
    ]


def test_a_manifest_workbook(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["File", "Role", "Cohort"])
    book.active.append(["g1.txt", "Scholar", 2024])
    book.active.append([None, None, None])
    book.active.append(["g2.txt", "mentor", None])
    book.save(tmp_path / "manifest.xlsx")
    entries = read_manifest(tmp_path / "manifest.xlsx")
    assert [(e.path.name, e.attributes, e.line) for e in entries] == [
        ("g1.txt", {"role": "scholar", "cohort": "2024"}, 2), ("g2.txt", {"role": "mentor"}, 4)]


def test_taguette_highlights_saved_again_by_a_european_excel():
    assert read_highlights(FIXTURES / "highlights_semicolon_cp1252.csv") == [
        (2, "scholars_montréal", "value", "Nous avons fixé des attentes claires"),
        (4, "scholars_montréal", "", "sans étiquette"),
    ]


@pytest.mark.parametrize("line, delimiter", [
    ("document,turn,codes", ","),
    ("document;turn;codes", ";"),
    ("document\tturn\tcodes", "\t"),
    ('"document, file";turn;"codes, ids"', ";"),   # commas inside quotes do not count
    ("document", ","),                             # nothing to go by: the comma
])
def test_the_delimiter_is_sniffed_from_the_header(line, delimiter):
    assert sniff_delimiter(line) == delimiter


def test_rows_are_numbered_as_a_spreadsheet_shows_them(write):
    path = write("codings.csv", 'document,turn,codes\nd.txt,1,"value;\ntools"\n\nd.txt,2,power\n')
    table = read_table(path)
    assert (table.header, table.columns) == (["document", "turn", "codes"], ["document", "turn", "codes"])
    assert table.rows == [(2, {"document": "d.txt", "turn": "1", "codes": "value;\ntools"}),
                          (4, {"document": "d.txt", "turn": "2", "codes": "power"})]


@pytest.mark.parametrize("text, message", [
    ("", "empty file, expected a header row"),
    ("\nd.txt,1\n", "line 1: empty header row"),
    ("Document,turn,document\n", "line 1: column 'document' appears twice in the header"),
    ("document,turn\nd.txt,1,,\nd.txt,2,x,y\n", "line 3: 4 cells but the header has 2"),
    ("document,text\nd.txt,\"" + "x" * 131_073 + "\"\n", "line 2: malformed CSV: field larger than "
                                                         "field limit (131072)"),
])
def test_problems_name_the_file_and_row(write, text, message):
    path = write("t.csv", text)
    with pytest.raises(InputError) as info:
        read_table(path)
    expected = f"{path}, {message}" if message.startswith("line") else f"{path}: {message}"
    assert str(info.value) == expected


def test_what_a_table_cannot_be(write):
    with pytest.raises(InputError, match=r"notes.json: cannot read .json codings: use .csv, .tsv or .xlsx"):
        read_table(write("notes.json", "{}"), what="codings")
    with pytest.raises(InputError, match=r"sheet.csv: not a text file: it looks like a PDF file"):
        read_table(write("sheet.csv", b"%PDF-1.4"))
    with pytest.raises(FormatError, match=r"sheet.xlsx: not an Excel .xlsx workbook"):
        read_table(write("sheet.xlsx", "document,turn\n"))


def test_a_workbook_is_read_from_its_preferred_sheet_with_typed_cells_as_text(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "codes"
    book.active.append(["code"])
    coding = book.create_sheet("coding")
    coding.append(["Document", "Turn", "Codes"])
    coding.append(["d.txt", 3.0, " value "])
    book.save(tmp_path / "sheet.xlsx")
    table = read_table(tmp_path / "sheet.xlsx", prefer_sheet="coding")
    assert table.rows == [(2, {"document": "d.txt", "turn": "3", "codes": "value"})]
    assert read_table(tmp_path / "sheet.xlsx").columns == ["code"]  # no preference: the first sheet


def test_a_workbook_past_the_zip_limits_is_refused_unopened(tmp_path, monkeypatch):
    book = openpyxl.Workbook()
    book.active.append(["document", "turn", "codes"])
    book.save(tmp_path / "sheet.xlsx")
    monkeypatch.setattr(office, "MAX_OFFICE_UNPACKED_BYTES", 1_000)

    def never(*args, **kwargs):
        raise AssertionError("openpyxl was asked to open the workbook")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    with pytest.raises(InputError, match=r"sheet.xlsx: the .xlsx archive would unpack to [\d,]+ bytes, more "
                                         r"than the limit of 1,000: refused as a possible zip bomb"):
        read_table(tmp_path / "sheet.xlsx")


@pytest.mark.parametrize("value, text", [(None, ""), (3.0, "3"), (2.5, "2.5"), (" a b ", "a b"), (7, "7")])
def test_cell_text(value, text):
    assert cell_text(value) == text
