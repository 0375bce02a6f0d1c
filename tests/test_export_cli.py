"""qualcode export excerpts|counts, compare, plot, report: output, files, one-line errors."""

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from projects import CODINGS, build_project
from qualcode.cli import cli


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def study(tmp_path):
    return build_project(tmp_path / "study.qcproj")


def test_export_excerpts(study, tmp_path):
    out = tmp_path / "quotes.xlsx"
    result = run("export", "excerpts", study, "-o", out, "--coder", "rules", "--theme", "value",
                 "--role", "mentor")
    assert result.exit_code == 0, result.output
    assert result.output == (f"wrote 3 excerpts to {out} (12 codings from codebook Test book 1.0; "
                             "coder rules; status suggested or accepted)\n")
    assert load_workbook(out).sheetnames == ["all", "value"]
    docx = tmp_path / "quotes.docx"
    assert run("export", "excerpts", study, "-o", docx, "--coder", "rules", "--code", "power").exit_code == 0
    assert [t.rows[1].cells[1].text for t in Document(docx).tables] == ["S04 (scholar)", "S01 (scholar)"]


def test_export_counts(study, tmp_path):
    out = tmp_path / "counts.csv"
    result = run("export", "counts", study, "--by", "site", "-o", out, "--coder", "rules", "--total")
    assert result.exit_code == 0, result.output
    assert result.output == (f"wrote 18 rows (6 codes x 3 site values) to {out} (12 codings from codebook "
                             "Test book 1.0; coder rules; status suggested or accepted)\n")
    assert out.read_text(encoding="utf-8-sig").splitlines()[0].startswith("by,group,code,name")


def test_compare_prints_a_table(study, tmp_path):
    out = tmp_path / "cmp.xlsx"
    result = run("compare", study, "--by", "role", "--a", "scholar", "--b", "mentor", "--coder", "rules",
                 "-o", out)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == ("scholar vs mentor (role); unit: participant turns; Fisher's exact test, "
                        "Holm-adjusted")
    assert lines[1:3] == ["12 codings from codebook Test book 1.0; coder rules; status suggested or accepted", ""]
    assert lines[3].split()[:4] == ["code", "scholar", "turns", "mentor"]
    assert lines[4].split() == ["Value", "of", "expectations", "3/7", "(43%)", "3/4", "(75%)", "3/2",
                                "-32", "pp", "[-66,", "+23]", "0.545", "1.000", "few", "data"]
    assert lines[5].startswith("  Clear guidance")
    assert lines[-1] == f"wrote 6 rows to {out}"
    assert load_workbook(out).sheetnames == ["comparison", "about"]


def test_plot_and_report(study, tmp_path):
    png = tmp_path / "h.png"
    assert run("plot", study, "--kind", "heatmap", "-o", png, "--coder", "rules").output == (
        f"wrote heatmap to {png} (12 codings from codebook Test book 1.0; coder rules; status suggested or "
        "accepted)\n")
    assert png.read_bytes()[:4] == b"\x89PNG"
    svg = tmp_path / "b.svg"
    assert run("plot", study, "--kind", "bars", "-o", svg, "--coder", "rules").exit_code == 0
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    report = tmp_path / "report.docx"
    result = run("report", study, "-o", report, "--coder", "rules", "--exemplars", "1")
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote report to {report}\n"
    assert len(Document(report).inline_shapes) == 2


@pytest.mark.parametrize("args,message", [
    (("export", "excerpts", "{p}", "-o", "{t}/q.csv", "--coder", "alice+alice"),
     "Error: --coder alice+alice needs two coders of one codebook"),
    (("export", "excerpts", "{p}", "-o", "{t}/q.csv", "--coder", "rules", "--code", "nope"),
     "Error: unknown code 'nope'; codes: value, value.clarity, value.trust, power, power.fear, tools"),
    (("export", "excerpts", "{p}", "-o", "{t}/q.csv", "--coder", "rules", "--role", "nurse"),
     "Error: unknown role 'nurse'; role values in the project: facilitator, mentor, scholar"),
    (("compare", "{p}", "--coder", "rules", "--a", "nurse"),
     "Error: unknown role 'nurse'; role values in the project: mentor, scholar"),
    (("export", "counts", "{p}", "--by", "colour", "-o", "{t}/c.csv", "--coder", "rules"),
     "Error: cannot group by 'colour'; use role, document, participant or a document attribute "
     "(group, role, site)"),
])
def test_bad_selections_are_one_error_line(study, tmp_path, args, message):
    result = run(*[a.format(p=study, t=tmp_path) for a in args])
    assert result.exit_code == 1
    assert result.output == message.format(t=tmp_path) + "\n"
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".csv"]


def test_an_image_suffix_the_plot_cannot_write_is_a_usage_error_before_the_project_is_read(tmp_path):
    result = run("plot", tmp_path / "missing.qcproj", "-o", tmp_path / "x.jpg", "--coder", "rules")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == ("Error: Invalid value for '-o' / '--output': "
                                              "cannot write .jpg: use one of .png, .svg")
    assert not (tmp_path / "x.jpg").exists()


def test_project_without_codings(tmp_path):
    project = build_project(tmp_path / "empty.qcproj", codings=[])
    for args in (("export", "excerpts", project, "-o", tmp_path / "q.docx"),
                 ("compare", project), ("report", project, "-o", tmp_path / "r.docx")):
        result = run(*args)
        assert result.exit_code == 1
        assert result.output == ("Error: the project has no codings yet: code it first "
                                 "(qualcode code PROJECT --codebook FILE)\n")
    assert not (tmp_path / "q.docx").exists() and not (tmp_path / "r.docx").exists()


def test_no_excerpts_left_after_filters(tmp_path):
    project = build_project(tmp_path / "p.qcproj", codings=[c for c in CODINGS if c[4] == "rules"])
    result = run("export", "excerpts", project, "-o", tmp_path / "q.csv", "--code", "tools")
    assert result.exit_code == 1
    assert result.output.startswith("Error: no excerpts match code tools (")
