"""export coding-sheet (CSV, XLSX with drop-downs) and importing a reviewed sheet back."""

from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner

from qualcode.cli import cli
from qualcode.exchange.sheets import coding_sheet_frame, import_codings, write_coding_sheet
from qualcode.exchange.sheets.checks import CodingsFileError
from qualcode.core.errors import SelectionError
from qualcode.store.project import open_project
from projects import build_project
from qualcode.store.frames import codings_frame, coverage_frame


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def project(tmp_path):
    return build_project(tmp_path / "study.qcproj")


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_plain_sheet_csv_lists_participant_turns(project, tmp_path):
    out = tmp_path / "sheet.csv"
    result = run("export", "coding-sheet", project, "-o", out, "--document", "scholars_south.txt")
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote 3 turns to {out} (codebook Test book 1.0, 6 codes)\n"
    rows = read_csv(out)
    assert list(rows[0]) == ["document", "turn", "speaker", "participant", "role", "text", "codes"]
    assert [(r["turn"], r["speaker"], r["participant"], r["role"], r["text"], r["codes"]) for r in rows] == [
        ("1", "S03 (scholar)", "S03", "scholar", "Talking about expectations helps. But I fear retaliation.", ""),
        ("2", "S04 (scholar)", "S04", "scholar", "The mentor holds the power. We just comply.", ""),
        ("3", "S03 (scholar)", "S03", "scholar", "Nothing else to add. Thanks.", ""),
    ]


