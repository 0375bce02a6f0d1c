"""Exports read from the project (SQL aggregates, a streamed quote table) give exactly what
the pandas frames give, on the shipped sample study coded by the rules and by hand."""

from __future__ import annotations

import csv
import filecmp

import pandas as pd
import pytest
from openpyxl import load_workbook

from conftest import SAMPLE, whole_tables_refused
from projects import build_project
from qualcode.analysis import compare_groups, counts_by, excerpts_table, load_frames
from qualcode.analysis.excerpts import iter_excerpts
from qualcode.codebook import load_codebook
from qualcode.exchange.sheets import import_codings
from qualcode.workflows.code import code_project
from qualcode.core.errors import SelectionError
from qualcode.export.excerpts import write_excerpts
from qualcode.workflows.ingest import ingest
from qualcode.store.frames import segments_frame
from qualcode.store.project import Project, open_project

CODEBOOK = SAMPLE.parent / "codebooks" / "mentoring_expectations.yaml"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample study (six transcripts), rule-coded, with the hand coding of four as 'gold'."""
    path = tmp_path_factory.mktemp("sample") / "sample.qcproj"
    book = load_codebook(CODEBOOK)
    with open_project(path, create=True) as project:
        ingest(project, manifest=SAMPLE / "manifest.csv", speakers=SAMPLE / "speakers.csv")
        code_project(project, book, "rules")
        import_codings(project, SAMPLE / "gold_tuning.csv", coder="gold", codebook=book)
    with open_project(path) as project:
        frames = load_frames(project)
    return path, frames


@pytest.fixture
def project(sample):
    with open_project(sample[0]) as opened:
        yield opened


def outcome(call):
    """The result of ``call()``, or its error as text."""
    try:
        return call()
    except SelectionError as exc:
        return f"SelectionError: {exc}"


def assert_same(frame_result, project_result):
    if isinstance(frame_result, str) or isinstance(project_result, str):
        assert project_result == frame_result
        return
    pd.testing.assert_frame_equal(project_result, frame_result)
    assert project_result.attrs == frame_result.attrs


@pytest.mark.parametrize("by", ["role", "site", "group", "document", "participant"])
def test_counts_from_the_project_equal_the_frames(sample, project, by):
    frames = sample[1]
    tables = 0
    for coder in ("rules", "gold", "all"):
        for options in ({}, {"rollup": False}, {"total": True}, {"include_facilitators": True},
                        {"status": ("suggested",)}):
            expected = outcome(lambda: counts_by(frames, by, coder=coder, **options))
            assert_same(expected, outcome(lambda: counts_by(project, by, coder=coder, **options)))
            tables += not isinstance(expected, str)
    assert tables == 14   # gold has no suggested codings: that selection is an error


def test_counts_on_the_sample_are_real_numbers(project):
    counts = counts_by(project, "role", coder="gold").set_index(["code", "group"])
    # the hand coding covers two scholar and two mentor groups; every theme is raised by both
    themes = counts.loc[counts["depth"] == 0]
    assert set(themes.index.get_level_values("group")) == {"scholar", "mentor", "unidentified"}
    assert (themes.xs("scholar", level="group")["turns"] > 0).all()
    # a parent counts its subcodes' turns: never fewer than any child's
    tools = counts.xs("tools", level="code")["turns"]
    assert (tools >= counts.xs("tools.types", level="code")["turns"]).all()


def test_compare_from_the_project_equals_the_frames(sample, project):
    frames = sample[1]
    for coder in ("rules", "gold"):
        for options in ({}, {"unit": "participants"}, {"correction": "bh"}, {"by": "site"}):
            assert_same(outcome(lambda: compare_groups(frames, coder=coder, **options)),
                        outcome(lambda: compare_groups(project, coder=coder, **options)))


@pytest.mark.parametrize("sort", ["code", "document", "participant", "role"])
def test_streamed_excerpts_equal_the_frame_table(sample, project, sort):
    frames = sample[1]
    for options in ({"coder": "rules"}, {"coder": "all"}, {"coder": "gold", "real_names": True},
                    {"coder": "rules", "include_facilitators": True},
                    {"coder": "gold", "theme": "Power differential", "role": "mentor"},
                    {"coder": "all", "code": ["tools", "value.clarity"],
                     "document": "mentors_lakeshore.txt"}):
        assert_same(excerpts_table(frames, sort=sort, **options),
                    excerpts_table(project, sort=sort, **options))


def test_streamed_csv_is_byte_for_byte_the_frame_csv(sample, project, tmp_path):
    for sort in ("code", "participant"):
        streamed = iter_excerpts(project, coder="all", sort=sort)
        write_excerpts(streamed, tmp_path / "streamed.csv")
        write_excerpts(excerpts_table(sample[1], coder="all", sort=sort), tmp_path / "frame.csv")
        assert filecmp.cmp(tmp_path / "streamed.csv", tmp_path / "frame.csv", shallow=False)
        assert streamed.read == 405 + 269   # the tagger and the gold coder code participant turns only
    rows = (tmp_path / "streamed.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == ("document,speaker,participant,role,date,group,site,code,code_name,theme,"
                       "theme_name,start,end,turn,time,text,coder,status")


def test_streamed_excel_and_word_hold_the_same_rows(sample, project, tmp_path):
    write_excerpts(iter_excerpts(project, coder="gold"), tmp_path / "streamed.xlsx")
    write_excerpts(excerpts_table(sample[1], coder="gold"), tmp_path / "frame.xlsx")
    streamed, frame = load_workbook(tmp_path / "streamed.xlsx"), load_workbook(tmp_path / "frame.xlsx")
    assert streamed.sheetnames == frame.sheetnames == ["all", "value", "independence",
                                                       "power_differential", "tools"]
    for name in frame.sheetnames:
        assert [[c.value for c in row] for row in streamed[name].iter_rows()] == \
            [[c.value for c in row] for row in frame[name].iter_rows()]


def test_each_document_is_read_once_in_document_order(project, monkeypatch):
    reads = []
    original = Project.document_text
    monkeypatch.setattr(Project, "document_text", lambda self, i: reads.append(i) or original(self, i))
    excerpts = iter_excerpts(project, coder="rules", sort="document")
    assert reads == []                       # nothing is read before the rows are
    rows = list(excerpts.rows)
    assert len(rows) == excerpts.read == 405
    assert sorted(reads) == sorted(set(reads)) and len(reads) == 6


def test_the_project_path_loads_no_frame(project, tmp_path):
    with whole_tables_refused("codings_frame", "segments_frame", "documents_frame"):
        assert len(counts_by(project, "site", coder="rules", total=True)) == 23 * 4
        assert len(compare_groups(project, coder="gold")) == 23
        write_excerpts(iter_excerpts(project, coder="gold", sort="role"), tmp_path / "quotes.csv")
    with open(tmp_path / "quotes.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 1 + 269 and {row[-2] for row in rows[1:]} == {"gold"}


def test_errors_are_the_same_and_raised_before_any_row(sample, project, tmp_path):
    frames = sample[1]
    cases = [
        {},                                                  # two coders: must choose
        {"coder": "rules", "code": "no_such_code"},
        {"coder": "rules", "theme": "Nothing"},
        {"coder": "rules", "role": "dean"},
        {"coder": "rules", "document": "missing.txt"},
        {"coder": "rules", "sort": "length"},
        {"coder": "rules", "status": "final"},
        {"coder": "bob"},
        {"coder": "gold", "codebook": "Other book"},
        {"coder": "gold", "role": "facilitator"},           # facilitators left out: nothing left
    ]
    for options in cases:
        expected = outcome(lambda: excerpts_table(frames, **options))
        assert expected.startswith("SelectionError: ")
        assert outcome(lambda: iter_excerpts(project, **options)) == expected
    assert outcome(lambda: counts_by(project, "colour", coder="rules")) == outcome(
        lambda: counts_by(frames, "colour", coder="rules"))
    assert "cannot group by 'colour'" in outcome(lambda: counts_by(project, "colour", coder="rules"))


def test_codings_stored_without_their_turn_are_placed_by_offset(tmp_path):
    path = build_project(tmp_path / "study.qcproj")
    with open_project(path) as project, project.transaction():
        doc_id = project.document_id("mentors_north.txt")
        turns = segments_frame(project, document="mentors_north.txt")
        third = turns.iloc[3]   # M01: "Clarity saves time. Clarity saves trouble."
        project.add_codings([
            {"document_id": doc_id, "segment_id": None, "codebook_id": 1, "code": "power",
             "start": int(third["start"]) + 3, "end": int(third["start"]) + 10, "coder": "rules",
             "coder_kind": "machine"},
            # between two turns (on the newline): no turn holds it, so it is left out
            {"document_id": doc_id, "segment_id": None, "codebook_id": 1, "code": "power",
             "start": int(third["end"]), "end": int(third["end"]) + 1, "coder": "rules",
             "coder_kind": "machine"}])
    with open_project(path) as project:
        frames = load_frames(project)
        assert_same(counts_by(frames, "role", coder="rules"), counts_by(project, "role", coder="rules"))
        streamed = excerpts_table(project, coder="rules", code="power")
        assert_same(excerpts_table(frames, coder="rules", code="power"), streamed)
    placed = streamed[streamed["text"] == "rity sa"]
    assert (placed["participant"].tolist(), placed["turn"].tolist()) == (["M01"], [3])
    assert len(streamed) == 4   # three stored with their turn, one placed, one left out


def test_report_exemplars_from_the_stream_equal_the_frames(sample, project):
    from qualcode.analysis import exemplar_quotes
    from qualcode.analysis.excerpts import exemplar_rows

    for coder in ("rules", "gold"):
        for per_code in (1, 3, 8):
            expected = exemplar_quotes(excerpts_table(sample[1], coder=coder), per_code=per_code)
            got, total = exemplar_rows(iter_excerpts(project, coder=coder), per_code=per_code)
            pd.testing.assert_frame_equal(got, expected, check_index_type=False)
            assert total == {"rules": 405, "gold": 269}[coder]
