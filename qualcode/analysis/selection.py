"""Which codings an analysis uses, the code tree, and turns joined to their groups.

Default selection (documented for users in the README and the CLI help):

- **codebook**: the most recently added codebook that has codings (``codebook=``
  picks one by name, or by id);
- **status**: every coding that is not rejected (``suggested`` and ``accepted``);
- **coder**: the only coder left after those filters.  When several coders
  (say the ``rules`` tagger and a person) remain, the choice is ambiguous and a
  :class:`~qualcode.core.errors.SelectionError` asks for ``coder=`` (``"all"`` pools
  every coder, which counts a passage coded by two coders twice as a mention).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd

from qualcode.analysis.frames import CorpusFrames
from qualcode.core.errors import SelectionError
from qualcode.store.codebooks import matching_ids
from qualcode.store.frames import SEGMENT_COLUMNS
from qualcode.store.queries import CodingFilter, coding_summary, selected_codes

STATUSES = ("suggested", "accepted", "rejected")
DEFAULT_STATUSES = ("suggested", "accepted")
ALL_CODERS = "all"
FACILITATOR = "facilitator"
NO_VALUE = "(none)"
GROUPINGS = ("role", "document", "participant")


@dataclass(frozen=True)
class Selection:
    """What was selected, to print under a table or in a report."""

    codebook_id: int | None
    codebook: str | None
    coders: tuple[str, ...]
    statuses: tuple[str, ...]
    codings: int

    def describe(self) -> str:
        book = self.codebook or "no codebook"
        return (f"{self.codings} codings from codebook {book}; coder {', '.join(self.coders)}; "
                f"status {' or '.join(self.statuses)}")


def _as_tuple(value: str | Iterable[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    values = tuple(value)
    return values or None


def _listing(values: Iterable, limit: int = 12) -> str:
    values = [str(v) for v in values]
    shown = ", ".join(values[:limit])
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "") if values else "none"


def _codebook_label(codebooks: pd.DataFrame, codebook_id) -> str | None:
    if codebook_id is None:
        return None
    row = codebooks[codebooks["codebook_id"] == codebook_id]
    if row.empty:
        return str(codebook_id)
    row = row.iloc[0]
    version = row.get("version")
    return f"{row['name']} {version}" if isinstance(version, str) and version else str(row["name"])


def select_codings(frames: CorpusFrames, *, codebook: str | int | None = None,
                   coder: str | Iterable[str] | None = None,
                   status: str | Iterable[str] | None = None) -> tuple[pd.DataFrame, Selection]:
    """The codings one analysis uses, and a description of the choice.

    Raises :class:`SelectionError` when nothing is left, or when the coder is
    ambiguous (see the module documentation for the defaults).
    """
    codings = frames.codings
    summary = (codings.groupby(["codebook_id", "coder", "status"], dropna=False).size()
               .rename("codings").reset_index() if not codings.empty else
               pd.DataFrame(columns=["codebook_id", "coder", "status", "codings"]))
    selection = choose_selection(summary, frames.codebooks, codebook=codebook, coder=coder, status=status)
    if selection.codebook_id is None:
        chosen = codings[codings["codebook_id"].isna()]
    else:
        chosen = codings[codings["codebook_id"] == selection.codebook_id]
    chosen = chosen[chosen["status"].isin(selection.statuses) & chosen["coder"].isin(selection.coders)]
    return chosen.copy(), selection


def select_from_project(project, *, codebook: str | int | None = None,
                        coder: str | Iterable[str] | None = None,
                        status: str | Iterable[str] | None = None) -> Selection:
    """The same choice as :func:`select_codings`, made from the project's per-coder counts
    (:meth:`~qualcode.store.project.Project.coding_summary`) without reading a single coding."""
    return choose_selection(coding_summary(project), project.codebooks_frame(), codebook=codebook,
                            coder=coder, status=status)


def choose_selection(summary: pd.DataFrame, books: pd.DataFrame, *, codebook: str | int | None = None,
                     coder: str | Iterable[str] | None = None,
                     status: str | Iterable[str] | None = None) -> Selection:
    """The selection rules over ``summary``: how many codings each (codebook_id, coder,
    status) has (``codebook_id`` missing for codings without a codebook)."""
    if summary.empty or summary["codings"].sum() == 0:
        raise SelectionError("the project has no codings yet: code it first "
                             "(qualcode code PROJECT --codebook FILE)")
    statuses = _as_tuple(status) or DEFAULT_STATUSES
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise SelectionError(f"unknown status {unknown[0]!r}; use {', '.join(STATUSES)}")

    # codebook
    present = sorted(set(summary["codebook_id"].dropna().astype(int).tolist()))
    if codebook is None:
        codebook_id = max(present) if present else None
    else:
        wanted = int(codebook) if isinstance(codebook, (int, np.integer)) else str(codebook)
        candidates = [c for c in matching_ids(zip(books["codebook_id"], books["name"], books["version"]),
                                              wanted) if c in present]
        if not candidates:
            names = sorted({_codebook_label(books, i) for i in present})
            raise SelectionError(f"no codings for codebook {codebook!r}; codebooks with codings: "
                                 f"{_listing(names)}")
        codebook_id = max(candidates)
    if codebook_id is None:
        chosen = summary[summary["codebook_id"].isna()]
    else:
        chosen = summary[summary["codebook_id"] == codebook_id]
    label = _codebook_label(books, codebook_id)

    chosen = chosen[chosen["status"].isin(statuses)]
    if chosen.empty or chosen["codings"].sum() == 0:
        raise SelectionError(f"no codings with status {' or '.join(statuses)} in codebook {label}")

    # coder
    coders = _as_tuple(coder)
    by_coder = chosen.groupby("coder")["codings"].sum()
    by_coder = by_coder[by_coder > 0]
    if coders is None:
        if len(by_coder) > 1:
            listing = ", ".join(f"{name} ({n})" for name, n in sorted(by_coder.items()))
            raise SelectionError(f"codings by {len(by_coder)} coders: {listing}; choose one with "
                                 f"--coder NAME (or --coder {ALL_CODERS} to pool them)")
        coders = tuple(by_coder.index)
    elif coders != (ALL_CODERS,):
        missing = [c for c in coders if c not in by_coder.index]
        if missing:
            raise SelectionError(f"no codings by coder {missing[0]!r} in codebook {label} with status "
                                 f"{' or '.join(statuses)}; coders: {_listing(sorted(by_coder.index))}")
    else:
        coders = tuple(sorted(by_coder.index))
    count = int(by_coder[list(dict.fromkeys(coders))].sum())
    return Selection(None if codebook_id is None else int(codebook_id), label, tuple(coders),
                     tuple(statuses), count)


# ------------------------------------------------------------------------- code tree
class CodeTree:
    """Codes in codebook order with their parent, theme, name and depth.

    Codes found in codings but missing from the codebook are appended as
    top-level codes (their own theme).
    """

    def __init__(self, codes: pd.DataFrame, extra: Iterable[str] = ()):
        self.order: list[str] = []
        self.parent: dict[str, str | None] = {}
        self.name: dict[str, str] = {}
        self.definition: dict[str, str] = {}
        for row in codes.sort_values("position").itertuples(index=False):
            self.order.append(row.code)
            self.parent[row.code] = row.parent if isinstance(row.parent, str) and row.parent else None
            self.name[row.code] = row.name if isinstance(row.name, str) and row.name else row.code
            self.definition[row.code] = row.definition if isinstance(row.definition, str) else ""
        for code in extra:
            if code not in self.parent:
                self.order.append(code)
                self.parent[code] = None
                self.name[code] = code
                self.definition[code] = ""
        # a parent missing from the codebook would break the walk up: treat its child as top level
        for code, parent in self.parent.items():
            if parent is not None and parent not in self.parent:
                self.parent[code] = None
        self._ancestors: dict[str, list[str]] = {c: self._walk(c) for c in self.order}
        self.children: dict[str, list[str]] = {c: [] for c in self.order}
        for code in self.order:
            if self.parent[code] is not None:
                self.children[self.parent[code]].append(code)
        # depth-first display order: each theme followed by its descendants
        self.display_order: list[str] = []
        for code in self.order:
            if self.parent[code] is None:
                self._visit(code)

    @classmethod
    def for_selection(cls, frames: CorpusFrames, selection: Selection,
                      codings: pd.DataFrame | None = None) -> "CodeTree":
        codes = frames.codes
        if selection.codebook_id is not None:
            codes = codes[codes["codebook_id"] == selection.codebook_id]
        else:
            codes = codes.iloc[0:0]
        extra = sorted(codings["code"].unique()) if codings is not None else ()
        return cls(codes, extra)

    @classmethod
    def for_project(cls, project, selection: Selection) -> "CodeTree":
        """The tree of the selection's codebook, read from an open project (codes only)."""
        if selection.codebook_id is None:
            codes = project.codes_frame().iloc[0:0]
        else:
            codes = project.codes_frame(selection.codebook_id)
        return cls(codes, selected_codes(project, CodingFilter(selection.codebook_id, selection.coders,
                                                               selection.statuses)))

    def _walk(self, code: str) -> list[str]:
        chain, seen = [code], {code}
        parent = self.parent.get(code)
        while parent is not None and parent not in seen:
            chain.append(parent)
            seen.add(parent)
            parent = self.parent.get(parent)
        return chain

    def _visit(self, code: str) -> None:
        self.display_order.append(code)
        for child in self.children[code]:
            self._visit(child)

    def ancestors(self, code: str) -> list[str]:
        """The code itself, its parent, ..., its theme."""
        return self._ancestors.get(code, [code])

    def theme(self, code: str) -> str:
        return self.ancestors(code)[-1]

    def depth(self, code: str) -> int:
        return len(self.ancestors(code)) - 1

    def descendants(self, code: str) -> list[str]:
        """The code and every code below it."""
        out = [code]
        for child in self.children.get(code, []):
            out.extend(self.descendants(child))
        return out

    def __contains__(self, code: str) -> bool:
        return code in self.parent

    def frame(self) -> pd.DataFrame:
        """One row per code in display order: code, name, theme, parent, depth."""
        return pd.DataFrame({
            "code": self.display_order,
            "name": [self.name[c] for c in self.display_order],
            "theme": [self.theme(c) for c in self.display_order],
            "parent": [self.parent[c] for c in self.display_order],
            "depth": [self.depth(c) for c in self.display_order],
        })

    def rollup_pairs(self) -> pd.DataFrame:
        """(code, counted_as) for every code and each of its ancestors, itself included."""
        rows = [(c, a) for c in self.order for a in self.ancestors(c)]
        return pd.DataFrame(rows, columns=["code", "counted_as"])

    def check(self, code: str) -> None:
        if code not in self:
            raise SelectionError(f"unknown code {code!r}; codes: {_listing(self.display_order)}")


