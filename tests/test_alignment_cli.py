"""qualcode alignment (and plot --kind alignment, report --pairs): the pairs file's errors,
nothing written on error, and every output format read back."""

import csv

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import Workbook, load_workbook

from exported_text import docx_text
from pair_projects import PAIRS_CSV, build_pair_project
from qualcode.cli import cli


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pairs_cli")
    (folder / "pairs.csv").write_text(PAIRS_CSV, encoding="utf-8")
    return build_pair_project(folder / "pairs.qcproj")


BAD_PAIRS = """pair,scholar,mentor
P1,S01,M01
P1,int_s01.tx,M02
,S02,
Q3,int_m03,int_s03.txt
Q4,group_s,M02
Q5,int_m01.txt,S02
Q6,P01,P01
Q7,P01,M02
Q8,S03,P01
Q9,S01,M01
"""

BAD_LINES = [
    "Error: {f}, row 3: pair 'P1' is named twice (first on row 2)",
    "Error: {f}, row 3: unknown scholar 'int_s01.tx': no participant id or document of the project "
    "has that name (did you mean 'int_s01.txt'?)",
    "Error: {f}, row 4: no pair name",
    "Error: {f}, row 4: the pair has no mentor: every pair needs a scholar and a mentor",
    "Error: {f}, row 5: scholar 'int_m03' could be any of the documents int_m03.txt, int_m03.docx: "
    "write its suffix",
    "Error: {f}, row 5: mentor 'int_s03.txt' (S03) is a scholar in the project, not a mentor",
    "Error: {f}, row 6: scholar 'group_s': document group_s.txt has 2 participants (S05, S06) besides "
    "the facilitator, not one: name the person by participant id",
    "Error: {f}, row 7: scholar 'int_m01.txt' (M01) is a mentor in the project, not a scholar",
    "Error: {f}, row 7: mentor 'S02' is a scholar in the project, not a mentor",
    "Error: {f}, row 8: pair 'Q6' names P01 as both its scholar and its mentor",
    "Error: {f}, row 10: P01 is named as mentor here and as scholar on row 9: a person is on one side "
    "of every pair",
    "Error: {f}, row 11: pair 'Q9' repeats pair 'P1' of row 2 (the same scholar and mentor)",
]


def test_every_problem_of_a_pairs_file_at_once_and_nothing_written(study, tmp_path):
    bad = tmp_path / "bad_pairs.csv"
    bad.write_text(BAD_PAIRS, encoding="utf-8")
    for suffix in (".csv", ".xlsx", ".docx"):
        out = tmp_path / f"alignment{suffix}"
        result = run("alignment", study, "--pairs", bad, "--coder", "rules", "-o", out)
        assert result.exit_code == 1
        assert result.output.splitlines() == [line.format(f=bad) for line in BAD_LINES]
        assert not out.exists()
    kept = tmp_path / "kept.csv"
    kept.write_text("earlier output", encoding="utf-8")
    assert run("alignment", study, "--pairs", bad, "--coder", "rules", "-o", kept).exit_code == 1
    assert kept.read_text(encoding="utf-8") == "earlier output"
    for args in (("plot", study, "--kind", "alignment", "-o", tmp_path / "a.png"),
                 ("report", study, "-o", tmp_path / "r.docx")):
        result = run(*args, "--pairs", bad, "--coder", "rules")
        assert result.exit_code == 1 and len(result.output.splitlines()) == len(BAD_LINES)
    assert not (tmp_path / "a.png").exists() and not (tmp_path / "r.docx").exists()


@pytest.mark.parametrize("text,message", [
    ("pair,scholar\nP1,S01\n", ", row 1: no column 'mentor' (a pairs file has the columns pair, "
                               "scholar, mentor; found pair, scholar)"),
    ("Pair,Scholar,Mentor\n", ": no pairs (one row per pair under the header pair, scholar, mentor)"),
    ("{}", ": cannot read .json pairs: use .csv, .tsv or .xlsx"),
    ("pair;scholar;mentor\nP1;;\n", ", row 2: pair 'P1' has no scholar: every pair needs a scholar and a "
                                   "mentor\nError: {pairs}, row 2: pair 'P1' has no mentor: every pair needs "
                                   "a scholar and a mentor"),
])
def test_pairs_file_header_and_empty_rows(study, tmp_path, text, message):
    pairs = tmp_path / ("pairs.json" if text.startswith("{") else "pairs.csv")
    pairs.write_text(text, encoding="utf-8")
    result = run("alignment", study, "--pairs", pairs, "--coder", "rules", "-o", tmp_path / "x.csv")
    assert result.exit_code == 1
    assert result.output == f"Error: {pairs}{message.format(pairs=pairs)}\n"


