"""qualcode.analysis.metrics: published worked examples, hand-worked tables, the
krippendorff package and scikit-learn, and one convention for undefined figures."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score, precision_recall_fscore_support

from qualcode.analysis.agreement import AgreementData, agreement_table, reference_table, unit_matrix
from qualcode.analysis.metrics import (MACRO, MICRO, agreement_figures, cohen_kappa, confusion,
                                       format_metric, krippendorff_alpha, percent_agreement,
                                       score_table, scores_from_confusion)
from qualcode.analysis.selection import CodeTree

N = np.nan
# Krippendorff's reliability data with missing values (4 observers, 12 units), as in his
# "Computing Krippendorff's alpha-reliability": nominal alpha is published as 0.743.
TEXTBOOK = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
])


def nominal(matrix) -> float:
    return float(krippendorff.alpha(np.asarray(matrix, dtype=float), level_of_measurement="nominal"))


# ------------------------------------------------------------------------ alpha
def test_textbook_example_with_missing_values():
    assert round(krippendorff_alpha(TEXTBOOK), 3) == 0.743
    assert krippendorff_alpha(TEXTBOOK) == pytest.approx(nominal(TEXTBOOK))


def test_binary_alpha_by_hand():
    # two coders, 10 units: coder A codes units 0-2, coder B units 0-1 and 3.
    # n = 20 values, n1 = 6, n0 = 14; two disagreeing units: 4 disagreeing pairs.
    a = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    b = [1, 1, 0, 1, 0, 0, 0, 0, 0, 0]
    assert krippendorff_alpha([a, b]) == pytest.approx(1 - 19 * 4 / (400 - 196 - 36))


def test_weighted_units_by_hand_equal_the_package_on_the_repeated_units():
    # runs of 3, 1, 2, 5 and 4 characters; the run of 5 is read by one coder only.
    matrix = np.array([[1, 0, 1, N, 0], [1, 1, 0, 0, 0]])
    lengths = [3, 1, 2, 5, 4]
    # pairable: 3x(1,1), 1x(0,1), 2x(1,0), 4x(0,0): n = 20, n1 = 9, n0 = 11, 6 disagreeing pairs
    assert krippendorff_alpha(matrix, lengths) == pytest.approx(1 - 19 * 6 / (400 - 81 - 121))
    assert krippendorff_alpha(matrix, lengths) == pytest.approx(nominal(np.repeat(matrix, lengths, axis=1)))


def test_weighted_alpha_equals_the_package_on_random_repeated_data_with_gaps():
    rng = np.random.default_rng(11)
    compared = 0
    for _ in range(200):
        coders, units = rng.integers(2, 5), rng.integers(2, 30)
        matrix = rng.integers(0, 2, (coders, units)).astype(float)
        matrix[rng.random((coders, units)) < 0.3] = N
        lengths = rng.integers(1, 12, units)
        weighted = krippendorff_alpha(matrix, lengths)
        expanded = np.repeat(matrix, lengths, axis=1)
        assert krippendorff_alpha(expanded) == pytest.approx(weighted, nan_ok=True)
        if not math.isnan(weighted):
            compared += 1
            assert weighted == pytest.approx(nominal(expanded))
    assert compared > 150


def test_alpha_is_undefined_with_one_value_or_no_pairable_unit():
    assert math.isnan(krippendorff_alpha([[0, 0, 0], [0, 0, N]]))          # nobody used the code
    assert math.isnan(krippendorff_alpha([[1, N], [N, 0]]))                # no unit read by two
    assert math.isnan(krippendorff_alpha([[1, N], [N, 0]], weights=[2, 3]))


# ------------------------------------------------------------- kappa, P/R/F1
def test_cohen_kappa_hand_worked_2x2():
    a = [0] * 25 + [1] * 25
    b = [0] * 20 + [1] * 5 + [0] * 10 + [1] * 15
    assert confusion(a, b).tolist() == [[20, 5], [10, 15]]
    # p_o = 35/50 = 0.7; p_e = (25*30 + 25*20)/50^2 = 0.5; kappa = 0.2/0.5
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))


def test_kappa_leaves_missing_units_out_and_weights_count_units():
    # units both read: (1,1), (0,0), (0,1): p_o 2/3, p_e 1/3*2/3 + 2/3*1/3 = 4/9, kappa 0.4
    assert cohen_kappa([1, 0, N, 1, 0], [1, 0, 1, N, 1]) == pytest.approx(0.4)
    assert cohen_kappa([1, 0, N, 1, 0], [1, 0, 1, N, 1]) == pytest.approx(cohen_kappa_score([1, 0, 0], [1, 0, 1]))
    a, b, w = [1, 0, 1, 0], [1, 0, 0, 1], [3, 4, 1, 2]
    assert confusion(a, b, w).tolist() == [[4, 2], [1, 3]]
    assert cohen_kappa(a, b, w) == pytest.approx(cohen_kappa_score(np.repeat(a, w), np.repeat(b, w)))


def test_kappa_matches_scikit_learn_on_random_data():
    rng = np.random.default_rng(7)
    for _ in range(20):
        a = rng.integers(0, 2, 40)
        b = np.where(rng.random(40) < 0.7, a, 1 - a)
        assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))


def test_scores_of_a_table_by_hand_and_by_scikit_learn():
    # tn 8, fp 2, fn 4, tp 6: P 6/8, R 6/10, F1 12/18; p_o 14/20, p_e (10*8 + 10*12)/400 = 0.5
    scores = scores_from_confusion(np.array([[8, 2], [4, 6]]))
    assert scores == pytest.approx({"precision": 0.75, "recall": 0.6, "f1": 12 / 18, "kappa": 0.4})
    reference = [0] * 10 + [1] * 10
    other = [0] * 8 + [1] * 2 + [0] * 4 + [1] * 6
    p, r, f, _ = precision_recall_fscore_support(reference, other, average="binary")
    assert (scores["precision"], scores["recall"], scores["f1"]) == pytest.approx((p, r, f))
    assert confusion(reference, other).tolist() == [[8, 2], [4, 6]]


@pytest.mark.parametrize("table, expected", [
    # the other coder never gave the code: precision undefined; recall and F1 are 0; kappa 0
    ([[5, 0], [3, 0]], (N, 0.0, 0.0, 0.0)),
    # the reference never gave it: recall undefined
    ([[5, 2], [0, 0]], (0.0, N, 0.0, 0.0)),
    # nobody gave it: everything undefined
    ([[7, 0], [0, 0]], (N, N, N, N)),
    # both gave it to every unit: perfect, but kappa undefined (chance agreement 1)
    ([[0, 0], [0, 7]], (1.0, 1.0, 1.0, N)),
    # no unit read by both
    ([[0, 0], [0, 0]], (N, N, N, N)),
])
def test_undefined_figures_are_nan(table, expected):
    scores = scores_from_confusion(np.array(table))
    got = tuple(scores[k] for k in ("precision", "recall", "f1", "kappa"))
    assert got == pytest.approx(expected, nan_ok=True)


# ------------------------------------------------------------ percent agreement
def test_percent_agreement_pairs_within_units():
    # unit 0: 3 coders agree (3/3 pairs); unit 1: 2 of 3 agree (1/3 pairs); unit 2: one value only
    matrix = np.array([[1, 1, 1], [1, 1, N], [1, 0, N]], dtype=float)
    assert percent_agreement(matrix) == pytest.approx(100 * (1 + 1 / 3) / 2)
    assert percent_agreement(np.array([[1, 0, 1, 1], [1, 1, 1, N]])) == pytest.approx(100 * 2 / 3)
    assert percent_agreement([[1, 0], [1, 1]], weights=[3, 1]) == pytest.approx(75.0)
    assert math.isnan(percent_agreement([[1, N], [N, 0]]))


def test_agreement_figures_of_one_row():
    figures = agreement_figures([[1, 0, 1, N], [1, 1, 1, 0]], weights=[2, 1, 1, 5])
    assert figures["units"] == 4 and figures["coded"].tolist() == [3, 4]
    assert figures["agreement"] == pytest.approx(75.0)
    assert figures["kappa"] == 0.0  # the second coder coded every unit both read: p_o = p_e = 3/4
    assert figures["alpha"] == pytest.approx(nominal([[1, 1, 0, 1], [1, 1, 1, 1]]))
    assert "kappa" not in agreement_figures([[1, 0], [1, 1], [0, 0]])  # kappa: two coders only


def test_format_metric():
    assert format_metric(N) == "n/a" and format_metric(None) == "n/a"
    assert format_metric(0.5) == "0.500" and format_metric(-0.0123) == "-0.012"
    assert format_metric(87.25, 1) == "87.2"


# ------------------------------------------------------------------ score tables
# Five turns; code a is a theme with subcodes a.x and a.y, b has b.z, c nobody used.
CODES = ["a", "a.x", "a.y", "b", "b.z", "c"]
GOLD = [{"a.x"}, {"a.x", "b.z"}, set(), {"a"}, {"b.z"}]
PRED = [{"a.x"}, {"a.y"}, {"b"}, {"a.x"}, set()]


def indicators(sets):
    return np.array([[int(c in s) for c in CODES] for s in sets])


def test_score_table_per_code_micro_and_macro():
    table = score_table(CODES, indicators(GOLD), indicators(PRED)).set_index("code")
    assert table.index.tolist() == CODES + [MICRO, MACRO]
    counts = {c: tuple(table.loc[c, ["tp", "fp", "fn"]]) for c in CODES}
    assert counts == {"a": (0, 0, 1), "a.x": (1, 1, 1), "a.y": (0, 1, 0), "b": (0, 1, 0),
                      "b.z": (0, 0, 2), "c": (0, 0, 0)}
    assert table.loc["a.x", ["support", "predicted", "precision", "recall", "f1"]].tolist() == [2, 2, 0.5, 0.5, 0.5]
    assert table.loc["a.x", "kappa"] == pytest.approx(1 / 6)  # p_o 0.6, p_e 0.52
    # a: gold once, never predicted: precision undefined, recall/F1 0, kappa 0 (p_o = p_e = 0.8)
    assert table.loc["a", ["precision", "recall", "f1", "kappa"]].tolist() == pytest.approx([N, 0, 0, 0], nan_ok=True)
    assert table.loc["c", ["precision", "recall", "f1", "kappa"]].isna().all()  # nobody used it
    # micro: 6 codes x 5 turns pooled: tp 1, fp 3, fn 4, tn 22
    micro = table.loc[MICRO]
    assert (micro["tp"], micro["fp"], micro["fn"]) == (1, 3, 4)
    assert (micro["precision"], micro["recall"], micro["f1"]) == pytest.approx((0.25, 0.2, 2 / 9))
    assert micro["kappa"] == pytest.approx(cohen_kappa_score(indicators(GOLD).ravel(), indicators(PRED).ravel()))
    # macro: the codes gold used (a, a.x, b.z); a's undefined precision is left out
    macro = table.loc[MACRO]
    assert (macro["support"], macro["tp"]) == (5, 1)
    assert (macro["precision"], macro["recall"], macro["f1"]) == pytest.approx((0.5, 0.5 / 3, 0.5 / 3))
    assert macro["kappa"] == pytest.approx((0 + 1 / 6 + 0) / 3)


def test_score_table_by_hand():
    Y = np.array([[1, 0], [1, 1], [0, 0], [0, 1]])
    P = np.array([[1, 0], [0, 1], [1, 0], [0, 1]])
    a, b, micro, macro = score_table(["a", "b"], Y, P).to_dict("records")
    assert (a["tp"], a["fp"], a["fn"], a["precision"], a["recall"], a["f1"], a["kappa"]) == \
        (1, 1, 1, 0.5, 0.5, 0.5, 0.0)
    assert (b["tp"], b["fp"], b["fn"], b["f1"], b["kappa"]) == (2, 0, 0, 1.0, 1.0)
    assert (micro["code"], micro["tp"], micro["f1"]) == (MICRO, 3, 0.75)
    assert (macro["code"], macro["f1"], macro["kappa"]) == (MACRO, 0.75, 0.5)


# ------------------------------------- agreement --reference and evaluate agree
def test_agreement_and_evaluate_give_the_same_figures_on_the_same_data():
    """The bug this module fixes: for a code one coder never used, agreement gave NaN and
    evaluate 0.0.  Now the same decisions give the same figures in both."""
    codes = ["used", "gold.only", "nobody"]
    units = pd.DataFrame({"segment_id": range(6), "document": "d.txt", "turn": range(6), "speaker": "P",
                          "participant": "S01", "role": "scholar", "start": np.arange(6) * 10,
                          "end": np.arange(6) * 10 + 8, "text": "x"})
    tree = CodeTree(pd.DataFrame({"code": codes, "parent": None, "name": codes, "definition": "",
                                  "position": range(3)}))
    decisions = [("gold", 0, "used"), ("gold", 1, "used"), ("gold", 2, "gold.only"),
                 ("rules", 1, "used"), ("rules", 3, "used")]
    codings = pd.DataFrame([(c, s, code, s * 10, s * 10 + 8) for c, s, code in decisions],
                           columns=["coder", "segment_id", "code", "start", "end"])
    data = AgreementData(["gold", "rules"], "book", units, {"gold": set(range(6)), "rules": set(range(6))},
                         codings, tree)
    reference = reference_table(data, "gold").set_index("code")
    Y = np.column_stack([unit_matrix(data, [c])[0] for c in codes]).astype(int)
    P = np.column_stack([unit_matrix(data, [c])[1] for c in codes]).astype(int)
    scores = score_table(codes, Y, P).set_index("code")
    for column in ("tp", "fp", "fn", "precision", "recall", "f1"):
        assert reference.loc[codes, column].tolist() == pytest.approx(scores.loc[codes, column].tolist(),
                                                                     nan_ok=True), column
    assert reference.loc["overall", ["precision", "recall", "f1"]].tolist() == pytest.approx(
        scores.loc[MICRO, ["precision", "recall", "f1"]].tolist())
    assert math.isnan(reference.loc["gold.only", "precision"]) and reference.loc["gold.only", "f1"] == 0
    kappas = agreement_table(data).set_index("code")["kappa"]
    assert kappas[codes].tolist() == pytest.approx(scores.loc[codes, "kappa"].tolist(), nan_ok=True)
    assert math.isnan(kappas["nobody"])
