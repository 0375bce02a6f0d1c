"""Training on a reviewer's decisions (qualcode.workflows.learning): fresh suggestions only on
the turns the reviewer has not reviewed, the next most uncertain turn, and the workbench's
buttons for both.  Project: tests/ml_projects.py ('gold' covered turns 1..14 of three
documents; turns 15..19 of each are unreviewed)."""

from __future__ import annotations

import json
import re

import pytest
from starlette.testclient import TestClient

from ml_projects import COVERED, build_ml_project, write_codebook
from qualcode.store import frames
from qualcode.store.project import open_project
from qualcode.web.app import Settings, create_app
from qualcode.workflows import learning, review


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """The project after one training of 'gold''s model (and the run's summary)."""
    folder = tmp_path_factory.mktemp("learning")
    path = build_ml_project(folder / "p.qcproj", write_codebook(folder))
    with open_project(path) as project:
        run = learning.train_and_refresh(project, review.reviewer(project, "gold"), folder / "p.gold.qcmodel")
    return path, run


def _model_codings(project):
    codings = frames.codings_frame(project)
    return codings[codings["coder"] == "ml-gold"]


def test_fresh_suggestions_land_only_on_the_turns_the_reviewer_has_not_reviewed(trained):
    path, run = trained
    assert run.tagger == "ml-gold" and run.trained_on == 42 and run.turns == 15
    assert run.learned == ["independence", "independence.credit", "power", "power.fear", "tools"]
    with open_project(path) as project:
        mine = _model_codings(project)
        assert len(mine) == run.suggestions > 0
        assert set(mine["turn"]) <= {15, 16, 17, 18, 19}
        assert set(mine["status"]) == {"suggested"} and set(mine["coder_kind"]) == {"machine"}
        evidence = json.loads(mine["evidence"].iloc[0])
        assert evidence["sources"] == ["ml"] and 0 <= evidence["probability"] <= 1
        coverage = frames.coverage_frame(project)
        assert len(coverage[coverage["coder"] == "ml-gold"]) == 15


def test_training_again_keeps_the_models_codings_on_turns_reviewed_since(tmp_path):
    path = build_ml_project(tmp_path / "p.qcproj", write_codebook(tmp_path))
    with open_project(path) as project:
        who = review.reviewer(project, "gold")
        learning.train_and_refresh(project, who, tmp_path / "m.qcmodel")
        before = _model_codings(project)
        reviewed_turn = int(before["segment_id"].iloc[0])
        kept = before[before["segment_id"] == reviewed_turn][["coding_id", "code", "status"]].values.tolist()
        review.mark_reviewed(project, who, reviewed_turn)
        again = learning.train_and_refresh(project, who, tmp_path / "m.qcmodel")
        after = _model_codings(project)
        assert again.turns == 14
        assert after[after["segment_id"] == reviewed_turn][["coding_id", "code", "status"]].values.tolist() == kept
        assert len(after) == len(after.drop_duplicates(["segment_id", "code", "start", "end"]))


def test_the_next_most_uncertain_turn_is_one_the_reviewer_has_not_reviewed(trained):
    path, run = trained
    with open_project(path) as project:
        document, turn = learning.next_uncertain_turn(project, run.model)
    assert document in ("scholars_a.txt", "scholars_b.txt", "mentors_c.txt")
    assert turn not in COVERED and 15 <= turn <= 19


def test_the_model_is_not_judged_on_turns_it_learned_from(trained):
    path, _ = trained
    with open_project(path) as project:
        table, notes = learning.tagger_agreement(project, review.reviewer(project, "gold"))
    assert table.empty
    assert notes == ["ml-gold: no turn that gold reviewed has been coded by it yet"]


def test_the_train_and_next_turn_buttons(tmp_path):
    path = build_ml_project(tmp_path / "p.qcproj", write_codebook(tmp_path))
    web = TestClient(create_app(Settings(path, coder="gold")), base_url="http://127.0.0.1:8765")
    page = web.get("/agreement")
    web.headers["x-csrf-token"] = re.search(r'name="csrf-token" content="(\w+)"', page.text).group(1)
    assert "disabled" in page.text.split('id="uncertain"')[1].split(">")[0]  # nothing trained yet
    assert "train the model first" in web.get("/api/uncertain").json()["error"]
    answer = web.post("/api/train", json={}).json()
    assert re.fullmatch(r"trained on 42 turns you reviewed \(5 codes learned\); \d+ fresh suggestions by "
                        r"ml-gold on 15 turns you have not reviewed; model saved as p\.gold\.qcmodel",
                        answer["message"]), answer
    assert (tmp_path / "p.gold.qcmodel").is_file()
    where = web.get("/api/uncertain").json()
    assert re.fullmatch(r"/documents/[123]#t(1[5-9])", where["url"])
    # a fresh server finds the saved model beside the project
    fresh = TestClient(create_app(Settings(path, coder="gold")), base_url="http://127.0.0.1:8765")
    assert fresh.get("/api/uncertain").json()["url"] == where["url"]
