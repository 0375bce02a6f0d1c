"""Alignment of expectations within scholar-mentor pairs: does each side raise the same codes?

    >>> from qualcode.store.project import open_project
    >>> from qualcode.analysis.alignment import pairs_alignment
    >>> with open_project("pairs.qcproj") as project:
    ...     result = pairs_alignment(project, "pairs.csv")
    >>> result.codes     # one row per pair and code: who raised it, status, turns
    >>> result.pairs     # per pair: codes raised, both, each side only, aligned share, kappa
    >>> result.across    # per code over the pairs: aligned, mismatched each way, Wilson CI

Which codings: the selection of ``qualcode export excerpts`` (the most recent codebook
with codings, ``coder=`` as there, every status but rejected; facilitator turns left out),
so a side *raised* a code exactly when that side has an excerpt with the code or one of
its subcodes (a parent code is raised when any of its children is).

For each pair and code, the status is ``both``, ``scholar only``, ``mentor only`` or
``neither``.  Which codes take part (``level``, :data:`LEVELS`, in the words of ``agreement
--level``): ``code``, every code of the codebook, a theme beside its subcodes (so one
expectation raised by one side counts under its code and again under its theme, unless the
other side raised another code of the theme); ``theme``, the top-level codes only (the
domains of the expectation-domains codebook); ``specific``, only the most specific codes
(those without subcodes; a coding of a theme itself, not of one of its subcodes, then counts
for none).  Per pair, over those codes (the rows of :attr:`Alignment.codes`):

- **aligned share**: codes both raised / codes either raised; undefined (NaN) when neither
  side raised any code;
- **Cohen's kappa**, the two people taken as two raters giving each code "raised" or "not
  raised" (:func:`qualcode.analysis.metrics.cohen_kappa`); undefined (NaN) when chance
  agreement is 1 (both raised every code, or none), the convention of every kappa qualcode
  reports.

Across pairs, per code: how many pairs are aligned (``both``), mismatched each way, or
``neither``, and the share of pairs aligned among the pairs where either side raised the
code, with a Wilson 95% interval (:func:`qualcode.analysis.compare.wilson_interval`).
The pairs are taken as independent of each other, which a mentor with several scholars
in the study is not quite.

A side that the selected coders did not read (no coverage and no coding on any of its
turns) would look as if it raised nothing: that is an error; a side read in part is a
note (:attr:`Alignment.notes`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from qualcode.analysis.compare import wilson_interval
from qualcode.analysis.excerpts import iter_excerpts, position_label
from qualcode.analysis.metrics import cohen_kappa
from qualcode.analysis.pairs import SIDES, Pair, read_pairs
from qualcode.analysis.selection import CodeTree, Selection, select_codings
from qualcode.core.errors import SelectionError
from qualcode.store.queries import turns_read

BOTH, SCHOLAR_ONLY, MENTOR_ONLY, NEITHER = "both", "scholar only", "mentor only", "neither"
STATUSES = (BOTH, SCHOLAR_ONLY, MENTOR_ONLY, NEITHER)
MISMATCHES = (SCHOLAR_ONLY, MENTOR_ONLY)
#: Which codes the alignment is measured over (see the module documentation).
LEVELS = ("code", "theme", "specific")
#: The codes each level measures over, as the outputs say it.
LEVEL_CODES = {"code": "every code of the codebook (themes included)",
               "theme": "the themes (top-level codes) only",
               "specific": "the codes without subcodes only (a coding of a theme itself counts for none)"}
CODE_COLUMNS = ["pair", "code", "code_name", "theme", "scholar", "mentor", "status",
                "scholar_turns", "mentor_turns"]
PAIR_COLUMNS = ["pair", "scholar", "mentor", "scholar_documents", "mentor_documents", "codes",
                "scholar_raised", "mentor_raised", "both", "scholar_only", "mentor_only", "neither",
                "aligned_share", "kappa"]
ACROSS_COLUMNS = ["code", "code_name", "theme", "depth", "pairs", "both", "scholar_only", "mentor_only",
                  "neither", "raised", "aligned_share", "ci_low", "ci_high"]
QUOTE_COLUMNS = ["pair", "code", "code_name", "status", "side", "speaker", "quote_codes", "document",
                 "turn", "position", "text"]
MISMATCH_COLUMNS = ["code", "code_name", "status", "pairs", "of_pairs", "pair_names"]


@dataclass
class Alignment:
    """Everything the alignment outputs show; frames in codebook and file order."""

    codes: pd.DataFrame        # CODE_COLUMNS: one row per pair and code
    pairs: pd.DataFrame        # PAIR_COLUMNS: one row per pair
    across: pd.DataFrame       # ACROSS_COLUMNS: one row per code
    quotes: pd.DataFrame       # QUOTE_COLUMNS: the raising side's quotes of each mismatch
    selection: str
    codebook: str
    depth: dict[str, int]      # code -> depth in the code tree (0: a theme)
    parent: dict[str, str | None]  # code -> its parent code (None: a theme)
    confidence: float = 0.95
    real_names: bool = False
    notes: list[str] = field(default_factory=list)
    level: str = "code"        # which codes were measured (:data:`LEVELS`)

    def mismatches(self, top: int = 5) -> pd.DataFrame:
        """:func:`frequent_mismatches` of :attr:`codes` (a theme left out where a subcode says
        the same)."""
        return frequent_mismatches(self.codes, top, self.parent)


# ------------------------------------------------------------------------- figures
def pair_figures(scholar: Sequence[bool], mentor: Sequence[bool]) -> dict:
    """Counts of each status, the aligned share and Cohen's kappa of one pair's raised codes
    (one value per code, in the same order on both sides)."""
    s, m = np.asarray(scholar, dtype=bool), np.asarray(mentor, dtype=bool)
    both, either = int(np.sum(s & m)), int(np.sum(s | m))
    return {"codes": len(s), "scholar_raised": int(s.sum()), "mentor_raised": int(m.sum()),
            "both": both, "scholar_only": int(np.sum(s & ~m)), "mentor_only": int(np.sum(m & ~s)),
            "neither": len(s) - either, "aligned_share": both / either if either else math.nan,
            "kappa": cohen_kappa(s.astype(int), m.astype(int))}


def status_of(scholar: bool, mentor: bool) -> str:
    return BOTH if scholar and mentor else SCHOLAR_ONLY if scholar else MENTOR_ONLY if mentor else NEITHER


def across_pairs(codes: pd.DataFrame, depth: dict[str, int] | None = None,
                 confidence: float = 0.95) -> pd.DataFrame:
    """Per code (in the order of ``codes``): pairs with each status, pairs where either side
    raised it, and the share of those that are aligned with its Wilson interval."""
    rows = []
    for code, part in codes.groupby("code", sort=False):
        count = part["status"].value_counts()
        both, s_only, m_only = (int(count.get(k, 0)) for k in (BOTH, SCHOLAR_ONLY, MENTOR_ONLY))
        raised = both + s_only + m_only
        low, high = wilson_interval(both, raised, confidence)
        rows.append({"code": code, "code_name": part["code_name"].iloc[0], "theme": part["theme"].iloc[0],
                     "depth": (depth or {}).get(code, 0), "pairs": len(part), "both": both,
                     "scholar_only": s_only, "mentor_only": m_only, "neither": len(part) - raised,
                     "raised": raised, "aligned_share": both / raised if raised else math.nan,
                     "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows, columns=ACROSS_COLUMNS)


def frequent_mismatches(codes: pd.DataFrame, top: int = 5,
                        parent: dict[str, str | None] | None = None) -> pd.DataFrame:
    """The ``top`` most frequent (code, direction) mismatches over the pairs: how many pairs
    and which; ties in codebook order, scholar only before mentor only.  With ``parent``
    (code -> parent code), a code is left out when one of its subcodes is mismatched the same
    way in the same pairs: the subcode says the same, more precisely."""
    order = {c: i for i, c in enumerate(dict.fromkeys(codes["code"]))}
    total = codes["pair"].nunique()
    found = {key: list(part["pair"]) for key, part in
             codes[codes["status"].isin(MISMATCHES)].groupby(["code", "status"], sort=False)}
    children: dict[str, list[str]] = {}
    for code, up in (parent or {}).items():
        if up is not None:
            children.setdefault(up, []).append(code)
    rows = []
    for (code, status), pairs in found.items():
        if any(found.get((child, status)) == pairs for child in children.get(code, ())):
            continue
        rows.append({"code": code, "code_name": codes.loc[codes["code"] == code, "code_name"].iloc[0],
                     "status": status, "pairs": len(pairs), "of_pairs": total, "pair_names": ", ".join(pairs),
                     "_order": (-len(pairs), order[code], MISMATCHES.index(status))})
    rows.sort(key=lambda r: r.pop("_order"))
    return pd.DataFrame(rows[:top], columns=MISMATCH_COLUMNS)


# ------------------------------------------------------------------- from a project
def pairs_alignment(project, pairs_file: str | Path, **options) -> Alignment:
    """Read the pairs file (:func:`qualcode.analysis.pairs.read_pairs`) and :func:`align_pairs`."""
    return align_pairs(project, read_pairs(pairs_file, project), **options)


def align_pairs(project, pairs: list[Pair], *, codebook: str | int | None = None,
                coder: str | Iterable[str] | None = None, status: str | Iterable[str] | None = None,
                real_names: bool = False, confidence: float = 0.95, level: str = "code") -> Alignment:
    """The alignment of every pair over the codes of the selected codebook that ``level``
    names (see the module documentation); speakers by participant id and role unless
    ``real_names``."""
    selection = select_codings(project, codebook=codebook, coder=coder, status=status)
    tree = CodeTree.for_selection(project, selection)
    measured = codes_at_level(tree, level)
    notes = _check_read(project, pairs, selection)
    turns, quotes = _raised(project, pairs, selection, tree, real_names)
    rows, figures, mismatch_quotes = [], [], []
    for pair in pairs:
        raised = {role: turns.get((pair.name, role), {}) for role in SIDES}
        flags = {role: [code in raised[role] for code in measured] for role in SIDES}
        for code, s, m in zip(measured, flags["scholar"], flags["mentor"]):
            rows.append({"pair": pair.name, "code": code, "code_name": tree.name[code],
                         "theme": tree.theme(code), "scholar": int(s), "mentor": int(m),
                         "status": status_of(s, m), "scholar_turns": len(raised["scholar"].get(code, ())),
                         "mentor_turns": len(raised["mentor"].get(code, ()))})
        figures.append({"pair": pair.name, **{role: pair.side(role).speaker(real_names) for role in SIDES},
                        **{f"{role}_documents": ", ".join(pair.side(role).documents) for role in SIDES},
                        **pair_figures(flags["scholar"], flags["mentor"])})
        mismatch_quotes += _mismatch_quotes(pair, rows[-len(measured):], tree, quotes)
    codes = pd.DataFrame(rows, columns=CODE_COLUMNS)
    depth = {code: tree.depth(code) for code in measured}
    return Alignment(codes, pd.DataFrame(figures, columns=PAIR_COLUMNS),
                     across_pairs(codes, depth, confidence), pd.DataFrame(mismatch_quotes, columns=QUOTE_COLUMNS),
                     selection.describe(), selection.codebook or "no codebook", depth,
                     {code: tree.parent[code] for code in measured}, confidence, real_names, notes, level)


def codes_at_level(tree: CodeTree, level: str) -> list[str]:
    """The codes of ``tree`` (in display order) that the alignment at ``level`` is measured over."""
    if level not in LEVELS:
        raise SelectionError(f"unknown alignment level {level!r}; choose from {', '.join(LEVELS)}")
    if level == "theme":
        return tree.themes
    if level == "specific":
        return [code for code in tree.display_order if not tree.children.get(code)]
    return list(tree.display_order)


def _raised(project, pairs: list[Pair], selection: Selection, tree: CodeTree, real_names: bool):
    """({(pair, role): {code: {(document, turn)}}} with every ancestor of a coded code raised
    too, and {(pair, role): [excerpt rows]}), from the stream ``export excerpts`` writes."""
    sides: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for pair in pairs:
        for role in SIDES:
            side = pair.side(role)
            for document in side.documents:
                sides.setdefault((side.participant, document), []).append((pair.name, role))
    excerpts = iter_excerpts(project, codebook=selection.codebook_id, coder=selection.coder,
                             status=selection.statuses, sort="document", real_names=real_names)
    turns: dict[tuple[str, str], dict[str, set]] = {}
    quotes: dict[tuple[str, str], list[dict]] = {}
    for values in excerpts.rows:
        row = dict(zip(excerpts.columns, values))
        for key in sides.get((row["participant"], row["document"]), ()):
            for code in tree.ancestors(row["code"]):
                turns.setdefault(key, {}).setdefault(code, set()).add((row["document"], row["turn"]))
            quotes.setdefault(key, []).append(row)
    return turns, quotes


def _mismatch_quotes(pair: Pair, rows: list[dict], tree: CodeTree, quotes: dict) -> list[dict]:
    """The raising side's quotes for each mismatched code whose parent is not mismatched the
    same way (a theme raised by one side only holds its subcodes' quotes once, under it)."""
    status = {r["code"]: r["status"] for r in rows}
    out = []
    for code in status:
        if status[code] not in MISMATCHES or status.get(tree.parent[code]) == status[code]:
            continue
        role = "scholar" if status[code] == SCHOLAR_ONLY else "mentor"
        below = set(tree.descendants(code))
        merged: dict[tuple, dict] = {}
        for q in quotes.get((pair.name, role), []):
            if q["code"] not in below:
                continue
            key = (q["document"], q["start"], q["end"])
            if key in merged:
                merged[key]["quote_codes"] += f"; {q['code_name']}"
                continue
            merged[key] = {"pair": pair.name, "code": code, "code_name": tree.name[code],
                           "status": status[code], "side": role, "speaker": q["speaker"],
                           "quote_codes": q["code_name"], "document": q["document"], "turn": int(q["turn"]),
                           "position": position_label(q), "text": str(q["text"]).strip()}
        out += sorted(merged.values(), key=lambda q: (q["document"], q["turn"]))
    return out


def _check_read(project, pairs: list[Pair], selection: Selection) -> list[str]:
    """Raise when the selected coders read none of a side's turns (:func:`turns_read`: the
    coverage recorded for them with the codebook, and every turn they coded); notes for
    sides read in part."""
    chosen = selection.filter
    turns = turns_read(project, chosen, {pair.side(role).participant for pair in pairs for role in SIDES})
    coders = ", ".join(selection.coders)
    unread, notes = [], []
    for pair in pairs:
        for role in SIDES:
            side = pair.side(role)
            own = turns[(turns["participant"] == side.participant) & turns["document"].isin(side.documents)]
            seen = int(own["read"].sum())
            if seen == 0:
                unread.append(f"{side.participant} ({role} of pair {pair.name})")
            elif seen < len(own):
                notes.append(f"pair {pair.name}: {coders} read {seen} of the {len(own)} turns of "
                             f"{side.participant}; the others count as raising no code")
    if unread:
        raise SelectionError(f"{coders} read none of the turns of {', '.join(unread)} with codebook "
                             f"{selection.codebook}: code them, or choose another --coder")
    return notes
