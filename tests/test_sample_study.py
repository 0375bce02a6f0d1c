"""The shipped sample study ingests as its authors wrote it (see transcripts_sample/README.md)."""

from qualcode.exchange.sheets import import_codings
from qualcode.workflows.ingest import ingest
from qualcode.store.project import open_project

from conftest import REPO, SAMPLE
from qualcode.store.frames import (coding_decisions_frame, coverage_frame, documents_frame, segments_frame,
                                   speakers_frame)


def test_sample_study_ingests_with_roles_and_stable_participants(tmp_path):
    with open_project(tmp_path / "s.qcproj", create=True) as project:
        result = ingest(project, manifest=SAMPLE / "manifest.csv", speakers=SAMPLE / "speakers.csv")
        assert result.warnings == []
        assert [(a["name"], a["turns"]) for a in result.added] == [
            ("scholars_northfield_2024-03-14.docx", 87), ("mentors_northfield_zoom.vtt", 88),
            ("scholars_lakeshore_otter.txt", 90), ("mentors_lakeshore.txt", 75),
            ("scholars_riverbend_teams.vtt", 90), ("mentors_riverbend_2024-05-16.csv", 90)]
        docs = documents_frame(project)
        assert docs[["format", "role", "site"]].values.tolist() == [
            ["docx", "scholar", "Northfield"], ["vtt", "mentor", "Northfield"],
            ["otter", "scholar", "Lakeshore"], ["text", "mentor", "Lakeshore"],
            ["vtt", "scholar", "Riverbend"], ["csv", "mentor", "Riverbend"]]
        speakers = speakers_frame(project)
        facilitator = speakers[speakers["role"] == "facilitator"]
        assert facilitator["participant"].tolist() == ["F01"] * 4 + ["F02"] * 2
        castillo = speakers[speakers["participant"] == "M03"]
        assert castillo["document"].tolist() == ["mentors_northfield_zoom.vtt", "mentors_lakeshore.txt"]
        menon = speakers[speakers["participant"] == "M04"]
        assert menon["document"].tolist() == ["mentors_northfield_zoom.vtt", "mentors_riverbend_2024-05-16.csv"]
        roles = set(speakers["role"])
        assert roles == {"facilitator", "scholar", "mentor", "unidentified"}
        hallway = speakers[speakers["role"] == "unidentified"]
        assert hallway[["document", "speaker", "participant"]].values.tolist() == [
            ["scholars_lakeshore_otter.txt", "Unknown Speaker", "U01"]]


def test_shipped_gold_sheet_codes_every_participant_turn_of_its_four_transcripts(tmp_path):
    """gold_tuning.csv: one row per participant turn of four transcripts (speakers and texts
    as ingested, which the import checks), 177 of its 277 turns coded."""
    with open_project(tmp_path / "s.qcproj", create=True) as project:
        ingest(project, manifest=SAMPLE / "manifest.csv", speakers=SAMPLE / "speakers.csv")
        result = import_codings(project, SAMPLE / "gold_tuning.csv", "gold",
                                codebook=REPO / "codebooks" / "mentoring_expectations.yaml")
        turns = segments_frame(project, include_facilitators=False)
        covered = set(coverage_frame(project)["segment_id"])
        coded = set(coding_decisions_frame(project)["segment_id"])
    assert len(result.documents) == 4 and result.turns_covered == 277
    assert covered == set(turns.loc[turns["document"].isin(result.documents), "segment_id"])
    assert len(coded) == 177 and coded <= covered
