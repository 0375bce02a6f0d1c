"""A corrected transcript replaces its document (ingest --replace): human codings on unchanged
turns follow them, the rest are listed (and refused without force), machine codings go; and
attribute values that look like slips of existing ones are warned about at ingest."""

from __future__ import annotations

import pytest

from qualcode.core.errors import InputError
from qualcode.store.frames import coverage_frame, documents_frame, speakers_frame
from qualcode.store.project import open_project
from qualcode.workflows.edit import set_speakers
from qualcode.workflows.ingest import ingest
from qualcode.workflows.replace import match_turns

ORIGINAL = """Moderator: What did you expect from your mentor?
Ana: Clear goals from the start.
Ben: Honestly, I expected less.
Moderator: Why?
Ana: Nobody told me anything.
"""
# turn 2 corrected, a turn inserted after turn 1, the rest unchanged
CORRECTED = """Moderator: What did you expect from your mentor?
Ana: Clear goals from the start.
Cy: Same for me.
Ben: Honestly, I expected much less.
Moderator: Why?
Ana: Nobody told me anything.
"""


@pytest.fixture
def project(tmp_path, write):
    with open_project(tmp_path / "p.qcproj", create=True) as proj:
        ingest(proj, [write("group.txt", ORIGINAL)], attributes={"role": "scholar", "site": "North"})
        turns = {t["turn"]: t for t in proj.document_turns(1)}
        text = proj.document_text(1)
        with proj.transaction():
            book = proj.add_codebook("Book", "1", "h", None, None, [("goals", None, "goals", "Goals", "")])

            def coding(turn, words, coder):
                start = text.index(words, turns[turn]["start"])
                return {"document_id": 1, "segment_id": turns[turn]["segment_id"], "codebook_id": book,
                        "code": "goals", "start": start, "end": start + len(words), "coder": coder,
                        "coder_kind": "machine" if coder == "rules" else "human"}

            proj.add_codings([coding(1, "Clear goals", "alice"), coding(2, "expected less", "alice"),
                              coding(4, "Nobody told me", "alice"), coding(1, "goals", "rules"),
                              coding(4, "told me", "rules")])
            proj.add_coverage("alice", book, [turns[t]["segment_id"] for t in (1, 2, 4)])
            proj.add_coverage("rules", book, [turns[t]["segment_id"] for t in (1, 2, 4)])
        yield proj


def _codings(project):
    text = project.document_text(1)
    return [(r["coder"], r["turn"], text[r["start"]:r["end"]]) for r in project.conn.execute(
        "SELECT c.coder, s.turn, c.start, c.end FROM codings c JOIN segments s ON s.id = c.segment_id"
        " ORDER BY c.start, c.coder")]


def test_human_codings_on_changed_turns_refuse_the_replacement(project, write):
    corrected = write("new/group.txt", CORRECTED)
    with pytest.raises(InputError) as err:
        ingest(project, [corrected], replace=True)
    assert str(err.value) == (
        f"{corrected}: the new text would drop 1 human coding (alice 1): alice turn 2 goals, on turns "
        "that changed; group.txt was not replaced (give --force to replace it anyway)")
    assert project.document_text(1).startswith("Moderator: What did you expect")
    assert "Cy" not in project.document_text(1)
    assert len(_codings(project)) == 5


def test_with_force_unchanged_turns_keep_their_human_codings(project, write):
    set_speakers(project, "Ben", participant="S07")          # a fix made before the correction
    result = ingest(project, [write("new/group.txt", CORRECTED)], replace=True, force=True,
                    attributes={"site": "Northfield"})
    assert result.added == [] and result.skipped == []
    (item,) = result.replaced
    assert (item.document, item.turns_before, item.turns_after, item.unchanged_turns, item.kept,
            item.machine_dropped) == ("group.txt", 5, 6, 4, 2, 2)
    assert [(c["coder"], c["turn"], c["code"]) for c in item.lost] == [("alice", 2, "goals")]
    assert _codings(project) == [("alice", 1, "Clear goals"), ("alice", 5, "Nobody told me")]
    assert "Cy: Same for me." in project.document_text(1)
    speakers = speakers_frame(project)
    assert speakers[["speaker", "participant", "role", "turns"]].values.tolist() == [
        ["Moderator", "F01", "facilitator", 2], ["Ana", "S01", "scholar", 2], ["Cy", "S03", "scholar", 1],
        ["Ben", "S07", "scholar", 1]]
    covered = coverage_frame(project)
    turns = {t["segment_id"]: t["turn"] for t in project.document_turns(1)}
    assert covered["coder"].tolist() == ["alice", "alice"]  # the tagger has not read the new text
    assert sorted(turns[s] for s in covered["segment_id"]) == [1, 5]
    docs = documents_frame(project)
    assert docs[["document", "turns", "role", "site"]].values.tolist() == [["group.txt", 6, "scholar",
                                                                           "Northfield"]]


def test_replace_needs_a_document_of_that_name_and_skips_the_same_text(project, write):
    with pytest.raises(InputError) as err:
        ingest(project, [write("groupe.txt", CORRECTED)], replace=True)
    assert err.value.message == ("no document 'groupe.txt' in the project to replace (did you mean "
                                 "'group.txt'?); the new text must have the name of the one it replaces "
                                 "(or ingest it without --replace)")
    same = ingest(project, [write("again/group.txt", ORIGINAL)], replace=True)
    assert same.replaced == [] and same.skipped == [(str(write("again/group.txt", ORIGINAL)), "group.txt")]


def test_a_new_document_role_reaches_the_speakers_that_had_the_old_one(project, write):
    ingest(project, [write("new/group.txt", ORIGINAL.replace("less.", "less!"))], replace=True,
           force=True, attributes={"role": "mentor"})
    assert speakers_frame(project)["role"].tolist() == ["facilitator", "mentor", "mentor"]


def test_turns_line_up_by_their_text_in_order():
    assert match_turns(["Hi.", "Yes.", "A long answer.", "Yes.", "Bye."],
                       ["Hi.", "Yes.", "A longer answer.", "Yes.", "New.", "Bye."]) == {
        0: 0, 1: 1, 3: 3, 4: 5}


def test_attribute_values_like_existing_ones_warn_at_ingest(tmp_path, write):
    with open_project(tmp_path / "w.qcproj", create=True) as project:
        first = ingest(project, [write("a.txt", "P1: One.\n")], attributes={"role": "mentor", "site": "Northfield",
                                                                           "group": "NF-M1"})
        second = ingest(project, [write("b.txt", "P1: Two.\n")], attributes={"role": "mentors", "site": "Northfeld",
                                                                            "group": "NF-S1"})
        third = ingest(project, [write("c.txt", "P1: Three.\n")], attributes={"role": "scholar",
                                                                             "site": "northfield"})
    assert first.warnings == []
    assert second.warnings == [
        "b.txt: role 'mentors' is new in the project; did you mean 'mentor' (in 1 document)?",
        "b.txt: site 'Northfeld' is new in the project; did you mean 'Northfield' (in 1 document)?"]
    assert third.warnings == ["c.txt: site 'northfield' is new in the project; did you mean 'Northfield' "
                              "(in 1 document)?"]
