"""Inter-coder agreement: percent agreement, Cohen's kappa, Krippendorff's alpha, and
precision/recall/F1 against a reference coder.  The data are read from the project's
queries once (:func:`prepare_agreement`); the statistics are pure functions over them.

    >>> from qualcode.store.project import open_project
    >>> from qualcode.analysis.agreement import prepare_agreement, agreement_table
    >>> with open_project("study.qcproj") as project:
    ...     data = prepare_agreement(project, coders=["gold", "rules"])
    >>> agreement_table(data)            # one row per code, then 'overall'

The data: for every code, each coder gives each unit (a turn, or a character of a
turn) the value 1 (coded) or 0 (not coded) - if the coder read that turn (the
project's coverage table); a turn the coder never read is *missing*, not 0.

- percent agreement: over units with at least two values, the share of agreeing
  coder pairs in the unit, averaged over units (two coders: the share of units
  both read on which they agree);
- Cohen's kappa (exactly two coders): on the units both read;
- Krippendorff's alpha, nominal, any number of coders, missing values allowed;
- precision, recall and F1 of each coder against a reference coder;
- ``overall`` is the same statistic on every (unit, code) decision of the table pooled.

The statistics, and what an undefined one (a code nobody used) shows, are those of
:mod:`qualcode.analysis.metrics`.

Levels: ``code`` (each code's own codings), ``code`` with ``rollup=True`` (a turn
coded with a subcode also counts as coded with its parent and every ancestor), and
``theme`` (every code rolled up to its theme; one row per theme).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
import pandas as pd

from qualcode.analysis.metrics import agreement_figures, confusion, scores_from_confusion
from qualcode.analysis.selection import STATUSES, CodeTree
from qualcode.core.errors import SelectionError
from qualcode.core.pseudonyms import pseudonymize_speakers
from qualcode.store.codebooks import codebook_versions, matching_ids, stored_codebooks
from qualcode.store.frames import segments_frame
from qualcode.store.project import Project
from qualcode.store.queries import (codebook_coders, coders_codebook_ids, codings_on_turns, coverage_by_coder,
                                    documents_coded_by)
from qualcode.core.roles import FACILITATOR

LEVELS = ("code", "theme")
UNITS = ("turns", "characters")
OVERALL = "overall"


# --------------------------------------------------------------------- the data
@dataclass
class AgreementData:
    """The units, who read them, and what each coder coded, ready for the statistics."""

    coders: list[str]
    codebook: str
    units: pd.DataFrame                     # one row per turn read by any coder
    covered: dict[str, set[int]]            # coder -> segment ids read
    codings: pd.DataFrame                   # coder, segment_id, code, start, end (selected codings)
    tree: CodeTree
    notes: list[str] = field(default_factory=list)

    @property
    def pairable(self) -> int:
        """Turns read by at least two of the coders (the turns the statistics use)."""
        return sum(1 for s in self.units["segment_id"].astype(int)
                   if sum(s in c for c in self.covered.values()) >= 2)


def _codebook_ids(project: Project, coders: list[str], codebook: str | int | None) -> tuple[list[int], int, str]:
    """Every version of the codebook asked for (found as :mod:`qualcode.store.codebooks` finds
    one), else of the latest one the coders used: their ids, the latest id and its label."""
    books = {b.id: b for b in stored_codebooks(project)}
    if not books:
        raise SelectionError("the project has no codebook and no codings: nothing to compare")
    if codebook is None:
        used = coders_codebook_ids(project, coders)
        if not used:
            raise SelectionError(f"no codings or coverage by {', '.join(coders)} in any codebook")
        name = books[max(used)].name
    else:
        wanted = int(codebook) if isinstance(codebook, (int, np.integer)) else str(codebook)
        hit = matching_ids(((b.id, b.name, b.version) for b in books.values()), wanted)
        if not hit:
            raise SelectionError(f"no codebook {codebook!r} in the project; codebooks: "
                                 f"{', '.join(sorted({b.name for b in books.values()}))}")
        name = books[hit[-1]].name
    ids = codebook_versions(project, name)
    return ids, max(ids), books[max(ids)].label


def _turns(project: Project, documents: list[str], include_facilitators: bool) -> pd.DataFrame:
    """The turns agreement may count: participants' (facilitators' too if asked), of these
    documents if any are named."""
    turns = segments_frame(project, include_facilitators=True)
    if documents:
        unknown = [d for d in documents if d not in set(turns["document"])]
        if unknown:
            raise SelectionError(f"unknown document {unknown[0]!r}; documents: "
                                 f"{', '.join(dict.fromkeys(turns['document']))}")
    if not include_facilitators:
        turns = turns[turns["role"].fillna("") != FACILITATOR]
    return turns[turns["document"].isin(documents)] if documents else turns


def _covered(project: Project, coders: list[str], ids: list[int], label: str,
             turns: pd.DataFrame) -> tuple[dict[str, set[int]], list[str]]:
    """coder -> the turns they read (among ``turns``), and notes on coders with no record of it."""
    coverage = coverage_by_coder(project, ids, coders)
    allowed = set(turns["segment_id"].astype(int))
    covered: dict[str, set[int]] = {}
    notes: list[str] = []
    for coder in coders:
        if coder in coverage:
            covered[coder] = coverage[coder] & allowed
            continue
        docs = documents_coded_by(project, coder, ids)
        if not docs:
            present = sorted(codebook_coders(project, ids) | set(coverage))
            raise SelectionError(f"coder {coder!r} has no codings and no coverage in codebook {label}; "
                                 f"coders: {', '.join(present) or 'none'}")
        covered[coder] = set(turns.loc[turns["document"].isin(docs), "segment_id"].astype(int))
        notes.append(f"{coder} has no record of the turns they read: counted as having read every "
                     f"participant turn of the {len(docs)} document{'s' if len(docs) != 1 else ''} "
                     "they coded")
    return covered, notes


def prepare_agreement(project: Project, coders: Iterable[str], *,
                      codebook: str | int | None = None, documents: Iterable[str] = (),
                      status: Iterable[str] | None = None,
                      include_facilitators: bool = False) -> AgreementData:
    """Select the codebook (all versions of one name), coders' codings (every status by
    default: a tagger is judged on all it suggested, also what a reviewer rejected), each
    on the turn it counts in, and the turns each coder read.

    A coder with codings but no coverage record (codings made before coverage was
    kept, or written by hand) counts as having read every participant turn of the
    documents they coded; a note says so."""
    coders = list(dict.fromkeys(c.strip() for c in coders if c and c.strip()))
    if len(coders) < 2:
        raise SelectionError("agreement needs at least two coders, e.g. --coders gold,rules")
    ids, latest, label = _codebook_ids(project, coders, codebook)
    documents = list(documents)
    turns = _turns(project, documents, include_facilitators)
    covered, notes = _covered(project, coders, ids, label, turns)
    read = set().union(*covered.values())
    units = turns[turns["segment_id"].astype(int).isin(read)].reset_index(drop=True)
    pairable = sum(1 for s in read if sum(s in c for c in covered.values()) >= 2)
    if units.empty or pairable == 0:
        where = f" in {', '.join(documents)}" if documents else ""
        raise SelectionError(f"no turn{where} was read by two of the coders {', '.join(coders)} "
                             f"with codebook {label}: nothing to compare")
    codings = codings_on_turns(project, ids, coders, tuple(status) if status else STATUSES)
    tree = CodeTree.of_codebook(project, latest, sorted(set(codings["code"])))
    kept = codings[codings["segment_id"].isin(read)].reset_index(drop=True)
    return AgreementData(coders, label, units, covered, kept, tree, notes)


def targets(data: AgreementData, level: str = "code", rollup: bool = False) -> dict[str, list[str]]:
    """Target code -> the codes whose codings count for it, in display order."""
    if level not in LEVELS:
        raise SelectionError(f"unknown level {level!r}; use {' or '.join(LEVELS)}")
    tree = data.tree
    if level == "theme":
        return {t: tree.descendants(t) for t in tree.themes}
    if rollup:
        return {c: tree.descendants(c) for c in tree.display_order}
    return {c: [c] for c in tree.display_order}


def _read_masks(data: AgreementData) -> np.ndarray:
    """Coders x turns: True where the coder read the turn."""
    seg_ids = data.units["segment_id"].astype(int).to_numpy()
    return np.array([np.isin(seg_ids, np.fromiter(data.covered[c], int, len(data.covered[c])))
                     for c in data.coders])


def _turn_matrix(data: AgreementData, counted: list[str], read: np.ndarray | None = None) -> np.ndarray:
    seg_ids = data.units["segment_id"].astype(int).to_numpy()
    read = _read_masks(data) if read is None else read
    matrix = np.full((len(data.coders), len(seg_ids)), np.nan)
    chosen = data.codings[data.codings["code"].isin(counted)]
    for i, coder in enumerate(data.coders):
        coded = np.isin(seg_ids, chosen.loc[chosen["coder"] == coder, "segment_id"].to_numpy())
        matrix[i, read[i]] = coded[read[i]].astype(float)
    return matrix


def _char_runs(data: AgreementData, counted: list[str],
               read: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The characters of the turns as runs over which every coder's value is constant:
    (coders x runs matrix of 1/0/NaN, run lengths, the turn index of each run)."""
    units = data.units
    read = _read_masks(data) if read is None else read
    starts = units["start"].astype(int).to_numpy()
    ends = units["end"].astype(int).to_numpy()
    offsets = np.concatenate([[0], np.cumsum(ends - starts)])
    position = pd.Series(np.arange(len(units)), index=units["segment_id"].astype(int).to_numpy())
    chosen = data.codings[data.codings["code"].isin(counted)]
    spans = []
    for i, coder in enumerate(data.coders):
        mine = chosen[chosen["coder"] == coder]
        j = position.reindex(mine["segment_id"].to_numpy()).to_numpy()
        ok = ~np.isnan(j)
        j = j[ok].astype(int)
        ok_read = read[i][j]
        j = j[ok_read]
        lo = np.maximum(mine["start"].to_numpy()[ok][ok_read], starts[j]) - starts[j] + offsets[j]
        hi = np.minimum(mine["end"].to_numpy()[ok][ok_read], ends[j]) - starts[j] + offsets[j]
        keep = hi > lo
        spans.append((lo[keep], hi[keep]))
    points = np.unique(np.concatenate([offsets] + [np.concatenate([lo, hi]) for lo, hi in spans]))
    lengths = np.diff(points)
    turn = np.searchsorted(offsets, points[:-1], side="right") - 1
    matrix = np.full((len(data.coders), len(lengths)), np.nan)
    for i, (lo, hi) in enumerate(spans):
        depth = np.zeros(len(points))
        np.add.at(depth, np.searchsorted(points, lo), 1)
        np.add.at(depth, np.searchsorted(points, hi), -1)
        coded = (np.cumsum(depth)[:-1] > 0).astype(float)
        mask = read[i][turn]
        matrix[i, mask] = coded[mask]
    keep = lengths > 0
    return matrix[:, keep], lengths[keep].astype(float), turn[keep]


