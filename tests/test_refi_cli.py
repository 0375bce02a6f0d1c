"""The REFI-QDA and Taguette commands: exact output, one-line errors, nothing half-written."""

from __future__ import annotations

import csv

from click.testing import CliRunner
from conftest import REPO, shared_path
from refi_data import study_copy, write_inputs
from refi_fixtures import write_qdpx

from qualcode.cli import cli
from qualcode.codebook import load_codebook
from qualcode.store.frames import codings_frame
from qualcode.store.project import open_project


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_export_qdpx_then_import_into_a_new_project(tmp_path):
    project = study_copy(tmp_path)
    out = tmp_path / "study.qdpx"
    result = run("export", "qdpx", project, "-o", out, "--schema",
                 shared_path("refi-qda", "Project-mrt2019.xsd"))
    assert result.exit_code == 0, result.output
    assert result.output == (f"wrote {out}: 2 sources, 4 codes, 11 codings on 14 selections, 3 users, "
                             "6 cases\n")
    again = run("import", "qdpx", tmp_path / "copy.qcproj", out, "--coder-map", "ana=Ana")
    assert again.exit_code == 0, again.output
    assert again.output == (f"imported {out} (written by qualcode 0.1.0):\n"
                            "  documents: 2 added (9 turns), 0 already in the project\n"
                            "  codebook: Small study (4 codes)\n"
                            "  coder Ana: 4 codings\n  coder bo: 2 codings\n  coder rules: 5 codings\n")


def test_import_of_a_handmade_file_reports_utf16_and_skipped_sources(tmp_path):
    from refi_fixtures import default_selections, project_xml, u16
    qdpx = write_qdpx(tmp_path / "u.qdpx", project_xml(default_selections(count=u16)))
    result = run("import", "qdpx", tmp_path / "p.qcproj", qdpx, "--codebook-name", "Pilote")
    assert result.exit_code == 0, result.output
    assert result.output == (f"imported {qdpx} (written by Handmade 1.0):\n"
                             "  documents: 2 added (5 turns), 0 already in the project\n"
                             "  codebook: Pilote (3 codes)\n"
                             "  coder Ana Lima: 2 codings\n  coder Bo Chen: 3 codings\n"
                             "  positions read as UTF-16 code units in: entrevue_zoë\n"
                             "  skipped 1 PictureSource (not text)\n")


def test_failed_import_prints_one_error_and_leaves_no_project(tmp_path):
    sample = shared_path("refi-qda", "samples", "skyloom_TestProject.qdpx")
    target = tmp_path / "new.qcproj"
    result = CliRunner().invoke(cli, ["import", "qdpx", str(target), str(sample)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {sample}:Project.qde: 6 problems: line 42: source text of ")
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert not target.exists()


def test_codebook_convert_yaml_qdc_yaml_and_csv(tmp_path):
    source = write_inputs(tmp_path)["codebook"]
    qdc, back, table = tmp_path / "c.qdc", tmp_path / "back.yaml", tmp_path / "c.csv"
    r1 = run("codebook", "convert", source, qdc)
    assert r1.output == (f"wrote {qdc}: 4 codes (8 rules dropped: .qdc has no place for them; "
                         "keep the YAML)\n")
    r2 = run("codebook", "import", qdc, "-o", back, "--name", "Back")
    assert r2.output == f"wrote {back}: 4 codes (no rules: add them to use the rule tagger)\n"
    assert [c.id for c in load_codebook(back).codes] == [c.id for c in load_codebook(source).codes]
    r3 = run("codebook", "convert", source, table)
    assert r3.output == f"wrote {table}: 4 codes (8 rules dropped: .csv has no place for them; keep the YAML)\n"
    with open(table, encoding="utf-8-sig", newline="") as fh:
        assert [row["tag"] for row in csv.DictReader(fh)] == [
            "expectations", "expectations.agreement", "power", "power.fear"]


def test_export_qdc_and_codebook_csv_from_a_project(tmp_path):
    project = study_copy(tmp_path)
    qdc = tmp_path / "p.qdc"
    result = run("export", "qdc", project, "-o", qdc)
    assert result.output == f"wrote {qdc}: 4 codes (8 rules dropped: .qdc has no place for them; keep the YAML)\n"
    shipped = REPO / "codebooks" / "expectation_domains.yaml"
    out = tmp_path / "domains.csv"
    n = len(load_codebook(shipped).codes)
    result = run("export", "codebook-csv", shipped, "-o", out)
    assert result.exit_code == 0 and result.output.startswith(f"wrote {out}: {n} codes (")


def test_codebook_convert_to_an_unknown_suffix_is_an_error(tmp_path):
    source = write_inputs(tmp_path)["codebook"]
    result = CliRunner().invoke(cli, ["codebook", "convert", str(source), str(tmp_path / "c.txt")])
    assert result.exit_code == 1
    assert result.output == (f"Error: {tmp_path / 'c.txt'}: cannot write a codebook as .txt: "
                             "use .qdc or .csv\n")


def test_import_taguette_highlights_command(tmp_path):
    project = study_copy(tmp_path)
    sheet = tmp_path / "h.csv"
    sheet.write_text("id,document,tag,content\n1,mentors_ålesund,power,carve out a niche\n", encoding="utf-8")
    result = run("import", "taguette-highlights", project, sheet, "--coder", "dee")
    assert result.output == "imported 1 codings by dee with codebook Small study\n"
    with open_project(project) as proj:
        assert codings_frame(proj).query("coder == 'dee'")["text"].tolist() == ["carve out a niche"]
