"""Inter-coder agreement: percent agreement, Cohen's kappa, Krippendorff's alpha, and
precision/recall/F1 against a reference coder.  Pure functions over frames.

    >>> from qualcode.store.project import open_project
    >>> from qualcode.exchange.sheets.coverage import load_agreement_frames
    >>> from qualcode.analysis.agreement import prepare_agreement, agreement_table
    >>> with open_project("study.qcproj") as project:
    ...     frames, coverage = load_agreement_frames(project)
    >>> data = prepare_agreement(frames, coverage, coders=["gold", "rules"])
    >>> agreement_table(data)            # one row per code, then 'overall'

The data: for every code, each coder gives each unit (a turn, or a character of a
turn) the value 1 (coded) or 0 (not coded) - if the coder read that turn (the
project's coverage table); a turn the coder never read is *missing*, not 0.

- percent agreement: over units with at least two values, the share of agreeing
  coder pairs in the unit, averaged over units (two coders: the share of units
  both read on which they agree);
- Cohen's kappa (exactly two coders): on the units both read;
- Krippendorff's alpha, nominal, any number of coders, missing values allowed,
  computed with the ``krippendorff`` package;
- ``overall`` pools every (unit, code) decision of the table: percent agreement and
  kappa over the pooled decisions, alpha from the summed coincidence matrices
  (the same number the package gives on the pooled data, without building it).

Levels: ``code`` (each code's own codings), ``code`` with ``rollup=True`` (a turn
coded with a subcode also counts as coded with its parent and every ancestor), and
``theme`` (every code rolled up to its theme; one row per theme).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
import pandas as pd

from qualcode.analysis.frames import CorpusFrames
from qualcode.analysis.selection import STATUSES, CodeTree
from qualcode.core.errors import SelectionError
from qualcode.core.pseudonyms import pseudonymize_speakers
from qualcode.store.codebooks import matching_ids

FACILITATOR = "facilitator"
LEVELS = ("code", "theme")
UNITS = ("turns", "characters")
OVERALL = "overall"


# ------------------------------------------------------------------------ statistics
def value_counts(matrix: np.ndarray, values: Iterable[float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(values, counts): counts[u, v] is how many coders gave unit u the value values[v]."""
    matrix = np.asarray(matrix, dtype=float)
    if values is None:
        values = np.unique(matrix[~np.isnan(matrix)])
    values = np.asarray(list(values), dtype=float)
    counts = np.stack([np.sum(matrix == v, axis=0) for v in values], axis=1) if len(values) else \
        np.zeros((matrix.shape[1], 0))
    return values, counts.astype(float)


def _weights(matrix: np.ndarray, weights) -> np.ndarray:
    return np.ones(np.asarray(matrix).shape[1]) if weights is None else np.asarray(weights, dtype=float)


def coincidences(matrix: np.ndarray, values: Iterable[float] | None = None,
                 weights: np.ndarray | None = None) -> np.ndarray:
    """Krippendorff's coincidence matrix of nominal reliability data (coders x units,
    NaN for missing).  Units with fewer than two values are not pairable.  Binary data
    (the default here) give a 2x2 matrix over the values 0 and 1.  ``weights`` counts a
    unit (column) that many times, e.g. a run of identical characters."""
    w = _weights(matrix, weights)
    _, counts = value_counts(matrix, (0.0, 1.0) if values is None else values)
    m = counts.sum(axis=1)
    keep = m >= 2
    counts, m, w = counts[keep], m[keep], w[keep]
    weighted = counts * (w / (m - 1))[:, None]
    return weighted.T @ counts - np.diag(weighted.sum(axis=0))


def alpha_from_coincidences(o: np.ndarray) -> float:
    """Nominal alpha from a coincidence matrix; NaN when fewer than two values occur."""
    o = np.asarray(o, dtype=float)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    expected = n * n - np.sum(n_c * n_c)
    if n <= 1 or expected == 0:
        return float("nan")
    observed = o.sum() - np.trace(o)
    return float(1 - (n - 1) * observed / expected)


