"""MLTagger: the scikit-learn estimator contract, thresholds, determinism, learning."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import estimator_checks

from qualcode.tagging.hierarchy import close_upward, gate_by_parents, hierarchical_predictions
from qualcode.tagging.ml.estimator import MLTagger, best_f1_threshold

# scikit-learn's own checks that apply to an estimator whose input is a list of texts.
# check_estimator() itself skips MLTagger entirely ("requires input of type string"): the
# other checks feed numeric 2-D arrays (fit_returns_self, overwrite_params, fit_idempotent,
# dont_overwrite_parameters, fit_check_is_fitted, ...), so those properties are checked by
# hand on texts below.
APPLICABLE_CHECKS = [
    "check_estimator_cloneable", "check_no_attributes_set_in_init",
    "check_parameters_default_constructible", "check_get_params_invariance", "check_set_params",
    "check_estimator_repr", "check_estimators_unfitted",
    "check_do_not_raise_errors_in_init_or_set_params", "check_valid_tag_types",
    "check_estimator_tags_renamed", "check_mixin_order",
]

CUE = "who gets the authorship credit"
WORDS = "we met weekly lab data grant seminar plan goals meeting time project talk".split()


def corpus(n: int = 60, seed: int = 1):
    """Texts with code 0 = contains CUE (every 3rd text), code 1 = 'afraid' (every 4th)."""
    rng = np.random.RandomState(seed)
    texts, Y = [], []
    for i in range(n):
        words = list(rng.choice(WORDS, 8))
        a, b = i % 3 == 0, i % 4 == 0
        if a:
            words += CUE.split()
        if b:
            words += ["i", "was", "afraid", "to", "speak"]
        texts.append(" ".join(words))
        Y.append([int(a), int(b)])
    return texts, np.array(Y)


@pytest.fixture(scope="module")
def fitted():
    texts, Y = corpus()
    return MLTagger(C=(1.0, 10.0), random_state=0).fit(texts, pd.DataFrame(Y, columns=["credit", "fear"]))


@pytest.mark.parametrize("check", APPLICABLE_CHECKS)
def test_sklearn_checks_that_apply(check):
    getattr(estimator_checks, check)("MLTagger", MLTagger())


def test_sklearn_check_estimator_skips_text_input():
    with pytest.warns(estimator_checks.SkipTestWarning, match="requires input"):
        results = estimator_checks.check_estimator(MLTagger(), on_fail=None)
    assert [r["check_name"] for r in results] == ["check_estimator_cloneable"]


def test_not_fitted_error_before_fit():
    tagger = MLTagger()
    for method in (tagger.predict, tagger.predict_proba):
        with pytest.raises(NotFittedError):
            method(["some text"])


def test_fit_returns_self_keeps_params_and_sets_underscore_attributes():
    texts, Y = corpus()
    tagger = MLTagger(C=(1.0, 10.0), random_state=3)
    before = tagger.get_params()
    assert tagger.fit(texts, Y) is tagger
    assert tagger.get_params() == before
    learned = {k for k in vars(tagger) if k.endswith("_")}
    assert learned == {"vectorizer_", "classes_", "n_samples_", "positives_", "learned_",
                       "estimators_", "thresholds_", "C_", "cv_f1_"}
    assert tagger.classes_.tolist() == [0, 1]
    assert tagger.positives_.tolist() == [20, 15]
    assert tagger.n_samples_ == 60
    copy = clone(tagger)
    assert copy.get_params() == before
    assert not any(k.endswith("_") for k in vars(copy))


def test_deterministic_with_fixed_seed():
    texts, Y = corpus()
    new = ["we met about authorship credit", "i was afraid", "grant seminar"]
    a = MLTagger(C=(1.0, 10.0), random_state=7).fit(texts, Y)
    b = MLTagger(C=(1.0, 10.0), random_state=7).fit(texts, Y)
    np.testing.assert_array_equal(a.predict_proba(new), b.predict_proba(new))
    np.testing.assert_array_equal(a.thresholds_, b.thresholds_)
    np.testing.assert_array_equal(a.C_, b.C_)


def test_learns_an_obviously_learnable_code(fitted):
    assert fitted.classes_.tolist() == ["credit", "fear"]
    assert fitted.learned_.tolist() == [True, True]
    predicted = fitted.predict(["the grant plan and who gets the authorship credit",
                                "honestly i was afraid to speak", "we met weekly about data"])
    assert predicted.tolist() == [[1, 0], [0, 1], [0, 0]]
    proba = fitted.predict_proba(["authorship credit"])
    assert proba.shape == (1, 2)
    assert proba[0, 0] >= fitted.thresholds_[0]
    assert proba[0, 1] < fitted.thresholds_[1]


def test_chosen_c_and_threshold_come_from_the_grid_and_cv(fitted):
    assert set(fitted.C_) <= {1.0, 10.0}
    assert ((fitted.thresholds_ > 0) & (fitted.thresholds_ < 1)).all()
    assert fitted.cv_f1_.tolist() == [1.0, 1.0]  # the cue is a perfect signal


def test_fixed_threshold_applies_to_every_learned_code():
    texts, Y = corpus()
    tagger = MLTagger(C=1.0, threshold=0.5, random_state=0).fit(texts, Y)
    assert tagger.thresholds_.tolist() == [0.5, 0.5]
    assert tagger.C_.tolist() == [1.0, 1.0]


def test_codes_with_too_few_positives_are_not_learned():
    texts, Y = corpus()
    Y = np.column_stack([Y, np.zeros(len(texts), dtype=int)])
    Y[:4, 2] = 1  # 4 positive turns < min_positives 5
    tagger = MLTagger(C=1.0, random_state=0).fit(texts, Y)
    assert tagger.learned_.tolist() == [True, True, False]
    assert tagger.positives_.tolist() == [20, 15, 4]
    assert tagger.estimators_[2] is None
    assert np.isnan(tagger.C_[2])
    assert tagger.predict_proba(texts[:4])[:, 2].tolist() == [0.0] * 4
    assert tagger.predict(texts[:4])[:, 2].tolist() == [0] * 4
    assert MLTagger(C=1.0, min_positives=4, random_state=0).fit(texts, Y).learned_.tolist() == [True] * 3


def test_best_f1_threshold_by_hand():
    # scores >= 0.35: two true, one false positive -> P 2/3, R 1, F1 0.8 (the best);
    # the threshold sits midway to the next lower score 0.1.
    threshold, f1 = best_f1_threshold(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    assert f1 == pytest.approx(0.8)
    assert threshold == pytest.approx(0.225)
    assert best_f1_threshold(np.array([0, 0]), np.array([0.2, 0.3])) == (1.0, 0.0)
    threshold, f1 = best_f1_threshold(np.array([1, 0]), np.array([0.9, 0.2]))
    assert (threshold, f1) == (pytest.approx(0.55), 1.0)


def test_best_f1_threshold_floor_leaves_out_low_cut_offs():
    y, scores = np.array([0, 1, 0, 1, 1]), np.array([0.05, 0.1, 0.2, 0.25, 0.6])
    # Unconstrained: every turn at or above 0.1 -> P 3/4, R 1, F1 6/7, midway to 0.05.
    threshold, f1 = best_f1_threshold(y, scores)
    assert (threshold, f1) == (pytest.approx(0.075), pytest.approx(6 / 7))
    # Floor 0.2: candidates 0.2 (P 2/3, R 2/3) and 0.25 (P 1, R 2/3, F1 0.8, the best),
    # midway to 0.2 is 0.225.
    threshold, f1 = best_f1_threshold(y, scores, floor=0.2)
    assert (threshold, f1) == (pytest.approx(0.225), pytest.approx(0.8))
    # Floor 0.5: only 0.6 (P 1, R 1/3, F1 0.5); midway to 0.25 is 0.425, raised to the floor.
    assert best_f1_threshold(y, scores, floor=0.5) == (0.5, pytest.approx(0.5))
    # No score reaches the floor: the floor, F1 0.
    assert best_f1_threshold(y, scores, floor=0.7) == (0.7, 0.0)


def test_default_thresholds_respect_the_floor():
    texts, Y = corpus()
    tagger = MLTagger(C=1.0, random_state=0).fit(texts, Y)
    assert tagger.threshold_floor == 0.3
    assert (tagger.thresholds_ >= 0.3).all()
    low = MLTagger(C=1.0, threshold_floor=0.0, random_state=0).fit(texts, Y)
    assert low.threshold_floor == 0.0


def test_gate_by_parents_keeps_a_child_only_with_its_parent():
    codes = ["a", "a.b", "a.b.c", "d", "d.e"]
    parents = {"a": None, "a.b": "a", "a.b.c": "a.b", "d": None, "d.e": "d"}
    P = np.array([[1, 1, 1, 0, 0],   # the whole chain: kept
                  [0, 1, 1, 0, 1],   # a not predicted: a.b and (through it) a.b.c dropped
                  [1, 0, 1, 0, 1],   # a.b not predicted: a.b.c dropped
                  [0, 0, 0, 1, 1]])
    learned = [True, True, True, True, True]
    assert gate_by_parents(P, learned, codes, parents).tolist() == [
        [1, 1, 1, 0, 0], [0, 0, 0, 0, 0], [1, 0, 0, 0, 0], [0, 0, 0, 1, 1]]
    # A parent that was not learned gates nothing; its children then imply it.
    learned = [True, True, True, False, True]
    assert hierarchical_predictions(P, learned, codes, parents).tolist() == [
        [1, 1, 1, 0, 0], [0, 0, 0, 1, 1], [1, 0, 0, 1, 1], [0, 0, 0, 1, 1]]
    assert P[1].tolist() == [0, 1, 1, 0, 1]  # input untouched


def test_close_upward_implies_parents():
    codes = ["a", "a.b", "a.b.c", "d"]
    parents = {"a": None, "a.b": "a", "a.b.c": "a.b", "d": None}
    Y = np.array([[0, 0, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0]])
    assert close_upward(Y, codes, parents).tolist() == [[1, 1, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0]]
    assert Y[0].tolist() == [0, 0, 1, 0]  # input untouched


@pytest.mark.parametrize("params, X, Y, message", [
    ({"threshold": "best"}, ["a b"] * 10, [[1]] * 5 + [[0]] * 5, "threshold must be 'f1'"),
    ({"C": -1}, ["a b"] * 10, [[1]] * 5 + [[0]] * 5, "C must be a positive number"),
    ({"C": []}, ["a b"] * 10, [[1]] * 5 + [[0]] * 5, "C must be a positive number"),
    ({}, ["a b"] * 10, [[1]] * 9, "X has 10 texts but Y has 9 rows"),
    ({}, ["a b"] * 10, [1] * 10, "Y must be 2-D"),
    ({}, ["a b"] * 10, [[2]] * 10, "Y must hold only 0 and 1"),
    ({}, "one string", [[1]], "X must be a list of texts"),
    ({}, [1, 2], [[1], [0]], "X must hold texts; item 0 is int"),
])
def test_bad_input_is_refused(params, X, Y, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        MLTagger(**params).fit(X, Y)


def test_score_is_micro_f1(fitted):
    texts, Y = corpus(30, seed=5)
    assert fitted.score(texts, Y) == pytest.approx(1.0)


@pytest.mark.parametrize("ngram_range", [(2, 5), (1, 3), (4, 6)])
def test_cached_char_ngrams_equal_scikit_learns_char_wb(ngram_range):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from qualcode.tagging.ml.estimator import CharNgramsByWord

    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range).build_analyzer()
    mine = CharNgramsByWord(ngram_range)
    texts = ["Hi  A ab abc abcd abcde I'm Über-cool,\tx\nY", "a", "", "  ", "The mentor's LAB credit!",
             "ab abc ab abc"]  # repeated words come from the cache
    for text in texts * 2:
        assert mine(text) == reference(text)
    assert mine.__getstate__() == {"ngram_range": list(ngram_range)}  # the cache is not saved
