"""Counts checked against tests/projects.py, whose numbers are worked out by hand there."""

import pandas as pd
import pytest

from projects import CODES, CODINGS, DOCUMENTS, build_project
from qualcode.analysis import CodeTree, counts_by, counts_wide, select_codings
from qualcode.core.errors import SelectionError
from qualcode.store.frames import segments_frame
from qualcode.store.project import open_project


@pytest.fixture
def project(tmp_path):
    with open_project(build_project(tmp_path / "study.qcproj")) as opened:
        yield opened


def table(counts, *columns):
    return {(r.code, r.group): tuple(getattr(r, c) for c in columns) for r in counts.itertuples()}


def test_counts_by_role_with_rollup(project):
    counts = counts_by(project, "role", coder="rules")
    got = table(counts, "mentions", "turns", "group_turns", "participants", "group_participants",
                "documents")
    assert got == {
        # value rolls up clarity and trust: scholar turns N1, N2, S1 (one turn with two children
        # counts once); mentors M1, M3, M4 with 4 passages (M3 has two clarity sentences)
        ("value", "scholar"): (4, 3, 7, 3, 4, 2),
        ("value", "mentor"): (4, 3, 4, 2, 3, 1),
        ("value.clarity", "scholar"): (2, 2, 7, 2, 4, 1),
        ("value.clarity", "mentor"): (3, 2, 4, 1, 3, 1),   # one participant, two turns, three passages
        ("value.trust", "scholar"): (1, 1, 7, 1, 4, 1),
        ("value.trust", "mentor"): (1, 1, 4, 1, 3, 1),
        ("power", "scholar"): (3, 3, 7, 3, 4, 2),
        ("power", "mentor"): (0, 0, 4, 0, 3, 0),           # M02's fear coding is rejected
        ("power.fear", "scholar"): (2, 2, 7, 2, 4, 2),
        ("power.fear", "mentor"): (0, 0, 4, 0, 3, 0),
        ("tools", "scholar"): (0, 0, 7, 0, 4, 0),          # only alice coded tools
        ("tools", "mentor"): (0, 0, 4, 0, 3, 0),
    }
    assert list(counts["group"].unique()) == ["scholar", "mentor"]
    assert list(counts["code"].unique()) == ["value", "value.clarity", "value.trust", "power",
                                             "power.fear", "tools"]
    assert counts.loc[(counts["code"] == "value") & (counts["group"] == "mentor"), "share"].item() == 0.75
    assert counts.attrs["selection"] == ("12 codings from codebook Test book 1.0; coder rules; "
                                         "status suggested or accepted")


def test_without_rollup_a_parent_counts_only_its_own_codings(project):
    counts = counts_by(project, "role", coder="rules", rollup=False)
    got = table(counts, "mentions", "turns", "participants")
    assert got[("value", "scholar")] == (1, 1, 1)   # S03's general value statement
    assert got[("value", "mentor")] == (0, 0, 0)
    assert got[("power", "scholar")] == (1, 1, 1)
    assert got[("value.clarity", "mentor")] == (3, 2, 1)


def test_facilitators_are_left_out_unless_asked(project):
    counts = counts_by(project, "role", coder="rules", include_facilitators=True)
    got = table(counts, "turns", "group_turns", "participants", "group_participants")
    assert list(counts["group"].unique()) == ["scholar", "mentor", "facilitator"]
    # the moderator's "Expectations matter, then?" was coded value; 4 facilitator turns, F01 and F02
    assert got[("value", "facilitator")] == (1, 4, 1, 2)
    assert got[("value", "scholar")] == (3, 7, 3, 4)


def test_counts_by_site_document_and_participant(project):
    by_site = table(counts_by(project, "site", coder="rules"), "turns", "group_turns", "participants",
                    "documents")
    assert by_site[("value", "North")] == (5, 8, 4, 2)    # N1 N2 M1 M3 M4; S01 S02 M01 M03
    assert by_site[("value", "South")] == (1, 3, 1, 1)
    assert by_site[("power", "North")] == (1, 8, 1, 1)
    by_doc = table(counts_by(project, "document", coder="rules"), "turns", "group_turns")
    assert by_doc[("value", "scholars_south.txt")] == (1, 3)
    assert by_doc[("power", "scholars_south.txt")] == (2, 3)
    by_person = counts_by(project, "participant", coder="rules")
    assert list(by_person["group"].unique()) == ["M01", "M02", "M03", "S01", "S02", "S03", "S04"]
    person = table(by_person, "mentions", "turns", "group_turns", "share")
    assert person[("value", "S01")] == (2, 1, 2, 0.5)
    assert person[("value.clarity", "M01")] == (3, 2, 2, 1.0)


