"""Counts and comparison tables as CSV or Excel (numbers stay numbers; Excel shows percentages)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from qualcode.analysis.counts import counts_wide
from qualcode.analysis.compare import CORRECTIONS
from qualcode.core.files import atomic_output, table_format
from qualcode.export.xlsx import Sheet, write_workbook

CORRECTION_NAMES = {"holm": "Holm", "bh": "Benjamini-Hochberg", "none": "no"}


def write_counts(counts: pd.DataFrame, path: str | Path) -> Path:
    """CSV: the long table.  XLSX: "counts" (long) plus wide sheets of turns, share, participants."""
    suffix = table_format(path)
    if suffix == ".csv":
        with atomic_output(path) as tmp:
            counts.to_csv(tmp, index=False, encoding="utf-8-sig")
        return Path(path)
    sheets = [Sheet("counts", counts, percent=("share",))]
    for measure in ("turns", "share", "participants", "mentions"):
        wide = counts_wide(counts, measure)
        groups = [c for c in wide.columns if c not in ("code", "name", "theme", "depth")]
        sheets.append(Sheet(measure, wide, percent=tuple(groups) if measure == "share" else ()))
    sheets.append(Sheet("about", _about(counts.attrs.get("selection", ""), [
        "mentions: coded excerpts (distinct passages)",
        "turns: participant turns with the code; share = turns / group_turns",
        "participants: distinct participants who raised the code",
        "documents: documents (focus groups) in which it appears",
        "parent codes count their own and all descendants' codings, each unit once",
    ]), wrap=("about",), max_width=100))
    return write_workbook(sheets, path)


def comparison_for_output(table: pd.DataFrame) -> pd.DataFrame:
    """The comparison frame with a_/b_ columns named after the two groups (scholar_units...)."""
    if table.empty:
        return table
    a, b = str(table["a"].iloc[0]), str(table["b"].iloc[0])
    renamed = {c: f"{a}_{c[2:]}" for c in table.columns if c.startswith("a_")}
    renamed.update({c: f"{b}_{c[2:]}" for c in table.columns if c.startswith("b_")})
    return table.drop(columns=["a", "b"]).rename(columns=renamed)


def write_comparison(table: pd.DataFrame, path: str | Path) -> Path:
    """CSV or XLSX ("comparison" sheet plus "about" with the methods)."""
    suffix = table_format(path)
    out = comparison_for_output(table)
    if suffix == ".csv":
        with atomic_output(path) as tmp:
            out.to_csv(tmp, index=False, encoding="utf-8-sig")
        return Path(path)
    shares = tuple(c for c in out.columns if c.endswith("_share") or c in ("difference", "ci_low", "ci_high"))
    pvals = {c: "0.0000" for c in ("p_value", "p_adjusted")}
    sheets = [Sheet("comparison", out, percent=shares, decimals=pvals),
              Sheet("about", _about(table.attrs.get("selection", ""), methods_text(table)),
                    wrap=("about",), max_width=100)]
    return write_workbook(sheets, path)


def methods_text(table: pd.DataFrame) -> list[str]:
    """Plain-language methods for a comparison table (used in Excel and in the report)."""
    correction = table.attrs.get("correction", "holm")
    unit = table["unit"].iloc[0] if len(table) else "turns"
    what = ("participant turns coded out of the group's participant turns" if unit == "turns"
            else "distinct participants who raised the code out of the group's participants")
    lines = [
        f"Unit: {what}; parent codes include their subcodes; facilitator turns are left out.",
        "Difference: share in the first group minus share in the second, with a 95% confidence "
        "interval by Newcombe's hybrid score method (from two Wilson intervals).",
        "Test: two-sided Fisher's exact test on the 2x2 table of coded / not coded units.",
        f"Adjusted p: {CORRECTION_NAMES.get(correction, correction)} correction over every code "
        "raised by either group." if correction in CORRECTIONS else "",
        "Few data: fewer than 5 coded units in both groups together, or a group with fewer than 10 "
        "units: the test cannot show a difference either way.",
        "Turns of one participant, and participants of one focus group, are not independent; the "
        "test treats them as if they were, so read p-values as a guide, not a proof.",
    ]
    return [line for line in lines if line]


def _about(selection: str, lines: list[str]) -> pd.DataFrame:
    rows = ([f"Selection: {selection}"] if selection else []) + lines
    return pd.DataFrame({"about": rows})
