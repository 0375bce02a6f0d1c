"""import_codings: every layout, every row problem reported at once with nothing written,
replacement on re-import, coverage, codebook choice."""

from __future__ import annotations

import pytest

from qualcode.exchange.sheets import import_codings
from qualcode.exchange.sheets.checks import CodingsFileError
from qualcode.exchange.sheets.review import parse_decision
from qualcode.core.errors import InputError, SelectionError
from qualcode.store.project import open_project
from projects import build_project
from qualcode.store.frames import codings_frame, coverage_frame

# segment ids of the STUDY project (tests/projects.py): document -> {turn: segment id}
SEG = {"scholars_north.txt": {0: 1, 1: 2, 2: 3, 3: 4, 4: 5, 5: 6},
       "scholars_south.txt": {0: 7, 1: 8, 2: 9, 3: 10},
       "mentors_north.txt": {0: 11, 1: 12, 2: 13, 3: 14, 4: 15}}

SHEET = """document,turn,speaker,codes,text
scholars_north.txt,1,Ana,value.clarity,We set clear expectations early. That built real trust.
scholars_north.txt,2,Ben,,My mentor spelled out the goals. I liked that.
scholars_north.txt,4,S01,power.fear ; value,
scholars_south.txt,2,Di,power,"The mentor holds the power.
  We just comply."
"""


@pytest.fixture
def project(tmp_path):
    return build_project(tmp_path / "study.qcproj")


def run_import(project, path, coder, **options):
    with open_project(project) as proj:
        return import_codings(proj, path, coder, **options)


def coder_rows(path, coder):
    with open_project(path) as proj:
        codings = codings_frame(proj)
        coverage = coverage_frame(proj)
    codings = codings[codings["coder"] == coder]
    return ([(r.document, r.turn, r.code, r.start, r.end, r.segment_id, r.coder_kind, r.status)
             for r in codings.itertuples()],
            sorted(coverage.loc[coverage["coder"] == coder, "segment_id"].tolist()))


def test_coding_sheet_csv(project, write):
    result = run_import(project, write("bob.csv", SHEET), "bob")
    assert (result.layout, result.rows, result.codings, result.turns_covered) == ("sheet", 4, 4, 4)
    assert result.documents == ["scholars_north.txt", "scholars_south.txt"]
    assert result.codebook == "Test book 1.0"
    assert result.by_code == {"value": 1, "value.clarity": 1, "value.trust": 0, "power": 1,
                              "power.fear": 1, "tools": 0}
    codings, covered = coder_rows(project, "bob")
    assert codings == [
        ("scholars_north.txt", 1, "value.clarity", 55, 110, 2, "human", "accepted"),
        ("scholars_north.txt", 4, "power.fear", 220, 261, 5, "human", "accepted"),
        ("scholars_north.txt", 4, "value", 220, 261, 5, "human", "accepted"),
        ("scholars_south.txt", 2, "power", 105, 148, 9, "human", "accepted"),
    ]
    assert covered == [2, 3, 5, 9]   # turn 2 of scholars_north was read and left uncoded


