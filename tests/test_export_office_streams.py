"""The quote table's Word and Excel files written as streams: any number of quotes in memory
that does not grow with them, files python-docx and openpyxl open with exactly the headings,
tables, cells and looks expected, and text that stays text (no markup, no formula)."""

from __future__ import annotations

import math
import tracemalloc
import zipfile

import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from qualcode.analysis.excerpts import ExcerptRows
from qualcode.analysis.quotes import QuoteContext
from qualcode.export.excerpts import write_excerpts
from qualcode.export.excerpts_docx import HEADER
from qualcode.export.word import fit_widths, natural_widths
from qualcode.export.xlsx import Sheet, write_workbook

COLUMNS = ["document", "speaker", "group", "site", "code", "code_name", "theme", "theme_name", "turn", "time",
           "facilitator_question", "text"]
#: (theme, code) of the generated quotes, in turn: two themes' codes interleaved.
CODES = [("a", "a.one"), ("b", "b"), ("a", "a"), ("b", "b.two"), ("a", "a.three")]


def generated(count: int) -> ExcerptRows:
    """A stream of ``count`` quotes of up to 50 words, the five codes of :data:`CODES` in turn."""
    def rows():
        for i in range(count):
            theme, code = CODES[i % len(CODES)]
            yield (f"doc{i % 7}.txt", f"P{i % 13:02d} (scholar)", f"Group {i % 3}", "North", code,
                   f"Name of {code}", theme, f"Theme {theme}", i + 1, "", "What did you expect?" if i % 2 else None,
                   f"Quote {i} " + "word " * (i % 48))
    return ExcerptRows(COLUMNS, ["group", "site"], "generated", rows())


def peak_bytes(write) -> int:
    """The most memory Python held while ``write()`` ran (tracemalloc)."""
    tracemalloc.start()
    try:
        write()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
def test_a_long_stream_is_written_in_memory_that_does_not_grow(tmp_path, suffix):
    small, large = (peak_bytes(lambda: write_excerpts(generated(n), tmp_path / f"q{n}{suffix}"))
                    for n in (1000, 8000))
    # holding 7,000 more quotes would take several MB; python-docx's whole document, tens
    assert large < 4_000_000 and large - small < 1_000_000, (small, large)


def test_a_long_streamed_word_file_has_every_heading_and_row(tmp_path):
    doc = Document(write_excerpts(generated(8000), tmp_path / "q.docx"))
    headings = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        ("Heading 1", "Theme a"),
        ("Heading 2", "Name of a.one   a.one \u00b7 1600 quotes"),
        ("Heading 2", "Name of a (general)   a \u00b7 1600 quotes"),
        ("Heading 2", "Name of a.three   a.three \u00b7 1600 quotes"),
        ("Heading 1", "Theme b"),
        ("Heading 2", "Name of b (general)   b \u00b7 1600 quotes"),
        ("Heading 2", "Name of b.two   b.two \u00b7 1600 quotes")]
    assert [len(table.rows) for table in doc.tables] == [1601] * 5
    first = doc.tables[0]   # a.one: quotes 0, 5, 10, ... in the order they came
    assert [c.text for c in first.rows[1].cells] == ["\u201cQuote 0\u201d", "P00 (scholar)", "Group 0, North",
                                                     "turn 1"]
    assert first.rows[2].cells[0].text == "Q: What did you expect?\n\u201cQuote 5 " + "word " * 4 + "word\u201d"
    assert first.rows[1600].cells[3].text == "turn 7996"


