"""Every misuse of the command line is one ``Error:`` line and an exit status, never a traceback.

Library errors and bad files exit with 1; mistakes in the command line itself (a bad option
value, a wrong output suffix, a missing output folder) are click's usage errors, exit 2.
A bug is one line saying so and how to see the traceback (--debug or QUALCODE_DEBUG=1).
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from qualcode.cli import cli
from qualcode.cli.errors import QUOTED_CHARS

CODEBOOK = "codebooks/mentoring_expectations.yaml"
TRANSCRIPT = ("Moderator: Welcome.\nP1: We never wrote down what we expected of each other.\n"
              "P2: Our mentoring agreement helped.\n")
LONG = "x" * 3000
SHORT = LONG[:QUOTED_CHARS - 3] + "..."


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A coded project, and files of the wrong kind: empty, binary, bad YAML, a folder."""
    folder = tmp_path_factory.mktemp("misuse")
    (folder / "group1.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "binary.docx").write_bytes(bytes(range(256)) * 4)
    (folder / "bad.yaml").write_text("codes: [unclosed\n", encoding="utf-8")
    (folder / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (folder / "afolder").mkdir()
    project = folder / "p.qcproj"
    assert run("ingest", project, folder / "group1.txt").exit_code == 0
    assert run("code", project, "--codebook", CODEBOOK).exit_code == 0
    return folder


def run(*args, **kwargs):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False, **kwargs)


# (arguments with {f} for the folder, exit status, the Error line without "Error: ")
MISUSES = [
    # the example: a library ValueError became a traceback
    (("train", "{f}/p.qcproj", "--coder", "rules", "--min-positives", "1", "-o", "{f}/m.qcmodel"), 2,
     "Invalid value for '--min-positives': 1 is not in the range x>=2."),
    (("train", "{f}/p.qcproj", "--coder", "rules", "--seed", "-1", "-o", "{f}/m.qcmodel"), 2,
     "Invalid value for '--seed': -1 is not in the range 0<=x<=4294967295."),
    (("train", "{f}/p.qcproj", "--coder", "nobody", "-o", "{f}/m.qcmodel"), 1,
     "{f}/p.qcproj: coder 'nobody' has no codings or covered turns in the project; coders: rules"),
    (("train", "{f}/p.qcproj", "--coder", "rules", "-o", "{f}/m.bin"), 2,
     "Invalid value for '-o' / '--output': cannot write .bin: use one of .qcmodel"),
    (("train", "{f}/p.qcproj", "--coder", "rules", "-o", "{f}/nofolder/m.qcmodel"), 2,
     "Invalid value for '-o' / '--output': folder '{f}/nofolder' does not exist"),
    (("evaluate", "{f}/p.qcproj", "--coder", "rules", "--folds", "1"), 2,
     "Invalid value for '--folds': 1 is not in the range x>=2."),
    (("evaluate", "{f}/p.qcproj", "--coder", "rules", "--seed", "4294967296"), 2,
     "Invalid value for '--seed': 4294967296 is not in the range 0<=x<=4294967295."),
    (("suggest", "{f}/p.qcproj", "--model", "{f}/m.qcmodel", "-n", "0", "-o", "{f}/s.csv"), 2,
     "Invalid value for '-n': 0 is not in the range x>=1."),
    (("suggest", "{f}/p.qcproj", "--model", "{f}/empty.txt", "-o", "{f}/s.csv"), 1,
     "{f}/empty.txt: not a qualcode model file (write one with `qualcode train`)"),
    # projects: missing, a folder, not a project
    (("info", "{f}/missing.qcproj"), 1,
     "{f}/missing.qcproj: project not found (run `qualcode ingest` to create it)"),
    (("info", "{f}/afolder"), 2, "Invalid value for 'PROJECT': File '{f}/afolder' is a directory."),
    (("info", "{f}/bad.yaml"), 1, "{f}/bad.yaml: not a qualcode project (not an SQLite file)"),
    (("export", "counts", "{f}/missing.qcproj", "-o", "{f}/c.csv"), 1,
     "{f}/missing.qcproj: project not found (run `qualcode ingest` to create it)"),
    # inputs: empty, binary, wrong kind, missing
    (("ingest", "{f}/new.qcproj", "{f}/empty.txt"), 1, "{f}/empty.txt: empty file: no transcript to read"),
    (("ingest", "{f}/new.qcproj", "{f}/binary.docx"), 1,
     "{f}/binary.docx: not a Word .docx file: it is not a zip archive (an old .doc, or another file "
     "renamed?)"),
    (("ingest", "{f}/new.qcproj", "{f}/missing.txt"), 2,
     "Invalid value for '[FILES]...': File '{f}/missing.txt' does not exist."),
    (("ingest", "{f}/new.qcproj", "--manifest", "{f}/notes.csv"), 1,
     "{f}/notes.csv, line 1: no file column (expected one of file, filename, path, document; found a, b)"),
    (("ingest", "{f}/new.qcproj", "{f}/group1.txt", "--names", "{f}/empty.txt"), 2, "--names needs --redact"),
    (("ingest", "{f}/new.qcproj", "{f}/group1.txt", "--attr", "1st=x"), 2,
     "Invalid value for '--attr': attribute name '1st' must start with a letter and use letters, "
     "digits, '_', '-' or '.'"),
    (("code", "{f}/p.qcproj", "--codebook", "{f}/bad.yaml"), 1,
     "{f}/bad.yaml, line 2: YAML syntax error: expected ',' or ']', but got '<stream end>'"),
    (("code", "{f}/p.qcproj", "--codebook", "{f}/afolder"), 2,
     "Invalid value for '--codebook': File '{f}/afolder' is a directory."),
    (("code", "{f}/p.qcproj", "--codebook", CODEBOOK, "--tagger", "ml"), 2,
     "--tagger ml needs --model FILE (from qualcode train)"),
    (("code", "{f}/p.qcproj", "--codebook", CODEBOOK, "--tagger", "nonsense"), 2,
     "Invalid value for '--tagger': unknown tagger 'nonsense'; choose from ml, rules, llm, all or a list "
     "such as rules,ml,llm"),
    (("code", "{f}/p.qcproj", "--codebook", CODEBOOK, "--tagger", "llm", "--llm-url", "http://example.com/v1",
      "--llm-model", "m"), 1,
     "--llm-url host example.com is not this machine: transcripts are confidential, so qualcode sends turns "
     "only to a server on 127.0.0.1, ::1 or localhost; add --allow-remote to send them to this host"),
    (("serve", "{f}/missing.qcproj", "--no-browser", "--port", "0"), 1,
     "{f}/missing.qcproj: project not found (run `qualcode ingest` to create it)"),
    (("codebook", "show", "{f}/empty.txt"), 1, "{f}/empty.txt: codebook is empty"),
    (("import-codings", "{f}/p.qcproj", "{f}/notes.csv", "--coder", "ana"), 1,
     "{f}/notes.csv: cannot tell the layout: expected columns document,turn,codes (coding sheet), or one "
     "coding per row: document,turn,code / document,start,end,code / document,code,text (a quote)"),
    (("import", "qdpx", "{f}/new.qcproj", "{f}/empty.txt"), 1,
     "{f}/empty.txt, line 1: malformed XML: Document is empty (column 1)"),
    (("explain", "{f}/p.qcproj", "--codebook", CODEBOOK, "--segment", "99999999999999999999999"), 1,
     "{f}/p.qcproj: no turn '99999999999999999999999' in the project (see `qualcode export segments`)"),
    # outputs: a suffix the command does not write, a missing folder, a folder
    (("export", "excerpts", "{f}/p.qcproj", "-o", "{f}/q.txt"), 2,
     "Invalid value for '-o' / '--output': cannot write .txt: use one of .csv, .xlsx, .docx"),
    (("export", "counts", "{f}/p.qcproj", "-o", "{f}/c"), 2,
     "Invalid value for '-o' / '--output': cannot write a file without suffix: use one of .csv, .xlsx"),
    (("export", "segments", "{f}/p.qcproj", "-o", "{f}/nofolder/t.csv"), 2,
     "Invalid value for '-o' / '--output': folder '{f}/nofolder' does not exist"),
    (("export", "coding-sheet", "{f}/p.qcproj", "-o", "{f}/afolder"), 2,
     "Invalid value for '-o' / '--output': File '{f}/afolder' is a directory."),
    (("export", "qdpx", "{f}/p.qcproj", "-o", "{f}/p.zip"), 2,
     "Invalid value for '-o' / '--output': cannot write .zip: use one of .qdpx"),
    (("export", "qdc", CODEBOOK, "-o", "{f}/book.csv"), 2,
     "Invalid value for '-o' / '--output': cannot write .csv: use one of .qdc"),
    (("export", "codebook-csv", CODEBOOK, "-o", "{f}/book.qdc"), 2,
     "Invalid value for '-o' / '--output': cannot write .qdc: use one of .csv"),
    (("compare", "{f}/p.qcproj", "-o", "{f}/c.json"), 2,
     "Invalid value for '-o' / '--output': cannot write .json: use one of .csv, .xlsx"),
    (("plot", "{f}/p.qcproj", "-o", "{f}/x.pdf"), 2,
     "Invalid value for '-o' / '--output': cannot write .pdf: use one of .png, .svg"),
    (("report", "{f}/p.qcproj", "-o", "{f}/r.pdf"), 2,
     "Invalid value for '-o' / '--output': cannot write .pdf: use one of .docx"),
    (("agreement", "{f}/p.qcproj", "--coders", "rules", "-o", "{f}/d.txt"), 2,
     "Invalid value for '-o' / '--output': cannot write .txt: use one of .csv, .xlsx"),
    (("alignment", "{f}/p.qcproj", "--pairs", "{f}/notes.csv", "-o", "{f}/a.pdf"), 2,
     "Invalid value for '-o' / '--output': cannot write .pdf: use one of .csv, .xlsx, .docx"),
    (("alignment", "{f}/p.qcproj", "--pairs", "{f}/notes.csv", "-o", "{f}/a.csv"), 1,
     "{f}/notes.csv, row 1: no column 'pair', 'scholar', 'mentor' (a pairs file has the columns pair, "
     "scholar, mentor; found a, b)"),
    (("agreement", "{f}/p.qcproj", "--coders", "rules"), 1,
     "agreement needs at least two coders, e.g. --coders gold,rules"),
    # selections that match nothing
    (("export", "excerpts", "{f}/p.qcproj", "-o", "{f}/q.csv", "--theme", "nope"), 1,
     "unknown theme 'nope'; themes: value, independence, power_differential, tools"),
    (("compare", "{f}/p.qcproj", "--by", "colour"), 1,
     "cannot group by 'colour'; use role, document, participant or a document attribute (none)"),
    (("nosuchcommand",), 2, "No such command 'nosuchcommand'."),
    # long values are quoted short
    (("train", "{f}/p.qcproj", "--coder", LONG, "-o", "{f}/m.qcmodel"), 1,
     f"{{f}}/p.qcproj: coder '{SHORT}' has no codings or covered turns in the project; coders: rules"),
    (("explain", "{f}/p.qcproj", "--codebook", CODEBOOK, "--segment", LONG), 1,
     f"segment '{SHORT}' is neither an id nor DOCUMENT:TURN"),
    (("agreement", "{f}/p.qcproj", f"--coders=rules,{LONG.upper()}"), 1,
     f"coder '{SHORT.upper()}' has no codings and no coverage in codebook Mentoring expectations 1.0; "
     "coders: rules"),
    (("info", LONG), 1, f"{SHORT}: File name too long"),
    (("ingest", "{f}/new.qcproj", "{f}/group1.txt", "--format", LONG), 1,
     f"{{f}}/group1.txt: unknown format '{SHORT}'; choose one of: text, rev, otter, zoom-text, vtt, srt, "
     "docx, odt, pdf, rtf, markdown, csv, tsv, xlsx"),
    ((LONG,), 2, f"No such command '{SHORT}'."),
    (("--" + LONG,), 2, f"No such option '{('--' + LONG)[:QUOTED_CHARS - 3]}...'."),
]


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("Error:")]


