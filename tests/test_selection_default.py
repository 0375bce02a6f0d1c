"""Who counts: voices that name nobody stay out unless asked, and with several coders the
analyses use a documented default (the person where they read, the tagger elsewhere) and say so."""

from __future__ import annotations

import re

import pytest

from projects import CODINGS, DOCUMENTS, build_project
from qualcode.analysis import counts_by, excerpts_table, select_codings
from qualcode.analysis.report import report_data
from qualcode.core.errors import SelectionError
from qualcode.store.project import open_project

attrs, turns = DOCUMENTS["scholars_south.txt"]
WITH_ALL = {**DOCUMENTS, "scholars_south.txt": (attrs, turns + [
    ("ALL", "U01", "unidentified", "Yes, trust matters.", "Agreed.", None)])}
ALL_CODED = CODINGS + [("scholars_south.txt", 4, 0, "value.trust", "rules", "suggested")]


def cell(counts, code, group, column="turns"):
    row = counts[(counts["code"] == code) & (counts["group"] == group)]
    return int(row[column].iloc[0])


def test_unidentified_voices_are_left_out_unless_asked(tmp_path):
    with open_project(build_project(tmp_path / "u.qcproj", documents=WITH_ALL, codings=ALL_CODED)) as project:
        counts = counts_by(project, "role", coder="rules")
        asked = counts_by(project, "role", coder="rules", include_unidentified=True)
        quotes = excerpts_table(project, coder="rules")
        all_quotes = excerpts_table(project, coder="rules", include_unidentified=True)
        data = report_data(project, coder="rules")
        with_them = report_data(project, coder="rules", include_unidentified=True)
    assert sorted(set(counts["group"])) == ["mentor", "scholar"]
    assert cell(counts, "value.trust", "scholar") == 1 and cell(counts, "value.trust", "scholar", "group_turns") == 7
    assert (cell(asked, "value.trust", "unidentified"), cell(asked, "value.trust", "unidentified", "group_turns")) \
        == (1, 1)
    assert "U01" not in set(quotes["participant"])
    assert all_quotes[all_quotes["participant"] == "U01"]["text"].tolist() == ["Yes, trust matters."]
    assert (data.left_out, with_them.left_out) == ("facilitators and unidentified voices", "facilitators")
    assert "unidentified" not in set(data.counts["group"]) and "unidentified" in set(with_them.counts["group"])


def test_a_person_and_a_tagger_the_person_where_they_read(tmp_path):
    path = build_project(tmp_path / "p.qcproj")
    with open_project(path) as project:
        with project.transaction():   # alice read every participant turn of scholars_north, coded t5 only
            ids = [t["segment_id"] for t in project.document_turns(1) if t["role"] != "facilitator"]
            project.add_coverage("alice", 1, ids)
        chosen = select_codings(project)
        counts = counts_by(project, "role")
        asked = counts_by(project, "role", coder="alice+rules")
        rules = counts_by(project, "role", coder="rules")
    assert (chosen.coders, chosen.reviewer, chosen.codings, chosen.coder) == (("alice", "rules"), "alice", 9,
                                                                              "alice+rules")
    assert chosen.describe() == ("9 codings from codebook Test book 1.0; coder alice where alice read the turn, "
                                 "else rules (the default with several coders: --coder chooses); status "
                                 "suggested or accepted")
    # the rules' clarity codings on scholars_north (turns alice read) give way to alice's none
    assert (cell(counts, "value.clarity", "scholar"), cell(rules, "value.clarity", "scholar")) == (0, 2)
    assert (cell(counts, "value.clarity", "mentor"), cell(counts, "tools", "scholar")) == (2, 1)
    assert counts[["code", "group", "turns"]].equals(asked[["code", "group", "turns"]])


def test_only_taggers_the_one_that_coded_last_only_people_the_one_who_read_most(tmp_path):
    codings = CODINGS + [("mentors_north.txt", 1, 0, "power", "ml", "suggested")]
    with open_project(build_project(tmp_path / "t.qcproj", codings=codings)) as project:
        with project.transaction():
            project.conn.execute("UPDATE codings SET coder_kind = 'machine' WHERE coder = 'ml'")
            project.conn.execute("UPDATE codings SET created_at = '2024-01-01T00:00:00+00:00' WHERE coder = 'rules'")
            project.conn.execute("UPDATE codings SET created_at = '2025-01-01T00:00:00+00:00' WHERE coder = 'ml'")
        taggers = select_codings(project, status="suggested")   # alice's coding is accepted
    assert (taggers.coders, taggers.reviewer) == (("ml",), None)
    assert taggers.describe().startswith("1 codings from codebook Test book 1.0; coder ml (the default")
    people = [("scholars_north.txt", 1, 0, "value", "alice", "accepted"),
              ("scholars_north.txt", 2, 0, "value", "bob", "accepted"),
              ("scholars_north.txt", 4, 0, "power", "bob", "accepted")]
    with open_project(build_project(tmp_path / "h.qcproj", codings=people)) as project:
        assert select_codings(project).coders == ("bob",)   # bob read two turns, alice one


def test_asking_for_a_pair_that_is_not_one(tmp_path):
    with open_project(build_project(tmp_path / "p.qcproj")) as project:
        for coder, message in (("alice+alice", "--coder alice+alice needs two coders of one codebook"),
                               ("alice+bob", "no codings by coder 'bob' in codebook Test book 1.0")):
            with pytest.raises(SelectionError, match=re.escape(message)):
                select_codings(project, coder=coder)
        assert select_codings(project, coder="rules").describe() == (
            "12 codings from codebook Test book 1.0; coder rules; status suggested or accepted")