def unit_matrix(data: AgreementData, counted: list[str], unit: str = "turns") -> np.ndarray:
    """Coders x units (turns, or every character of the turns) with 1, 0 or NaN (not read)."""
    if unit not in UNITS:
        raise SelectionError(f"unknown unit {unit!r}; use {' or '.join(UNITS)}")
    if unit == "turns":
        return _turn_matrix(data, counted)
    matrix, lengths, _ = _char_runs(data, counted)
    return np.repeat(matrix, lengths.astype(int), axis=1)


def _weighted_matrix(data: AgreementData, counted: list[str], unit: str,
                     read: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    if unit not in UNITS:
        raise SelectionError(f"unknown unit {unit!r}; use {' or '.join(UNITS)}")
    if unit == "turns":
        return _turn_matrix(data, counted, read), None
    matrix, lengths, _ = _char_runs(data, counted, read)
    return matrix, lengths


def _figures_row(code: str, coders: list[str], matrix: np.ndarray, weights: np.ndarray | None) -> dict:
    figures = agreement_figures(matrix, weights)
    row = {"code": code, "units": int(round(figures["units"])),
           **{f"n_{c}": int(round(n)) for c, n in zip(coders, figures["coded"])},
           "agreement": figures["agreement"]}
    if "kappa" in figures:
        row["kappa"] = figures["kappa"]
    row["alpha"] = figures["alpha"]
    return row


def agreement_table(data: AgreementData, *, level: str = "code", rollup: bool = False,
                    unit: str = "turns") -> pd.DataFrame:
    """One row per code (or theme) and a last row ``overall``: units (pairable: given a value by
    at least two coders), how many of them each coder coded (``n_<coder>``), agreement
    (percent), kappa (two coders only), alpha (:func:`qualcode.analysis.metrics.agreement_figures`).

    With unit 'characters' a unit is a run of characters over which every coder's decision
    is the same, weighted by its length (the figures of one unit per character)."""
    rows, matrices, weights = [], [], []
    read = _read_masks(data)
    for code, counted in targets(data, level, rollup).items():
        matrix, lengths = _weighted_matrix(data, counted, unit, read)
        rows.append(_figures_row(code, data.coders, matrix, lengths))
        matrices.append(matrix)
        weights.append(lengths)
    pooled = np.hstack(matrices) if matrices else np.empty((len(data.coders), 0))
    pooled_weights = None if unit == "turns" or not weights else np.concatenate(weights)
    table = pd.DataFrame(rows + [_figures_row(OVERALL, data.coders, pooled, pooled_weights)])
    table.attrs.update(coders=list(data.coders), codebook=data.codebook, level=level, unit=unit,
                       rollup=rollup, notes=list(data.notes))
    return table


def reference_table(data: AgreementData, reference: str, *, level: str = "code", rollup: bool = False,
                    unit: str = "turns") -> pd.DataFrame:
    """Precision, recall and F1 of every other coder against ``reference``, per code and
    pooled (micro) over codes, on the units both read."""
    if reference not in data.coders:
        raise SelectionError(f"reference {reference!r} is not one of the coders "
                             f"({', '.join(data.coders)}); add it to --coders")
    ref = data.coders.index(reference)
    read = _read_masks(data)
    matrices = {code: _weighted_matrix(data, counted, unit, read)
                for code, counted in targets(data, level, rollup).items()}
    rows = []
    for i, coder in enumerate(data.coders):
        if i == ref:
            continue
        tables = {code: confusion(matrix[ref], matrix[i], weights) for code, (matrix, weights) in matrices.items()}
        tables[OVERALL] = sum(tables.values(), np.zeros((2, 2)))
        for code, table in tables.items():
            scores = scores_from_confusion(table)
            rows.append({"coder": coder, "code": code, "tp": int(table[1, 1]), "fp": int(table[0, 1]),
                         "fn": int(table[1, 0]), **{k: scores[k] for k in ("precision", "recall", "f1")}})
    table = pd.DataFrame(rows)
    table.attrs.update(reference=reference, level=level, unit=unit)
    return table


def _span_text(spans, start: int, end: int) -> str:
    clipped = sorted({(max(int(a), start), min(int(b), end)) for a, b in spans})
    return "; ".join(f"{a}-{b}" for a, b in clipped if b > a) or "no"


def disagreements(data: AgreementData, *, level: str = "code", rollup: bool = False,
                  unit: str = "turns", real_names: bool = False) -> pd.DataFrame:
    """One row per turn and code where the coders who read the turn differ: each coder's
    decision ('yes', 'no', or 'not read'; with unit 'characters' the coded character
    ranges of the document, or 'no'), and the turn's text.  Speakers by pseudonym
    (``S01 (scholar)``) unless ``real_names``."""
    columns = ["document", "turn", "speaker", "participant", "role", "code", *data.coders, "text"]
    units = data.units
    seg_ids = units["segment_id"].astype(int).to_numpy()
    read = _read_masks(data)
    rows = []
    records = units.to_dict("records")
    for position, (code, counted) in enumerate(targets(data, level, rollup).items()):
        turns = _turn_matrix(data, counted, read)
        if unit == "characters":
            chosen = data.codings[data.codings["code"].isin(counted)]
            spans: dict[tuple[str, int], list[tuple[int, int]]] = {}
            for who, seg, a, b in zip(chosen["coder"], chosen["segment_id"], chosen["start"], chosen["end"]):
                spans.setdefault((who, int(seg)), []).append((a, b))
        pairable = np.sum(~np.isnan(turns), axis=0) >= 2
        if unit == "characters":
            runs, _, run_turn = _char_runs(data, counted, read)
            differ_run = np.nanmax(runs, axis=0) != np.nanmin(runs, axis=0)
            differ = np.zeros(len(seg_ids), bool)
            differ[np.unique(run_turn[differ_run])] = True
        else:
            differ = np.nanmax(turns, axis=0, initial=-1) != np.nanmin(turns, axis=0, initial=2)
            differ &= pairable
        for j in np.flatnonzero(differ & pairable):
            turn = records[j]
            row = {k: turn[k] for k in ("document", "turn", "speaker", "participant", "role")}
            row["code"] = code
            for i, coder in enumerate(data.coders):
                if np.isnan(turns[i, j]):
                    row[coder] = "not read"
                elif unit == "characters":
                    row[coder] = _span_text(spans.get((coder, int(seg_ids[j])), []), int(turn["start"]),
                                            int(turn["end"]))
                else:
                    row[coder] = "yes" if turns[i, j] == 1 else "no"
            row["text"] = turn["text"]
            row["_u"], row["_o"] = j, position
            rows.append(row)
    frame = pd.DataFrame(rows, columns=columns + ["_u", "_o"])
    frame = frame.sort_values(["_u", "_o"], kind="stable").drop(columns=["_u", "_o"]).reset_index(drop=True)
    frame["role"] = frame["role"].fillna("")
    return pseudonymize_speakers(frame, real_names)