def test_total_group_and_wide_view(project):
    counts = counts_by(project, "role", coder="rules", total=True)
    assert list(counts["group"].unique()) == ["scholar", "mentor", "all"]
    got = table(counts, "turns", "group_turns", "participants", "group_participants")
    assert got[("value", "all")] == (6, 11, 5, 7)
    wide = counts_wide(counts, "turns")
    assert list(wide.columns) == ["code", "name", "theme", "depth", "scholar", "mentor", "all"]
    assert wide.set_index("code").loc["power"].tolist() == ["Power differential", "power", 0, 3, 0, 3]


def test_several_coders_count_the_person_where_they_read_and_the_tagger_elsewhere(project):
    both = counts_by(project, "role")
    assert both.attrs["selection"] == (
        "13 codings from codebook Test book 1.0; coder alice where alice read the turn, else rules (the "
        "default with several coders: --coder chooses); status suggested or accepted")
    assert table(both, "turns")[("tools", "scholar")] == (1,) and table(both, "turns")[("value", "scholar")] == (3,)
    alice = table(counts_by(project, "role", coder="alice"), "turns")
    assert alice[("tools", "scholar")] == (1,)
    assert alice[("value", "scholar")] == (0,)
    pooled = table(counts_by(project, "role", coder="all"), "turns")
    assert pooled[("tools", "scholar")] == (1,)
    assert pooled[("value", "scholar")] == (3,)


def test_status_selection(project):
    accepted = counts_by(project, "role", coder="rules", status="accepted")
    got = table(accepted, "turns")
    assert got[("value", "scholar")] == (1,)
    assert sum(accepted["turns"]) == 1
    with_rejected = table(counts_by(project, "role", coder="rules",
                                    status=("suggested", "accepted", "rejected")), "turns")
    assert with_rejected[("power.fear", "mentor")] == (1,)
    with pytest.raises(SelectionError, match="unknown status 'final'"):
        counts_by(project, "role", coder="rules", status="final")


def test_empty_and_unknown_selections(tmp_path, project):
    with pytest.raises(SelectionError, match="cannot group by 'colour'; use role, document, "
                                             r"participant or a document attribute \(group, role, site\)"):
        counts_by(project, "colour", coder="rules")
    with pytest.raises(SelectionError, match="no codings by coder 'bob'"):
        counts_by(project, "role", coder="bob")
    with pytest.raises(SelectionError, match="no codings for codebook 'Other'; codebooks with codings: "
                                             "Test book 1.0"):
        counts_by(project, "role", codebook="Other")
    with open_project(build_project(tmp_path / "empty.qcproj", codings=[])) as empty, \
            pytest.raises(SelectionError, match="the project has no codings yet"):
        counts_by(empty, "role")
    only_facilitator = [c for c in CODINGS if c[1] == 3 and c[0] == "scholars_north.txt"]
    with open_project(build_project(tmp_path / "fac.qcproj", codings=only_facilitator)) as fac, \
            pytest.raises(SelectionError, match="none of the 1 selected codings is on participant turns"):
        counts_by(fac, "role")


def test_most_recent_codebook_is_the_default(tmp_path):
    path = build_project(tmp_path / "two.qcproj")
    with open_project(path) as project, project.transaction():
        new_id = project.add_codebook("Second book", "2", "f" * 64, None, None,
                                      [("tools", None, "tools", "Tools", "")])
        doc_id = project.document_id("mentors_north.txt")
        seg = segments_frame(project, document="mentors_north.txt").iloc[2]
        project.add_codings([{"document_id": doc_id, "segment_id": int(seg["segment_id"]),
                              "codebook_id": new_id, "code": "tools", "start": int(seg["start"]),
                              "end": int(seg["end"]), "coder": "rules", "coder_kind": "machine"}])
    with open_project(path) as project:
        selection = select_codings(project)
        assert (selection.codebook, selection.coders, selection.codings) == ("Second book 2", ("rules",), 1)
        counts = counts_by(project, "role")
        assert table(counts, "turns") == {("tools", "scholar"): (0,), ("tools", "mentor"): (1,)}
        older = counts_by(project, "role", codebook="Test book", coder="rules")
        assert table(older, "turns")[("value", "mentor")] == (3,)


def test_coding_without_turn_is_placed_by_its_offset(project):
    with project.transaction():
        project.conn.execute("UPDATE codings SET segment_id = NULL")
    counts = counts_by(project, "role", coder="rules")
    assert table(counts, "turns")[("value", "scholar")] == (3,)
    assert table(counts, "participants")[("value", "mentor")] == (2,)


def test_code_tree():
    tree = CodeTree(pd.DataFrame(CODES, columns=["code", "parent", "theme", "name", "definition"])
                    .assign(position=range(len(CODES))), extra=["stray"])
    assert tree.ancestors("value.trust") == ["value.trust", "value"]
    assert tree.descendants("value") == ["value", "value.clarity", "value.trust"]
    assert tree.theme("power.fear") == "power"
    assert tree.display_order[-1] == "stray" and tree.depth("stray") == 0
    assert sorted(DOCUMENTS) == ["mentors_north.txt", "scholars_north.txt", "scholars_south.txt"]
