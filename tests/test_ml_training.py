"""Training data from a project: covered turns, code-level labels, parents implied."""

from __future__ import annotations

import pytest

from ml_projects import COVERED, DOCUMENTS, PLAN, PLAN_COUNTS, build_ml_project, write_codebook
from qualcode.core.errors import SelectionError
from qualcode.store.project import open_project
from qualcode.tagging.ml.training import training_data


@pytest.fixture
def project(tmp_path):
    return build_ml_project(tmp_path / "p.qcproj", write_codebook(tmp_path))


def test_covered_turns_and_labels_with_parents_implied(project):
    with open_project(project) as proj:
        data = training_data(proj, "gold")
    assert data.source == "coverage"
    assert data.notes == []
    assert data.codebook.label == "ML test book 1.0"
    assert len(data.turns) == len(DOCUMENTS) * len(COVERED) == 42
    assert data.turns["turn"].tolist() == list(COVERED) * 3
    assert list(data.labels.columns) == ["independence", "independence.credit", "power", "power.fear",
                                         "tools", "rare"]
    assert data.counts == PLAN_COUNTS
    first = data.labels.iloc[5]  # scholars_a.txt turn 6: credit and tools
    assert PLAN[6] == ["independence.credit", "tools"]
    assert first.to_dict() == {"independence": 1, "independence.credit": 1, "power": 0,
                               "power.fear": 0, "tools": 1, "rare": 0}
    assert data.texts[0] == data.turns["text"].iloc[0]
    assert data.Y.shape == (42, 6)


def test_without_coverage_falls_back_to_the_coders_documents(tmp_path):
    project = build_ml_project(tmp_path / "p.qcproj", write_codebook(tmp_path), coverage=False)
    with open_project(project) as proj:
        data = training_data(proj, "gold")
    assert data.source == "documents"
    assert data.notes == ["no coverage recorded for 'gold': used every turn of the 3 document(s) "
                          "the coder has codings in"]
    assert len(data.turns) == 3 * 19  # facilitator turns left out
    # only turns 1..14 carry codings: the uncovered turns 15..19 count as "no code" here
    assert data.counts == PLAN_COUNTS
    with open_project(project) as proj:
        data = training_data(proj, "gold", include_facilitators=True)
    assert len(data.turns) == 3 * 20


def test_rejected_codings_do_not_count_and_data_hash_follows_the_labels(project):
    with open_project(project) as proj:
        before = training_data(proj, "gold")
        with proj.transaction():
            proj.conn.execute("UPDATE codings SET status='rejected' WHERE code='rare'")
        after = training_data(proj, "gold")
        again = training_data(proj, "gold")
    assert after.counts["rare"] == 0
    assert len(after.turns) == 42  # the turns are still covered: "no code" now
    assert before.data_hash != after.data_hash
    assert after.data_hash == again.data_hash
    assert len(after.data_hash) == 64


def test_unknown_coder_and_codebook(project):
    with open_project(project) as proj:
        with pytest.raises(SelectionError, match="coder 'bob' has no codings or covered turns in the "
                                                 "project; coders: gold"):
            training_data(proj, "bob")
        with pytest.raises(SelectionError, match="coder 'gold' has no codings with codebook 'Other'"):
            training_data(proj, "gold", "Other")
        assert training_data(proj, "gold", "ml test book 1.0").codebook.name == "ML test book"
