"""Ingesting into a project: attributes, roles, pseudonyms, duplicates, all-or-nothing."""

import pytest

from qualcode.core.errors import InputError
from qualcode.analysis.corpus import segments_table, summarize
from qualcode.workflows.ingest import ingest
from qualcode.store.frames import documents_frame, segments_frame, speakers_frame
from qualcode.store.project import open_project

SCHOLARS = """Moderator: Welcome, everyone. Let's start with introductions.
P1: I'm a second-year scholar in cardiology.
P2: And I study sleep.
Moderator: How did you learn what your mentor expected?
P1: Honestly, nobody told me.
"""

MENTORS = """Facilitator: Thanks for coming.
Dr. Lee: Happy to be here.
P1: Me too, I mentor three scholars.
"""

SECOND_SCHOLARS = """Interviewer 1: One more question.
Dr. Lee: I am here again, as a guest.
"""


@pytest.fixture
def project(tmp_path):
    with open_project(tmp_path / "p.qcproj", create=True) as proj:
        yield proj


def test_ingest_assigns_roles_pseudonyms_and_attributes(project, write):
    a = write("scholars.txt", SCHOLARS)
    b = write("mentors.txt", MENTORS)
    result = ingest(project, [a], attributes={"role": "scholar", "site": "UW"})
    result2 = ingest(project, [b], attributes={"role": "mentor", "site": "UW"})
    assert [r["name"] for r in result.added + result2.added] == ["scholars.txt", "mentors.txt"]
    assert result.added[0]["turns"] == 5 and result.added[0]["speakers"] == 3
    speakers = speakers_frame(project)
    assert speakers[["document", "speaker", "participant", "role", "turns"]].values.tolist() == [
        ["scholars.txt", "Moderator", "F01", "facilitator", 2],
        ["scholars.txt", "P1", "S01", "scholar", 2],
        ["scholars.txt", "P2", "S02", "scholar", 1],
        ["mentors.txt", "Facilitator", "F02", "facilitator", 1],
        ["mentors.txt", "Dr. Lee", "M01", "mentor", 1],
        ["mentors.txt", "P1", "M02", "mentor", 1],
    ]
    docs = documents_frame(project)
    assert docs[["document", "role", "site", "turns"]].values.tolist() == [
        ["scholars.txt", "scholar", "UW", 5], ["mentors.txt", "mentor", "UW", 3]]


def test_named_participant_keeps_pseudonym_across_documents(project, write):
    ingest(project, [write("mentors.txt", MENTORS)], attributes={"role": "mentor"})
    ingest(project, [write("later.txt", SECOND_SCHOLARS)], attributes={"role": "scholar"})
    speakers = speakers_frame(project)
    lee = speakers[speakers["speaker"] == "Dr. Lee"]
    assert lee["participant"].tolist() == ["M01", "M01"]
    assert lee["role"].tolist() == ["mentor", "scholar"]


def test_same_content_twice_is_skipped_not_duplicated(project, write):
    a = write("scholars.txt", SCHOLARS)
    copy = write("copy/renamed.txt", SCHOLARS.replace("\n", "\r\n"))
    ingest(project, [a])
    result = ingest(project, [copy])
    assert result.added == []
    assert result.skipped == [(str(copy), "scholars.txt")]
    assert project.counts()["documents"] == 1


def test_failed_file_rolls_back_the_whole_ingest(project, write):
    good = write("scholars.txt", SCHOLARS)
    bad = write("empty.txt", "")
    with pytest.raises(InputError, match="empty.txt"):
        ingest(project, [good, bad])
    assert project.counts() == {"documents": 0, "participants": 0, "turns": 0, "words": 0, "codings": 0}


def test_manifest_and_speakers_tables(project, write):
    write("g1.txt", SCHOLARS)
    write("g2.txt", MENTORS)
    manifest = write("manifest.csv", "file,role,site\ng1.txt,Scholar,Northfield\ng2.txt,mentor,Lakeshore\n")
    speakers = write("speakers.csv", "document,label,participant,role\n"
                     "g1.txt,P1,S07,\n"
                     ",Moderator,F01,facilitator\n"
                     ",Facilitator,F01,\n"
                     "g2.txt,Dr. Lee,M09,mentor\n"
                     "g2.txt,Nobody,X1,\n")
    result = ingest(project, manifest=manifest, speakers=speakers)
    assert [r["name"] for r in result.added] == ["g1.txt", "g2.txt"]
    assert result.warnings == [f"{speakers}, line 6: speaker 'Nobody' not found in g2.txt"]
    stored = speakers_frame(project)
    assert stored[["document", "speaker", "participant", "role"]].values.tolist() == [
        ["g1.txt", "Moderator", "F01", "facilitator"],
        ["g1.txt", "P1", "S07", "scholar"],
        ["g1.txt", "P2", "S01", "scholar"],
        ["g2.txt", "Facilitator", "F01", "facilitator"],
        ["g2.txt", "Dr. Lee", "M09", "mentor"],
        ["g2.txt", "P1", "M01", "mentor"],
    ]
    assert documents_frame(project)[["document", "role", "site"]].values.tolist() == [
        ["g1.txt", "scholar", "Northfield"], ["g2.txt", "mentor", "Lakeshore"]]


