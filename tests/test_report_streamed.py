"""The Word report from an open project: its data (SQL aggregates, quotes picked from a stream
holding a few per code), what it shows, and the exemplar choice against a plain reference."""

from __future__ import annotations

import pandas as pd
from docx import Document
from hypothesis import given
from hypothesis import strategies as st

from conftest import whole_tables_refused
from projects import build_project
from qualcode.analysis import corpus_tables, excerpts_table, report_data
from qualcode.analysis.excerpts import (BASE_COLUMNS, CODE_COLUMNS, ExcerptRows, exemplar_rows,
                                        iter_excerpts)
from qualcode.export.report import write_report
from qualcode.store.project import open_project


def docx_text(path) -> list[str]:
    doc = Document(path)
    return [p.text for p in doc.paragraphs] + [cell.text for table in doc.tables
                                               for row in table.rows for cell in row.cells]


def reference_exemplars(excerpts: pd.DataFrame, per_code: int = 3, min_words: int = 6,
                        max_words: int = 80) -> pd.DataFrame:
    """The exemplar choice written plainly over a whole quote table, to check the streamed
    picker against: per code, a round robin over roles (in the order of their first
    readable quote), new voices first, readable quotes first; then the first others."""
    if excerpts.empty:
        return excerpts
    words = excerpts["text"].str.split().str.len()
    ranked = excerpts.assign(_misfit=~words.between(min_words, max_words), _row=range(len(excerpts)))
    chosen: list[int] = []
    for _code, quotes in ranked.groupby("code", sort=False):
        quotes = quotes.sort_values(["_misfit", "_row"], kind="stable")
        queues = [list(q["_row"]) for _role, q in quotes.groupby("role", sort=False)]
        participant = dict(zip(quotes["_row"], quotes["participant"]))
        picked: list[int] = []
        seen: set[str] = set()
        progress = True
        while len(picked) < per_code and progress:
            progress = False
            for queue in queues:
                fresh = next((r for r in queue if participant[r] not in seen), None)
                if fresh is not None and len(picked) < per_code:
                    picked.append(fresh)
                    seen.add(participant[fresh])
                    queue.remove(fresh)
                    progress = True
        rest = [r for r in quotes["_row"] if r not in picked]
        picked += rest[:per_code - len(picked)]
        chosen += sorted(picked)
    out = excerpts.iloc[chosen].copy()
    out.attrs.update(excerpts.attrs)
    return out


def test_report_reads_no_whole_table_and_says_what_it_chose(tmp_path):
    path = build_project(tmp_path / "study.qcproj")
    with open_project(path) as project, whole_tables_refused("codings_frame", "segments_frame"):
        write_report(project, tmp_path / "project.docx", coder="rules", by="site", exemplars=2)
    text = docx_text(tmp_path / "project.docx")
    # 10 quotes on participant turns (M01's two clarity sentences in one turn are one):
    # value 1, clarity 4, trust 2, power 1, fear 2 -> 1+2+2+1+2 shown
    assert "Up to 2 quotes per code, chosen from different participants and roles (8 of 10 quotes; " \
           "each quote: whole sentences). The full table: qualcode export excerpts PROJECT -o " \
           "quotes.docx." in text
    assert "\u201cTalking about expectations helps.\u201d" in text
    assert "3 transcripts, 9 participants (4 scholars, 3 mentors, 2 facilitators), 15 turns and " \
           "108 words." in text
    assert "North vs South: for each code, the share of each group's participant turns, the difference " \
           "in percentage points with its 95% confidence interval, and Fisher's exact test adjusted " \
           "for multiple comparisons." in text


def test_report_data_is_what_the_report_shows(tmp_path):
    with open_project(build_project(tmp_path / "study.qcproj")) as project:
        data = report_data(project, coder="rules", by="site", exemplars=2)
    assert (data.project, data.by, data.participants, data.excerpts, len(data.exemplars)) == (
        "study.qcproj", "site", 9, 10, 8)
    assert data.selection.describe() == ("12 codings from codebook Test book 1.0; coder rules; "
                                         "status suggested or accepted")
    assert list(data.counts["group"].unique()) == ["North", "South", "all"]
    assert (data.comparison["a"].iloc[0], data.comparison["b"].iloc[0]) == ("North", "South")
    assert data.no_comparison is None and data.notes == []
    assert data.tree.display_order == ["value", "value.clarity", "value.trust", "power", "power.fear",
                                       "tools"]


def test_corpus_tables_from_sql(tmp_path):
    with open_project(build_project(tmp_path / "study.qcproj")) as project:
        documents, roles = corpus_tables(project)
        counts = project.counts()
    assert documents.columns.tolist() == ["document", "group", "role", "site", "participants", "turns",
                                          "words"]
    assert documents["participants"].tolist() == [2, 2, 3]       # facilitators left out
    assert documents["turns"].sum() == counts["turns"] and documents["words"].sum() == counts["words"]
    assert roles[["role", "participants", "turns"]].values.tolist() == [
        ["scholar", 4, 7], ["mentor", 3, 4], ["facilitator", 2, 4]]



def test_corpus_tables_show_documents_attributes_not_turns(tmp_path):
    with open_project(build_project(tmp_path / "study.qcproj")) as project:
        with project.transaction():
            project.add_segment_attributes(1, [(1, "question", "Q1")])
        documents, _ = corpus_tables(project)
    assert documents.columns.tolist() == ["document", "group", "role", "site", "participants", "turns",
                                          "words"]


def test_exemplars_from_the_stream_are_the_reference_choice(tmp_path):
    with open_project(build_project(tmp_path / "study.qcproj")) as project:
        for per_code in (1, 2, 3, 5):
            for min_words in (1, 4, 6):
                expected = reference_exemplars(excerpts_table(project, coder="all"), per_code=per_code,
                                               min_words=min_words)
                got, total = exemplar_rows(iter_excerpts(project, coder="all"), per_code=per_code,
                                           min_words=min_words)
                pd.testing.assert_frame_equal(got, expected, check_index_type=False)
                assert got.attrs == expected.attrs and total == 11   # 12 codings, 11 quotes


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
def test_streamed_exemplar_choice_is_the_reference_choice(rows, per_code, min_words):
    frame = pd.DataFrame(rows, columns=COLUMNS)
    expected = reference_exemplars(frame, per_code=per_code, min_words=min_words, max_words=7)
    got, total = exemplar_rows(ExcerptRows(COLUMNS, [], "", iter(rows)), per_code=per_code,
                               min_words=min_words, max_words=7)
    assert total == len(rows)
    assert list(got.index) == list(expected.index)
    assert got.values.tolist() == expected.values.tolist()
