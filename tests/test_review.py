"""Review decisions (qualcode.workflows.review): what each one stores, and that undo takes it
back exactly.  The project is tests/projects.py's STUDY: the rules suggested codes on every
document, alice coded one turn by hand."""

from __future__ import annotations

import json
import sqlite3

import pytest

from projects import build_project
from qualcode.core.errors import ProjectError, SelectionError
from qualcode.store import frames, reviews
from qualcode.store.project import open_project
from qualcode.workflows import review
from qualcode.workflows.review import snap_to_words


@pytest.fixture
def study(tmp_path):
    return build_project(tmp_path / "study.qcproj")


def _suggestion(project, document, turn, code):
    frame = frames.codings_frame(project)
    hit = frame[(frame["document"] == document) & (frame["turn"] == turn) & (frame["code"] == code)
                & (frame["coder"] == "rules")]
    assert len(hit) == 1
    return int(hit["coding_id"].iloc[0])


def _state(project):
    """Everything a decision may change: codings (id, code, span, coder, status) and coverage."""
    codings = [tuple(r) for r in project.conn.execute(
        "SELECT id, segment_id, code, start, end, coder, coder_kind, status FROM codings ORDER BY id")]
    coverage = [tuple(r) for r in project.conn.execute("SELECT * FROM coverage ORDER BY segment_id")]
    return codings, coverage


def test_accept_stores_the_status_the_persons_coding_coverage_and_a_timed_log_row(study):
    with open_project(study) as project:
        who = review.reviewer(project, "bob")
        sid = _suggestion(project, "scholars_north.txt", 1, "value.clarity")
        suggestion = reviews.coding_row(project, sid)
        decision = review.accept(project, who, sid)
        assert decision.message == "accepted value.clarity in turn 1 of scholars_north.txt"
        assert reviews.coding_row(project, sid)["status"] == "accepted"
        own = frames.codings_frame(project).query("coder == 'bob'")
        assert own[["code", "start", "end", "coder_kind", "status", "segment_id"]].values.tolist() == [
            ["value.clarity", suggestion["start"], suggestion["end"], "human", "accepted",
             suggestion["segment_id"]]]
        assert json.loads(own["evidence"].iloc[0]) == {"source": "workbench", "accepted": sid,
                                                       "suggested_by": "rules"}
        assert reviews.covered_segments(project, "bob", who.codebook_ids) == {suggestion["segment_id"]}
        log = reviews.reviews_frame(project)
        assert log[["coder", "action", "suggestion_id", "previous_status", "covered"]].values.tolist() == [
            ["bob", "accept", sid, "suggested", 1]]
        assert log["created_at"].iloc[0].startswith("20") and log["undone_at"].isna().all()
        again = review.accept(project, who, sid)
        assert not again.changed and len(reviews.reviews_frame(project)) == 1


def test_reject_after_accept_takes_the_persons_coding_back_and_undo_restores_each_step(study):
    with open_project(study) as project:
        who = review.reviewer(project, "bob")
        sid = _suggestion(project, "scholars_north.txt", 1, "value.trust")
        before = _state(project)
        review.accept(project, who, sid)
        accepted = _state(project)
        review.reject(project, who, sid)
        assert reviews.coding_row(project, sid)["status"] == "rejected"
        assert frames.codings_frame(project).query("coder == 'bob'").empty
        assert reviews.coder_decisions(project, "bob", who.codebook_ids) == {sid: ("reject", None)}
        assert review.undo(project, who).message == "undid reject in turn 1 of scholars_north.txt"
        assert _state(project) == accepted
        assert review.undo(project, who).message == "undid accept in turn 1 of scholars_north.txt"
        assert _state(project) == before
        assert review.undo(project, who) is None
        assert reviews.reviews_frame(project)["undone_at"].notna().all()


def test_a_second_decision_on_a_read_turn_does_not_cover_it_twice_and_undo_keeps_coverage(study):
    with open_project(study) as project:
        who = review.reviewer(project, "bob")
        first = _suggestion(project, "scholars_north.txt", 1, "value.clarity")
        second = _suggestion(project, "scholars_north.txt", 1, "value.trust")
        review.accept(project, who, first)
        review.reject(project, who, second)
        assert reviews.reviews_frame(project)["covered"].tolist() == [1, 0]
        review.undo(project, who)
        assert len(reviews.covered_segments(project, "bob", who.codebook_ids)) == 1
        review.undo(project, who)
        assert reviews.covered_segments(project, "bob", who.codebook_ids) == set()


def test_add_coding_snaps_to_whole_words_within_the_turn(study):
    with open_project(study) as project:
        who = review.reviewer(project, "bob")
        doc = project.document_id("scholars_south.txt")
        text = project.document_text(doc)
        at = text.index("The mentor holds the power.")
        # "entor holds th" cuts two words: the coding takes "mentor holds the"
        review.add_coding(project, who, doc, at + 5, at + 19, "power")
        own = frames.codings_frame(project).query("coder == 'bob'")
        assert own["text"].tolist() == ["mentor holds the"]
        assert own[["turn", "code", "status"]].values.tolist() == [[2, "power", "accepted"]]
        assert reviews.reviews_frame(project)["action"].tolist() == ["add"]
        review.undo(project, who)
        assert frames.codings_frame(project).query("coder == 'bob'").empty