@pytest.mark.parametrize("args,status,error", MISUSES,
                         ids=[" ".join(a[:2])[:40] + f" #{i}" for i, (a, _, _) in enumerate(MISUSES)])
def test_misuse_is_one_error_line(folder, args, status, error):
    before = sorted(p.name for p in folder.iterdir())
    result = run(*[a.format(f=folder) for a in args])
    assert result.exit_code == status, result.output
    assert error_lines(result.output) == ["Error: " + error.format(f=folder)]
    assert "Traceback" not in result.output
    assert sorted(p.name for p in folder.iterdir()) == before  # nothing written, no project made


def test_an_error_line_is_short_whatever_was_typed(folder):
    for args, _, _ in MISUSES:
        if LONG in args or LONG.upper() in "".join(args):
            line, = error_lines(run(*[a.format(f=folder) for a in args]).output)
            assert len(line) < 250 + len(str(folder)), line


def test_codebook_validate_lists_every_problem_and_exits_1(folder, tmp_path):
    book = tmp_path / "two_problems.yaml"
    book.write_text("name: Two problems\nversion: '1'\ncodes:\n  - id: a\n  - id: a\n    name: A\n",
                    encoding="utf-8")
    result = run("codebook", "validate", book)
    assert result.exit_code == 1
    assert len(error_lines(result.output)) >= 2
    assert all(line.startswith(f"Error: {book}, line ") for line in error_lines(result.output))
    assert "Traceback" not in result.output


