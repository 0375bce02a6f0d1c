"""Compare two groups (scholars and mentors, two sites...) code by code.

For every code: each group's coded units out of its total (participant turns
by default, or distinct participants with ``unit="participants"``), the share,
and

- **effect size**: the difference in shares (risk difference, group a minus
  group b, in proportion units) with a 95% confidence interval by Newcombe's
  hybrid score method (method 10 of Newcombe 1998, built from two Wilson
  intervals).  It stays inside [-1, 1] and behaves well with zero counts, where
  the Wald interval does not, and it is on the scale researchers report
  ("mentioned in 43% of scholar turns vs 75% of mentor turns");
- **test**: Fisher's exact test (two-sided, ``scipy.stats.fisher_exact``) on the
  2x2 table [[a coded, a not coded], [b coded, b not coded]]; exact, so valid
  at the small counts focus groups give, where chi-square is not;
- **multiple comparisons**: p-values adjusted over every code raised by either
  group (Holm by default, which controls the family-wise error rate;
  ``correction="bh"`` for Benjamini-Hochberg's false discovery rate);
- **few data**: fewer than ``min_units`` (5) coded units in the two groups
  together, or a group with fewer than ``min_total`` (10) units in all.  Such a
  row cannot show a difference either way: read the counts, not the p-value.

Caveat to state in a report: turns of one participant, and participants of one
focus group, are not independent; tests on turns treat them as if they were,
which overstates precision.  The participant unit is the more conservative one.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from qualcode.analysis.counts import counts_by, order_groups
from qualcode.analysis.selection import check_group
from qualcode.core.errors import SelectionError
from qualcode.store.project import Project

UNITS = {"turns": ("turns", "group_turns"), "participants": ("participants", "group_participants")}
CORRECTIONS = ("holm", "bh", "none")
MIN_UNITS = 5
MIN_TOTAL = 10
COLUMNS = ["code", "name", "theme", "depth", "a", "b", "unit",
           "a_units", "a_total", "a_share", "a_participants", "a_group_participants",
           "b_units", "b_total", "b_share", "b_participants", "b_group_participants",
           "difference", "ci_low", "ci_high", "p_value", "p_adjusted", "significant",
           "few_data", "note"]


def wilson_interval(x: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for the proportion x/n (NaN, NaN when n == 0)."""
    if n <= 0:
        return math.nan, math.nan
    z = stats.norm.ppf(0.5 + confidence / 2)
    p = x / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    denom = 1 + z * z / n
    return max(0.0, (centre - half) / denom), min(1.0, (centre + half) / denom)


def newcombe_interval(x1: int, n1: int, x2: int, n2: int,
                      confidence: float = 0.95) -> tuple[float, float]:
    """Newcombe's hybrid score interval for p1 - p2 (Newcombe 1998, method 10)."""
    if n1 <= 0 or n2 <= 0:
        return math.nan, math.nan
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_interval(x1, n1, confidence)
    l2, u2 = wilson_interval(x2, n2, confidence)
    d = p1 - p2
    return (d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
            d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


def fisher_p(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided Fisher's exact p-value for x1/n1 vs x2/n2."""
    if n1 <= 0 or n2 <= 0:
        return math.nan
    return float(stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]], alternative="two-sided").pvalue)


def holm(pvalues) -> np.ndarray:
    """Holm's step-down adjusted p-values; NaNs stay NaN and do not count in the family."""
    p = np.asarray(pvalues, dtype=float)
    out = np.full_like(p, np.nan)
    idx = np.flatnonzero(~np.isnan(p))
    m = len(idx)
    order = idx[np.argsort(p[idx], kind="stable")]
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