@pytest.mark.parametrize("text, start, end, expected", [
    ("We set clear goals.", 4, 9, (3, 12)),        # "et cl" -> "set clear"
    ("We set clear goals.", 2, 7, (3, 6)),         # " set " -> "set" (spaces trimmed)
    ("We set clear goals.", 13, 19, (13, 19)),     # "goals." stays
    ("It's my mentor's", 1, 3, (0, 4)),            # apostrophes belong to the word
    ("  ", 0, 2, (2, 2)),                           # nothing but space: empty
])
def test_snap_to_words(text, start, end, expected):
    assert snap_to_words(text, start, end) == expected


def test_snapping_stops_at_the_turns_edges():
    assert snap_to_words("abcdef", 3, 4, lo=2, hi=5) == (2, 5)


def test_remove_deletes_only_the_coders_own_coding_and_undo_brings_it_back(study):
    with open_project(study) as project:
        alice = review.reviewer(project, "alice")
        own = frames.codings_frame(project).query("coder == 'alice'")
        coding_id = int(own["coding_id"].iloc[0])
        before = _state(project)
        review.remove(project, alice, coding_id)
        assert frames.codings_frame(project).query("coder == 'alice'").empty
        with pytest.raises(SelectionError, match="not one of bob's own codings"):
            review.remove(project, review.reviewer(project, "bob"), _suggestion(
                project, "scholars_north.txt", 1, "value.trust"))
        review.undo(project, alice)
        assert _state(project) == before


def test_removing_an_accepted_suggestions_coding_rejects_the_suggestion(study):
    with open_project(study) as project:
        who = review.reviewer(project, "bob")
        sid = _suggestion(project, "mentors_north.txt", 1, "value.clarity")
        review.accept(project, who, sid)
        mine = int(frames.codings_frame(project).query("coder == 'bob'")["coding_id"].iloc[0])
        decision = review.remove(project, who, mine)
        assert decision.action == "reject"
        assert reviews.coding_row(project, sid)["status"] == "rejected"


def test_mark_reviewed_covers_a_turn_once(study):
    with open_project(study) as project:
        who = review.reviewer(project, "bob")
        seg = int(frames.segments_frame(project, document="scholars_south.txt").query("turn == 3")["segment_id"].iloc[0])
        assert review.mark_reviewed(project, who, seg).changed
        assert not review.mark_reviewed(project, who, seg).changed
        assert reviews.covered_segments(project, "bob", who.codebook_ids) == {seg}


def test_facilitator_turns_are_never_coded(study):
    with open_project(study) as project:
        who = review.reviewer(project, "bob")
        on_facilitator = _suggestion(project, "scholars_north.txt", 3, "value")
        with pytest.raises(SelectionError, match="turn 3 of scholars_north.txt is a facilitator's"):
            review.accept(project, who, on_facilitator)
        doc = project.document_id("scholars_north.txt")
        text = project.document_text(doc)
        at = text.index("Welcome everyone.")
        with pytest.raises(SelectionError, match="facilitator turns are not coded"):
            review.add_coding(project, who, doc, at, at + 7, "value")
        assert reviews.reviews_frame(project).empty


@pytest.mark.parametrize("start, end, code, message", [
    (0, 3, "value", "lie in no turn"),                        # the label "Moderator"
    (None, 200, "value", "runs over more than one turn"),
    (None, None, "nonsense", "unknown code 'nonsense'"),
])
def test_bad_spans_and_codes_are_refused_and_nothing_is_written(study, start, end, code, message):
    with open_project(study) as project:
        who = review.reviewer(project, "bob")
        doc = project.document_id("scholars_north.txt")
        at = project.document_text(doc).index("We set clear")
        before = _state(project)
        with pytest.raises(SelectionError, match=message):
            review.add_coding(project, who, doc, at if start is None else start,
                              at + 6 if end is None else end, code)
        assert _state(project) == before and reviews.reviews_frame(project).empty


@pytest.mark.parametrize("name, message", [
    ("rules", "name of a machine tagger"), ("all", "not allowed"), ("Ann, Lee", "not allowed"),
    ("", "not allowed"), ("x" * 61, "not allowed")])
def test_coder_names_that_would_mix_with_others_are_refused(study, name, message):
    with open_project(study) as project, pytest.raises(SelectionError, match=message):
        review.reviewer(project, name)


def test_unknown_codebook_names_the_ones_there_are(study):
    with open_project(study) as project, pytest.raises(SelectionError, match="codebooks: Test book"):
        review.reviewer(project, "bob", codebook="Other")


def test_a_decision_while_another_process_writes_fails_clearly_and_writes_nothing(study, monkeypatch):
    import qualcode.store.project as store
    monkeypatch.setattr(store, "LOCK_TIMEOUT_SECONDS", 0.2)
    other = sqlite3.connect(study, isolation_level=None)
    with open_project(study) as project:
        who = review.reviewer(project, "bob")
        sid = _suggestion(project, "scholars_north.txt", 1, "value.clarity")
        before = _state(project)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(ProjectError, match="in use by another qualcode command"):
                review.accept(project, who, sid)
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert _state(project) == before and reviews.reviews_frame(project).empty
