"""Privacy: the whole pipeline makes no network call; exports show pseudonyms, not names;
after `qualcode redact` no participant's name is left in any export."""

from __future__ import annotations

import csv
import re
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from exported_text import docx_text, found_names, xlsx_text
from qualcode.cli import cli

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "transcripts_sample"
CODEBOOK = REPO / "codebooks" / "mentoring_expectations.yaml"


class NetworkCall(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    """Every way Python opens a connection or looks up a host raises NetworkCall."""
    def refuse(*args, **kwargs):
        raise NetworkCall(f"network call attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket.socket, "sendto", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "gethostbyname", refuse)


def qualcode(*args) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_guard_refuses_connections(no_network):
    with pytest.raises(NetworkCall):
        socket.create_connection(("localhost", 9))
    with pytest.raises(NetworkCall):
        socket.socket().connect(("127.0.0.1", 9))


def test_the_whole_pipeline_makes_no_network_call_and_redact_leaves_no_name(tmp_path, no_network):
    project = tmp_path / "study.qcproj"
    out = tmp_path / "out"
    out.mkdir()
    qualcode("ingest", project, "--manifest", SAMPLE / "manifest.csv", "--speakers", SAMPLE / "speakers.csv")
    qualcode("code", project, "--codebook", CODEBOOK)
    qualcode("explain", project, "--codebook", CODEBOOK, "--segment", "scholars_lakeshore_otter.txt:3")
    qualcode("info", project)
    qualcode("export", "segments", project, "-o", out / "turns.csv")
    qualcode("export", "counts", project, "--by", "role", "-o", out / "counts.csv")
    qualcode("compare", project, "--by", "role", "--a", "scholar", "--b", "mentor", "-o", out / "compare.csv")

    # pseudonyms by default: the speaker column holds "S01 (scholar)", never a label
    qualcode("export", "excerpts", project, "-o", out / "excerpts.csv")
    with open(out / "excerpts.csv", newline="", encoding="utf-8-sig") as fh:
        speakers = {row["speaker"] for row in csv.DictReader(fh)}
    assert speakers and all(re.fullmatch(r"[SMPU]\d\d \((scholar|mentor|unidentified)\)", s) for s in speakers)
    qualcode("export", "excerpts", project, "-o", out / "real.csv", "--real-names")
    with open(out / "real.csv", newline="", encoding="utf-8-sig") as fh:
        real = {row["speaker"] for row in csv.DictReader(fh)}
    assert {"Ruth Abernathy", "Dr. Okafor", "Priya Raman"} <= real

    # before redaction some quotes still name people (the Word export says so)
    assert found_names((out / "real.csv").read_text(encoding="utf-8-sig"))

    output = qualcode("redact", project, "--dry-run")
    # how many codings move depends on the codebook's rules; the names are the sample's own
    summary = re.fullmatch(r"would replace 423 names in 11 turns of 5 documents; (\d+) codings "
                           r"would move with the text", output.splitlines()[-1])
    assert summary and int(summary.group(1)) > 0
    assert "mentors_northfield_zoom.vtt turn 19: 'Tomasz' -> [M05]" in output
    # Teams writes "Family, Given": both the label line and the given name alone are replaced
    assert "scholars_riverbend_teams.vtt speaker line: 'Reyes, Nadia' -> [F02]" in output
    assert "scholars_riverbend_teams.vtt turn 0: 'Nadia' -> [F02]" in output
    qualcode("redact", project)

    qualcode("export", "excerpts", project, "-o", out / "excerpts.csv")
    qualcode("export", "excerpts", project, "-o", out / "excerpts.xlsx")
    qualcode("export", "excerpts", project, "-o", out / "excerpts.docx")
    qualcode("export", "segments", project, "-o", out / "turns.csv")
    qualcode("report", project, "-o", out / "report.docx")
    texts = {"excerpts.csv": (out / "excerpts.csv").read_text(encoding="utf-8-sig"),
             "turns.csv": (out / "turns.csv").read_text(encoding="utf-8-sig"),
             "excerpts.xlsx": xlsx_text(out / "excerpts.xlsx"),
             "excerpts.docx": docx_text(out / "excerpts.docx"),
             "report.docx": docx_text(out / "report.docx")}
    assert "[M05]" in texts["turns.csv"]
    assert {name: found_names(text) for name, text in texts.items()} == {name: set() for name in texts}