def test_csv_output_is_the_pair_by_code_table(study, tmp_path):
    out = tmp_path / "alignment.csv"
    result = run("alignment", study, "--pairs", study.parent / "pairs.csv", "--coder", "rules", "-o", out)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "pair       scholar       mentor  both  scholar only  mentor only aligned kappa",
        "  P1 S01 (scholar) M01 (mentor)     2             3            1     33% -0.33",
        "  P2 S02 (scholar) M02 (mentor)     3             0            0    100%  1.00",
        "  P3 S03 (scholar) M03 (mentor)     0             0            0     n/a   n/a",
        "  P4 S04 (scholar) M01 (mentor)     0             1            3      0% -0.33",
        "most frequent mismatches: Power differential (scholar only, 2 of 4 pairs); Formal tools "
        "(mentor only, 2 of 4 pairs); Clear guidance (mentor only, 1 of 4 pairs); Trust and respect "
        "(scholar only, 1 of 4 pairs); Fear of consequences (scholar only, 1 of 4 pairs)",
        f"wrote 24 rows (4 pairs x 6 codes) to {out} (10 codings from codebook Test book 1.0; coder "
        "rules; status suggested or accepted)"]
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["pair", "code", "code_name", "theme", "scholar", "mentor", "status",
                       "scholar_turns", "mentor_turns"]
    assert rows[1:7] == [
        ["P1", "value", "Value of expectations", "value", "1", "1", "both", "1", "1"],
        ["P1", "value.clarity", "Clear guidance", "value", "1", "1", "both", "1", "1"],
        ["P1", "value.trust", "Trust and respect", "value", "1", "0", "scholar only", "1", "0"],
        ["P1", "power", "Power differential", "power", "1", "0", "scholar only", "1", "0"],
        ["P1", "power.fear", "Fear of consequences", "power", "1", "0", "scholar only", "1", "0"],
        ["P1", "tools", "Formal tools", "tools", "0", "1", "mentor only", "0", "1"]]
    assert len(rows) == 25


def sheet_rows(book, name):
    return [list(row) for row in book[name].iter_rows(values_only=True)]


def test_xlsx_output_and_an_xlsx_pairs_file(study, tmp_path):
    pairs = tmp_path / "pairs.xlsx"
    book = Workbook()
    for row in [r.split(",") for r in PAIRS_CSV.splitlines()]:
        book.active.append(row)
    book.save(pairs)
    out = tmp_path / "alignment.xlsx"
    assert run("alignment", study, "--pairs", pairs, "--coder", "rules", "-o", out).exit_code == 0
    book = load_workbook(out)
    assert book.sheetnames == ["codes", "pairs", "mismatches", "across pairs", "frequent mismatches", "about"]
    assert sheet_rows(book, "codes")[3] == ["P1", "value.trust", "Trust and respect", "value", 1, 0,
                                            "scholar only", 1, 0]
    pairs_sheet = sheet_rows(book, "pairs")
    assert pairs_sheet[0][-3:] == ["aligned_share", "kappa", "note"]
    assert [r[-3] for r in pairs_sheet[1:]] == [pytest.approx(1 / 3), 1.0, None, 0.0]
    assert pairs_sheet[3][-1] == "neither side raised any code: aligned share and kappa undefined"
    assert book["pairs"]["M2"].number_format == "0.0%"
    assert sheet_rows(book, "mismatches")[:4] == [
        ["pair", "code", "code_name", "status", "scholar", "mentor"],
        ["P1", "value.trust", "Trust and respect", "scholar only", "[turn 1] \u201cThat built real trust.\u201d",
         "(not raised)"],
        ["P1", "power", "Power differential", "scholar only",
         "[turn 2] \u201cI was afraid to push back.\u201d (Fear of consequences)", "(not raised)"],
        ["P1", "tools", "Formal tools", "mentor only", "(not raised)", "[turn 2] \u201cWe sign the compact.\u201d"]]
    across = sheet_rows(book, "across pairs")
    assert across[0] == ["code", "code_name", "theme", "pairs", "both", "scholar_only", "mentor_only",
                         "neither", "raised", "aligned_share", "ci_low", "ci_high"]
    assert across[1][:10] == ["value", "Value of expectations", "value", 4, 2, 0, 1, 1, 3, pytest.approx(2 / 3)]
    assert sheet_rows(book, "frequent mismatches")[1] == ["power", "Power differential", "scholar only", 2, 4,
                                                          "P1, P4"]
    assert sheet_rows(book, "about")[1][0].startswith("Selection: 10 codings from codebook Test book 1.0")


