"""Redaction: names become pseudonyms, and every offset still slices the same words."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, strategies as st

from conftest import whole_tables_refused
from interrupt import snapshot
from qualcode.core.errors import InputError
from qualcode.workflows.ingest import ingest
from qualcode.core.spans import OffsetMap, apply_replacements
from qualcode.store.names import NameEntry, personal_name, read_names
from qualcode.workflows.redact import redact_project
from qualcode.store.frames import codings_frame, segments_frame, speakers_frame
from qualcode.store.project import open_project

TRANSCRIPT = """\
Moderator: Welcome, Ana Ruiz and Dr. Okafor.
Ana Ruiz: Thanks. Okafor and I met early; ANA knows it. Anastasia does not count.
Dr. Okafor: Ana, yes. Will said the same, and we will see. Dr Okafor agrees with dr. okafor.
Will Hunt: Jordan Lee told me so.
"""


# ------------------------------------------------------------------ the offset map

def test_apply_replacements_and_the_offset_map():
    text = "Hi Ana Ruiz, meet Bo."
    new, offsets = apply_replacements(text, [(3, 11, "[S01]"), (18, 20, "[S02]")])
    assert new == "Hi [S01], meet [S02]."
    assert [offsets.start(i) for i in (0, 3, 5, 11, 12, 18, 20, 21)] == [0, 3, 3, 8, 9, 15, 20, 21]
    assert [offsets.end(i) for i in (0, 3, 5, 11, 12, 18, 20, 21)] == [0, 3, 8, 8, 9, 15, 20, 21]
    # a span cutting into a name grows to the whole pseudonym
    assert new[slice(*offsets.span(5, 14))] == "[S01], m"
    assert new[slice(*offsets.span(0, 3))] == "Hi "
    with pytest.raises(ValueError, match=r"replacement \(4, 6\) is empty, overlaps another"):
        apply_replacements(text, [(3, 5, "x"), (4, 6, "y")])


@st.composite
def text_with_replacements(draw):
    text = draw(st.text(st.sampled_from("ab c\n"), min_size=1, max_size=40))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8, unique=True)))
    pairs = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
    replacements = [(s, e, draw(st.text(st.sampled_from("[XY]"), max_size=6))) for s, e in pairs]
    return text, replacements


@given(case=text_with_replacements(), data=st.data())
def test_spans_keep_their_words_after_replacement(case, data):
    """A span whose ends lie outside every replaced span slices, in the new text, exactly
    its old text with the replacements inside it applied."""
    text, replacements = case
    new, offsets = apply_replacements(text, replacements)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    inside = [(s, e, r) for s, e, r in replacements if start <= s and e <= end]
    cut = any(s < start < e or s < end < e for s, e, _ in replacements)
    if not cut:
        expected, _ = apply_replacements(text[start:end], [(s - start, e - start, r) for s, e, r in inside])
        assert new[slice(*offsets.span(start, end))] == expected
    new_start, new_end = offsets.span(start, end)
    assert 0 <= new_start <= new_end <= len(new)
    assert offsets.span(0, len(text)) == (0, len(new))


def test_an_empty_map_changes_nothing():
    assert OffsetMap().span(3, 9) == (3, 9)


# ------------------------------------------------------------------ names

@pytest.mark.parametrize("label,name", [
    ("Dr. Okafor", "Okafor"), ("Hal Brennan (he/him)", "Hal Brennan"), ("Ana Ruiz", "Ana Ruiz"),
    ("P1", None), ("Speaker 2", None), ("Moderator", None), ("Participant 4", None),
    ("Unidentified Speaker", None), ("MODERATOR", None), ("Prof. Ana de Cruz", "Ana de Cruz"), ("Ana María de la Cruz Soto", None),
    ("Reyes, Nadia", "Nadia Reyes"), ("de Cruz, Ana", "Ana de Cruz"), ("Smith, J., Jr", None), ("Note, see", None),
])
def test_personal_names_in_labels(label, name):
    assert personal_name(label) == name


def test_read_names(write):
    path = write("names.txt", "# people mentioned\nJordan Lee\n\nSam Ortiz, [a colleague]\n")
    assert read_names(path) == [NameEntry("Jordan Lee", None, 2), NameEntry("Sam Ortiz", "[a colleague]", 4)]
    with pytest.raises(InputError, match=r"bad.txt, line 1: not a name: '---'"):
        read_names(write("bad.txt", "---\n"))


# ------------------------------------------------------------------ a project

@pytest.fixture
def project(tmp_path, write):
    path = write("group.txt", TRANSCRIPT)
    speakers = write("speakers.csv", "document,label,participant,role\n,Ana Ruiz,S01,scholar\n"
                                     ",Dr. Okafor,M01,mentor\n,Will Hunt,S02,scholar\n")
    with open_project(tmp_path / "p.qcproj", create=True) as proj:
        ingest(proj, [path], speakers=speakers)
    return tmp_path / "p.qcproj"


def _add_coding(proj, excerpt: str, occurrence: int = 0, code: str = "x"):
    text = proj.document_text(1)
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(excerpt, start + 1)
    seg = segments_frame(proj)
    seg = seg[(seg["start"] <= start) & (start < seg["end"])].iloc[0]
    evidence = {"scope": "sentence", "hits": [{"rule": "r", "matched": excerpt, "start": start,
                                               "end": start + len(excerpt)}]}
    with proj.transaction():
        proj.add_codings([{"document_id": 1, "segment_id": int(seg["segment_id"]), "code": code,
                           "start": start, "end": start + len(excerpt), "coder": "alice",
                           "coder_kind": "human", "evidence": evidence}])


def test_redact_replaces_names_and_keeps_every_offset(project):
    with open_project(project) as proj:
        _add_coding(proj, "Ana Ruiz and Dr. Okafor.")             # spans two names
        _add_coding(proj, "uiz and Dr")                           # starts and ends inside names
        _add_coding(proj, "Anastasia does not count.")            # after a replaced name
        _add_coding(proj, "Jordan Lee told me so.", code="y")
        plan = redact_project(proj, [NameEntry("Jordan Lee")])
        turns = segments_frame(proj)
        codings = codings_frame(proj)
        text = proj.document_text(1)
    assert list(turns["text"]) == [
        "Welcome, [S01] and [M01].",
        "Thanks. [M01] and I met early; [S01] knows it. Anastasia does not count.",
        "[S01], yes. Will said the same, and we will see. [M01] agrees with [M01].",
        "[name] told me so."]
    assert text.startswith("Moderator: Welcome, [S01] and [M01].\n\n[S01]: Thanks.")
    assert list(turns["words"]) == [4, 13, 14, 4]
    assert list(codings["text"]) == ["[S01] and [M01].", "[S01] and [M01]", "Anastasia does not count.",
                                     "[name] told me so."]
    for row in codings.itertuples():  # the evidence offsets moved with the text
        hit = json.loads(row.evidence)["hits"][0]
        assert (hit["start"], hit["end"]) == (row.start, row.end)
    # "Will" alone is a common word: only the full name "Will Hunt" (a speaker line) is replaced
    assert plan.skipped == ["Will"]
    assert "[S02]: [name] told me so." in text
    assert (plan.documents, plan.turns, plan.codings, len(plan.changes)) == (1, 4, 4, 11)
    assert [(c.turn, c.original, c.replacement) for c in plan.changes[:4]] == [
        (0, "Ana Ruiz", "[S01]"), (0, "Dr. Okafor", "[M01]"), (None, "Ana Ruiz", "[S01]"),
        (1, "Okafor", "[M01]")]


def test_redaction_reads_a_document_at_a_time_and_moves_codings_on_no_turn(project):
    """The whole-project frames are not read; a coding stored without its turn (one of
    the document's codings all the same) moves with the text too."""
    with open_project(project) as proj:
        _add_coding(proj, "Jordan Lee told me so.", code="y")
        text = proj.document_text(1)
        start = text.index("Okafor.")
        with proj.transaction():
            proj.add_codings([{"document_id": 1, "segment_id": None, "code": "z", "start": start,
                               "end": start + len("Okafor.\n\nAna Ruiz"), "coder": "alice",
                               "coder_kind": "human"}])
        with whole_tables_refused("codings_frame", "segments_frame", "documents_frame"):
            plan = redact_project(proj, [NameEntry("Jordan Lee")])
        codings = codings_frame(proj)
    assert plan.codings == 2
    assert sorted(codings["text"]) == ["[M01].\n\n[S01]", "[name] told me so."]


def test_a_dry_run_changes_nothing_and_a_second_run_finds_nothing(project):
    before = snapshot(project)
    with open_project(project) as proj:
        plan = redact_project(proj, dry_run=True)
    assert snapshot(project) == before
    assert plan.dry_run and len(plan.changes) == 10
    with open_project(project) as proj:
        assert len(redact_project(proj).changes) == 10
        again = redact_project(proj)
    assert (again.documents, len(again.changes)) == (0, 0)


def test_a_shared_first_name_becomes_both_pseudonyms(tmp_path, write):
    path = write("g.txt", "Ana Ruiz: Hello.\nAna Silva: Hi, Ana.\n")
    with open_project(tmp_path / "p.qcproj", create=True) as proj:
        ingest(proj, [path], attributes={"role": "scholar"})
        redact_project(proj)
        assert list(segments_frame(proj)["text"]) == ["Hello.", "Hi, [S01/S02]."]


def test_a_name_written_with_an_initial_is_replaced_whole(tmp_path, write):
    """Not only "Pike": "J. Pike", "J Pike", "J.Pike" and "Jordan P." lose their initials too."""
    path = write("g.txt", "Moderator: Thanks, J. Pike and Sam Ortiz.\nJordan Pike: As J Pike wrote, "
                          "ask Jordan P. or S. Ortiz. Even J.Pike, but not Jordan Pikes.\nSam Ortiz: Yes.\n")
    speakers = write("speakers.csv", "document,label,participant,role\n,Jordan Pike,S01,scholar\n"
                                     ",Sam Ortiz,M01,mentor\n")
    with open_project(tmp_path / "p.qcproj", create=True) as proj:
        ingest(proj, [path], speakers=speakers)
        plan = redact_project(proj)
        assert list(segments_frame(proj)["text"]) == [
            "Thanks, [S01] and [M01].", "As [S01] wrote, ask [S01] or [M01]. Even [S01], but not [S01] Pikes.",
            "Yes."]
    assert [c.original for c in plan.changes if c.turn is not None] == [
        "J. Pike", "Sam Ortiz", "J Pike", "Jordan P.", "S. Ortiz", "J.Pike", "Jordan"]


def test_an_article_before_a_surname_is_no_initial(tmp_path, write):
    path = write("g.txt", "Ann Baker: My aunt was a baker, said A. Baker.\n")
    with open_project(tmp_path / "p.qcproj", create=True) as proj:
        ingest(proj, [path], attributes={"role": "scholar"})
        redact_project(proj)
        assert list(segments_frame(proj)["text"]) == ["My aunt was a [S01], said [S01]."]


# ------------------------------------------------------------------ the commands

def test_redact_and_ingest_redact_commands(tmp_path, write):
    from click.testing import CliRunner

    from qualcode.cli import cli

    def run(*args):
        return CliRunner().invoke(cli, [str(a) for a in args])

    transcript = write("group.txt", TRANSCRIPT)
    names = write("names.txt", "Jordan Lee, [a colleague]\n")
    project = tmp_path / "p.qcproj"
    result = run("ingest", project, transcript, "--names", names)
    assert result.exit_code == 2 and "--names needs --redact" in result.stderr
    result = run("ingest", project, transcript, "--redact", "--names", names)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == ("replaced 11 names in 4 turns of 1 documents; 0 codings "
                                              "moved with the text")
    assert result.stderr.splitlines()[-1] == ("Note: 'Will' is a common word and is not replaced on its "
                                              "own; list it in --names to replace it")
    with open_project(project) as proj:
        assert segments_frame(proj)["text"].iloc[-1] == "[a colleague] told me so."
    result = run("redact", project, "--dry-run")
    assert result.exit_code == 0
    assert result.stdout == "would replace 0 names in 0 turns of 0 documents; 0 codings would move with the text\n"
    result = run("redact", project, "--names", write("bad.txt", "---\n"))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path / 'bad.txt'}, line 1: not a name: '---'\n"


