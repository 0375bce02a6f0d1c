"""The quote table's Excel file written as a stream: any number of quotes in memory that
does not grow with them, a file openpyxl opens with exactly the cells and looks expected,
and text that stays text (no markup, no formula)."""

from __future__ import annotations

import math
import tracemalloc

import pandas as pd
import pytest
from openpyxl import load_workbook

from qualcode.analysis.excerpts import ExcerptRows
from qualcode.export.excerpts import write_excerpts
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


@pytest.mark.parametrize("suffix", [".xlsx"])
def test_a_long_stream_is_written_in_memory_that_does_not_grow(tmp_path, suffix):
    small, large = (peak_bytes(lambda: write_excerpts(generated(n), tmp_path / f"q{n}{suffix}"))
                    for n in (1000, 8000))
    # holding 7,000 more quotes would take several MB
    assert large < 4_000_000 and large - small < 1_000_000, (small, large)


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

    for suffix in (".xlsx",):
        with pytest.raises(RuntimeError, match="went away"):
            write_excerpts(ExcerptRows(COLUMNS, ["group", "site"], "failing", failing()), tmp_path / f"q{suffix}")
    assert list(tmp_path.iterdir()) == []