def test_a_streamed_word_file_is_exactly_the_quotes_by_theme_and_code(tmp_path):
    quotes = [   # codes interleaved, as a stream sorted by document gives them
        ("one.txt", "S01 (scholar)", "Scholars North", "Lakeshore", "value.clarity", "Clear guidance", "value",
         "Value", 3, "0:12", None, "  We set <clear> & fair\texpectations.  "),
        ("one.txt", "S02 (scholar)", "Scholars North", "North", "power", "Power", "power", "Power", 5, "",
         "How did it start?", "It was\nawkward\x0b at first."),
        ("two.txt", "M01 (mentor)", None, None, "value", "Value", "value", "Value", 2, "", None, "Trust me."),
        ("two.txt", "M02 (mentor)", None, None, "value.clarity", "Clear guidance", "value", "Value", 9, "1:02:03",
         None, "Say it early, say it twice."),
    ]
    path = write_excerpts(ExcerptRows(COLUMNS, ["group", "site"], "four quotes", iter(quotes), real_names=False,
                                      context=QuoteContext("coded")), tmp_path / "q.docx", note="Hand-made.")
    doc = Document(path)
    assert [(p.style.name, p.text) for p in doc.paragraphs if p.text] == [
        ("Title", "Coded excerpts"),
        ("Normal", "4 quotes (each coded span as coded). Hand-made. Speakers are shown by participant id and "
                   "role; names spoken inside quotes are not removed."),
        ("Heading 1", "Value"),
        ("Heading 2", "Clear guidance   value.clarity \u00b7 2 quotes"),
        ("Heading 2", "Value (general)   value \u00b7 1 quote"),
        ("Heading 1", "Power"),
        ("Heading 2", "Power (general)   power \u00b7 1 quote")]
    rows = [[["\u201cWe set <clear> & fair\texpectations.\u201d", "S01 (scholar)", "Scholars North, Lakeshore", "0:12"],
             ["\u201cSay it early, say it twice.\u201d", "M02 (mentor)", "two.txt", "1:02:03"]],
            [["\u201cTrust me.\u201d", "M01 (mentor)", "two.txt", "turn 2"]],
            [["Q: How did it start?\n\u201cIt was\nawkward at first.\u201d", "S02 (scholar)", "Scholars North",
              "turn 5"]]]
    assert [[[c.text for c in row.cells] for row in table.rows] for table in doc.tables] == \
        [[list(HEADER), *table] for table in rows]
    for table, cells in zip(doc.tables, rows):
        assert table.style.name == "Light List Accent 1"
        header = table.rows[0]._tr.trPr
        assert header.find(qn("w:tblHeader")) is not None and header.find(qn("w:cantSplit")) is not None
        assert all(run.bold for run in table.rows[0].cells[0].paragraphs[0].runs)
        # the widths of the whole table measured, though its quotes came one by one
        one_line = natural_widths(HEADER, cells)[1]
        expected = fit_widths(HEADER, cells, 6.7, fixed={i: min(w, 1.6) for i, w in enumerate(one_line) if i})
        assert [round(c.width.inches, 3) for c in table.columns] == [round(w, 3) for w in expected]


def test_streamed_word_parts_keep_the_template_s_dates(tmp_path):
    path = write_excerpts(generated(10), tmp_path / "q.docx")
    with zipfile.ZipFile(path) as archive:
        dates = {info.filename: info.date_time for info in archive.infolist()}
    assert dates["word/document.xml"] == dates["word/styles.xml"] and dates["word/document.xml"][0] > 1980


def test_excel_cells_keep_their_types_and_text_stays_text(tmp_path):
    frame = pd.DataFrame({
        "text": ["=SUM(A1:A3)", "#N/A", "bell\x07 and tab\t", "x" * 40_000, "  <b>&amp;</b> ", "\u00e9\u4e2d\U0001f600",
                 "line\r\nbreak"],
        "count": [1, 2, 3, 4, 5, 6, 7],
        "share": [0.5, 0.25, math.nan, 1.0, 0.0, 0.125, 2 / 3],
        "flag": [True, False, True, False, True, False, True],
        "missing": [None, "x", None, "y", None, "z", None]})
    path = write_workbook([Sheet("data", frame, wrap=("text",), percent=("share",), max_width=40)], tmp_path / "t.xlsx")
    sheet = load_workbook(path)["data"]
    cells = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [row[0] for row in cells] == ["=SUM(A1:A3)", "#N/A", "bell and tab\t", "x" * 32_767, "  <b>&amp;</b> ",
                                         "\u00e9\u4e2d\U0001f600", "line\r\nbreak"]
    assert all(sheet.cell(r, 1).data_type == "s" for r in range(2, 9))
    assert [row[1:] for row in cells[:3]] == [[1, 0.5, True, None], [2, 0.25, False, "x"], [3, None, True, None]]
    assert cells[6][2] == 2 / 3
    header = sheet[1]
    assert [c.value for c in header] == ["text", "count", "share", "flag", "missing"]
    assert all(c.font.b and c.fill.fgColor.rgb == "00DCE6F1" and c.alignment.wrap_text for c in header)
    assert sheet["A2"].alignment.wrap_text and not sheet["B2"].alignment.wrap_text
    assert sheet["C2"].number_format == "0.0%" and sheet["B2"].number_format == "General"
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", "A1:E8")
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDE"}
    assert widths == {"A": 40, "B": 8, "C": 20, "D": 8, "E": 9}   # longest text + 2, from 8 to max_width


def test_a_stream_that_fails_half_way_writes_no_file(tmp_path):
    def failing():
        yield from generated(50).rows
        raise RuntimeError("the project went away")

    for suffix in (".docx", ".xlsx"):
        with pytest.raises(RuntimeError, match="went away"):
            write_excerpts(ExcerptRows(COLUMNS, ["group", "site"], "failing", failing()), tmp_path / f"q{suffix}")
    assert list(tmp_path.iterdir()) == []