def test_coding_sheet_xlsx_with_numbers_and_extra_columns(project, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Document", "Turn", "Participant", "Codes"])
    sheet.append(["mentors_north.txt", 3, "M01", "value.clarity;value.trust"])
    sheet.append(["mentors_north.txt", 4.0, "M03", None])
    sheet.title = "coding"
    book.create_sheet("notes", 0).append(["a sheet before the coding sheet is not read"])
    path = tmp_path / "carol.xlsx"
    book.save(path)
    result = run_import(project, path, "carol")
    assert (result.codings, result.turns_covered) == (2, 2)
    codings, covered = coder_rows(project, "carol")
    assert [(c[1], c[2]) for c in codings] == [(3, "value.clarity"), (3, "value.trust")]
    assert covered == [14, 15]


def test_one_turn_per_row_covers_every_participant_turn_of_the_document(project, write):
    path = write("long.csv", "document,turn,code\nscholars_south.txt,1,power.fear\n"
                             "scholars_south.txt,1,value\nscholars_south.txt,3,\n")
    result = run_import(project, path, "dan")
    assert (result.layout, result.codings, result.turns_covered) == ("turns", 2, 3)
    codings, covered = coder_rows(project, "dan")
    assert [(c[1], c[2], c[3], c[4]) for c in codings] == [(1, "power.fear", 43, 100), (1, "value", 43, 100)]
    assert covered == [8, 9, 10]   # the facilitator's turn 0 is not covered


def test_character_spans_with_text_check(project, write):
    path = write("spans.csv", "document,start,end,code,text\n"
                              "scholars_north.txt,220,246,power.fear,I was afraid to push back.\n"
                              "mentors_north.txt,108,131,power,\n")
    result = run_import(project, path, "eve")
    assert (result.layout, result.codings, result.turns_covered) == ("spans", 2, 8)
    codings, covered = coder_rows(project, "eve")
    assert [(c[0], c[2], c[3], c[4], c[5]) for c in codings] == [
        ("scholars_north.txt", "power.fear", 220, 246, 5), ("mentors_north.txt", "power", 108, 131, 13)]
    assert covered == [2, 3, 5, 6, 12, 13, 14, 15]


def test_quotes_are_found_in_the_document(project, write):
    path = write("quotes.csv", "document,code,text\n"
                               "scholars_south.txt,power.fear,I fear   retaliation\n"
                               "mentors_north.txt,value.clarity,Clarity saves time.\n")
    result = run_import(project, path, "fay")
    assert (result.layout, result.codings) == ("quotes", 2)
    codings, _ = coder_rows(project, "fay")
    assert [(c[0], c[1], c[2], c[3], c[4]) for c in codings] == [
        ("scholars_south.txt", 1, "power.fear", 81, 99), ("mentors_north.txt", 3, "value.clarity", 158, 177)]


def test_every_bad_row_is_reported_at_once_and_nothing_is_written(project, write):
    path = write("bad.csv", "document,turn,speaker,codes,text\n"
                            "scholars_nort.txt,1,Ana,value,\n"
                            "scholars_north.txt,one,Ana,value,\n"
                            "scholars_north.txt,9,Ana,valeu; power.feer,\n"
                            "scholars_north.txt,1,Bob,Power,\n"
                            "scholars_north.txt,2,Ben,,My mentor wrote the goals.\n"
                            "scholars_north.txt,1,Ana,,\n"
                            ",2,Ben,tools,\n"
                            'scholars_north.txt,5,Ben,"tools, value",\n')
    before = project.read_bytes()
    with pytest.raises(CodingsFileError) as caught:
        run_import(project, path, "bob")
    assert str(caught.value) == (
        f"{path}: 11 problems, nothing imported:\n"
        "  row 2: unknown document 'scholars_nort.txt' (did you mean 'scholars_north.txt'?)\n"
        "  row 3: turn 'one' is not a turn number\n"
        "  row 4: no turn 9 in scholars_north.txt (turns 0-5)\n"
        "  row 4: unknown code 'valeu' (did you mean 'value'?)\n"
        "  row 4: unknown code 'power.feer' (did you mean 'power.fear'?)\n"
        "  row 5: unknown code 'Power' (did you mean 'power'?)\n"
        "  row 5: speaker 'Bob' is not the speaker of turn 1 of scholars_north.txt ('Ana'): "
        "is the sheet from another transcript?\n"
        "  row 6: text 'My mentor wrote the goals.' does not match turn 2 of scholars_north.txt "
        "('My mentor spelled out the goals. I li...')\n"
        "  row 7: turn 1 of scholars_north.txt is listed again (first in row 5)\n"
        "  row 8: no document\n"
        "  row 9: unknown code 'tools, value': separate codes with ';'")
    assert [row for row, _ in caught.value.problems] == [2, 3, 4, 4, 4, 5, 5, 6, 7, 8, 9]
    assert project.read_bytes() == before


def test_span_and_quote_problems(project, write):
    path = write("spans.csv", "document,start,end,code,text\n"
                              "scholars_north.txt,220,999,power.fear,\n"
                              "scholars_north.txt,230,220,power.fear,\n"
                              "scholars_north.txt,x,246,power.fear,\n"
                              "scholars_north.txt,220,246,power.fear,I was not afraid\n"
                              "scholars_north.txt,0,9,power,\n"
                              "scholars_north.txt,220,246,,\n")
    with pytest.raises(CodingsFileError) as caught:
        run_import(project, path, "bob")
    assert [(row, msg) for row, msg in caught.value.problems] == [
        (2, "span 220-999 lies outside scholars_north.txt (313 characters)"),
        (3, "span 230-220 is empty (start must be before end)"),
        (4, "start 'x' is not a character offset (0 or more)"),
        (5, "text 'I was not afraid' is not the text at 220-246 of scholars_north.txt "
            "('I was afraid to push back.')"),
        (6, "span 0-9 of scholars_north.txt lies in no turn (only labels or blank lines)"),
        (7, "no code"),
    ]
    quotes = write("quotes.csv", "document,code,text\nmentors_north.txt,value,Clarity saves\n"
                                 "mentors_north.txt,value,Clarity costs\nmentors_north.txt,value,\n")
    with pytest.raises(CodingsFileError) as caught:
        run_import(project, quotes, "bob")
    assert caught.value.problems == [
        (2, "quote 'Clarity saves' occurs 2 times in mentors_north.txt (at characters 158, 178): "
            "give a longer quote or start,end"),
        (3, "quote 'Clarity costs' not found in mentors_north.txt"),
        (4, "no quote in the text column"),
    ]
    with open_project(project) as proj:
        assert "bob" not in set(codings_frame(proj)["coder"])


def test_reimport_replaces_only_this_coder_in_the_covered_documents(project, write):
    run_import(project, write("bob.csv", SHEET), "bob")
    again = write("bob2.csv", "document,turn,codes\nscholars_north.txt,5,tools\n")
    result = run_import(project, again, "bob")
    assert (result.replaced_codings, result.replaced_turns) == (3, 3)
    codings, covered = coder_rows(project, "bob")
    assert [(c[0], c[1], c[2]) for c in codings] == [
        ("scholars_north.txt", 5, "tools"), ("scholars_south.txt", 2, "power")]
    assert covered == [6, 9]
    with open_project(project) as proj:
        others = codings_frame(proj)
    assert (others["coder"] == "alice").sum() == 1 and (others["coder"] == "rules").sum() == 13


def test_coder_names_and_codebook_choice(project, write, tmp_path):
    sheet = write("s.csv", "document,turn,codes\nscholars_north.txt,1,value\n")
    with pytest.raises(SelectionError, match="'rules' is the name of a machine tagger"):
        run_import(project, sheet, "rules")
    with pytest.raises(SelectionError, match="coder name 'all' is not allowed"):
        run_import(project, sheet, "all")
    with pytest.raises(SelectionError, match=r"study.qcproj: no codebook 'Other' in the project; codebooks: Test book$"):
        run_import(project, sheet, "bob", codebook="Other")
    yaml = write("tiny.yaml", 'name: Tiny\nversion: "2"\ncodes:\n  - id: alpha\n    name: Alpha\n'
                              "    definition: A test code.\n")
    with pytest.raises(CodingsFileError, match="unknown code 'value'"):
        run_import(project, sheet, "bob", codebook=yaml)
    result = run_import(project, write("t.csv", "document,turn,codes\n"
                                                         "scholars_north.txt,1,alpha\n"), "bob", codebook=yaml)
    assert result.codebook == "Tiny 2"
    # the newest codebook (Tiny) is now the default; Test book by name still works
    assert run_import(project, sheet, "bob", codebook="Test book").codings == 1
    with pytest.raises(CodingsFileError, match="unknown code 'value'"):
        run_import(project, sheet, "bob")


def test_unknown_layout_and_missing_columns(project, write):
    with pytest.raises(InputError, match="cannot tell the layout"):
        run_import(project, write("x.csv", "document,turn,label\na,1,b\n"), "bob")
    with pytest.raises(InputError, match="missing column turn"):
        run_import(project, write("y.csv", "document,codes\na,b\n"), "bob")
    with pytest.raises(InputError, match="no rows below the header"):
        run_import(project, write("z.csv", "document,turn,codes\n"), "bob")


def test_parse_decision():
    assert parse_decision("accept", ["a", "b"]) == ({"a": "accepted", "b": "accepted"}, [])
    assert parse_decision("Accept; b:reject", ["a", "b"]) == ({"a": "accepted", "b": "rejected"}, [])
    assert parse_decision("b:reject", ["a", "b"]) == ({"b": "rejected"}, [])
    assert parse_decision("maybe, c:reject", ["a"]) == ({}, [
        "cannot read decision 'maybe': write accept, reject, CODE:accept or CODE:reject",
        "decision for 'c', which is not suggested for this turn (suggested: a)"])


def test_codes_of_another_codebook_get_a_hint(project, write):
    yaml = write("tiny.yaml", 'name: Tiny\nversion: "2"\ncodes:\n  - id: alpha\n    name: Alpha\n'
                              "    definition: A test code.\n")
    run_import(project, write("t.csv", "document,turn,codes\nscholars_north.txt,1,alpha\n"), "bob",
               codebook=yaml)
    sheet = write("s.csv", "document,turn,codes\nscholars_north.txt,1,value\nscholars_north.txt,2,tools\n")
    with pytest.raises(CodingsFileError) as caught:
        run_import(project, sheet, "bob")
    assert caught.value.problems == [
        (2, "unknown code 'value'"), (3, "unknown code 'tools'"),
        (None, "the unknown codes are in codebook 'Test book': give --codebook 'Test book'")]
    assert str(caught.value).endswith("\n  the unknown codes are in codebook 'Test book': give "
                                      "--codebook 'Test book'")


def test_one_turn_per_row_checks_speaker_and_text_when_given(project, write):
    path = write("long.csv", "document,turn,speaker,code,text\n"
                             "scholars_south.txt,1,Cy,power.fear,Talking about expectations helps.\n")
    with pytest.raises(CodingsFileError) as caught:
        run_import(project, path, "dan")
    assert caught.value.problems == [
        (2, "text 'Talking about expectations helps.' does not match turn 1 of scholars_south.txt "
            "('Talking about expectations helps. But...')")]