def test_manifest_paths_may_use_either_separator(project, write):
    """A manifest written on Windows (sub\\g1.txt) reads the same elsewhere, and the other way round."""
    write("groups/north/g1.txt", SCHOLARS)
    write("groups/g2.txt", MENTORS)
    manifest = write("manifest.csv", "file,role\ngroups\\north\\g1.txt,scholar\ngroups/g2.txt,mentor\n")
    result = ingest(project, manifest=manifest)
    assert [r["name"] for r in result.added] == ["g1.txt", "g2.txt"]


def test_manifest_errors_name_file_and_line(project, write):
    manifest = write("manifest.csv", "name,role\ng1.txt,scholar\n")
    with pytest.raises(InputError, match=r"manifest.csv, line 1: no file column"):
        ingest(project, manifest=manifest)
    manifest = write("m2.csv", "file,role\ng1.txt,scholar\ng1.txt,mentor\n")
    with pytest.raises(InputError, match=r"m2.csv, line 3: 'g1.txt' is listed twice \(first on line 2\)"):
        ingest(project, manifest=manifest)


def test_segments_table_slices_text_and_can_drop_facilitators(project, write):
    ingest(project, [write("scholars.txt", SCHOLARS)], attributes={"role": "scholar"})
    table = segments_table(project)
    assert table["text"].tolist()[:2] == ["Welcome, everyone. Let's start with introductions.",
                                         "I'm a second-year scholar in cardiology."]
    without = segments_table(project, include_facilitators=False)
    assert without[["turn", "participant"]].values.tolist() == [[1, "S01"], [2, "S02"], [4, "S01"]]
    summary = summarize(project)
    assert summary.roles.values.tolist() == [["facilitator", 1, 2, 14], ["scholar", 2, 3, 15]]


def test_unidentified_voices_get_their_own_role_not_the_groups(project, write):
    transcript = write("g.txt", "Moderator: Hello.\nP1: Hi.\nUnknown Speaker: Is this room 4?\n"
                                "Multiple speakers: [laughter] Yes!\nSpeaker 2: Shall we start?\n")
    ingest(project, [transcript], attributes={"role": "scholar"})
    speakers = speakers_frame(project)
    assert speakers[["speaker", "participant", "role"]].values.tolist() == [
        ["Moderator", "F01", "facilitator"], ["P1", "S01", "scholar"],
        ["Unknown Speaker", "U01", "unidentified"], ["Multiple speakers", "U02", "unidentified"],
        ["Speaker 2", "S02", "scholar"]]


def test_progress_is_told_each_file_before_it_is_read(project, write):
    a, b = write("a.txt", SCHOLARS), write("b.txt", MENTORS)
    calls = []
    ingest(project, [a, b, a], progress=lambda number, total, path: calls.append((number, total, path)))
    assert calls == [(1, 2, a), (2, 2, b)]  # a file named twice is read once


def test_the_manifest_is_read_once(project, write, monkeypatch):
    import qualcode.workflows.ingest as job

    write("g1.txt", SCHOLARS)
    manifest = write("manifest.csv", "file,role\ng1.txt,scholar\n")
    reads = []
    read = job.read_manifest
    monkeypatch.setattr(job, "read_manifest", lambda path: reads.append(path) or read(path))
    steps = []
    ingest(project, manifest=manifest, progress=lambda *step: steps.append(step[:2]))
    assert reads == [manifest] and steps == [(1, 1)]


def test_ingest_with_redaction_replaces_names_in_the_new_documents_only(project, write):
    text = "P1: Dr. Lee told me so.\nDr. Lee: I did, said Lee.\n"
    ingest(project, [write("old.txt", text)], attributes={"role": "scholar"})
    result = ingest(project, [write("new.txt", text + "P1: Right.\n")], attributes={"role": "scholar"},
                    redact=True)
    texts = segments_frame(project).groupby("document")["text"].apply(list).to_dict()
    assert texts == {"old.txt": ["Dr. Lee told me so.", "I did, said Lee."],
                     "new.txt": ["[S02] told me so.", "I did, said [S02].", "Right."]}
    plan = result.redaction
    # two names in turns, one in the "Dr. Lee:" speaker line
    assert (plan.documents, plan.turns, len(plan.changes), plan.dry_run) == (1, 2, 3, False)


def test_names_without_redaction_are_refused_before_anything_is_read(project, write):
    from qualcode.core.errors import ParameterError
    from qualcode.store.names import NameEntry

    with pytest.raises(ParameterError, match="used only when redacting"):
        ingest(project, [write("a.txt", SCHOLARS)], names=[NameEntry("Pat", "[a colleague]", 1)])
    assert project.counts()["documents"] == 0