def benjamini_hochberg(pvalues) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values); NaNs stay NaN."""
    p = np.asarray(pvalues, dtype=float)
    out = np.full_like(p, np.nan)
    idx = np.flatnonzero(~np.isnan(p))
    m = len(idx)
    order = idx[np.argsort(p[idx], kind="stable")]
    running = 1.0
    for rank in range(m - 1, -1, -1):
        i = order[rank]
        running = min(running, p[i] * m / (rank + 1))
        out[i] = running
    return out


def adjust(pvalues, correction: str = "holm") -> np.ndarray:
    if correction == "holm":
        return holm(pvalues)
    if correction == "bh":
        return benjamini_hochberg(pvalues)
    if correction == "none":
        return np.asarray(pvalues, dtype=float)
    raise SelectionError(f"unknown correction {correction!r}; use {', '.join(CORRECTIONS)}")


def default_pair(groups, by: str, a: str | None = None, b: str | None = None) -> tuple[str, str]:
    """The two groups to compare: as given; else scholar vs mentor; else the only two there are."""
    groups = order_groups(groups, by)
    for value in (a, b):
        if value is not None:
            check_group(groups, value, by)
    if a is not None and b is not None:
        pair = (a, b)
    elif a is None and b is None:
        if by == "role" and {"scholar", "mentor"} <= set(groups):
            pair = ("scholar", "mentor")
        elif len(groups) == 2:
            pair = (groups[0], groups[1])
        else:
            raise SelectionError(f"choose the two {by} values to compare with --a and --b; "
                                 f"{by} values: {', '.join(groups)}")
    else:
        given = a if a is not None else b
        rest = [g for g in groups if g != given]
        if len(rest) != 1:
            raise SelectionError(f"choose the other {by} value to compare with {given!r}; "
                                 f"{by} values: {', '.join(groups)}")
        pair = (a, rest[0]) if a is not None else (rest[0], b)
    if pair[0] == pair[1]:
        raise SelectionError(f"compare needs two different {by} values, not {pair[0]!r} twice")
    return pair


def compare_counts(counts: pd.DataFrame, a: str, b: str, *, unit: str = "turns",
                   correction: str = "holm", alpha: float = 0.05, confidence: float = 0.95,
                   min_units: int = MIN_UNITS, min_total: int = MIN_TOTAL) -> pd.DataFrame:
    """The comparison table from a :func:`~qualcode.analysis.counts.counts_by` frame."""
    if unit not in UNITS:
        raise SelectionError(f"unknown unit {unit!r}; use {', '.join(UNITS)}")
    by = counts["by"].iloc[0] if "by" in counts.columns and len(counts) else "group"
    groups = list(dict.fromkeys(counts["group"]))
    check_group(groups, a, by)
    check_group(groups, b, by)
    units, totals = UNITS[unit]
    rows = []
    for code, part in counts.groupby("code", sort=False):
        ga = part[part["group"] == a].iloc[0]
        gb = part[part["group"] == b].iloc[0]
        xa, na, xb, nb = int(ga[units]), int(ga[totals]), int(gb[units]), int(gb[totals])
        raised = xa + xb > 0
        low, high = newcombe_interval(xa, na, xb, nb, confidence)
        few = raised and (xa + xb < min_units or min(na, nb) < min_total)
        rows.append({
            "code": code, "name": ga["name"], "theme": ga["theme"], "depth": int(ga["depth"]),
            "a": a, "b": b, "unit": unit,
            "a_units": xa, "a_total": na, "a_share": xa / na if na else math.nan,
            "a_participants": int(ga["participants"]), "a_group_participants": int(ga["group_participants"]),
            "b_units": xb, "b_total": nb, "b_share": xb / nb if nb else math.nan,
            "b_participants": int(gb["participants"]), "b_group_participants": int(gb["group_participants"]),
            "difference": (xa / na - xb / nb) if na and nb else math.nan,
            "ci_low": low, "ci_high": high,
            "p_value": fisher_p(xa, na, xb, nb) if raised else math.nan,
            "few_data": few,
            "note": "not raised" if not raised else "few data" if few else "",
        })
    out = pd.DataFrame(rows)
    out["p_adjusted"] = adjust(out["p_value"], correction)
    out["significant"] = out["p_adjusted"] < alpha
    out = out[COLUMNS]
    out.attrs.update(counts.attrs)
    out.attrs.update({"correction": correction, "alpha": alpha, "confidence": confidence, "by": by})
    return out


def compare_groups(project: Project, by: str = "role", a: str | None = None, b: str | None = None,
                   *, codebook=None, coder=None, status=None, include_facilitators: bool = False,
                   include_unidentified: bool = False, rollup: bool = True, unit: str = "turns",
                   correction: str = "holm",
                   alpha: float = 0.05) -> pd.DataFrame:
    """Counts for the two groups (:func:`~qualcode.analysis.counts.counts_by`) and
    :func:`compare_counts` on them (defaults: scholar vs mentor)."""
    counts = counts_by(project, by, codebook=codebook, coder=coder, status=status,
                       include_facilitators=include_facilitators, include_unidentified=include_unidentified,
                       rollup=rollup)
    a, b = default_pair(counts["group"], by, a, b)
    return compare_counts(counts, a, b, unit=unit, correction=correction, alpha=alpha)


def compare_display(table: pd.DataFrame) -> pd.DataFrame:
    """A readable table: both groups' figures, difference [95% CI], p, adjusted p, note."""
    if table.empty:
        return pd.DataFrame()
    a, b, unit = table["a"].iloc[0], table["b"].iloc[0], table["unit"].iloc[0]
    rows = []
    for r in table.itertuples(index=False):
        rows.append({
            "code": ("  " * r.depth) + str(r.name),
            f"{a} {unit}": f"{r.a_units}/{r.a_total} ({_pct(r.a_share)})",
            f"{b} {unit}": f"{r.b_units}/{r.b_total} ({_pct(r.b_share)})",
            f"{a}/{b} participants": f"{r.a_participants}/{r.b_participants}",
            "difference [95% CI]": (_difference(r.difference, r.ci_low, r.ci_high)
                                    if r.note != "not raised" else "-"),
            "p": _p(r.p_value),
            "adjusted p": _p(r.p_adjusted),
            "note": r.note,
        })
    return pd.DataFrame(rows)


def _pct(value: float) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.0%}"


def _difference(d: float, low: float, high: float) -> str:
    if d is None or math.isnan(d):
        return "-"
    return f"{_pp(d)} pp [{_pp(low)}, {_pp(high)}]"


def _pp(value: float) -> str:
    """Percentage points, signed, without a "-0"."""
    points = int(round(value * 100))
    return f"{points:+d}" if points else "0"


def _p(value: float) -> str:
    if value is None or math.isnan(value):
        return "-"
    return "<0.001" if value < 0.001 else f"{value:.3f}"
