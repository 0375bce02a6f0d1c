"""The command line: exact output, one-line errors, exit codes, help with examples."""

import csv
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from qualcode.cli import cli

TRANSCRIPT = """Moderator: Welcome, everyone.
P1: Thanks for having us.
P2: Glad to be here.
"""


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def all_commands(group=cli, prefix=()):
    for name, command in sorted(group.commands.items()):
        yield prefix + (name,), command
        if isinstance(command, click.Group):
            yield from all_commands(command, prefix + (name,))


@pytest.mark.parametrize("path,command", list(all_commands()), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_command_has_help_with_an_example(path, command):
    result = run(*path, "--help")
    assert result.exit_code == 0
    assert "Example: qualcode " in result.output, f"qualcode {' '.join(path)} --help has no example"


def test_ingest_info_and_export_segments(tmp_path, write):
    transcript = write("group1.txt", TRANSCRIPT)
    project = tmp_path / "study.qcproj"
    result = run("ingest", project, transcript, "--attr", "role=Scholar", "--attr", "site=UW")
    assert result.exit_code == 0, result.output
    assert "added group1.txt: 3 turns, 3 speakers, 10 words\n1 added, 0 skipped\n" in result.output

    again = run("ingest", project, transcript)
    assert again.exit_code == 0
    assert f"skipped {transcript}: already in the project as group1.txt\n0 added, 1 skipped\n" in again.output

    info = run("info", project)
    assert info.exit_code == 0
    assert info.output.splitlines()[0] == (f"{project}: 1 documents, 3 participants, 3 turns, "
                                           "10 words, 0 codings")
    assert "facilitator" in info.output and "scholar" in info.output

    out = tmp_path / "turns.csv"
    exported = run("export", "segments", project, "-o", out, "--no-facilitators")
    assert exported.exit_code == 0
    assert exported.output == f"wrote 2 turns to {out}\n"
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["document"], r["turn"], r["speaker"], r["participant"], r["role"], r["text"]) for r in rows] == [
        ("group1.txt", "1", "S01 (scholar)", "S01", "scholar", "Thanks for having us."),
        ("group1.txt", "2", "S02 (scholar)", "S02", "scholar", "Glad to be here."),
    ]


def test_bad_transcript_is_one_error_line_and_project_unchanged(tmp_path, write):
    project = tmp_path / "study.qcproj"
    good = write("good.txt", TRANSCRIPT)
    assert run("ingest", project, good).exit_code == 0
    before = project.read_bytes()
    empty = write("empty.txt", "")
    result = run("ingest", project, good, empty)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith(f"Error: {empty}")
    assert "Traceback" not in result.output
    assert project.read_bytes() == before


def test_failed_first_ingest_creates_no_project(tmp_path, write):
    project = tmp_path / "study.qcproj"
    result = run("ingest", project, write("empty.txt", ""))
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == f"Error: {tmp_path / 'empty.txt'}: empty file: no transcript to read"
    assert not project.exists()


def test_unreadable_project_is_an_error(tmp_path, write):
    bogus = write("study.qcproj", "not a database at all")
    result = run("info", bogus)
    assert result.exit_code == 1
    assert result.output == f"Error: {bogus}: not a qualcode project (not an SQLite file)\n"
    missing = run("info", tmp_path / "nope.qcproj")
    assert missing.exit_code == 1
    assert "project not found" in missing.output


def test_usage_errors_exit_2(tmp_path, write):
    transcript = write("g.txt", TRANSCRIPT)
    result = run("ingest", tmp_path / "p.qcproj", transcript, "--attr", "role")
    assert result.exit_code == 2
    assert "'role' is not KEY=VALUE" in result.output
    result = run("ingest", tmp_path / "p.qcproj", tmp_path / "missing.txt")
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_python_dash_m_runs_the_cli():
    result = subprocess.run([sys.executable, "-m", "qualcode", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.strip().startswith("qualcode, version ")


def test_explain_finds_a_turn_by_id_or_document_and_turn(tmp_path, write):
    transcript = write("group1.txt", "Moderator: Welcome.\nP1: We never wrote down what we expected of "
                                     "each other.\nP2: Our mentoring agreement helped.\n")
    project = tmp_path / "study.qcproj"
    codebook = "codebooks/mentoring_expectations.yaml"
    assert run("ingest", project, transcript).exit_code == 0
    assert run("code", project, "--codebook", codebook).exit_code == 0
    by_ref = run("explain", project, "--codebook", codebook, "--segment", "group1.txt:2")
    by_id = run("explain", project, "--codebook", codebook, "--segment", "3")
    assert by_ref.exit_code == by_id.exit_code == 0
    assert by_ref.output == by_id.output
    assert by_ref.output.startswith("group1.txt turn 2 (segment 3), P02 [no role]:\n"
                                    "  Our mentoring agreement helped.\n")
    assert by_ref.output.endswith("Stored codings: tools.benefits by rules (suggested), "
                                  "tools.types by rules (suggested)\n")
    missing = run("explain", project, "--codebook", codebook, "--segment", "group1.txt:9")
    assert missing.exit_code == 1
    assert missing.output == (f"Error: {project}: no turn 'group1.txt:9' in the project "
                              "(see `qualcode export segments`)\n")
    without_suffix = run("explain", project, "--codebook", codebook, "--segment", "Group1:2")
    assert without_suffix.output == by_ref.output
    misspelled = run("explain", project, "--codebook", codebook, "--segment", "grup1.txt:2")
    assert (misspelled.exit_code, misspelled.output) == (
        1, "Error: no document 'grup1.txt' in the project (did you mean 'group1.txt'?)\n")


def test_info_shows_an_attribute_a_document_lacks_as_blank(tmp_path, write):
    project = tmp_path / "study.qcproj"
    assert run("ingest", project, write("a.txt", TRANSCRIPT), "--attr", "site=UW").exit_code == 0
    assert run("ingest", project, write("b.txt", TRANSCRIPT.replace("Glad", "Happy"))).exit_code == 0
    info = run("info", project)
    assert "NaN" not in info.output
    assert info.output.split("\n\n")[1] == ("Documents:\n"
                                            "document format  turns  words site\n"
                                            "   a.txt   text      3     10   UW\n"
                                            "   b.txt   text      3     10     ")
