"""Interrupt a qualcode command in the middle of its writes, to check nothing is lost.

Two ways, for any command that writes to a project:

* **fail**: in-process, a :class:`~qualcode.store.project.Project` write method raises after its
  N-th call (:func:`failing_after`), as a bug or a full disk would;
* **kill**: the real command runs in a subprocess (this file run as a script) that stops
  itself after the N-th call of a write method, still inside the transaction, touches a
  marker file and waits; the test then sends SIGKILL (:func:`kill_mid_write`), as a power
  cut or a closed laptop would.

Either way the project must open afterwards and hold exactly its earlier state
(:func:`snapshot`, :func:`integrity`).  A command is added to the tests with one
:class:`Interruptible` entry in ``tests/test_nothing_lost.py`` (``COMMANDS``): its
arguments, how to prepare the project before it, and which write method to stop in.

Run as a script::

    python tests/interrupt.py --stop-after add_codings:1 --marker M [--hold S] [--lock-timeout S] \
        -- code P --codebook C

``--hold S`` waits S seconds at the stop point, ``--release FILE`` waits until FILE exists,
and then the command finishes (used to hold the write lock while a second command tries to
write); without either the process waits to be killed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Interruptible:
    """A project-writing command to interrupt.

    ``args(project, tmp)`` gives its CLI arguments; ``prepare(project, tmp)`` brings the
    project into the state it must keep (it may also write input files into ``tmp``);
    ``stop_in`` is the :class:`~qualcode.store.project.Project` write method to stop in and
    ``after`` after how many calls of it (all earlier writes of the command have happened).
    """

    name: str
    args: Callable[[Path, Path], list[str]]
    prepare: Callable[[Path, Path], None]
    stop_in: str
    after: int = 1


def snapshot(project: Path) -> list[str]:
    """Every row of every table, as SQL text: equal snapshots are equal projects."""
    conn = sqlite3.connect(project)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def integrity(project: Path) -> str:
    """``PRAGMA integrity_check``: ``'ok'`` for an intact database file."""
    conn = sqlite3.connect(project)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


class InjectedFailure(RuntimeError):
    """The failure :func:`failing_after` raises."""


@contextlib.contextmanager
def failing_after(monkeypatch, method: str, calls: int = 1):
    """Make ``Project.<method>`` do its writes and then raise on its ``calls``-th call."""
    from qualcode.store.project import Project

    original = getattr(Project, method)
    seen = {"n": 0}

    def wrapped(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        seen["n"] += 1
        if seen["n"] >= calls:
            raise InjectedFailure(f"injected failure after {method} call {seen['n']}")
        return result

    monkeypatch.setattr(Project, method, wrapped)
    yield seen


def command(args: list[str], *, stop_after: str | None = None, marker: Path | None = None,
            hold: float | None = None, release: Path | None = None,
            lock_timeout: float | None = None) -> list[str]:
    """The argv that runs ``qualcode ARGS`` through this file's runner."""
    argv = [sys.executable, str(Path(__file__).resolve())]
    if stop_after:
        argv += ["--stop-after", stop_after, "--marker", str(marker)]
    if hold is not None:
        argv += ["--hold", str(hold)]
    if release is not None:
        argv += ["--release", str(release)]
    if lock_timeout is not None:
        argv += ["--lock-timeout", str(lock_timeout)]
    return argv + ["--", *args]


def start(argv: list[str], cwd: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def wait_for(marker: Path, process: subprocess.Popen, timeout: float = 120.0) -> None:
    """Until the process reached its stop point (or fail with its output)."""
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(f"the command ended (status {process.returncode}) before its stop "
                                 f"point:\n{out}\n{err}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("the command did not reach its stop point in time")
        time.sleep(0.02)


def kill_mid_write(case: Interruptible, project: Path, tmp: Path) -> subprocess.Popen:
    """Run ``case`` in a subprocess, SIGKILL it at its stop point; returns the dead process."""
    marker = tmp / f"{case.name}.stopped"
    process = start(command(case.args(project, tmp), stop_after=f"{case.stop_in}:{case.after}",
                            marker=marker), cwd=tmp)
    wait_for(marker, process)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    return process


# ------------------------------------------------------------------ the runner (subprocess side)

def _install_stop(method: str, calls: int, marker: Path, hold: float | None,
                  release: Path | None = None) -> None:
    from qualcode.store.project import Project

    original = getattr(Project, method)
    seen = {"n": 0}

    def wrapped(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        seen["n"] += 1
        if seen["n"] == calls:
            marker.write_text(f"{method} {calls}\n")
            if release is not None:
                deadline = time.monotonic() + 300
                while not release.exists() and time.monotonic() < deadline:
                    time.sleep(0.02)
            elif hold is None:
                while True:  # wait to be killed, with the transaction open
                    time.sleep(1)
            else:
                time.sleep(hold)
        return result

    setattr(Project, method, wrapped)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stop-after", help="METHOD:N, a Project write method and a call count")
    parser.add_argument("--marker", type=Path, help="file touched at the stop point")
    parser.add_argument("--hold", type=float, help="wait this long at the stop point, then go on")
    parser.add_argument("--release", type=Path, help="wait at the stop point until this file exists")
    parser.add_argument("--lock-timeout", type=float, help="seconds to wait for a busy project")
    parser.add_argument("qualcode_args", nargs=argparse.REMAINDER)
    opts = parser.parse_args(argv)
    args = opts.qualcode_args[1:] if opts.qualcode_args[:1] == ["--"] else opts.qualcode_args
    if opts.lock_timeout is not None:
        import qualcode.store.project
        qualcode.store.project.LOCK_TIMEOUT_SECONDS = opts.lock_timeout
    if opts.stop_after:
        method, _, calls = opts.stop_after.partition(":")
        _install_stop(method, int(calls or 1), opts.marker, opts.hold, opts.release)
    from qualcode.cli import cli
    cli.main(args=args, prog_name="qualcode")


if __name__ == "__main__":
    main()