def test_docx_output_reads_as_sections(study, tmp_path):
    out = tmp_path / "alignment.docx"
    assert run("alignment", study, "--pairs", study.parent / "pairs.csv", "--coder", "rules",
               "-o", out).exit_code == 0
    doc = Document(out)
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["Pairs", "Codes across pairs", "Most frequent mismatches", "Pair by pair",
                        "Pair P1: S01 (scholar) and M01 (mentor)", "Mismatches: what each side said   3 codes",
                        "Pair P2: S02 (scholar) and M02 (mentor)", "Pair P3: S03 (scholar) and M03 (mentor)",
                        "Pair P4: S04 (scholar) and M01 (mentor)", "Mismatches: what each side said   3 codes"]
    text = docx_text(out)
    assert ("The scholar raised 5 codes and the mentor 3: 2 by both, 3 by the scholar only, 1 by the mentor "
            "only. Aligned: 2 of the 6 codes either raised (33%); Cohen's kappa -0.33.") in text
    assert "Neither side raised any of the 6 codes: the aligned share and kappa are undefined." in text
    assert ("Aligned share (per pair): codes both raised / codes either raised, over every code of the "
            "codebook (themes included); undefined when neither side raised any code.") in text
    assert [c.text for c in doc.tables[0].rows[3].cells] == ["P3", "S03 (scholar)", "M03 (mentor)", "0", "0",
                                                             "0", "n/a", "n/a"]
    assert [c.text for c in doc.tables[1].rows[1].cells] == ["Value of expectations", "2", "0", "1", "1",
                                                             "2 of 3 (67%) [21%, 94%]"]
    mismatches = doc.tables[3]
    assert [c.text for c in mismatches.rows[2].cells] == [
        "Power differential\n(scholar only)", "[turn 2] \u201cI was afraid to push back.\u201d (Fear of "
        "consequences)", "(not raised)"]


def test_plot_and_report_with_pairs(study, tmp_path):
    pairs = study.parent / "pairs.csv"
    png = tmp_path / "alignment.png"
    result = run("plot", study, "--kind", "alignment", "--pairs", pairs, "--coder", "rules", "-o", png)
    assert result.output == (f"wrote alignment to {png} (10 codings from codebook Test book 1.0; coder rules; "
                             "status suggested or accepted)\n")
    assert png.read_bytes()[:4] == b"\x89PNG"
    report = tmp_path / "report.docx"
    result = run("report", study, "--pairs", pairs, "--coder", "rules", "--exemplars", "1", "-o", report)
    assert result.exit_code == 0, result.output
    doc = Document(report)
    assert len(doc.inline_shapes) == 3
    assert "6. Alignment within scholar-mentor pairs" in [p.text for p in doc.paragraphs]
    assert "Pair P4: S04 (scholar) and M01 (mentor)" in [p.text for p in doc.paragraphs]


@pytest.mark.parametrize("args,message", [
    (("--kind", "alignment"), "Error: --kind alignment needs --pairs FILE"),
    (("--kind", "heatmap", "--pairs", "{pairs}"), "Error: --pairs goes with --kind alignment, not --kind heatmap"),
    (("--kind", "bars", "--level", "theme"), "Error: --level goes with --kind alignment, not --kind bars"),
    (("--kind", "alignment", "--pairs", "{pairs}", "--level", "leaves"),
     "Error: Invalid value for '--level': 'leaves' is not one of 'code', 'theme', 'specific'."),
])
def test_plot_usage_errors(study, tmp_path, args, message):
    args = [a.format(pairs=study.parent / "pairs.csv") for a in args]
    result = run("plot", study, *args, "--coder", "rules", "-o", tmp_path / "x.png")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == message


def test_alignment_over_the_themes(study, tmp_path):
    out = tmp_path / "themes.csv"
    result = run("alignment", study, "--pairs", study.parent / "pairs.csv", "--coder", "rules",
                 "--level", "theme", "-o", out)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:5] == [
        "pair       scholar       mentor  both  scholar only  mentor only aligned kappa",
        "  P1 S01 (scholar) M01 (mentor)     1             1            1     33% -0.50",
        "  P2 S02 (scholar) M02 (mentor)     2             0            0    100%  1.00",
        "  P3 S03 (scholar) M03 (mentor)     0             0            0     n/a   n/a",
        "  P4 S04 (scholar) M01 (mentor)     0             1            2      0% -0.80"]
    assert result.output.splitlines()[-1].startswith(f"wrote 12 rows (4 pairs x 3 codes) to {out}")
    book = tmp_path / "themes.xlsx"
    assert run("alignment", study, "--pairs", study.parent / "pairs.csv", "--coder", "rules",
               "--level", "theme", "-o", book).exit_code == 0
    assert ["Aligned share (per pair): codes both raised / codes either raised, over the themes (top-level "
            "codes) only; undefined when neither side raised any code."] in sheet_rows(load_workbook(book), "about")
    png = tmp_path / "themes.png"
    result = run("plot", study, "--kind", "alignment", "--pairs", study.parent / "pairs.csv", "--coder", "rules",
                 "--level", "specific", "-o", png)
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_the_cli_offers_the_levels_the_library_knows():
    from qualcode.analysis.alignment import LEVELS
    from qualcode.cli.analysis import alignment, plot

    for command in (alignment, plot):
        [level] = [p for p in command.params if p.name == "level"]
        assert tuple(level.type.choices) == LEVELS