@pytest.fixture
def broken_info(monkeypatch):
    """`qualcode info` with a bug in it."""
    import qualcode.analysis.corpus

    def summarize(project):
        raise KeyError("no such column")

    monkeypatch.setattr(qualcode.analysis.corpus, "summarize", summarize)


def test_a_bug_is_one_line_saying_so_and_how_to_see_the_traceback(folder, broken_info):
    result = run("info", folder / "p.qcproj")
    assert result.exit_code == 1
    assert result.output == ("Error: unexpected internal error (KeyError: 'no such column'); this is a "
                             "bug in qualcode: run the command again with --debug (or QUALCODE_DEBUG=1) "
                             "to see the traceback, and please report it\n")


@pytest.mark.parametrize("how", [("--debug",), ("env",)])
def test_debug_raises_the_bug_itself(folder, broken_info, how):
    args = ["info", folder / "p.qcproj"]
    env = {"QUALCODE_DEBUG": "1"} if how == ("env",) else {}
    with pytest.raises(KeyError, match="no such column"):
        run(*(list(how) if how != ("env",) else []), *args, env=env)


def test_debug_leaves_errors_of_the_users_as_they_are(folder):
    result = run("--debug", "info", folder / "missing.qcproj")
    assert result.exit_code == 1
    assert result.output == f"Error: {folder}/missing.qcproj: project not found (run `qualcode ingest` to create it)\n"


def test_a_real_process_prints_one_error_line_and_no_traceback(folder):
    """The issue's example, run as a user runs it: stderr holds the usage and one Error line."""
    for args, status in (
            (["train", str(folder / "p.qcproj"), "--coder", "rules", "--min-positives", "1",
              "-o", str(folder / "m.qcmodel")], 2),
            (["train", str(folder / "p.qcproj"), "--coder", "nobody", "-o", str(folder / "m.qcmodel")], 1),
            (["info", LONG], 1)):
        proc = subprocess.run([sys.executable, "-m", "qualcode", *args], capture_output=True, text=True)
        assert proc.returncode == status
        assert proc.stdout == ""
        assert len(error_lines(proc.stderr)) == 1 and "Traceback" not in proc.stderr
        assert len(proc.stderr) < 600
    assert not (folder / "m.qcmodel").exists()
