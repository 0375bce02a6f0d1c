"""Fixing a project after ingest (qualcode.workflows.edit): speakers' roles and participants,
documents' attributes, removing documents; all in one transaction, human codings never lost
without saying so."""

from __future__ import annotations

import pytest

from qualcode.analysis import counts_by
from qualcode.core.errors import ParameterError, SelectionError
from qualcode.store import edits
from qualcode.store.frames import coverage_frame, speakers_frame
from qualcode.store.project import open_project
from qualcode.store.queries import find_document
from qualcode.workflows.edit import (list_documents, list_speakers, remove_documents, set_document,
                                     set_speakers)
from projects import build_project


@pytest.fixture
def project(tmp_path):
    build_project(tmp_path / "study.qcproj")
    with open_project(tmp_path / "study.qcproj") as proj:
        with proj.transaction():  # the rules read every participant turn
            ids = [r["segment_id"] for r in proj.conn.execute(
                "SELECT s.id AS segment_id FROM segments s JOIN speakers sp ON sp.id = s.speaker_id"
                " WHERE sp.role != 'facilitator'")]
            proj.add_coverage("rules", 1, ids)
        yield proj


def _scholar_turns(project):
    counts = counts_by(project, "role", coder="rules")
    return int(counts[counts["group"] == "scholar"]["group_turns"].iloc[0])


def _roles(project, document):
    frame = speakers_frame(project)
    frame = frame[frame["document"] == document]
    return dict(zip(frame["speaker"], zip(frame["participant"], frame["role"])))


def test_a_speaker_made_facilitator_leaves_counts_and_loses_machine_codings(project):
    assert _scholar_turns(project) == 7
    edit = set_speakers(project, "Ben", role="facilitator")
    assert [(c.document, c.label, c.participant_before, c.participant_after, c.role_before, c.role_after)
            for c in edit.changed] == [("scholars_north.txt", "Ben", "S02", "S02", "scholar", "facilitator")]
    assert edit.machine_removed == 1  # value.clarity on turn 2
    assert [(c["coder"], c["document"], c["turn"], c["code"], c["status"]) for c in edit.human_kept] == [
        ("alice", "scholars_north.txt", 5, "tools", "accepted")]
    assert edit.uncoded_turns == 0 and edit.warnings == []
    assert _scholar_turns(project) == 5
    ben_turns = set(edits.speaker_segments(project, [r["speaker_id"] for r in edits.speaker_rows(project)
                                                     if r["label"] == "Ben"]))
    coverage = coverage_frame(project)
    assert not (set(coverage[coverage["coder"] == "rules"]["segment_id"]) & ben_turns)
    kept = project.conn.execute("SELECT coder, code FROM codings WHERE coder_kind = 'human'").fetchall()
    assert [tuple(r) for r in kept] == [("alice", "tools")]

    back = set_speakers(project, "ben", document="scholars_north", role="scholar")
    assert back.uncoded_turns == 2 and back.machine_removed == 0
    assert _scholar_turns(project) == 7


def test_participant_ids_join_an_existing_person_or_make_a_new_one(project):
    edit = set_speakers(project, "Ben", participant="s01")
    assert [(c.participant_before, c.participant_after) for c in edit.changed] == [("S02", "S01")]
    assert _roles(project, "scholars_north.txt")["Ben"] == ("S01", "scholar")
    set_speakers(project, "Cy", participant="S09", role="mentor")
    assert _roles(project, "scholars_south.txt")["Cy"] == ("S09", "mentor")


def test_a_label_may_be_a_participant_id_and_document_limits_the_change(project):
    edit = set_speakers(project, "M02", role="facilitator")
    assert [(c.document, c.label) for c in edit.changed] == [("mentors_north.txt", "Dr. Fox")]
    edit = set_speakers(project, "moderator", document="mentors_north", participant="F09")
    assert [(c.document, c.label, c.participant_after) for c in edit.changed] == [
        ("mentors_north.txt", "Moderator", "F09")]
    assert _roles(project, "scholars_north.txt")["Moderator"] == ("F01", "facilitator")


def test_speaker_mistakes_are_one_error_with_a_suggestion(project):
    with pytest.raises(SelectionError) as err:
        set_speakers(project, "Benn", role="mentor")
    assert err.value.message == ("no speaker 'Benn' in the project (did you mean 'Ben'?); "
                                 "qualcode speakers list shows them")
    with pytest.raises(SelectionError) as err:
        set_speakers(project, "Ben", document="mentors_north.txt", role="mentor")
    assert err.value.message == ("no speaker 'Ben' in mentors_north.txt; qualcode speakers list "
                                 "shows them")
    with pytest.raises(SelectionError) as err:
        set_speakers(project, "Ben", document="mentors_nort.txt", role="mentor")
    assert err.value.message == ("no document 'mentors_nort.txt' in the project "
                                 "(did you mean 'mentors_north.txt'?)")
    with pytest.raises(ParameterError, match="give a new role, a participant id, or both"):
        set_speakers(project, "Ben")
    with pytest.raises(ParameterError, match="participant id 'S 9' must be one word"):
        set_speakers(project, "Ben", participant="S 9")


