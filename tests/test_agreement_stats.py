"""Agreement statistics against published worked examples, hand-worked tables, the
krippendorff package and scikit-learn."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from qualcode.analysis.agreement import (alpha_from_coincidences, coincidences, cohen_kappa, confusion,
                                         kappa_from_confusion, krippendorff_alpha, nominal_alpha,
                                         percent_agreement, precision_recall_f1)

N = np.nan
# Krippendorff's reliability data with missing values (4 observers, 12 units), as in his
# "Computing Krippendorff's alpha-reliability": nominal alpha is published as 0.743.
TEXTBOOK = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
])


def test_textbook_example_with_missing_values():
    assert round(nominal_alpha(TEXTBOOK), 3) == 0.743
    assert round(krippendorff_alpha(TEXTBOOK), 3) == 0.743
    assert nominal_alpha(TEXTBOOK) == pytest.approx(krippendorff.alpha(TEXTBOOK, level_of_measurement="nominal"))


def test_binary_alpha_by_hand():
    # two coders, 10 units: coder A codes units 0-2, coder B units 0-1 and 3
    a = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    b = [1, 1, 0, 1, 0, 0, 0, 0, 0, 0]
    o = coincidences(np.array([a, b], dtype=float))
    # n=20 values: n1 = 6, n0 = 14; two disagreeing units give o01 = o10 = 2
    assert o.tolist() == [[12.0, 2.0], [2.0, 4.0]]
    assert alpha_from_coincidences(o) == pytest.approx(1 - 19 * 4 / (400 - 196 - 36))


def test_cohen_kappa_hand_worked_2x2():
    # rows: coder A no/yes, columns: coder B no/yes
    table = np.array([[20, 5], [10, 15]])
    # p_o = 35/50 = 0.7; p_e = (25*30 + 25*20)/50^2 = 0.5; kappa = 0.2/0.5
    assert kappa_from_confusion(table) == pytest.approx(0.4)
    a = [0] * 25 + [1] * 25
    b = [0] * 20 + [1] * 5 + [0] * 10 + [1] * 15
    assert confusion(a, b).tolist() == [[20, 5], [10, 15]]
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))


def test_kappa_leaves_missing_units_out_and_is_undefined_without_variation():
    assert cohen_kappa([1, 0, N, 1, 0], [1, 0, 1, N, 1]) == pytest.approx(cohen_kappa_score([1, 0, 0], [1, 0, 1]))
    assert math.isnan(cohen_kappa([0, 0, 0], [0, 0, 0]))
    assert math.isnan(krippendorff_alpha(np.array([[0, 0, 0], [0, 0, N]])))
    assert math.isnan(krippendorff_alpha(np.array([[1, N], [N, 0]])))


def test_percent_agreement_pairs_within_units():
    # unit 0: 3 coders agree (3/3 pairs); unit 1: 2 of 3 agree (1/3 pairs); unit 2: one value only
    matrix = np.array([[1, 1, 1], [1, 1, N], [1, 0, N]], dtype=float)
    assert percent_agreement(matrix) == pytest.approx(100 * (1 + 1 / 3) / 2)
    assert percent_agreement(np.array([[1, 0, 1, 1], [1, 1, 1, N]])) == pytest.approx(100 * 2 / 3)


def test_precision_recall_f1():
    assert precision_recall_f1(6, 2, 4) == pytest.approx((0.75, 0.6, 12 / 18))
    assert all(math.isnan(v) for v in precision_recall_f1(0, 0, 0))


def test_own_alpha_matches_the_package_on_random_data_with_gaps():
    rng = np.random.default_rng(11)
    compared = 0
    for _ in range(200):
        coders, units = rng.integers(2, 5), rng.integers(2, 30)
        matrix = rng.integers(0, 2, (coders, units)).astype(float)
        matrix[rng.random((coders, units)) < 0.3] = N
        ours, package = nominal_alpha(matrix), krippendorff_alpha(matrix)
        if math.isnan(package):
            assert math.isnan(ours)
            continue
        compared += 1
        assert ours == pytest.approx(package)
        assert ours == pytest.approx(krippendorff.alpha(matrix, level_of_measurement="nominal"))
    assert compared > 150


def test_kappa_matches_scikit_learn_on_random_data():
    rng = np.random.default_rng(7)
    for _ in range(20):
        a = rng.integers(0, 2, 40)
        b = np.where(rng.random(40) < 0.7, a, 1 - a)
        assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))


def test_pooled_coincidences_equal_alpha_of_the_concatenated_data():
    rng = np.random.default_rng(3)
    parts = [np.where(rng.random((3, 25)) < 0.1, N, rng.integers(0, 2, (3, 25)).astype(float)) for _ in range(4)]
    pooled = alpha_from_coincidences(sum(coincidences(p) for p in parts))
    assert pooled == pytest.approx(krippendorff.alpha(np.hstack(parts), level_of_measurement="nominal"))
