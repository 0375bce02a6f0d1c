"""The Word report and its exemplar quotes from an open project (SQL aggregates, quotes picked
from a stream holding a few per code) equal the report built from the pandas frames."""

from __future__ import annotations

import pandas as pd
from docx import Document
from hypothesis import given
from hypothesis import strategies as st

from conftest import whole_tables_refused
from projects import build_project
from qualcode.analysis import excerpts_table, exemplar_quotes, load_frames
from qualcode.analysis.excerpts import (BASE_COLUMNS, CODE_COLUMNS, ExcerptRows, exemplar_rows,
                                        iter_excerpts)
from qualcode.export.report import corpus_tables, write_report
from qualcode.store.project import open_project


def docx_text(path) -> list[str]:
    doc = Document(path)
    return [p.text for p in doc.paragraphs] + [cell.text for table in doc.tables
                                               for row in table.rows for cell in row.cells]


def test_report_from_the_project_equals_the_report_from_frames(tmp_path):
    path = build_project(tmp_path / "study.qcproj")
    with open_project(path) as project:
        frames = load_frames(project)
        write_report(frames, tmp_path / "frames.docx", coder="rules", by="site", exemplars=2)
        with whole_tables_refused("codings_frame", "segments_frame"):   # the project path reads neither
            write_report(project, tmp_path / "project.docx", coder="rules", by="site", exemplars=2)
    streamed = docx_text(tmp_path / "project.docx")
    assert streamed == docx_text(tmp_path / "frames.docx")
    # 11 quotes on participant turns: value 1, clarity 5, trust 2, power 1, fear 2 -> 1+2+2+1+2 shown
    assert "Up to 2 quotes per code, chosen from different participants and roles (8 of 11 coded " \
           "excerpts). The full table: qualcode export excerpts PROJECT -o quotes.docx." in streamed
    assert "\u201cTalking about expectations helps.\u201d" in streamed


def test_corpus_tables_from_sql_equal_the_frames(tmp_path):
    with open_project(build_project(tmp_path / "study.qcproj")) as project:
        frames = load_frames(project)
        for expected, got in zip(corpus_tables(frames), corpus_tables(project)):
            pd.testing.assert_frame_equal(got, expected)
        documents, roles = corpus_tables(project)
    assert documents["participants"].tolist() == [2, 2, 3]       # facilitators left out
    assert roles[["role", "participants", "turns"]].values.tolist() == [
        ["scholar", 4, 7], ["mentor", 3, 4], ["facilitator", 2, 4]]


def test_exemplars_from_the_stream_equal_exemplar_quotes(tmp_path):
    with open_project(build_project(tmp_path / "study.qcproj")) as project:
        frames = load_frames(project)
        for per_code in (1, 2, 3, 5):
            for min_words in (1, 4, 6):
                expected = exemplar_quotes(excerpts_table(frames, coder="all"), per_code=per_code,
                                           min_words=min_words)
                got, total = exemplar_rows(iter_excerpts(project, coder="all"), per_code=per_code,
                                           min_words=min_words)
                pd.testing.assert_frame_equal(got, expected, check_index_type=False)
                assert got.attrs == expected.attrs and total == 12


COLUMNS = BASE_COLUMNS + CODE_COLUMNS


@st.composite
def quote_tables(draw):
    """Quote tables with few codes, roles and participants, and texts of 1 to 9 words, so that
    readable and other quotes, repeated voices and several roles per code all occur."""
    rows = []
    for i in range(draw(st.integers(0, 60))):
        code = draw(st.sampled_from(["a", "b", "c"]))
        role = draw(st.sampled_from(["scholar", "mentor", "(none)"]))
        participant = draw(st.sampled_from(["P1", "P2", "P3", "P4", "P5", "P6"]))
        text = " ".join(["word"] * draw(st.integers(1, 9)))
        rows.append(("doc.txt", f"{participant} ({role})", participant, role, code, code, code, code,
                     i, i + 1, i, "", text, "rules", "suggested"))
    return rows


@given(quote_tables(), st.integers(0, 6), st.integers(1, 8))
def test_streamed_exemplar_choice_is_exemplar_quotes(rows, per_code, min_words):
    frame = pd.DataFrame(rows, columns=COLUMNS)
    expected = exemplar_quotes(frame, per_code=per_code, min_words=min_words, max_words=7)
    got, total = exemplar_rows(ExcerptRows(COLUMNS, [], "", iter(rows)), per_code=per_code,
                               min_words=min_words, max_words=7)
    assert total == len(rows)
    assert list(got.index) == list(expected.index)
    assert got.values.tolist() == expected.values.tolist()
