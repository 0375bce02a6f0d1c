"""Taggers combined per code by a policy chosen on a person's coding (tagging/combine.py,
workflows/combine.py)."""

from __future__ import annotations

import numpy as np
import pytest

from qualcode.tagging.combine import (TurnVotes, combine_votes, combined_codings, combined_predictions,
                                      policy_names)
from qualcode.workflows.combine import (MARGIN, choose_policies, cross_validated_combination, tagger_name,
                                        tagger_parts)

CODES = ["a", "a.x", "a.y", "b"]
PARENTS = {"a": None, "a.x": "a", "a.y": "a", "b": None}


def column(*ones, n=20):
    out = np.zeros(n, dtype=int)
    out[list(ones)] = 1
    return out


def test_policies_and_their_votes():
    assert policy_names(["rules"]) == ["rules"]
    assert policy_names(["rules", "ml"]) == ["rules", "ml", "union", "intersection"]
    assert policy_names(["rules", "ml", "llm"]) == ["rules", "ml", "llm", "union", "intersection", "majority"]
    votes = {"rules": np.array([1, 1, 0, 0]), "ml": np.array([1, 0, 1, 0]), "llm": np.array([1, 1, 1, 0])}
    assert combine_votes("ml", votes).tolist() == [1, 0, 1, 0]
    assert combine_votes("union", votes).tolist() == [1, 1, 1, 0]
    assert combine_votes("intersection", votes).tolist() == [1, 0, 0, 0]
    assert combine_votes("majority", votes).tolist() == [1, 1, 1, 0]
    with pytest.raises(ValueError, match="unknown policy 'vote'"):
        combine_votes("vote", votes)


def test_tagger_names():
    assert tagger_parts("all") == ("rules", "ml") and tagger_name("all") == "all"
    assert tagger_parts("llm,rules") == ("rules", "llm") and tagger_name("llm,rules") == "rules+llm"
    assert tagger_name("rules+ml+llm") == "rules+ml+llm" and tagger_name("ml") == "ml"
    with pytest.raises(Exception, match="unknown tagger 'svm'"):
        tagger_parts("rules,svm")


def choices_for(y_a, y_ax, y_b, rules, ml):
    """Choices for codes a, a.x, a.y (never coded) and b from columns of Y, rules and ml."""
    Y = np.column_stack([y_a, y_ax, np.zeros_like(y_a), y_b])
    return choose_policies(Y, {"rules": np.column_stack(rules), "ml": np.column_stack(ml)}, CODES, PARENTS)


def test_the_best_single_tagger_unless_a_combination_beats_it_by_the_margin():
    truth = column(*range(10))
    rules_a, ml_a = column(*range(6)), column(*range(4, 10))           # F1 0.75 each; union 1.0
    rules_b, ml_b = column(*range(9)), column(*range(8), 19)            # rules 0.947, ml 0.842, union 0.9
    choices = choices_for(truth, column(), truth, [rules_a, column(), column(), rules_b],
                          [ml_a, column(), column(), ml_b])
    assert (choices["a"].policy, choices["a"].basis) == ("union", "code")
    assert choices["a"].scores == {"rules": 0.75, "ml": 0.75, "union": 1.0,
                                   "intersection": pytest.approx(1 / 3)}
    assert choices["b"].policy == "rules"  # union (0.9) is below the rules (0.947)
    # a code nobody coded (a.x, a.y) takes its theme's policy
    assert (choices["a.x"].policy, choices["a.x"].basis, choices["a.x"].positives) == ("union", "theme", 0)


def test_a_combination_within_the_margin_does_not_replace_the_single_tagger():
    Y = np.column_stack([column(*range(50), n=100)] * 4)
    rules = np.column_stack([column(*range(40), n=100)] * 4)      # 40 of 50: F1 0.889
    ml = np.column_stack([column(*range(1, 41), n=100)] * 4)      # 40 of 50: F1 0.889
    choice = choose_policies(Y, {"rules": rules, "ml": ml}, CODES, PARENTS)["b"]
    assert choice.scores["union"] == pytest.approx(82 / 91)       # 41 of 50: 0.012 better
    assert choice.scores["union"] - choice.scores["rules"] < MARGIN
    assert choice.policy == "rules"                               # a tie: the rules first


