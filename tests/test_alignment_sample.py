"""The paired interviews shipped in transcripts_sample/pairs/: ingested, coded with the
expectation-domains codebook, and the alignment checked against ``export excerpts``."""

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.analysis.pairs import read_pairs
from qualcode.cli import cli
from qualcode.store.project import open_project

REPO = Path(__file__).resolve().parents[1]
PAIRS = REPO / "transcripts_sample" / "pairs"


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sample_pairs")
    project = folder / "pairs.qcproj"
    run("ingest", project, "--manifest", PAIRS / "manifest.csv", "--speakers", PAIRS / "speakers.csv")
    run("code", project, "--codebook", REPO / "codebooks" / "expectation_domains.yaml")
    run("export", "excerpts", project, "-o", folder / "excerpts.csv")
    run("alignment", project, "--pairs", PAIRS / "pairs.csv", "-o", folder / "alignment.csv")
    with open_project(project) as opened:
        pairs = read_pairs(PAIRS / "pairs.csv", opened)
    return read_csv(folder / "alignment.csv"), read_csv(folder / "excerpts.csv"), pairs


def test_a_code_is_both_exactly_when_each_side_has_an_excerpt_with_it(outputs):
    rows, excerpts, pairs = outputs
    assert len(rows) == 4 * 37 and {r["status"] for r in rows} == {"both", "scholar only", "mentor only",
                                                                     "neither"}
    # the codebook's ids are dotted paths: a code's excerpts are its own and its subcodes'
    for row in rows:
        pair = next(p for p in pairs if p.name == row["pair"])
        has = {}
        for role in ("scholar", "mentor"):
            side = pair.side(role)
            has[role] = any(e["participant"] == side.participant and e["document"] in side.documents
                            and (e["code"] == row["code"] or e["code"].startswith(row["code"] + "."))
                            for e in excerpts)
            assert row[role] == str(int(has[role])), (row, role)
        assert (row["status"] == "both") == (has["scholar"] and has["mentor"])
        assert (row["status"] == "neither") == (not has["scholar"] and not has["mentor"])


def test_the_sides_named_by_id_and_by_document(outputs):
    _, _, pairs = outputs
    assert [(p.name, p.scholar.participant, p.scholar.documents, p.mentor.participant, p.mentor.documents)
            for p in pairs] == [
        ("P1", "S21", ("scholar_01_interview.txt",), "M21", ("mentor_01_interview.txt",)),
        ("P2", "S22", ("scholar_02_interview.txt",), "M22", ("mentor_02_interview.txt",)),
        ("P3", "S23", ("scholar_03_interview.txt",), "M23", ("mentor_03_interview.txt",)),
        ("P4", "S24", ("scholar_04_interview.txt",), "M24", ("mentor_04_interview.txt",))]


@pytest.mark.parametrize("pair,code,status", [
    ("P1", "conduct.acknowledgment", "mentor only"),      # the mentor's authorship agreement
    ("P1", "support.effort", "scholar only"),             # the scholar's service weeks
    ("P1", "communication.meetings", "both"),             # weekly, on both sides
    ("P2", "professional_development.career_paths", "both"),
    ("P2", "professional_development.networking", "mentor only"),
    ("P3", "communication.coordination", "scholar only"),  # two mentors who never talk
    ("P3", "support.resources", "mentor only"),
    ("P4", "support.emotional", "scholar only"),          # the rejected grant
    ("P4", "communication.progress_reports", "mentor only"),
])
def test_the_mismatches_the_sample_was_written_with(outputs, pair, code, status):
    rows, _, _ = outputs
    assert next(r["status"] for r in rows if r["pair"] == pair and r["code"] == code) == status
