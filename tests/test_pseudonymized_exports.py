"""Every export shows speakers by pseudonym unless --real-names: checked on the sample study
after `qualcode redact`, so a name anywhere in a default export can only come from the
speaker-label handling (the turn texts no longer hold names)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from exported_text import SAMPLE, csv_rows, file_text, found_names
from qualcode.cli import cli
from qualcode.store.frames import codings_frame, speakers_frame
from qualcode.store.project import open_project

CODEBOOK = Path(__file__).resolve().parents[1] / "codebooks" / "mentoring_expectations.yaml"


def qualcode(*args) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """The sample ingested, coded by the rules and by 'gold', a model trained, then redacted."""
    folder = tmp_path_factory.mktemp("pseudonyms")
    project = folder / "study.qcproj"
    qualcode("ingest", project, "--manifest", SAMPLE / "manifest.csv", "--speakers", SAMPLE / "speakers.csv")
    qualcode("code", project, "--codebook", CODEBOOK)
    qualcode("import-codings", project, SAMPLE / "gold_tuning.csv", "--coder", "gold")
    qualcode("train", project, "--coder", "gold", "-o", folder / "gold.qcmodel")
    qualcode("redact", project)
    with open_project(project) as proj:
        speakers = speakers_frame(proj)
    labels: dict[tuple[str, str], set[str]] = {}
    for document, label, pid in zip(speakers["document"], speakers["speaker"], speakers["participant"]):
        labels.setdefault((document, pid), set()).add(label)
    return folder, project, labels


# (what, command line before -o, output file name, has a speaker column)
EXPORTS = [
    ("segments csv", ("export", "segments", "{p}"), "turns.csv", True),
    ("segments xlsx", ("export", "segments", "{p}"), "turns.xlsx", False),
    ("coding sheet csv", ("export", "coding-sheet", "{p}"), "sheet.csv", True),
    ("coding sheet xlsx", ("export", "coding-sheet", "{p}"), "sheet.xlsx", False),
    ("review sheet csv", ("export", "coding-sheet", "{p}", "--suggestions", "rules"), "review.csv", True),
    ("excerpts csv", ("export", "excerpts", "{p}", "--coder", "all"), "quotes.csv", True),
    ("excerpts xlsx", ("export", "excerpts", "{p}", "--coder", "all"), "quotes.xlsx", False),
    ("excerpts docx", ("export", "excerpts", "{p}", "--coder", "all"), "quotes.docx", False),
    ("report docx", ("report", "{p}", "--coder", "all"), "report.docx", False),
    ("disagreements csv", ("agreement", "{p}", "--coders", "gold,rules"), "disagreements.csv", True),
    ("suggest csv", ("suggest", "{p}", "--model", "{m}", "-n", "12"), "next.csv", True),
    ("qdpx", ("export", "qdpx", "{p}"), "study.qdpx", False),
    ("counts by participant", ("export", "counts", "{p}", "--by", "participant", "--coder", "all"), "counts.csv", False),
]


def run_export(study, args, name, *extra) -> Path:
    folder, project, _ = study
    out = folder / (("real_" if extra else "") + name)
    filled = [a.format(p=project, m=folder / "gold.qcmodel") for a in args]
    qualcode(*filled, "-o", out, *extra)
    return out


@pytest.mark.parametrize("what,args,name,has_speaker", EXPORTS, ids=[e[0] for e in EXPORTS])
def test_a_default_export_names_nobody(study, what, args, name, has_speaker):
    out = run_export(study, args, name)
    assert found_names(file_text(out)) == set()
    if has_speaker:
        rows = csv_rows(out)
        assert rows
        for row in rows:
            expected = f"{row['participant']} ({row['role']})" if row["role"] else row["participant"]
            assert row["speaker"] == expected


@pytest.mark.parametrize("what,args,name,has_speaker",
                         [e for e in EXPORTS if not e[0].startswith("counts")],
                         ids=[e[0] for e in EXPORTS if not e[0].startswith("counts")])
def test_real_names_show_the_transcripts_labels(study, what, args, name, has_speaker):
    out = run_export(study, args, name, "--real-names")
    text = file_text(out)
    assert found_names(text)  # e.g. 'Okafor' from the label 'Dr. Okafor'
    if has_speaker:
        labels = study[2]
        rows = csv_rows(out)
        assert all(row["speaker"] in labels[(row["document"], row["participant"])] for row in rows)
        assert any(row["speaker"] != row["participant"] for row in rows)


def test_qdpx_names_each_turn_by_its_pseudonym_or_label(study):
    out = run_export(study, ("export", "qdpx", "{p}"), "names.qdpx")
    qde = file_text(out)
    assert 'name="S05 (scholar): turn 3"' in qde and "Bassett: turn" not in qde
    real = file_text(run_export(study, ("export", "qdpx", "{p}"), "names.qdpx", "--real-names"))
    assert 'name="Dr. Bassett: turn 3"' in real


def test_explain_shows_the_participant_id_unless_real_names(study):
    _, project, _ = study
    args = ("explain", project, "--codebook", CODEBOOK, "--segment", "scholars_northfield_2024-03-14.docx:3")
    assert qualcode(*args).splitlines()[0] == (
        "scholars_northfield_2024-03-14.docx turn 3 (segment 4), S05 [scholar]:")
    assert qualcode(*args, "--real-names").splitlines()[0] == (
        "scholars_northfield_2024-03-14.docx turn 3 (segment 4), Dr. Bassett [scholar]:")


# ------------------------------------------------------------------ a pseudonymized sheet comes back

@pytest.fixture
def small(tmp_path):
    from projects import build_project

    return build_project(tmp_path / "small.qcproj")


def test_a_pseudonymized_coding_sheet_imports_back(small, tmp_path):
    sheet = tmp_path / "sheet.csv"
    qualcode("export", "coding-sheet", small, "-o", sheet, "--document", "scholars_north.txt")
    rows = csv_rows(sheet)
    assert [(r["turn"], r["speaker"]) for r in rows] == [
        ("1", "S01 (scholar)"), ("2", "S02 (scholar)"), ("4", "S01 (scholar)"), ("5", "S02 (scholar)")]
    rows[0]["codes"] = "value.clarity; value.trust"
    rows[2]["codes"] = "power.fear"
    with open(sheet, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    output = qualcode("import-codings", small, sheet, "--coder", "cy")
    assert output.splitlines()[0] == (
        f"imported 3 codings by cy from {sheet} (coding sheet, codebook Test book 1.0): "
        "4 turns read in 1 document")
    with open_project(small) as proj:
        codings = codings_frame(proj)
    mine = codings[codings["coder"] == "cy"]
    assert sorted(zip(mine["turn"], mine["code"])) == [(1, "value.clarity"), (1, "value.trust"),
                                                        (4, "power.fear")]


def test_a_pseudonymized_xlsx_review_sheet_imports_back(small, tmp_path):
    from openpyxl import load_workbook

    sheet = tmp_path / "review.xlsx"
    qualcode("export", "coding-sheet", small, "-o", sheet, "--suggestions", "rules",
             "--document", "scholars_south.txt")
    book = load_workbook(sheet)
    ws = book["coding"]
    header = [c.value for c in ws[1]]
    assert [ws.cell(row=r, column=header.index("speaker") + 1).value for r in range(2, ws.max_row + 1)] == [
        "S03 (scholar)", "S04 (scholar)", "S03 (scholar)"]
    ws.cell(row=2, column=header.index("decision") + 1).value = "accept"
    ws.cell(row=3, column=header.index("decision") + 1).value = "reject"
    book.save(sheet)
    output = qualcode("import-codings", small, sheet, "--coder", "di")
    assert "review of rules suggestions: 2 accepted, 1 rejected" in output


def test_a_sheet_naming_another_speaker_is_refused_in_the_sheets_own_terms(small, write):
    from qualcode.exchange.sheets import import_codings
    from qualcode.exchange.sheets.checks import CodingsFileError

    path = write("wrong.csv", "document,turn,speaker,codes\n"
                              "scholars_north.txt,1,S02 (scholar),value\n"
                              "scholars_north.txt,2,s02,value\n"
                              "scholars_north.txt,4,Ben,\n"
                              "scholars_north.txt,5,ben,\n")
    with open_project(small) as proj, pytest.raises(CodingsFileError) as caught:
        import_codings(proj, path, "bo")
    assert str(caught.value) == (
        f"{path}: 2 problems, nothing imported:\n"
        "  row 2: speaker 'S02 (scholar)' is not the speaker of turn 1 of scholars_north.txt "
        "('S01 (scholar)'): is the sheet from another transcript?\n"
        "  row 4: speaker 'Ben' is not the speaker of turn 4 of scholars_north.txt ('Ana'): "
        "is the sheet from another transcript?")


# ------------------------------------------------------------------ the helpers

def test_pseudonym_forms_and_what_a_sheet_may_write():
    import pandas as pd

    from qualcode.core.pseudonyms import expected_speaker, pseudonymize_speakers, speaker_matches, speaker_pseudonym

    assert [speaker_pseudonym("S03", "scholar"), speaker_pseudonym("P02", None),
            speaker_pseudonym("P02", float("nan")), speaker_pseudonym("P02", "")] == [
        "S03 (scholar)", "P02", "P02", "P02"]
    frame = pd.DataFrame({"speaker": ["Dr. Lee", "Sam"], "participant": ["M01", "P01"],
                          "role": ["mentor", None]})
    assert pseudonymize_speakers(frame)["speaker"].tolist() == ["M01 (mentor)", "P01"]
    assert frame["speaker"].tolist() == ["Dr. Lee", "Sam"]  # the caller's frame is left alone
    assert pseudonymize_speakers(frame, real_names=True) is frame
    assert [speaker_matches(given, "Dr.  Lee", "M01", "mentor")
            for given in ("Dr. Lee", "dr. lee", "M01", "m01 (Mentor)", "M01 ( mentor )", "M02", "Lee")] == [
        True, True, True, True, False, False, False]
    assert expected_speaker("M02 (mentor)", "Dr. Lee", "M01", "mentor") == "M01 (mentor)"
    assert expected_speaker("M02", "Dr. Lee", "M01", "mentor") == "M01 (mentor)"
    assert expected_speaker("Dr. Fox", "Dr.  Lee", "M01", "mentor") == "Dr. Lee"


def test_label_lines_become_pseudonyms_and_offsets_map_both_ways():
    from qualcode.core.pseudonyms import pseudonymize_label_lines

    text = "Dr. Lee: Hi Ana.\nAna: is here.\n\nAna: Hello, Dr. Lee: welcome.\n\n[S02]: Bye."
    turns = [(9, "Dr. Lee", "M01 (mentor)"), (37, "Ana", "S01 (scholar)"), (70, "Bo", "S02 (scholar)")]
    lines = pseudonymize_label_lines(text, turns)
    # "Ana: is here." is inside Dr. Lee's turn: only a turn's own label line changes;
    # "[S02]" was redacted already and is left as it is
    assert lines.text == ("M01 (mentor): Hi Ana.\nAna: is here.\n\nS01 (scholar): Hello, Dr. Lee: welcome."
                          "\n\n[S02]: Bye.")
    for start, end, words in ((9, 30, "Hi Ana.\nAna: is here."), (37, 61, "Hello, Dr. Lee: welcome."),
                              (70, 74, "Bye.")):
        assert text[start:end] == words
        new = lines.forward.span(start, end)
        assert lines.text[slice(*new)] == words
        assert lines.backward.span(*new) == (start, end)
    assert pseudonymize_label_lines(text, []).text == text


def test_a_text_with_other_labels_on_the_same_lines_maps_back_whatever_they_say():
    from qualcode.core.pseudonyms import label_line_spans, relabelled_offsets

    stored = "Dr. Lee: Hi Ana.\n\nAna: Hello: welcome."
    spans = label_line_spans(stored, [(9, "Dr. Lee"), (23, "Ana"), (23, "Bo")])
    assert spans == [(0, 7), (18, 21)]
    other = "M07 (mentor): Hi Ana.\n\nP1: Hello: welcome."  # numbered by another project
    back = relabelled_offsets(stored, spans, other)
    assert back.span(other.index("Hi"), other.index("Hi") + 7) == (9, 16)
    assert back.span(other.index("Hello"), len(other)) == (23, len(stored))
    assert relabelled_offsets(stored, spans, stored).span(3, 9) == (3, 9)
    for changed in ("M07 (mentor): Hi Ana!\n\nP1: Hello: welcome.",   # a word differs
                    "M07 (mentor): Hi Ana.\n\nP1\nx: Hello: welcome.",  # a label over two lines
                    "M07: Hi Ana.\n\nHello: welcome.",                  # a label missing
                    "M07: Hi Ana.\n\nP1: Hello: welcome. More."):        # text added
        assert relabelled_offsets(stored, spans, changed) is None