# ------------------------------------------------------------------ turns and groups
def attach_turns(codings: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Codings with their turn's document, turn number, speaker, participant, role and time.

    A coding stored without its turn is placed in the turn whose span contains
    its start; codings outside every turn are dropped.
    """
    codings = codings.copy()
    missing = codings["segment_id"].isna()
    if missing.any() and not segments.empty:
        lost = codings[missing].sort_values("start")
        spans = segments[["document", "start", "end", "segment_id"]].sort_values("start")
        placed = pd.merge_asof(lost.drop(columns=["segment_id"]), spans.rename(
            columns={"start": "_seg_start", "end": "_seg_end"}), left_on="start",
            right_on="_seg_start", by="document", direction="backward")
        placed.loc[placed["start"] >= placed["_seg_end"], "segment_id"] = np.nan
        codings.loc[lost.index, "segment_id"] = placed["segment_id"].to_numpy()
    codings = codings.dropna(subset=["segment_id"])
    codings["segment_id"] = codings["segment_id"].astype(int)
    turn_columns = ["segment_id", "turn", "speaker", "participant", "role", "time_start", "time_end",
                    *[c for c in segments.columns if c not in SEGMENT_COLUMNS]]
    joined = codings.drop(columns=[c for c in turn_columns[1:] if c in codings.columns]).merge(
        segments[turn_columns], on="segment_id", how="inner")
    joined["role"] = joined["role"].fillna(NO_VALUE)
    return joined


def check_grouping(frames: CorpusFrames, by: str, attributes: list[str] | None = None) -> None:
    """Raise unless ``by`` is role, document, participant or an attribute of documents or
    turns (``attributes``; by default the frames' attribute columns)."""
    attributes = frames.attribute_names if attributes is None else attributes
    if by in GROUPINGS or by in attributes:
        return
    raise SelectionError(f"cannot group by {by!r}; use role, document, participant or a document "
                         f"attribute ({_listing(attributes)})")


def group_values(rows: pd.DataFrame, frames: CorpusFrames, by: str) -> pd.Series:
    """For turn-level rows (with document, participant, role), the value of grouping ``by``."""
    check_grouping(frames, by)
    if by in GROUPINGS:
        values = rows[by]
    else:  # the turn's own value where it has one, else its document's
        own = rows[by] if by in rows.columns else pd.Series(None, index=rows.index, dtype=object)
        if by in frames.documents.columns:
            lookup = dict(zip(frames.documents["document"], frames.documents[by]))
            own = own.where(own.notna() & (own.astype(str) != ""), rows["document"].map(lookup))
        values = own
    return values.where(values.notna() & (values.astype(str) != ""), NO_VALUE).astype(str)


def participant_turns(frames: CorpusFrames, include_facilitators: bool = False) -> pd.DataFrame:
    """The turns that make the denominators: participants' turns (facilitators' too if asked)."""
    segments = frames.segments.copy()
    segments["role"] = segments["role"].fillna(NO_VALUE)
    if not include_facilitators:
        segments = segments[segments["role"] != FACILITATOR]
    return segments


def check_group(groups: Iterable[str], value: str, by: str) -> None:
    groups = sorted(set(groups))
    if value not in groups:
        raise SelectionError(f"unknown {by} {value!r}; {by} values in the project: {_listing(groups)}")
