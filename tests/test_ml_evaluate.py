"""Cross-validated evaluation of ml, rules and all against a human coder."""

from __future__ import annotations

import math

import pytest

from ml_projects import COVERED, CUES, DOCUMENTS, PLAN, build_ml_project, write_codebook
from qualcode.codebook import load_codebook
from qualcode.core.errors import SelectionError
from qualcode.store.project import open_project
from qualcode.workflows.evaluate import evaluate_taggers
from qualcode.tagging.ml.training import training_data

FAST = {"C": (1.0, 10.0)}


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    folder = tmp_path_factory.mktemp("eval")
    book_path = write_codebook(folder)
    project = build_ml_project(folder / "p.qcproj", book_path)
    with open_project(project) as proj:
        data = training_data(proj, "gold")
    book = load_codebook(book_path)
    result = evaluate_taggers(data, codebook=book, folds=3, seed=0, params=FAST)
    return data, book, result


def row(result, tagger, code):
    frame = result.scores
    return frame[(frame["tagger"] == tagger) & (frame["code"] == code)].iloc[0]


def rule_hits(code):
    """Covered turns whose cue for ``code`` is the one the rules know (cue 0 of the list)."""
    hits = 0
    for d, _ in enumerate(DOCUMENTS):
        for t in COVERED:
            for k, c in enumerate(PLAN[t]):
                if c == code and (t + d + k) % len(CUES[c]) == 0:
                    hits += 1
    return hits


def test_rules_scored_on_the_same_turns(setup):
    _, _, result = setup
    for code, support in (("independence.credit", 12), ("power.fear", 9), ("tools", 9)):
        r = row(result, "rules", code)
        tp = rule_hits(code)
        assert (r["support"], r["tp"], r["fp"], r["fn"]) == (support, tp, 0, support - tp)
        assert r["precision"] == 1.0
        assert r["recall"] == pytest.approx(tp / support)
    parent = row(result, "rules", "independence")  # implied by the child
    assert parent["tp"] == rule_hits("independence.credit")
    rare = row(result, "rules", "rare")  # coded by gold, never given by the rules
    assert (rare["support"], rare["predicted"], rare["recall"], rare["f1"]) == (3, 0, 0.0, 0.0)
    assert math.isnan(rare["precision"])  # undefined (nothing predicted): NaN, as in agreement


def test_table_layout_and_averages(setup):
    _, _, result = setup
    frame = result.scores
    assert list(frame.columns) == ["tagger", "code", "support", "predicted", "tp", "fp", "fn",
                                   "precision", "recall", "f1", "kappa"]
    codes = ["independence", "independence.credit", "power", "power.fear", "tools", "rare",
             "(micro)", "(macro)"]
    assert frame["tagger"].tolist() == ["ml"] * 8 + ["rules"] * 8 + ["all"] * 8
    assert frame["code"].tolist() == codes * 3
    for tagger in ("ml", "rules", "all"):
        per_code = frame[(frame["tagger"] == tagger) & ~frame["code"].str.startswith("(")]
        micro = row(result, tagger, "(micro)")
        assert micro["tp"] == per_code["tp"].sum()
        assert micro["f1"] == pytest.approx(2 * micro["tp"] / (2 * micro["tp"] + micro["fp"] + micro["fn"]))
        assert row(result, tagger, "(macro)")["f1"] == pytest.approx(per_code["f1"].mean())
    assert result.folds == 3 and result.turns == 42 and result.seed == 0
    assert result.notes == []


def test_the_combination_takes_each_codes_policy_chosen_on_the_other_folds(setup):
    _, _, result = setup
    assert row(result, "ml", "(micro)")["f1"] > row(result, "rules", "(micro)")["f1"]
    # the model beats the rules on every learned code, so each fold's policies pick the model:
    # the combination scores as the model does (not as their union)
    for code in ("independence", "independence.credit", "power", "power.fear", "tools"):
        ml, both = row(result, "ml", code), row(result, "all", code)
        assert (both["tp"], both["fp"], both["fn"]) == (ml["tp"], ml["fp"], ml["fn"])
    policies = result.policies["all"]
    assert list(policies.columns) == ["code", "positives", "policy", "basis", "f1", "f1 rules", "f1 ml",
                                      "f1 union", "f1 intersection"]
    assert policies[["code", "positives", "policy", "basis"]].values.tolist() == [
        ["independence", 12, "ml", "code"], ["independence.credit", 12, "ml", "code"],
        ["power", 9, "ml", "code"], ["power.fear", 9, "ml", "code"],
        ["tools", 9, "union", "code"],    # on every turn, rules OR model beats the model by > 0.02
        ["rare", 3, "rules", "default"]]  # too few coded turns, and a theme itself: the rules
    tools = policies.set_index("code").loc["tools"]
    assert (tools["f1"], tools["f1 union"]) == (1.0, 1.0)
    assert tools["f1 ml"] == pytest.approx(0.8) and tools["f1 rules"] == pytest.approx(0.5)


def test_learning_curve(setup):
    _, _, result = setup
    curve = result.curve
    assert curve["fraction"].tolist() == [0.25, 0.5, 0.75, 1.0]
    assert curve["training_turns"].tolist() == [7.0, 14.0, 21.0, 28.0]
    assert curve["micro_f1"].iloc[-1] == pytest.approx(row(result, "ml", "(micro)")["f1"])
    assert curve["micro_f1"].iloc[0] < curve["micro_f1"].iloc[-1]


def test_deterministic_with_a_fixed_seed(setup):
    data, book, result = setup
    again = evaluate_taggers(data, taggers=("ml",), folds=3, seed=0, params=FAST, curve=None)
    first = result.scores[result.scores["tagger"] == "ml"].reset_index(drop=True)
    assert again.scores.equals(first)
    assert again.curve.empty


def test_bad_requests(setup):
    data, book, _ = setup
    with pytest.raises(SelectionError, match="--folds must be at least 2, not 1"):
        evaluate_taggers(data, taggers=("rules",), codebook=book, folds=1)
    with pytest.raises(SelectionError, match="42 covered turns are too few for 50-fold cross-validation"):
        evaluate_taggers(data, taggers=("rules",), codebook=book, folds=50)
    with pytest.raises(SelectionError, match="unknown tagger 'svm'"):
        evaluate_taggers(data, taggers=("svm",))
    with pytest.raises(SelectionError, match="evaluating the rules needs the codebook"):
        evaluate_taggers(data, taggers=("all",))
