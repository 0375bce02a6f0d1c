"""Every agreement and accuracy figure qualcode reports, computed in one place.

``qualcode agreement`` (percent agreement, Cohen's kappa, Krippendorff's alpha),
``agreement --reference`` (precision, recall, F1 against one coder) and ``qualcode
evaluate`` (precision, recall, F1 and kappa per code, micro and macro) all score
through these functions; so does the workbench's agreement panel.

    >>> from math import nan
    >>> from qualcode.analysis.metrics import cohen_kappa, krippendorff_alpha, percent_agreement
    >>> cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0])              # two coders, one decision per unit
    0.5
    >>> krippendorff_alpha([[1, 1, 0, nan], [1, 0, 0, 0]])   # coders x units; nan: not read
    0.4444444444444444
    >>> percent_agreement([[1, 1, 0, nan], [1, 0, 0, 0]])
    66.66666666666667

The data are binary decisions: 1 (the coder gave the code to the unit) or 0 (the
coder read the unit and did not); NaN means the coder did not read the unit, which
is missing data, not 0.  A unit is a turn, or a run of characters over which every
coder's decision is the same: ``weights`` count a unit (column) that many times.

**Undefined figures are NaN** - one convention for every statistic and command:

- precision when nothing was predicted (tp + fp = 0), recall when the reference
  never gave the code (tp + fn = 0), F1 when neither did (tp + fp + fn = 0);
- kappa when chance agreement is 1 (both coders gave every unit the same one value,
  e.g. nobody used the code) or no unit was read by both;
- alpha when fewer than two values occur in the units read by at least two coders;
  percent agreement when there is no such unit.

Printed tables show NaN as ``n/a`` (:func:`format_metric`); CSV and Excel files leave
the cell empty; averages over codes (macro) leave it out, as scikit-learn does with
``zero_division=np.nan``.  Not 0, because 0 is a real result for each of them: kappa
0 is chance-level agreement, precision 0 means every code given was wrong - a
tagger that never gave a code has not been wrong, it has not been tested.

Precision, recall, F1 and kappa come from scikit-learn (``precision_recall_fscore_support``,
``cohen_kappa_score``), alpha from the ``krippendorff`` package.  Both are computed
from a 2x2 table of counts, so pooling (``overall``, ``(micro)``) is summing tables.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd

#: Undefined figures (see the module documentation).
UNDEFINED = float("nan")
MICRO, MACRO = "(micro)", "(macro)"
SCORE_COLUMNS = ["code", "support", "predicted", "tp", "fp", "fn", "precision", "recall", "f1", "kappa"]

# The four cells of a 2x2 table as (reference, other) pairs, in the order of table.ravel():
# tn, fp, fn, tp.  scikit-learn scores a table given as these four pairs weighted by their
# counts exactly as it scores the full vectors.
_TRUE = np.array([0, 0, 1, 1])
_PRED = np.array([0, 1, 0, 1])


def format_metric(value, digits: int = 3) -> str:
    """A figure as printed: ``digits`` decimals, ``n/a`` when undefined (NaN or None)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.{digits}f}"


def _unit_weights(units: int, weights) -> np.ndarray:
    return np.ones(units) if weights is None else np.asarray(weights, dtype=float)


# --------------------------------------------------------------- two coders
def confusion(a: Sequence, b: Sequence, weights: Sequence | None = None) -> np.ndarray:
    """2x2 table of two coders' binary decisions on the units both read (neither NaN):
    rows ``a`` = 0/1, columns ``b`` = 0/1; ``a`` is the reference when there is one."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    w = _unit_weights(len(a), weights)
    both = ~np.isnan(a) & ~np.isnan(b)
    cells = (2 * a[both] + b[both]).astype(int)
    return np.bincount(cells, weights=w[both], minlength=4).reshape(2, 2)


def _kappa(cells: np.ndarray) -> float:
    """Cohen's kappa of the four cells (tn, fp, fn, tp) of a 2x2 table."""
    from sklearn.metrics import cohen_kappa_score

    total = cells.sum()
    if total == 0 or cells[0] == total or cells[3] == total:   # no unit, or chance agreement 1
        return UNDEFINED
    return float(cohen_kappa_score(_TRUE, _PRED, labels=[0, 1], sample_weight=cells))


def scores_from_confusion(table: np.ndarray) -> dict[str, float]:
    """Precision, recall, F1 (of the columns' coder against the rows') and Cohen's kappa
    of a 2x2 table, by scikit-learn; NaN where undefined."""
    from sklearn.metrics import precision_recall_fscore_support

    cells = np.asarray(table, dtype=float).ravel()
    if cells.sum() == 0:
        return {"precision": UNDEFINED, "recall": UNDEFINED, "f1": UNDEFINED, "kappa": UNDEFINED}
    precision, recall, f1, _ = precision_recall_fscore_support(
        _TRUE, _PRED, average="binary", zero_division=np.nan, sample_weight=cells)
    return {"precision": float(precision), "recall": float(recall), "f1": float(f1), "kappa": _kappa(cells)}


def cohen_kappa(a: Sequence, b: Sequence, weights: Sequence | None = None) -> float:
    """Cohen's kappa of two coders' binary decisions (a NaN unit is left out)."""
    return _kappa(confusion(a, b, weights).ravel())