def test_xlsx_has_drop_down_codes_sheet_frozen_header_and_wrapped_text(project, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "sheet.xlsx"
    assert run("export", "coding-sheet", project, "-o", out).exit_code == 0
    book = load_workbook(out)
    assert book.sheetnames == ["coding", "codes", "instructions"]
    ws = book["coding"]
    assert [c.value for c in ws[1]] == ["document", "turn", "speaker", "participant", "role", "text", "codes"]
    assert ws.max_row == 12 and ws.freeze_panes == "A2"
    assert ws["F2"].value == "We set clear expectations early. That built real trust."
    assert ws["F2"].alignment.wrap_text is True and ws["B2"].value == 1
    [validation] = ws.data_validations.dataValidation
    assert (validation.type, validation.formula1, str(validation.sqref)) == (
        "list", "=codes!$A$2:$A$7", "G2:G12")
    codes = [[c.value for c in row] for row in book["codes"].iter_rows()]
    assert codes[0] == ["code", "name", "theme", "definition"]
    assert codes[1:3] == [["value", "Value of expectations", "value", "Why explicit expectations matter."],
                          ["value.clarity", "Clear guidance", "value", "Knowing what is expected."]]
    # filled in and imported back as it is
    ws["G2"] = "value.clarity; value.trust"
    ws["G5"] = "tools"
    book.save(out)
    with open_project(project) as proj:
        result = import_codings(proj, out, "gil")
    assert (result.layout, result.codings, result.turns_covered) == ("sheet", 3, 11)


def test_review_sheet_shows_suggestions_and_earlier_decisions(project, tmp_path):
    with open_project(project) as proj:
        sheet, _ = coding_sheet_frame(proj, suggestions="rules")
    assert list(sheet.columns) == ["document", "turn", "speaker", "participant", "role", "text",
                                   "suggested", "decision", "codes", "suggested_by"]
    assert [(r.document[:8], r.turn, r.suggested, r.decision) for r in sheet.itertuples()] == [
        ("scholars", 1, "value.clarity; value.trust", ""), ("scholars", 2, "value.clarity", ""),
        ("scholars", 4, "power.fear", ""), ("scholars", 5, "", ""),
        ("scholars", 1, "value; power.fear", "value:accept"), ("scholars", 2, "power", ""),
        ("scholars", 3, "", ""),
        ("mentors_", 1, "value.clarity", ""), ("mentors_", 2, "power.fear", "reject"),
        ("mentors_", 3, "value.clarity", ""), ("mentors_", 4, "value.trust", "")]
    assert set(sheet["suggested_by"]) == {"rules"} and set(sheet["codes"]) == {""}
    with open_project(project) as proj:
        chosen, _ = coding_sheet_frame(proj, segment_ids=[14, 2, 1])   # 1 is a facilitator turn
    assert [(r.document, r.turn) for r in chosen.itertuples()] == [("scholars_north.txt", 1),
                                                                   ("mentors_north.txt", 3)]
    with open_project(project) as proj, pytest.raises(SelectionError, match="'alice' is a human coder"):
        coding_sheet_frame(proj, suggestions="alice")


def reviewed(project, tmp_path, decisions):
    with open_project(project) as proj:
        sheet, codes = coding_sheet_frame(proj, suggestions="rules")
    for (document, turn), (decision, own) in decisions.items():
        hit = (sheet["document"] == document) & (sheet["turn"] == turn)
        sheet.loc[hit, "decision"] = decision
        sheet.loc[hit, "codes"] = own
    path = tmp_path / "reviewed.xlsx"
    write_coding_sheet(sheet, codes, path)
    return path


def test_importing_a_review_applies_statuses_and_stores_the_reviewers_coding(project, tmp_path):
    path = reviewed(project, tmp_path, {
        ("scholars_north.txt", 1): ("accept; value.trust:reject", ""),
        ("scholars_north.txt", 4): ("reject", "power"),
        ("scholars_north.txt", 5): ("", "tools"),
        ("scholars_south.txt", 2): ("Accept", ""),
        ("mentors_north.txt", 1): ("value.clarity:accept", ""),
        ("mentors_north.txt", 3): ("accept", ""),
    })
    out = run("import-codings", project, path, "--coder", "rev")
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[:2] == [
        f"imported 6 codings by rev from {path} (reviewed sheet, codebook Test book 1.0): "
        "8 turns read in 3 documents",
        "review of rules suggestions: 6 accepted, 3 rejected; 3 turns with undecided suggestions "
        "not counted as read"]
    with open_project(project) as proj:
        codings = codings_frame(proj)
        coverage = coverage_frame(proj)
    rules = codings[codings["coder"] == "rules"]
    assert [(r.document[:9], r.turn, r.code, r.status) for r in rules.itertuples()] == [
        ("scholars_", 1, "value.clarity", "accepted"), ("scholars_", 1, "value.trust", "rejected"),
        ("scholars_", 2, "value.clarity", "suggested"), ("scholars_", 3, "value", "suggested"),
        ("scholars_", 4, "power.fear", "rejected"),
        ("scholars_", 1, "value", "accepted"), ("scholars_", 1, "power.fear", "suggested"),
        ("scholars_", 2, "power", "accepted"),
        ("mentors_n", 1, "value.clarity", "accepted"), ("mentors_n", 2, "power.fear", "rejected"),
        ("mentors_n", 3, "value.clarity", "accepted"), ("mentors_n", 3, "value.clarity", "accepted"),
        ("mentors_n", 4, "value.trust", "suggested")]
    rev = codings[codings["coder"] == "rev"]
    assert [(r.document[:9], r.turn, r.code, r.coder_kind, r.status) for r in rev.itertuples()] == [
        ("scholars_", 1, "value.clarity", "human", "accepted"), ("scholars_", 4, "power", "human", "accepted"),
        ("scholars_", 5, "tools", "human", "accepted"), ("scholars_", 2, "power", "human", "accepted"),
        ("mentors_n", 1, "value.clarity", "human", "accepted"),
        ("mentors_n", 3, "value.clarity", "human", "accepted")]
    assert coverage.loc[coverage["coder"] == "rev", "segment_id"].tolist() == [2, 5, 6, 9, 10, 12, 13, 14]


def test_review_problems_are_reported_together(project, tmp_path):
    path = reviewed(project, tmp_path, {
        ("scholars_north.txt", 1): ("perhaps", ""),
        ("scholars_north.txt", 2): ("", "value"),
        ("scholars_north.txt", 5): ("accept", ""),
        ("scholars_south.txt", 2): ("tools:reject", ""),
    })
    from openpyxl import load_workbook

    book = load_workbook(path)
    book["coding"]["G9"] = "tools"        # mentors_north turn 1: a suggestion rules never made
    book.save(path)
    before = project.read_bytes()
    with open_project(project) as proj, pytest.raises(CodingsFileError) as caught:
        import_codings(proj, path, "rev")
    assert caught.value.problems == [
        (2, "cannot read decision 'perhaps': write accept, reject, CODE:accept or CODE:reject"),
        (3, "no decision for value.clarity: write accept or reject (all suggestions) or "
            "CODE:accept / CODE:reject for each"),
        (5, "decision 'accept' but nothing is suggested for this turn"),
        (7, "decision for 'tools', which is not suggested for this turn (suggested: power)"),
        (9, "the sheet shows suggestions 'tools' but rules now suggests 'value.clarity' for turn 1 "
            "of mentors_north.txt: export a fresh sheet"),
    ]
    assert project.read_bytes() == before


def test_cli_import_output_and_errors(project, write):
    sheet = write("bob.csv", "document,turn,codes\nscholars_north.txt,1,value;tools\nscholars_north.txt,2,\n")
    result = run("import-codings", project, sheet, "--coder", "bob")
    assert result.exit_code == 0
    assert result.output == (
        f"imported 2 codings by bob from {sheet} (coding sheet, codebook Test book 1.0): "
        "2 turns read in 1 document\n"
        "  value          1\n  value.clarity  0\n  value.trust    0\n  power          0\n"
        "  power.fear     0\n  tools          1\n")
    again = run("import-codings", project, sheet, "--coder", "bob")
    assert again.output.splitlines()[1] == "replaced 2 earlier codings and 2 read turns by bob in these documents"
    bad = write("bad.csv", "document,turn,codes\nscholars_north.txt,1,valu\n")
    result = run("import-codings", project, bad, "--coder", "bob")
    assert result.exit_code == 1
    assert result.output == (f"Error: {bad}: 1 problem, nothing imported:\n"
                             "  row 2: unknown code 'valu' (did you mean 'value'?)\n")
    empty = run("export", "coding-sheet", project, "-o", write("x.csv", ""), "--document", "nope.txt")
    assert empty.exit_code == 1
    assert empty.output.startswith("Error: ") and "unknown document 'nope.txt'" in empty.output


def test_a_review_is_checked_against_the_taggers_codebook(project, tmp_path, write):
    path = reviewed(project, tmp_path, {("scholars_south.txt", 2): ("accept", "")})
    yaml = write("tiny.yaml", 'name: Tiny\nversion: "2"\ncodes:\n  - id: alpha\n    name: Alpha\n'
                              "    definition: A test code.\n")
    with open_project(project) as proj:
        import_codings(proj, write("t.csv", "document,turn,codes\nscholars_north.txt,1,alpha\n"), "bob",
                       codebook=yaml)
        result = import_codings(proj, path, "rev")      # Tiny is newer, but rules coded Test book
    assert (result.codebook, result.suggester, result.accepted) == ("Test book 1.0", "rules", 2)


def test_sheet_needs_a_codebook(tmp_path):
    bare = build_project(tmp_path / "bare.qcproj", codings=[], codes=[])
    result = run("export", "coding-sheet", bare, "-o", tmp_path / "s.xlsx")
    assert (result.exit_code, result.output) == (
        1, f"Error: {bare}: the project has no codebook: give --codebook FILE.yaml\n")
    assert not (tmp_path / "s.xlsx").exists()


def test_a_long_xlsx_sheet_is_written_without_holding_its_cells(tmp_path):
    import tracemalloc

    import pandas as pd
    from openpyxl import load_workbook

    codes = pd.DataFrame({"code": ["a", "b"], "name": ["A", "B"], "theme": ["a", "b"], "definition": ["x", None]})

    def peak(rows: int) -> int:
        sheet = pd.DataFrame({"document": "d.txt", "turn": range(1, rows + 1), "speaker": "S01 (scholar)",
                              "participant": "S01", "role": "scholar", "text": [f"Turn {i} " + "word " * (i % 40)
                                                                                for i in range(rows)],
                              "codes": ""})
        tracemalloc.start()
        try:
            write_coding_sheet(sheet, codes, tmp_path / f"sheet{rows}.xlsx")
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(1000), peak(8000)
    # openpyxl's cells of 7,000 more rows took 20 MB more
    assert large - small < 1_000_000, (small, large)
    book = load_workbook(tmp_path / "sheet8000.xlsx")
    ws = book["coding"]
    assert ws.max_row == 8001 and ws["F8001"].value == "Turn 7999 " + "word " * 39
    assert ws["F8001"].alignment.wrap_text and ws["A1"].font.b and ws.freeze_panes == "A2"
    assert [str(v.sqref) for v in ws.data_validations.dataValidation] == ["G2:G8001"]
    assert [[c.value for c in row] for row in book["codes"].iter_rows()] == [
        ["code", "name", "theme", "definition"], ["a", "A", "a", "x"], ["b", "B", "b", None]]
