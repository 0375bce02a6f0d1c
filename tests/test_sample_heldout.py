"""The held-out Riverbend groups (Teams WebVTT, transcription-service CSV) and their gold coding sheet."""

import csv

import pytest

from qualcode.codebook import load_codebook
from qualcode.workflows.ingest import ingest
from qualcode.store.project import open_project

from conftest import REPO, SAMPLE
from qualcode.store.frames import documents_frame, segments_frame, speakers_frame

TEAMS = "scholars_riverbend_teams.vtt"
SERVICE_CSV = "mentors_riverbend_2024-05-16.csv"


@pytest.fixture(scope="module")
def riverbend(tmp_path_factory):
    path = tmp_path_factory.mktemp("riverbend") / "rb.qcproj"
    with open_project(path, create=True) as project:
        result = ingest(project, [SAMPLE / TEAMS, SAMPLE / SERVICE_CSV], manifest=SAMPLE / "manifest.csv",
                        speakers=SAMPLE / "speakers.csv")
        yield result, documents_frame(project), speakers_frame(project), segments_frame(project)


def test_riverbend_files_ingest_with_speakers_and_roles(riverbend):
    result, docs, speakers, _ = riverbend
    assert result.warnings == []
    assert [(a["name"], a["turns"], a["speakers"]) for a in result.added] == [(TEAMS, 90, 7), (SERVICE_CSV, 90, 7)]
    assert docs[["format", "role", "site", "group", "date"]].values.tolist() == [
        ["vtt", "scholar", "Riverbend", "RB-S1", "2024-05-07"],
        ["csv", "mentor", "Riverbend", "RB-M1", "2024-05-16"]]
    table = {(r.document, r.speaker): (r.participant, r.role, r.turns) for r in speakers.itertuples()}
    assert table == {
        (TEAMS, "Reyes, Nadia"): ("F02", "facilitator", 17),
        (TEAMS, "Hoang, Minh"): ("S14", "scholar", 12),
        (TEAMS, "Adebayo, Funmi"): ("S12", "scholar", 10),
        (TEAMS, "Raúl Ortega (Guest)"): ("S15", "scholar", 13),
        (TEAMS, "Whitfield, Sam"): ("S17", "scholar", 13),
        (TEAMS, "Chloe Baptiste"): ("S16", "scholar", 13),
        (TEAMS, "Greta Lindholm"): ("S13", "scholar", 12),
        (SERVICE_CSV, "Facilitator"): ("F02", "facilitator", 14),
        (SERVICE_CSV, "Evan Delacroix"): ("M12", "mentor", 15),
        (SERVICE_CSV, "Yusuf Karimi"): ("M13", "mentor", 14),
        (SERVICE_CSV, "Deepak Menon"): ("M04", "mentor", 7),
        (SERVICE_CSV, "Margaret Sato"): ("M11", "mentor", 13),
        (SERVICE_CSV, "Beth Lindgren"): ("M14", "mentor", 14),
        (SERVICE_CSV, "Carlos Ferreira"): ("M15", "mentor", 13),
    }


def test_riverbend_awkward_bits_are_read(riverbend):
    _, _, _, segments = riverbend
    teams = segments[segments["document"] == TEAMS]
    # a turn Teams split into two utterances (two cue GUIDs) of one speaker is one turn
    letters = teams[teams["text"].str.startswith("I think the thing is, he writes my letters.")]
    assert letters[["turn", "speaker"]].values.tolist() == [[47, "Chloe Baptiste"]]
    assert letters["text"].iloc[0].endswith("And usually I decide it isn't.")
    assert teams["text"].str.contains("Health & Human Services", regex=False).sum() == 1  # &amp; decoded
    assert (teams["time_start"].iloc[0], teams["time_end"].iloc[0]) == (4.12, 22.388)
    service = segments[segments["document"] == SERVICE_CSV]
    chair = service[service["text"].str.contains("kickoff meeting")]
    assert chair["text"].iloc[0].count("\n") == 1  # the line break inside one quoted cell is kept
    assert service["time_start"].iloc[:3].tolist() == [2.0, 20.0, 28.0]
    # the service cut one long answer into two rows of the same speaker: two turns, as the rows say
    split = service[service["turn"].isin([6, 7])]
    assert split["speaker"].tolist() == ["Margaret Sato", "Margaret Sato"]
    assert split["text"].str[:20].tolist() == ["I'll start. I've bee", "So now I sit down wi"]


def test_gold_heldout_rows_match_the_exported_turns(riverbend):
    _, _, _, segments = riverbend
    with open(SAMPLE / "gold_heldout.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["document", "turn", "speaker", "codes", "text"]
        gold = list(reader)
    participants = segments[segments["role"] != "facilitator"]
    assert [(r["document"], int(r["turn"]), r["speaker"], r["text"]) for r in gold] == [
        (s.document, s.turn, s.speaker, s.text) for s in participants.itertuples()]
    ids = set(load_codebook(REPO / "codebooks" / "mentoring_expectations.yaml").ids)
    codes = [c for r in gold for c in r["codes"].split(";") if c]
    assert set(codes) <= ids
    assert sum(1 for r in gold if not r["codes"]) == 48  # 23 scholar turns, 25 mentor turns
    themes = {c.split(".")[0] for c in codes}
    assert themes == {"value", "independence", "power_differential", "tools"}