def nominal_alpha(matrix: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Krippendorff's alpha (nominal) of any reliability data (coders x units, NaN missing),
    from the coincidence matrix (our own code; checked against the package in the tests)."""
    values, _ = value_counts(matrix)
    return alpha_from_coincidences(coincidences(matrix, values, weights))


def krippendorff_alpha(matrix: np.ndarray) -> float:
    """Krippendorff's alpha (nominal) by the ``krippendorff`` package; NaN when undefined
    (no pairable unit, or a single value throughout)."""
    import krippendorff

    _, counts = value_counts(matrix)
    counts = counts[counts.sum(axis=1) >= 2]
    if counts.size == 0 or np.count_nonzero(counts.sum(axis=0)) < 2:
        return float("nan")
    return float(krippendorff.alpha(value_counts=counts, level_of_measurement="nominal"))


def confusion(a: np.ndarray, b: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """2x2 table of two coders' binary values on the units both gave a value:
    rows a=0/1, columns b=0/1."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    w = _weights(a[None, :], weights)
    both = ~np.isnan(a) & ~np.isnan(b)
    a, b, w = a[both], b[both], w[both]
    return np.array([[w[(a == 0) & (b == 0)].sum(), w[(a == 0) & (b == 1)].sum()],
                     [w[(a == 1) & (b == 0)].sum(), w[(a == 1) & (b == 1)].sum()]], dtype=float)


def kappa_from_confusion(table: np.ndarray) -> float:
    """Cohen's kappa from a square confusion table; NaN when chance agreement is 1."""
    table = np.asarray(table, dtype=float)
    n = table.sum()
    if n == 0:
        return float("nan")
    observed = np.trace(table) / n
    expected = float(np.sum(table.sum(axis=0) * table.sum(axis=1))) / (n * n)
    if expected >= 1:
        return float("nan")
    return float((observed - expected) / (1 - expected))


def cohen_kappa(a: Iterable, b: Iterable) -> float:
    """Cohen's kappa of two coders' binary values (NaN = missing: the unit is left out)."""
    return kappa_from_confusion(confusion(np.asarray(list(a), dtype=float), np.asarray(list(b), dtype=float)))


def agreement_sums(matrix: np.ndarray, weights: np.ndarray | None = None) -> tuple[float, float]:
    """(sum over pairable units of the share of agreeing pairs, number of pairable units)."""
    w = _weights(matrix, weights)
    matrix = np.asarray(matrix, dtype=float)
    ones = np.sum(matrix == 1, axis=0).astype(float)
    zeros = np.sum(matrix == 0, axis=0).astype(float)
    m = ones + zeros
    keep = m >= 2
    ones, zeros, m, w = ones[keep], zeros[keep], m[keep], w[keep]
    agreeing = (ones * (ones - 1) + zeros * (zeros - 1)) / (m * (m - 1))
    return float((w * agreeing).sum()), float(w.sum())


def percent_agreement(matrix: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Percent (0-100) of agreeing coder pairs per unit, averaged over pairable units."""
    total, units = agreement_sums(matrix, weights)
    return 100.0 * total / units if units else float("nan")


def precision_recall_f1(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan")
    return precision, recall, f1


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


def _codebook_ids(frames: CorpusFrames, coverage: pd.DataFrame, coders: list[str],
                  codebook: str | int | None) -> tuple[list[int], int]:
    books = frames.codebooks
    if books.empty:
        raise SelectionError("the project has no codebook and no codings: nothing to compare")
    if codebook is None:
        used = set(frames.codings.loc[frames.codings["coder"].isin(coders), "codebook_id"].dropna().astype(int))
        used |= set(coverage.loc[coverage["coder"].isin(coders), "codebook_id"].astype(int))
        if not used:
            raise SelectionError(f"no codings or coverage by {', '.join(coders)} in any codebook")
        name = books.loc[books["codebook_id"] == max(used), "name"].iloc[0]
    else:
        wanted = int(codebook) if isinstance(codebook, (int, np.integer)) else str(codebook)
        hit = books[books["codebook_id"].isin(matching_ids(
            zip(books["codebook_id"], books["name"], books["version"]), wanted))]
        if hit.empty:
            raise SelectionError(f"no codebook {codebook!r} in the project; codebooks: "
                                 f"{', '.join(sorted(set(books['name'])))}")
        name = hit["name"].iloc[-1]
    ids = books.loc[books["name"] == name, "codebook_id"].astype(int).tolist()
    return ids, max(ids)


def prepare_agreement(frames: CorpusFrames, coverage: pd.DataFrame, coders: Iterable[str], *,
                      codebook: str | int | None = None, documents: Iterable[str] = (),
                      status: Iterable[str] | None = None,
                      include_facilitators: bool = False) -> AgreementData:
    """Select the codebook (all versions of one name), coders' codings (every status by
    default: a tagger is judged on all it suggested, also what a reviewer rejected) and
    the turns each coder read.

    A coder with codings but no coverage record (codings made before coverage was
    kept, or written by hand) counts as having read every participant turn of the
    documents they coded; a note says so."""
    coders = list(dict.fromkeys(c.strip() for c in coders if c and c.strip()))
    if len(coders) < 2:
        raise SelectionError("agreement needs at least two coders, e.g. --coders gold,rules")
    ids, latest = _codebook_ids(frames, coverage, coders, codebook)
    books = frames.codebooks.set_index("codebook_id")
    version = books.loc[latest, "version"]
    label = f"{books.loc[latest, 'name']} {version if isinstance(version, str) else ''}".strip()
    statuses = tuple(status) if status else STATUSES
    codings = frames.codings[frames.codings["codebook_id"].isin(ids)
                             & frames.codings["coder"].isin(coders)
                             & frames.codings["status"].isin(statuses)
                             & frames.codings["segment_id"].notna()]
    coverage = coverage[coverage["codebook_id"].isin(ids) & coverage["coder"].isin(coders)]
    segments = frames.segments.copy()
    if not include_facilitators:
        segments = segments[segments["role"].fillna("") != FACILITATOR]
    documents = list(documents)
    if documents:
        unknown = [d for d in documents if d not in set(frames.segments["document"])]
        if unknown:
            raise SelectionError(f"unknown document {unknown[0]!r}; documents: "
                                 f"{', '.join(dict.fromkeys(frames.segments['document']))}")
        segments = segments[segments["document"].isin(documents)]
    allowed = set(segments["segment_id"].astype(int))
    covered: dict[str, set[int]] = {}
    notes: list[str] = []
    everything = frames.codings[frames.codings["codebook_id"].isin(ids)]
    for coder in coders:
        rows = coverage[coverage["coder"] == coder]
        if not rows.empty:
            covered[coder] = set(rows["segment_id"].astype(int)) & allowed
            continue
        own = everything[everything["coder"] == coder]
        if own.empty:
            present = sorted(set(everything["coder"]) | set(coverage["coder"]))
            raise SelectionError(f"coder {coder!r} has no codings and no coverage in codebook {label}; "
                                 f"coders: {', '.join(present) or 'none'}")
        docs = sorted(set(own["document"]))
        covered[coder] = set(segments.loc[segments["document"].isin(docs), "segment_id"].astype(int))
        notes.append(f"{coder} has no record of the turns they read: counted as having read every "
                     f"participant turn of the {len(docs)} document{'s' if len(docs) != 1 else ''} "
                     "they coded")
    read = set().union(*covered.values())
    units = segments[segments["segment_id"].astype(int).isin(read)].reset_index(drop=True)
    pairable = sum(1 for s in read if sum(s in c for c in covered.values()) >= 2)
    if units.empty or pairable == 0:
        where = f" in {', '.join(documents)}" if documents else ""
        raise SelectionError(f"no turn{where} was read by two of the coders {', '.join(coders)} "
                             f"with codebook {label}: nothing to compare")
    codes = frames.codes[frames.codes["codebook_id"] == latest]
    tree = CodeTree(codes, sorted(set(codings["code"])))
    kept = codings[codings["segment_id"].astype(int).isin(read)]
    kept = kept.assign(segment_id=kept["segment_id"].astype(int))[["coder", "segment_id", "code", "start", "end"]]
    return AgreementData(coders, label, units, covered, kept.reset_index(drop=True), tree, notes)


def targets(data: AgreementData, level: str = "code", rollup: bool = False) -> dict[str, list[str]]:
    """Target code -> the codes whose codings count for it, in display order."""
    if level not in LEVELS:
        raise SelectionError(f"unknown level {level!r}; use {' or '.join(LEVELS)}")
    tree = data.tree
    if level == "theme":
        themes = [c for c in tree.display_order if tree.parent[c] is None]
        return {t: tree.descendants(t) for t in themes}
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


def agreement_table(data: AgreementData, *, level: str = "code", rollup: bool = False,
                    unit: str = "turns") -> pd.DataFrame:
    """One row per code (or theme) and a last row ``overall``: units (pairable: given a value by
    at least two coders), how many of them each coder coded (``n_<coder>``), agreement
    (percent), kappa (two coders only), alpha.

    Turn-level alpha comes from the ``krippendorff`` package; character-level alpha from the
    coincidences of runs of identical characters weighted by their length (the same number
    without one column per character; checked against the package in the tests)."""
    rows = []
    pooled_o, pooled_conf = np.zeros((2, 2)), np.zeros((2, 2))
    pooled_sum, pooled_units = 0.0, 0.0
    coded_totals = np.zeros(len(data.coders))
    read = _read_masks(data)
    for code, counted in targets(data, level, rollup).items():
        matrix, weights = _weighted_matrix(data, counted, unit, read)
        w = _weights(matrix, weights)
        total, units = agreement_sums(matrix, weights)
        o = coincidences(matrix, weights=weights)
        pooled_o += o
        pooled_sum += total
        pooled_units += units
        pairable = np.sum(~np.isnan(matrix), axis=0) >= 2
        coded = ((matrix[:, pairable] == 1) * w[pairable]).sum(axis=1)
        coded_totals += coded
        row = {"code": code, "units": int(round(units)),
               **{f"n_{c}": int(round(n)) for c, n in zip(data.coders, coded)},
               "agreement": 100.0 * total / units if units else float("nan")}
        if len(data.coders) == 2:
            conf = confusion(matrix[0], matrix[1], weights)
            pooled_conf += conf
            row["kappa"] = kappa_from_confusion(conf)
        row["alpha"] = krippendorff_alpha(matrix) if unit == "turns" else alpha_from_coincidences(o)
        rows.append(row)
    overall = {"code": OVERALL, "units": int(round(pooled_units)),
               **{f"n_{c}": int(round(n)) for c, n in zip(data.coders, coded_totals)},
               "agreement": 100.0 * pooled_sum / pooled_units if pooled_units else float("nan")}
    if len(data.coders) == 2:
        overall["kappa"] = kappa_from_confusion(pooled_conf)
    overall["alpha"] = alpha_from_coincidences(pooled_o)
    table = pd.DataFrame(rows + [overall])
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
        totals = np.zeros(3)
        for code, (matrix, weights) in matrices.items():
            conf = confusion(matrix[ref], matrix[i], weights)
            tp, fp, fn = conf[1, 1], conf[0, 1], conf[1, 0]
            totals += (tp, fp, fn)
            rows.append({"coder": coder, "code": code, "tp": int(tp), "fp": int(fp), "fn": int(fn),
                         **dict(zip(("precision", "recall", "f1"), precision_recall_f1(tp, fp, fn)))})
        rows.append({"coder": coder, "code": OVERALL, "tp": int(totals[0]), "fp": int(totals[1]),
                     "fn": int(totals[2]),
                     **dict(zip(("precision", "recall", "f1"), precision_recall_f1(*totals)))})
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