def test_a_role_like_a_known_one_warns(project):
    edit = set_speakers(project, "Ben", role="Mentors")
    assert edit.warnings == ["role 'mentors' is new in the project; did you mean 'mentor'?"]
    assert _roles(project, "scholars_north.txt")["Ben"] == ("S02", "mentors")


def test_a_failed_edit_changes_nothing(project, monkeypatch):
    def fail(*_args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(edits, "delete_machine_work_on", fail)
    with pytest.raises(RuntimeError):
        set_speakers(project, "Ben", role="facilitator")
    assert _roles(project, "scholars_north.txt")["Ben"] == ("S02", "scholar")
    assert _scholar_turns(project) == 7


def test_list_speakers_and_documents(project):
    speakers = list_speakers(project, "scholars_south")
    assert speakers.values.tolist() == [
        ["scholars_south.txt", "Moderator", "F02", "facilitator", 1, 5, 0, 0],
        ["scholars_south.txt", "Cy", "S03", "scholar", 2, 13, 0, 2],
        ["scholars_south.txt", "Di", "S04", "scholar", 1, 8, 0, 1]]
    documents = list_documents(project)
    assert documents.columns.tolist() == ["document", "format", "turns", "words", "speakers", "human_codings",
                                          "machine_codings", "group", "role", "site"]
    assert documents.values.tolist()[0] == ["scholars_north.txt", "text", 6, 47, 3, 1, 5, "Scholars North",
                                            "scholar", "North"]
    set_document(project, "scholars_south.txt", unset=["group"])
    assert list_documents(project)["group"].tolist() == ["Scholars North", "", "Mentors North"]


def test_document_attributes_are_set_with_a_warning_for_slips(project):
    edit = set_document(project, "scholars_south", {"site": "Norht", "cohort": "2024"})
    assert edit.document == "scholars_south.txt"
    assert edit.changes == [("site", "South", "Norht"), ("cohort", None, "2024")]
    assert edit.warnings == ["scholars_south.txt: site 'Norht' is new in the project; did you mean "
                             "'North' (in 2 documents)?"]
    assert edit.speakers is None
    fixed = set_document(project, "scholars_south.txt", {"site": "North"})
    assert fixed.warnings == [] and fixed.changes == [("site", "Norht", "North")]
    with pytest.raises(SelectionError, match="scholars_south.txt has no attribute 'sight' "
                                             r"\(did you mean 'site'\?\)"):
        set_document(project, "scholars_south.txt", unset=["sight"])


def test_a_new_document_role_goes_to_the_speakers_that_had_the_old_one(project):
    edit = set_document(project, "mentors_north.txt", {"role": "Scholar"})
    assert edit.changes == [("role", "mentor", "scholar")]
    assert [(c.label, c.role_before, c.role_after) for c in edit.speakers.changed] == [
        ("Dr. Eve", "mentor", "scholar"), ("Dr. Fox", "mentor", "scholar"), ("Dr. Gil", "mentor", "scholar")]
    assert _roles(project, "mentors_north.txt")["Moderator"] == ("F01", "facilitator")
    assert _scholar_turns(project) == 11


def test_removing_a_document_with_human_codings_needs_force(project):
    with pytest.raises(SelectionError) as err:
        remove_documents(project, ["scholars_south", "scholars_north.TXT"])
    assert err.value.message == (
        "1 human coding (alice 1) in scholars_north.txt: alice turn 5 tools would be removed; nothing "
        "was removed (export them first, e.g. qualcode export qdpx, or give --force)")
    assert list_documents(project)["document"].tolist() == ["scholars_north.txt", "scholars_south.txt",
                                                            "mentors_north.txt"]
    removed = remove_documents(project, ["scholars_south", "scholars_north.TXT"], force=True)
    assert [(r.document, r.turns, r.machine, len(r.human)) for r in removed] == [
        ("scholars_south.txt", 4, 3, 0), ("scholars_north.txt", 6, 5, 1)]
    assert list_documents(project)["document"].tolist() == ["mentors_north.txt"]
    assert project.counts() == {"documents": 1, "participants": 4, "turns": 5, "words": 35, "codings": 5}
    assert project.conn.execute("SELECT COUNT(*) FROM coverage").fetchone()[0] == 4
    assert project.participant_by_pid("S01") is not None  # the pseudonym stays for a return


def test_document_names_match_with_or_without_suffix(project):
    assert find_document(project, "MENTORS_NORTH") == "mentors_north.txt"
    assert find_document(project, "mentors_north.docx") == "mentors_north.txt"
    with project.transaction():
        project.add_document("mentors_north.vtt", "x", "vtt", "0" * 64, None, {}, {})
    with pytest.raises(SelectionError) as err:
        find_document(project, "mentors_north")
    assert err.value.message == ("document 'mentors_north' matches 2 documents (mentors_north.txt, "
                                 "mentors_north.vtt); give its full name")
    assert find_document(project, "mentors_north.vtt") == "mentors_north.vtt"
