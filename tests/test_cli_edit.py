"""qualcode speakers list|set, documents list|set|remove and ingest --replace: exact output,
one-line errors."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from qualcode.cli import cli
from projects import build_project


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def project(tmp_path):
    return build_project(tmp_path / "study.qcproj")


def test_speakers_list_and_set(project):
    listed = run("speakers", "list", project, "--document", "mentors_north")
    assert listed.exit_code == 0
    assert listed.stdout == (
        "         document   speaker participant        role  turns  words  human_codings  machine_codings\n"
        "mentors_north.txt Moderator         F01 facilitator      1      4              0                0\n"
        "mentors_north.txt   Dr. Eve         M01      mentor      2     15              0                3\n"
        "mentors_north.txt   Dr. Fox         M02      mentor      1      9              0                1\n"
        "mentors_north.txt   Dr. Gil         M03      mentor      1      7              0                1\n")
    made = run("speakers", "set", project, "Ben", "--role", "facilitator")
    assert made.exit_code == 0 and made.stderr == ""
    assert made.stdout == (
        "Ben in scholars_north.txt: role scholar -> facilitator\n"
        "removed 1 machine coding from turns that are now facilitators' (facilitators are not coded or "
        "counted)\n"
        "kept 1 human coding on those turns (counted only with --include-facilitators):\n"
        "  alice  scholars_north.txt turn 5  tools (accepted)\n")
    again = run("speakers", "set", project, "Ben", "--role", "facilitator")
    assert again.stdout == "nothing changed: the speakers already have that role and participant\n"
    back = run("speakers", "set", project, "S02", "--role", "scholars", "--participant", "S01")
    assert back.stderr == "Warning: role 'scholars' is new in the project; did you mean 'scholar'?\n"
    assert back.stdout == (
        "Ben in scholars_north.txt: role facilitator -> scholars, participant S02 -> S01\n"
        "2 turns of former facilitators not coded yet: run qualcode code again to code them\n")


def test_speaker_errors_are_one_line(project):
    bad = run("speakers", "set", project, "Benn", "--role", "mentor")
    assert bad.exit_code == 1
    assert bad.stderr == ("Error: no speaker 'Benn' in the project (did you mean 'Ben'?); qualcode "
                          "speakers list shows them\n")
    nothing = run("speakers", "set", project, "Ben")
    assert (nothing.exit_code, nothing.stderr) == (1, "Error: give a new role, a participant id, or both\n")


def test_documents_list_set_and_remove(project):
    listed = run("documents", "list", project)
    assert listed.stdout == (
        "          document format  turns  words  speakers  human_codings  machine_codings          group"
        "    role  site\n"
        "scholars_north.txt   text      6     47         3              1                5 Scholars North"
        " scholar North\n"
        "scholars_south.txt   text      4     26         3              0                3 Scholars South"
        " scholar South\n"
        " mentors_north.txt   text      5     35         4              0                5  Mentors North"
        "  mentor North\n")
    changed = run("documents", "set", project, "scholars_south", "--attr", "site=Norht", "--unset", "group")
    assert changed.exit_code == 0
    assert changed.stderr == ("Warning: scholars_south.txt: site 'Norht' is new in the project; did you "
                              "mean 'North' (in 2 documents)?\n")
    assert changed.stdout == ("scholars_south.txt: site South -> Norht\n"
                              "scholars_south.txt: group Scholars South -> (removed)\n")
    refused = run("documents", "remove", project, "scholars_north", "scholars_south")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "Error: 1 human coding (alice 1) in scholars_north.txt: alice turn 5 tools would be removed; "
        "nothing was removed (export them first, e.g. qualcode export qdpx, or give --force)\n")
    removed = run("documents", "remove", project, "scholars_north", "scholars_south", "--force")
    assert removed.stdout == (
        "removed scholars_north.txt: 6 turns, 5 machine codings, 1 human coding (alice 1): alice turn 5 tools\n"
        "removed scholars_south.txt: 4 turns, 3 machine codings\n")
    unknown = run("documents", "remove", project, "mentors_nort")
    assert (unknown.exit_code, unknown.stderr) == (
        1, "Error: no document 'mentors_nort' in the project (did you mean 'mentors_north.txt'?)\n")


ORIGINAL = "Moderator: Hello.\nP1: We wrote goals down.\nP2: We never did.\n"


def test_ingest_replace(tmp_path, write):
    project = tmp_path / "p.qcproj"
    assert run("ingest", project, write("g.txt", ORIGINAL), "--attr", "role=scholar").exit_code == 0
    corrected = write("fixed/g.txt", ORIGINAL.replace("never did", "never did that"))
    replaced = run("ingest", project, corrected, "--replace")
    assert replaced.exit_code == 0, replaced.stderr
    assert replaced.stdout == ("replaced g.txt: 3 turns (were 3, 2 unchanged), 9 words; 0 human codings kept\n"
                               "0 added, 1 replaced, 0 skipped\n")
    misuse = run("ingest", project, corrected, "--force")
    assert (misuse.exit_code, misuse.stderr.splitlines()[-1]) == (2, "Error: --force needs --replace")
