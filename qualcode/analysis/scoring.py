"""How well one coder's turn-level codes agree with another's (gold vs the rule tagger).

Everything here is a pure function over pandas frames and sets, except
:func:`tagger_code_sets`, which reads one coder's codings from an open project.

    >>> from qualcode.analysis.scoring import read_coding_sheet, tagger_code_sets, evaluate, parents_of
    >>> gold = read_coding_sheet("transcripts_sample/gold_tuning.csv")
    >>> with open_project("study.qcproj") as project:
    ...     machine = tagger_code_sets(project, "Mentoring expectations", coder="rules")
    >>> result = evaluate(gold, machine, parents_of(load_codebook("codebooks/mentoring_expectations.yaml")))
    >>> result.table("code")      # per code: tp, fp, fn, tn, support, precision, recall, f1, kappa
    >>> result.summary()          # micro and macro averages at the code and theme level

A *code-set frame* has one row per turn, indexed by ``(document, turn)``, with a
column ``codes`` holding a frozenset of code ids; an empty set means the coder
read the turn and no code applies.  Turns compared are those present in both
frames (the turns both coders covered).

Levels:

- ``code``: every code of the codebook as it was assigned.  A parent code's row
  is about the parent code itself (general talk), not its subcodes.
- ``theme``: the top-level codes, each present in a turn when it or any of its
  descendants is.
- ``rollup``: every code, present when it or any of its descendants is (the
  same as ``theme`` for top-level codes; useful for deeper codebooks).

Per code and level the turn is a binary decision (present or not) for both
coders.  Precision, recall and F1 follow the usual definitions with 0 where a
denominator is 0 (no predictions, or no gold turns); Cohen's kappa is
``(po - pe) / (1 - pe)`` over every compared turn, undefined (NaN) when
``pe == 1`` (both coders say the same thing on every turn, e.g. neither uses
the code).  Macro averages are means over the codes that at least one coder
used (kappa: over codes where it is defined); micro averages pool the
true/false positive and negative counts of those codes, and micro kappa is
kappa on that pooled table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd

from qualcode.core.tables import read_table
from qualcode.core.errors import FormatError, InputError, SelectionError
from qualcode.store.codebooks import find_codebooks
from qualcode.store.frames import coding_decisions_frame, coverage_frame, segments_frame

SHEET_COLUMNS = ("document", "turn", "codes")
LEVELS = ("code", "theme", "rollup")
METRIC_COLUMNS = ["code", "tp", "fp", "fn", "tn", "support", "predicted",
                  "precision", "recall", "f1", "kappa"]


# ------------------------------------------------------------------ reading sheets
def split_codes(cell) -> frozenset[str]:
    """``"a; b ;c"`` -> ``{"a", "b", "c"}``; an empty or missing cell is the empty set."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return frozenset()
    return frozenset(part.strip() for part in str(cell).split(";") if part.strip())


