"""Two commands writing one project at once: the second waits its turn, or -- when the first
holds the project longer than the lock timeout -- stops with the clear "in use" error.
Either way the project stays intact."""

from __future__ import annotations

import time
from pathlib import Path

from click.testing import CliRunner

from interrupt import command, integrity, start, wait_for
from qualcode.cli import cli
from qualcode.store.frames import documents_frame
from qualcode.store.project import open_project

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "transcripts_sample"


def _setup(tmp_path: Path) -> tuple[Path, Path, Path]:
    project = tmp_path / "study.qcproj"
    first = SAMPLE / "mentors_lakeshore.txt"
    result = CliRunner().invoke(cli, ["ingest", str(project), str(first), "--attr", "role=mentor"])
    assert result.exit_code == 0, result.output
    a = tmp_path / "a.txt"
    a.write_text("Moderator: First writer here.\nP1: I hold the project for a moment.\n")
    b = tmp_path / "b.txt"
    b.write_text("Moderator: Second writer here.\nP1: I came second.\n")
    return project, a, b


def _documents(project: Path) -> list[str]:
    with open_project(project) as proj:
        return list(documents_frame(proj)["document"])


def test_a_second_writer_waits_for_the_first_and_both_succeed(tmp_path):
    project, a, b = _setup(tmp_path)
    marker, release = tmp_path / "a.stopped", tmp_path / "a.release"
    first = start(command(["ingest", str(project), str(a)], stop_after="add_segments:1",
                          marker=marker, release=release), cwd=tmp_path)
    wait_for(marker, first)
    # the first writer holds the write lock; the second starts and waits for it (up to 60 s)
    second = start(command(["ingest", str(project), str(b)], lock_timeout=60), cwd=tmp_path)
    time.sleep(1.0)
    assert second.poll() is None, "the second writer waits while the first holds the project"
    release.touch()
    out1, err1 = first.communicate(timeout=120)
    out2, err2 = second.communicate(timeout=120)
    assert (first.returncode, second.returncode) == (0, 0), err1 + err2
    assert "added a.txt: 2 turns" in out1
    assert "added b.txt: 2 turns" in out2
    assert integrity(project) == "ok"
    assert _documents(project) == ["mentors_lakeshore.txt", "a.txt", "b.txt"]


def test_a_second_writer_that_cannot_wait_gets_the_in_use_error(tmp_path):
    project, a, b = _setup(tmp_path)
    marker, release = tmp_path / "a.stopped", tmp_path / "a.release"
    first = start(command(["ingest", str(project), str(a)], stop_after="add_segments:1",
                          marker=marker, release=release), cwd=tmp_path)
    wait_for(marker, first)
    second = start(command(["ingest", str(project), str(b)], lock_timeout=0.5), cwd=tmp_path)
    out2, err2 = second.communicate(timeout=120)
    release.touch()
    out1, err1 = first.communicate(timeout=120)
    assert second.returncode == 1
    assert err2.strip().splitlines()[-1] == (
        f"Error: {project}: project is in use by another qualcode command (waited 0.5 s); "
        "try again when it has finished")
    assert "Traceback" not in err2
    assert first.returncode == 0, err1
    assert integrity(project) == "ok"
    assert _documents(project) == ["mentors_lakeshore.txt", "a.txt"]
