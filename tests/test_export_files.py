"""Writers read back with openpyxl, python-docx and csv; figures are real PNG/SVG files."""

import csv
import os
import stat

import pandas as pd
import pytest
from docx import Document
from openpyxl import load_workbook

from projects import build_project
from qualcode.analysis import compare_groups, counts_by, excerpts_table
from qualcode.core.errors import InputError, SelectionError
from qualcode.export.excerpts import write_excerpts
from qualcode.export.plots import bars_figure, heatmap_figure, save_figure
from qualcode.export.report import write_report
from qualcode.export.tables import write_comparison, write_counts
from qualcode.store.project import open_project


@pytest.fixture
def project(tmp_path):
    with open_project(build_project(tmp_path / "study.qcproj")) as opened:
        yield opened


def test_excerpts_csv(project, tmp_path):
    path = write_excerpts(excerpts_table(project, coder="rules"), tmp_path / "q.csv")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 10   # 11 codings; M01's two clarity sentences in one turn are one quote
    assert (rows[0]["speaker"], rows[0]["code"], rows[0]["text"]) == (
        "S03 (scholar)", "value", "Talking about expectations helps.")


def test_excerpts_xlsx_has_all_sheet_and_one_per_theme(project, tmp_path):
    path = write_excerpts(excerpts_table(project, coder="all"), tmp_path / "q.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["all", "value", "power", "tools"]
    sheet = book["all"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["document", "speaker", "participant", "role"] and "text" in header
    assert sheet.max_row == 1 + 11
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:Q12"
    text_col = header.index("text") + 1
    assert sheet.cell(2, text_col).alignment.wrap_text
    assert sheet.column_dimensions["O"].width > sheet.column_dimensions["L"].width   # text > end
    assert [book[name].max_row - 1 for name in ("value", "power", "tools")] == [7, 3, 1]


def test_excerpts_docx_groups_by_theme_and_code(project, tmp_path):
    path = write_excerpts(excerpts_table(project, coder="rules"), tmp_path / "q.docx")
    doc = Document(path)
    headings = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        ("Heading 1", "Value of expectations"),
        ("Heading 2", "Value of expectations (general)   value \u00b7 1 quote"),
        ("Heading 2", "Clear guidance   value.clarity \u00b7 4 quotes"),
        ("Heading 2", "Trust and respect   value.trust \u00b7 2 quotes"),
        ("Heading 1", "Power differential"),
        ("Heading 2", "Power differential (general)   power \u00b7 1 quote"),
        ("Heading 2", "Fear of consequences   power.fear \u00b7 2 quotes"),
    ]
    assert len(doc.tables) == 5
    clarity = doc.tables[1]
    assert clarity.style.name == "Light List Accent 1"
    assert [c.text for c in clarity.rows[0].cells] == ["Quote", "Speaker", "Group", "Position"]
    assert [c.text for c in clarity.rows[1].cells] == [
        "\u201cWe set clear expectations early.\u201d", "S01 (scholar)", "Scholars North", "turn 1"]
    assert [c.text for c in clarity.rows[3].cells][1:] == ["M01 (mentor)", "Mentors North", "0:12"]
    assert [c.text for c in clarity.rows[4].cells][:2] == [
        "\u201cClarity saves time. Clarity saves trouble.\u201d", "M01 (mentor)"]
    assert len(clarity.rows) == 5


def test_unsupported_suffix_writes_nothing(project, tmp_path):
    with pytest.raises(InputError, match=r"cannot write \.pdf: use one of \.csv, \.xlsx, \.docx"):
        write_excerpts(excerpts_table(project, coder="rules"), tmp_path / "q.pdf")
    assert list(tmp_path.glob("q*")) == []


def test_counts_and_comparison_tables(project, tmp_path):
    counts = counts_by(project, "role", coder="rules")
    book = load_workbook(write_counts(counts, tmp_path / "counts.xlsx"))
    assert book.sheetnames == ["counts", "turns", "share", "participants", "mentions", "about"]
    assert book["counts"].max_row == 13
    assert [c.value for c in book["turns"][1]] == ["code", "name", "theme", "depth", "scholar", "mentor"]
    assert [c.value for c in book["turns"][2]] == ["value", "Value of expectations", "value", 0, 3, 3]
    assert book["share"]["F2"].value == 0.75 and book["share"]["F2"].number_format == "0.0%"
    write_counts(counts, tmp_path / "counts.csv")
    with open(tmp_path / "counts.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 12 and rows[0]["by"] == "role" and rows[0]["group"] == "scholar"

    table = compare_groups(project, "role", coder="rules")
    book = load_workbook(write_comparison(table, tmp_path / "cmp.xlsx"))
    assert book.sheetnames == ["comparison", "about"]
    header = [c.value for c in book["comparison"][1]]
    assert header[:8] == ["code", "name", "theme", "depth", "unit", "scholar_units", "scholar_total",
                          "scholar_share"]
    assert "mentor_units" in header and "p_adjusted" in header and "few_data" in header
    assert book["comparison"].max_row == 7
    assert any("Holm" in str(c.value) for (c,) in book["about"].iter_rows())
    write_comparison(table, tmp_path / "cmp.csv")
    with open(tmp_path / "cmp.csv", encoding="utf-8-sig", newline="") as fh:
        first = next(csv.DictReader(fh))
    assert (first["code"], first["scholar_units"], first["mentor_total"]) == ("value", "3", "4")


def test_figures_are_valid_png_and_svg(project, tmp_path):
    counts = counts_by(project, "role", coder="rules")
    png = save_figure(heatmap_figure(counts), tmp_path / "heat.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = save_figure(bars_figure(compare_groups(project, "role", coder="rules")), tmp_path / "bars.svg")
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and "Clear guidance" in text
    with pytest.raises(InputError, match="use one of .png, .svg"):
        save_figure(heatmap_figure(counts), tmp_path / "heat.gif")


def test_report_reads_back(project, tmp_path):
    path = write_report(project, tmp_path / "report.docx", coder="rules")
    doc = Document(path)
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["1. Corpus", "2. Codebook", "3. Codes by role", "4. Comparison",
                        "5. Exemplar quotes"]
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "3 transcripts, 9 participants (4 scholars, 3 mentors, 2 facilitators), 15 turns" in body
    assert "Test book 1.0: 6 codes in 3 themes." in body
    assert len(doc.inline_shapes) == 2          # heatmap and bars
    counts_table = doc.tables[3]
    assert [c.text for c in counts_table.rows[0].cells] == ["Code", "scholar", "mentor", "all"]
    assert counts_table.rows[1].cells[1].text == "3/7 (43%)\n3 of 4 participants"
    comparison = doc.tables[4]
    assert [c.text for c in comparison.rows[1].cells] == [
        "Value of expectations", "3/7 (43%)\n3/4 people", "3/4 (75%)\n2/3 people", "-32 pp [-66, +23]",
        "0.545", "1.000", "few data"]
    assert "Dr. Eve" not in body and all("Dr. Eve" not in c.text for t in doc.tables
                                         for r in t.rows for c in r.cells)


def test_report_without_two_groups_says_why(tmp_path):
    from projects import DOCUMENTS, CODINGS
    only_scholars = {k: v for k, v in DOCUMENTS.items() if k.startswith("scholars")}
    codings = [c for c in CODINGS if c[0].startswith("scholars") and c[4] == "rules"]
    with open_project(build_project(tmp_path / "s.qcproj", documents=only_scholars,
                                    codings=codings)) as project:
        notes = []
        path = write_report(project, tmp_path / "r.docx", notes=notes)
        with pytest.raises(SelectionError, match="cannot group by 'colour'"):
            write_report(project, tmp_path / "r2.docx", by="colour")
    assert notes == ["comparison left out: choose the two role values to compare with --a and --b; "
                     "role values: scholar"]
    assert "No comparison" in "\n".join(p.text for p in Document(path).paragraphs)
    assert not (tmp_path / "r2.docx").exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_outputs_get_the_permissions_of_an_ordinary_write(tmp_path):
    """A new file gets 0o666 less the umask (not the temporary file's owner-only bits); a
    file written again keeps the permissions it had (say, shared with a group)."""
    from qualcode.export.files import write_table

    table = pd.DataFrame({"code": ["value", "tools"], "turns": [3, 1]})
    old_umask = os.umask(0o027)
    try:
        new = write_table(table, tmp_path / "new.csv")
        assert stat.S_IMODE(new.stat().st_mode) == 0o640
        again = tmp_path / "again.csv"
        again.write_text("old\n")
        again.chmod(0o664)
        write_table(table, again)
        assert stat.S_IMODE(again.stat().st_mode) == 0o664
        assert again.read_text(encoding="utf-8-sig") == "code,turns\nvalue,3\ntools,1\n"
    finally:
        os.umask(old_umask)
    assert not list(tmp_path.glob(".*.part"))


def test_an_excel_sheet_never_outgrows_excel(tmp_path, monkeypatch):
    """More rows than an Excel sheet holds (1,048,575 below the header; here made 3) is an
    error naming the file, whether the rows are streamed or a frame; nothing is written."""
    from click.testing import CliRunner

    from qualcode.cli import cli
    from qualcode.export import files
    from qualcode.export.files import write_table

    monkeypatch.setattr(files, "EXCEL_MAX_ROWS", 4)
    project = build_project(tmp_path / "study.qcproj")
    target = tmp_path / "excerpts.xlsx"
    result = CliRunner().invoke(cli, ["export", "excerpts", str(project), "--coder", "rules", "-o", str(target)])
    assert result.exit_code == 1
    assert result.output == (f"Error: {target}: sheet 'all' would hold more than 3 rows, the most Excel "
                             "opens: write .csv instead, or select fewer rows\n")
    assert CliRunner().invoke(cli, ["export", "excerpts", str(project), "--coder", "rules", "-o",
                                    str(tmp_path / "excerpts.csv")]).exit_code == 0
    with pytest.raises(SelectionError, match=r"table.xlsx: sheet 'data' would hold more than 3 rows"):
        write_table(pd.DataFrame({"n": range(4)}), tmp_path / "table.xlsx")
    write_table(pd.DataFrame({"n": range(3)}), tmp_path / "fits.xlsx")
    assert load_workbook(tmp_path / "fits.xlsx").active.max_row == 4
    assert sorted(p.name for p in tmp_path.glob("*.xlsx")) == ["fits.xlsx"]


def test_a_file_another_program_holds_open_is_an_error_naming_it(tmp_path, monkeypatch):
    """Windows refuses to replace a file Excel has open (PermissionError); the write says so
    and leaves no temporary file behind."""
    from qualcode.core import files
    from qualcode.core.errors import InputError
    from qualcode.export.files import write_table

    target = tmp_path / "counts.csv"
    target.write_text("old\n")

    def refuse(_src, _dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.os, "replace", refuse)
    with pytest.raises(InputError) as err:
        write_table(pd.DataFrame({"n": [1]}), target)
    assert str(err.value) == (f"{target}: cannot replace the file (Permission denied): if it is open in "
                              "another program, such as Excel or Word, close it and try again")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["counts.csv"]


def test_a_folder_that_cannot_be_written_is_an_error_naming_it(tmp_path, monkeypatch):
    from qualcode.core import files
    from qualcode.core.errors import InputError
    from qualcode.export.files import write_table

    def refuse(**_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.tempfile, "mkstemp", refuse)
    with pytest.raises(InputError) as err:
        write_table(pd.DataFrame({"n": [1]}), tmp_path / "counts.csv")
    assert str(err.value) == f"{tmp_path}: cannot write in this folder (Permission denied)"