def read_coding_sheet(path: str | Path, known_codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Read a coding sheet (CSV or XLSX: ``document,turn,speaker,codes,text``) to a code-set frame.

    The frame is indexed by ``(document, turn)`` and has the column ``codes``
    (frozensets) and, when the sheet has them, ``speaker`` and ``text``.  Raises
    :class:`~qualcode.core.errors.FormatError` naming the file and row for a missing
    column, a turn that is not a whole number, a turn listed twice or (when
    ``known_codes`` is given) an unknown code id.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("coding sheet not found", path)
    table = read_table(path)  # CSV/TSV in any encoding qualcode reads, or XLSX
    missing = [c for c in SHEET_COLUMNS if not table.has(c)]
    if missing:
        raise FormatError(f"missing column(s) {', '.join(missing)}; a coding sheet has columns "
                          "document,turn,speaker,codes,text", path)
    known = set(known_codes) if known_codes is not None else None
    rows, seen = [], {}
    # Row numbers as a spreadsheet shows them: the header is row 1; blank rows are skipped.
    for row_number, record in table.rows:
        document = record["document"]
        turn_text = record["turn"]
        try:
            number = float(turn_text)
        except ValueError:
            number = math.nan
        turn = int(number) if number == number and number.is_integer() and number >= 0 else None
        if turn is None:
            raise FormatError(f"row {row_number}: turn {turn_text!r} is not a turn number (0, 1, 2, ...)", path)
        if not document:
            raise FormatError(f"row {row_number}: the document is empty", path)
        key = (document, turn)
        if key in seen:
            raise FormatError(f"row {row_number}: {document} turn {turn} is already on row {seen[key]}", path)
        seen[key] = row_number
        codes = split_codes(record["codes"])
        if known is not None:
            unknown = sorted(codes - known)
            if unknown:
                raise FormatError(f"row {row_number}: unknown code {unknown[0]!r}", path)
        row = {"document": document, "turn": turn, "codes": codes}
        for extra in ("speaker", "text"):
            if table.has(extra):
                row[extra] = record[extra]
        rows.append(row)
    return code_set_frame(rows, path)


def code_set_frame(rows: Iterable[Mapping], source: str | Path | None = None) -> pd.DataFrame:
    """Build a code-set frame from dicts with ``document``, ``turn`` and ``codes`` (any iterable)."""
    frame = pd.DataFrame(list(rows))
    if frame.empty:
        frame = pd.DataFrame(columns=["document", "turn", "codes"])
    frame["codes"] = [frozenset(c) for c in frame["codes"]]
    frame["turn"] = frame["turn"].astype(int)
    frame = frame.set_index(["document", "turn"]).sort_index()
    if frame.index.has_duplicates:
        raise FormatError("a turn is listed twice", source)
    return frame


def tagger_code_sets(project, codebook: str, coder: str = "rules") -> pd.DataFrame:
    """One coder's codes per turn for a codebook (by name), over every turn the coder covered.

    Uses the project's coverage table, so a covered turn without codings is an
    empty set; codings with status ``rejected`` are left out.  Of the codebooks the name
    matches (:mod:`qualcode.store.codebooks`), the most recently added one the coder covered
    turns with is used.
    """
    ids = [book.id for book in find_codebooks(project, codebook)]
    coverage = coverage_frame(project)
    covered = coverage[(coverage["coder"] == coder) & coverage["codebook_id"].isin(ids)]
    if covered.empty:
        raise SelectionError(f"coder {coder!r} has not coded the project with codebook {codebook!r}",
                             project.path)
    codebook_id = int(covered["codebook_id"].max())
    segment_ids = set(covered.loc[covered["codebook_id"] == codebook_id, "segment_id"].astype(int))
    segments = segments_frame(project, include_facilitators=True)
    segments = segments[segments["segment_id"].isin(segment_ids)]
    codings = coding_decisions_frame(project)
    codings = codings[(codings["coder"] == coder) & (codings["codebook_id"] == codebook_id)
                      & (codings["status"] != "rejected")]
    by_segment = codings.groupby("segment_id")["code"].agg(frozenset).to_dict()
    return code_set_frame(({"document": row.document, "turn": row.turn,
                            "codes": by_segment.get(row.segment_id, frozenset())}
                           for row in segments.itertuples()))


# ------------------------------------------------------------------ hierarchy
def parents_of(codebook) -> dict[str, str | None]:
    """``{code id: parent id or None}`` from a :class:`~qualcode.codebook.Codebook` or a codes frame."""
    if isinstance(codebook, pd.DataFrame):
        return {row.code: (row.parent if isinstance(row.parent, str) and row.parent else None)
                for row in codebook.itertuples()}
    return {code.id: code.parent for code in codebook.codes}


def _ancestors(code: str, parents: Mapping[str, str | None]) -> list[str]:
    chain, seen = [], {code}
    parent = parents.get(code)
    while parent is not None and parent not in seen:
        chain.append(parent)
        seen.add(parent)
        parent = parents.get(parent)
    return chain


def lift(codes: frozenset[str], parents: Mapping[str, str | None], level: str) -> frozenset[str]:
    """The codes of one turn at ``level`` (see the module documentation)."""
    if level == "code":
        return frozenset(codes)
    rolled = set(codes)
    for code in codes:
        rolled.update(_ancestors(code, parents))
    if level == "rollup":
        return frozenset(rolled)
    if level == "theme":
        return frozenset(c for c in rolled if parents.get(c) is None)
    raise ValueError(f"unknown level {level!r}; use one of {', '.join(LEVELS)}")


# ------------------------------------------------------------------ metrics
def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def binary_scores(tp: int, fp: int, fn: int, tn: int) -> dict[str, float]:
    """Precision, recall, F1 and Cohen's kappa from a 2x2 table (see the module documentation)."""
    n = tp + fp + fn + tn
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    f1 = _ratio(2 * tp, 2 * tp + fp + fn)
    if n == 0:
        kappa = math.nan
    else:
        po = (tp + tn) / n
        pe = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / (n * n)
        kappa = (po - pe) / (1 - pe) if pe < 1 else math.nan
    return {"precision": precision, "recall": recall, "f1": f1, "kappa": kappa}


@dataclass
class Evaluation:
    """Agreement of ``predicted`` with ``gold``.  ``tables[level]`` has one row per code."""

    turns: int
    gold_only: list[tuple[str, int]]       # turns in gold that the other coder did not cover
    predicted_only: list[tuple[str, int]]  # and the other way round
    tables: dict[str, pd.DataFrame]

    def table(self, level: str = "code") -> pd.DataFrame:
        if level not in self.tables:
            raise ValueError(f"unknown level {level!r}; use one of {', '.join(self.tables)}")
        return self.tables[level]

    def averages(self, level: str = "code") -> dict[str, float]:
        """Micro and macro precision, recall, F1 and kappa over the codes either coder used."""
        table = self.table(level)
        used = table[(table["support"] > 0) | (table["predicted"] > 0)]
        sums = {k: int(used[k].sum()) for k in ("tp", "fp", "fn", "tn")}
        micro = binary_scores(**sums)
        out = {f"micro_{k}": v for k, v in micro.items()}
        for k in ("precision", "recall", "f1", "kappa"):
            values = used[k].dropna()
            out[f"macro_{k}"] = float(values.mean()) if len(values) else math.nan
        out["codes"] = len(used)
        return out

    def summary(self) -> pd.DataFrame:
        """One row per level: number of codes used, micro and macro P/R/F1/kappa."""
        rows = [{"level": level, **self.averages(level)} for level in self.tables]
        return pd.DataFrame(rows)


def evaluate(gold: pd.DataFrame, predicted: pd.DataFrame, parents: Mapping[str, str | None],
             levels: Iterable[str] = ("code", "theme")) -> Evaluation:
    """Compare two code-set frames turn by turn, binary per code, at each level.

    ``parents`` maps every code id of the codebook to its parent (None for a
    theme); codes found in either frame but not in ``parents`` raise
    :class:`~qualcode.core.errors.SelectionError`.  Rows follow the order of
    ``parents`` (the codebook's order).
    """
    levels = tuple(levels)
    for level in levels:
        if level not in LEVELS:
            raise ValueError(f"unknown level {level!r}; use one of {', '.join(LEVELS)}")
    for name, frame in (("gold", gold), ("predicted", predicted)):
        stray = sorted(set().union(*frame["codes"]) - set(parents)) if len(frame) else []
        if stray:
            raise SelectionError(f"{name} codings use code {stray[0]!r}, which is not in the codebook")
    common = gold.index.intersection(predicted.index)
    gold_only = [tuple(k) for k in gold.index.difference(predicted.index)]
    predicted_only = [tuple(k) for k in predicted.index.difference(gold.index)]
    pairs = [(gold.at[key, "codes"], predicted.at[key, "codes"]) for key in common]
    tables = {}
    for level in levels:
        lifted = [(lift(g, parents, level), lift(p, parents, level)) for g, p in pairs]
        codes = [c for c in parents if level != "theme" or parents[c] is None]
        rows = []
        for code in codes:
            tp = sum(1 for g, p in lifted if code in g and code in p)
            fp = sum(1 for g, p in lifted if code not in g and code in p)
            fn = sum(1 for g, p in lifted if code in g and code not in p)
            tn = len(lifted) - tp - fp - fn
            rows.append({"code": code, "tp": tp, "fp": fp, "fn": fn, "tn": tn,
                         "support": tp + fn, "predicted": tp + fp, **binary_scores(tp, fp, fn, tn)})
        tables[level] = pd.DataFrame(rows, columns=METRIC_COLUMNS)
    return Evaluation(len(pairs), gold_only, predicted_only, tables)


def format_evaluation(result: Evaluation, levels: Iterable[str] | None = None) -> str:
    """A plain-text report: per-code table and averages for each level."""
    lines = [f"{result.turns} turns compared"]
    if result.gold_only:
        lines.append(f"{len(result.gold_only)} gold turns not covered by the other coder (left out)")
    for level in (levels or result.tables):
        table = result.table(level).copy()
        lines.append("")
        lines.append(f"== {level} level ==")
        for col in ("precision", "recall", "f1", "kappa"):
            table[col] = table[col].map(lambda v: "" if pd.isna(v) else f"{v:.2f}")
        lines.append(table.to_string(index=False))
        avg = result.averages(level)
        lines.append(f"micro P {avg['micro_precision']:.3f}  R {avg['micro_recall']:.3f}  "
                     f"F1 {avg['micro_f1']:.3f}  kappa {avg['micro_kappa']:.3f}")
        lines.append(f"macro P {avg['macro_precision']:.3f}  R {avg['macro_recall']:.3f}  "
                     f"F1 {avg['macro_f1']:.3f}  kappa {avg['macro_kappa']:.3f}  ({avg['codes']} codes)")
    return "\n".join(lines)
