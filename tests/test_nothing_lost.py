"""Nothing lost: a command that fails or is killed in the middle of its writes leaves the
project exactly as it was.  Adding a command is one ``Interruptible`` entry in COMMANDS
(see tests/interrupt.py)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from interrupt import Interruptible, failing_after, integrity, kill_mid_write, snapshot
from qualcode.cli import cli
from qualcode.store.frames import speakers_frame
from qualcode.store.project import open_project
from qualcode.store.schema import SCHEMA_VERSION

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "transcripts_sample"
MANIFEST = SAMPLE / "manifest.csv"
SPEAKERS = SAMPLE / "speakers.csv"
CODEBOOK = REPO / "codebooks" / "mentoring_expectations.yaml"
FIRST = [SAMPLE / "scholars_northfield_2024-03-14.docx", SAMPLE / "mentors_northfield_zoom.vtt"]
REST = [SAMPLE / "scholars_lakeshore_otter.txt", SAMPLE / "mentors_lakeshore.txt"]


def qualcode(*args) -> None:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def ingest_first_half(project: Path, tmp: Path) -> None:
    qualcode("ingest", project, *FIRST, "--manifest", MANIFEST, "--speakers", SPEAKERS)


def ingest_all_and_code(project: Path, tmp: Path) -> None:
    qualcode("ingest", project, "--manifest", MANIFEST, "--speakers", SPEAKERS)
    qualcode("code", project, "--codebook", CODEBOOK)


GOLD = SAMPLE / "gold_tuning.csv"


def code_and_import_gold(project: Path, tmp: Path) -> None:
    ingest_all_and_code(project, tmp)
    qualcode("import-codings", project, GOLD, "--coder", "gold")


def code_import_gold_and_revise_it(project: Path, tmp: Path) -> None:
    """As above, plus ``tmp/gold_revised.csv``: the same sheet with the first coded turn uncoded."""
    code_and_import_gold(project, tmp)
    with open(GOLD, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    first = next(row for row in rows if row["codes"].strip())
    first["codes"] = ""
    with open(tmp / "gold_revised.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def export_qdpx_beside_a_started_project(project: Path, tmp: Path) -> None:
    """A .qdpx of the coded sample in ``tmp``, and ``project``: a project holding one document."""
    source = tmp / "source.qcproj"
    code_and_import_gold(source, tmp)
    qualcode("export", "qdpx", source, "-o", tmp / "study.qdpx")
    source.unlink()
    qualcode("ingest", project, FIRST[0], "--attr", "role=scholar")


COMMANDS = [
    # the second half of the study: stopped after the first new document's turns are written
    Interruptible("ingest", lambda p, tmp: ["ingest", str(p), *map(str, REST), "--manifest", str(MANIFEST),
                                            "--speakers", str(SPEAKERS)],
                  prepare=ingest_first_half, stop_in="add_segments", after=1),
    # re-coding: the earlier codings are deleted and the new ones inserted when it stops
    Interruptible("code", lambda p, tmp: ["code", str(p), "--codebook", str(CODEBOOK)],
                  prepare=ingest_all_and_code, stop_in="add_rule_codings", after=1),
    # redaction rewrites three documents: stopped after the second one is written
    Interruptible("redact", lambda p, tmp: ["redact", str(p)],
                  prepare=ingest_all_and_code, stop_in="replace_document_text", after=2),
    # ingest --redact: the new documents and their redaction are one transaction
    Interruptible("ingest-redact", lambda p, tmp: ["ingest", str(p), *map(str, REST), "--manifest",
                                                   str(MANIFEST), "--speakers", str(SPEAKERS), "--redact"],
                  prepare=ingest_first_half, stop_in="replace_document_text", after=1),
    # importing a coder's sheet again: the old codings are deleted and the new ones inserted
    Interruptible("import-codings", lambda p, tmp: ["import-codings", str(p), str(tmp / "gold_revised.csv"),
                                                    "--coder", "gold"],
                  prepare=code_import_gold_and_revise_it, stop_in="add_codings", after=1),
    # a REFI-QDA project from another program: documents, turns and codebook are written first
    Interruptible("import-qdpx", lambda p, tmp: ["import", "qdpx", str(p), str(tmp / "study.qdpx")],
                  prepare=export_qdpx_beside_a_started_project, stop_in="add_codings", after=1),
]
ids = [case.name for case in COMMANDS]

_prepared: dict[str, Path] = {}


@pytest.fixture
def prepared(tmp_path_factory, tmp_path):
    """``prepared(case)`` -> a fresh copy of the project in the state ``case`` must keep."""

    def make(case: Interruptible) -> Path:
        if case.name not in _prepared:
            work = tmp_path_factory.mktemp(f"prepared-{case.name}")
            case.prepare(work / "study.qcproj", work)
            _prepared[case.name] = work
        shutil.copytree(_prepared[case.name], tmp_path / "work")
        return tmp_path / "work" / "study.qcproj"

    return make


def _changed_without_interruption(case: Interruptible, project: Path, tmp: Path) -> None:
    """The command really writes something (so an unchanged snapshot means a rollback)."""
    before = snapshot(project)
    qualcode(*case.args(project, tmp))
    assert snapshot(project) != before


@pytest.mark.parametrize("case", COMMANDS, ids=ids)
def test_a_failure_mid_write_leaves_the_project_as_it_was(case, prepared, monkeypatch):
    project = prepared(case)
    tmp = project.parent
    before = snapshot(project)
    with failing_after(monkeypatch, case.stop_in, case.after) as seen:
        result = CliRunner().invoke(cli, case.args(project, tmp))
    assert seen["n"] == case.after, "the failure happened after the command's writes began"
    assert result.exit_code == 1  # one line naming the failure: a bug, as far as the CLI knows
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and errors[0].startswith(
        "Error: unexpected internal error (InjectedFailure: injected failure after ")
    assert integrity(project) == "ok"
    assert snapshot(project) == before
    monkeypatch.undo()
    _changed_without_interruption(case, project, tmp)


@pytest.mark.parametrize("case", COMMANDS, ids=ids)
def test_a_kill_mid_write_leaves_the_project_as_it_was(case, prepared):
    project = prepared(case)
    tmp = project.parent
    before = snapshot(project)
    kill_mid_write(case, project, tmp)
    # the killed writer left its rollback journal: the next open must undo its writes
    assert (tmp / "study.qcproj-journal").exists()
    with open_project(project) as reopened:
        assert reopened.schema_version == SCHEMA_VERSION
    assert integrity(project) == "ok"
    assert snapshot(project) == before
    _changed_without_interruption(case, project, tmp)


def test_a_kill_during_the_first_ingest_leaves_an_empty_project(tmp_path):
    """The project is created (schema only) before the ingest's transaction: a kill leaves
    an empty, valid project that the next ingest fills."""
    project = tmp_path / "new.qcproj"
    case = Interruptible("first-ingest", lambda p, tmp: ["ingest", str(p), str(REST[1])],
                         prepare=lambda p, tmp: None, stop_in="add_segments")
    kill_mid_write(case, project, tmp_path)
    with open_project(project) as reopened:
        assert reopened.counts() == {"documents": 0, "participants": 0, "turns": 0, "words": 0,
                                     "codings": 0}
    assert integrity(project) == "ok"
    qualcode("ingest", project, REST[1])
    with open_project(project) as reopened:
        assert reopened.counts()["documents"] == 1


def test_qdpx_import_keeps_the_case_pseudonyms_beside_automatically_numbered_speakers(tmp_path):
    # found by the interrupted-import test: the first document's speakers were numbered before a
    # later document's cases were read, and took ids those cases hold
    export_qdpx_beside_a_started_project(tmp_path / "study.qcproj", tmp_path)
    qualcode("import", "qdpx", tmp_path / "study.qcproj", tmp_path / "study.qdpx")
    from qualcode.store.project import open_project
    with open_project(tmp_path / "study.qcproj") as project:
        speakers = speakers_frame(project)
    riverbend = speakers[speakers["document"] == "scholars_riverbend_teams.vtt"]
    assert sorted(set(riverbend["participant"])) == ["F02", "S12", "S13", "S14", "S15", "S16", "S17"]
    first = speakers[speakers["document"] == "scholars_northfield_2024-03-14.docx"]
    assert not set(first["participant"]) & set(riverbend["participant"])