def test_too_few_coded_turns_take_the_theme_or_the_default():
    y = column(1, 2, 3, 4)  # 4 coded turns: fewer than 5
    choices = choices_for(y, y, y, [y] * 4, [column()] * 4)
    assert {c: (ch.policy, ch.basis) for c, ch in choices.items()} == {
        "a": ("rules", "default"), "a.x": ("rules", "default"), "a.y": ("rules", "default"),
        "b": ("rules", "default")}
    choices = choose_policies(np.column_stack([y] * 4), {"ml": np.column_stack([y] * 4),
                                                         "llm": np.column_stack([y] * 4)}, CODES, PARENTS)
    assert choices["b"].policy == "ml"  # without the rules, the default is the first tagger


def test_combined_predictions_imply_parents():
    predictions = {"rules": np.array([[0, 1, 0, 0], [0, 0, 0, 1]]), "ml": np.array([[0, 0, 1, 0], [0, 0, 0, 0]])}
    P = combined_predictions({"a.x": "intersection", "a.y": "ml", "b": "rules"}, predictions, CODES, PARENTS)
    assert P.tolist() == [[1, 0, 1, 0], [0, 0, 0, 1]]


def test_cross_validation_chooses_on_the_other_folds():
    Y = np.column_stack([column(*range(10))] * 4)
    rules = np.column_stack([column(*range(6))] * 4)
    ml = np.column_stack([column(*range(4, 10))] * 4)
    splits = [(np.arange(10, 20), np.arange(0, 10)), (np.arange(0, 10), np.arange(10, 20))]
    # the second half has no coded turn: the first fold's policies fall back to the rules alone
    P = cross_validated_combination(Y, {"rules": rules, "ml": ml}, CODES, PARENTS, splits)
    assert P[:10, 3].tolist() == rules[:10, 3].tolist()
    assert P[10:, 3].sum() == 0


def test_a_turns_codings_keep_the_rules_spans_then_the_llms_then_the_whole_turn():
    turn = TurnVotes(("d", 7), 100, 160,
                     given={"rules": {"a", "a.x"}, "ml": {"a", "a.y", "b"}, "llm": {"b"}},
                     spans={"rules": [("a.x", 110, 120, {"scope": "sentence", "hits": []})],
                            "llm": [("b", 130, 140, {"quote": "q", "rationale": "r"})]},
                     model_view={"a.y": {"probability": 0.9, "threshold": 0.5},
                                 "b": {"probability": 0.7, "threshold": 0.5}})
    out = combined_codings(turn, {"a.x": "rules", "a.y": "ml", "b": "union", "a": "rules"}, PARENTS, CODES)
    assert [(c.code, c.start, c.end, c.confidence) for c in out] == [
        ("a.x", 110, 120, None), ("b", 130, 140, 0.7), ("a.y", 100, 160, 0.9)]
    assert out[1].evidence == {"sources": ["ml", "llm"], "policy": "union", "probability": 0.7,
                               "threshold": 0.5, "quote": "q", "rationale": "r"}
    assert out[2].evidence == {"sources": ["ml"], "policy": "ml", "probability": 0.9, "threshold": 0.5,
                               "scope": "turn"}
    # the intersection of rules and model drops a.x; a (the rules' and the model's) stays implied by a.y
    out = combined_codings(turn, {"a.x": "intersection", "a.y": "ml", "b": "llm", "a": "rules"}, PARENTS, CODES)
    assert [(c.code, c.start, c.end) for c in out] == [("b", 130, 140), ("a.y", 100, 160)]