# ------------------------------------------------------------- any number of coders
def _pairable(matrix, weights) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(matrix, weights, value counts) of the units given a value by at least two coders;
    counts[u, v] is how many coders gave unit u the v-th value present (in sorted order)."""
    matrix = np.asarray(matrix, dtype=float)
    w = _unit_weights(matrix.shape[1], weights)
    keep = np.sum(~np.isnan(matrix), axis=0) >= 2
    matrix, w = matrix[:, keep], w[keep]
    values = np.unique(matrix[~np.isnan(matrix)])
    counts = np.stack([np.sum(matrix == v, axis=0) for v in values], axis=1) if len(values) \
        else np.zeros((matrix.shape[1], 0))
    return matrix, w, counts.astype(float)


def _percent(counts: np.ndarray, w: np.ndarray) -> float:
    if not w.sum():
        return UNDEFINED
    m = counts.sum(axis=1)
    agreeing = np.sum(counts * (counts - 1), axis=1) / (m * (m - 1))
    return float(100.0 * np.sum(w * agreeing) / w.sum())


def percent_agreement(matrix, weights: Sequence | None = None) -> float:
    """Percent (0-100) of agreeing coder pairs within a unit, averaged over the units at
    least two coders read (two coders: the share of units both read on which they agree)."""
    _, w, counts = _pairable(matrix, weights)
    return _percent(counts, w)


def _alpha(counts: np.ndarray, w: np.ndarray, weighted: bool) -> float:
    import krippendorff

    if counts.shape[0] == 0 or np.count_nonzero(counts.sum(axis=0)) < 2:
        return UNDEFINED
    if not weighted:
        return float(krippendorff.alpha(value_counts=counts, level_of_measurement="nominal"))
    # The coincidence matrix is linear in the units, so weighting a unit's contribution
    # equals the package on the data with every unit repeated (tests/test_metrics.py).
    share = w / (counts.sum(axis=1) - 1)
    coincidences = (counts * share[:, None]).T @ counts - np.diag((counts * share[:, None]).sum(axis=0))
    n_c = coincidences.sum(axis=1)
    n = n_c.sum()
    observed = n - np.trace(coincidences)
    return float(1 - (n - 1) * observed / (n * n - np.sum(n_c * n_c)))


def krippendorff_alpha(matrix, weights: Sequence | None = None) -> float:
    """Krippendorff's alpha (nominal) of reliability data (coders x units, NaN = missing),
    by the ``krippendorff`` package; NaN when undefined.  ``weights``: unit j counts
    ``weights[j]`` times (a run of characters: one column instead of one per character;
    computed from the weighted coincidence matrix, as the package would on the repeated
    units, without building them)."""
    _, w, counts = _pairable(matrix, weights)
    return _alpha(counts, w, weights is not None)


def agreement_figures(matrix, weights: Sequence | None = None) -> dict:
    """One row of an agreement table for binary reliability data (coders x units):
    ``units`` (given a value by at least two coders), ``coded`` (per coder, how many of
    those they coded), ``agreement`` (percent), ``kappa`` (exactly two coders) and ``alpha``."""
    pairable, w, counts = _pairable(matrix, weights)
    figures = {"units": float(w.sum()), "coded": ((pairable == 1) * w).sum(axis=1),
               "agreement": _percent(counts, w)}
    if len(pairable) == 2:
        figures["kappa"] = cohen_kappa(pairable[0], pairable[1], w)
    figures["alpha"] = _alpha(counts, w, weights is not None)
    return figures


# ------------------------------------------------------------- many codes at once
def score_table(codes: Sequence[str], reference: np.ndarray, predicted: np.ndarray) -> pd.DataFrame:
    """Per code (columns of the 0/1 matrices units x codes): support, predicted, tp, fp, fn,
    precision, recall, F1 and kappa of ``predicted`` against ``reference``; then ``(micro)``
    (every unit-and-code decision pooled) and ``(macro)`` (means over the codes the
    reference used, undefined values left out; counts summed over those codes)."""
    reference, predicted = np.asarray(reference, dtype=int), np.asarray(predicted, dtype=int)
    rows, tables = [], []
    for j, code in enumerate(codes):
        table = confusion(reference[:, j], predicted[:, j])
        tables.append(table)
        rows.append(_score_row(code, table))
    frame = pd.DataFrame(rows, columns=SCORE_COLUMNS)
    micro = _score_row(MICRO, sum(tables, np.zeros((2, 2))))
    used = frame[frame["support"] > 0]
    macro = {"code": MACRO, **{k: int(used[k].sum()) for k in ("support", "predicted", "tp", "fp", "fn")},
             **{k: float(used[k].mean()) for k in ("precision", "recall", "f1", "kappa")}}
    return pd.concat([frame, pd.DataFrame([micro, macro], columns=SCORE_COLUMNS)], ignore_index=True)


def _score_row(code: str, table: np.ndarray) -> dict:
    (_, fp), (fn, tp) = table.astype(int)
    return {"code": code, "support": tp + fn, "predicted": tp + fp, "tp": tp, "fp": fp, "fn": fn,
            **scores_from_confusion(table)}