def test_the_original_file_is_still_a_duplicate_after_redaction(project, tmp_path):
    with open_project(project) as proj:
        redact_project(proj)
        again = ingest(proj, [tmp_path / "group.txt"])
    assert (again.added, again.skipped) == ([], [(str(tmp_path / "group.txt"), "group.txt")])


def test_a_family_comma_given_label_is_replaced_as_written_and_by_each_name(tmp_path, write):
    path = write("teams.txt", "Reyes, Nadia: Welcome. Nadia here, with Dr. Reyes's notes.\n"
                              "Lee, Jordan: Thanks, Nadia.\nReyes, Nadia: Good.\nLee, Jordan: Yes.\n")
    with open_project(tmp_path / "p.qcproj", create=True) as proj:
        ingest(proj, [path])
        plan = redact_project(proj)
        text = proj.document_text(1)
        labels = speakers_frame(proj)["speaker"].tolist()
    assert text == ("[P01]: Welcome. [P01] here, with [P01]'s notes.\n\n[P02]: Thanks, [P01].\n\n"
                    "[P01]: Good.\n\n[P02]: Yes.")
    assert [(c.turn, c.original, c.replacement) for c in plan.changes] == [
        (None, "Reyes, Nadia", "[P01]"), (0, "Nadia", "[P01]"), (0, "Dr. Reyes", "[P01]"),
        (None, "Lee, Jordan", "[P02]"), (1, "Nadia", "[P01]"), (None, "Reyes, Nadia", "[P01]"),
        (None, "Lee, Jordan", "[P02]")]
    assert labels == ["Reyes, Nadia", "Lee, Jordan"]  # the project keeps its labels (for --real-names)
