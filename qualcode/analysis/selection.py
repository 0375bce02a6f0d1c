"""Which codings an analysis uses, the code tree, and the groups turns fall in.

Default selection (documented for users in the README and the CLI help):

- **codebook**: the most recently added codebook that has codings (``codebook=``
  picks one by name, or by id);
- **status**: every coding that is not rejected (``suggested`` and ``accepted``);
- **coder**: the only coder left after those filters.  When several remain:

  - people and taggers: the person's coding on the turns they read (coded, reviewed or
    left uncoded on purpose), the tagger's on every other turn: ``coder gold where gold
    read the turn, else rules``.  The person is the one who read the most turns with the
    codebook, the tagger the one that coded last (ties: by name);
  - only taggers: the one that coded last; only people: the one who read the most turns.

  The choice is named in every output (``Selection.describe``).  ``coder=`` chooses:
  a name, several names, ``"all"`` (pools every coder, which counts a passage coded by two
  coders twice as a mention) or ``"PERSON+TAGGER"`` (the person where they read, the
  tagger elsewhere).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable

import numpy as np
import pandas as pd

from qualcode.core.errors import SelectionError
from qualcode.store.codebooks import StoredCodebook, matching_ids, stored_codebooks
from qualcode.store.project import Project
from qualcode.store.queries import (CodingFilter, attribute_names, coder_facts, coding_summary, count_codings,
                                    selected_codes)

STATUSES = ("suggested", "accepted", "rejected")
DEFAULT_STATUSES = ("suggested", "accepted")
ALL_CODERS = "all"
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
    reviewer: str | None = None   # of two coders, the one whose turns come first (see the module)
    chosen_by_default: bool = False  # several coders, none asked for

    def describe(self) -> str:
        book = self.codebook or "no codebook"
        if self.reviewer is not None:
            coders = f"{self.reviewer} where {self.reviewer} read the turn, else {self.other}"
        else:
            coders = ", ".join(self.coders)
        default = " (the default with several coders: --coder chooses)" if self.chosen_by_default else ""
        return (f"{self.codings} codings from codebook {book}; coder {coders}{default}; "
                f"status {' or '.join(self.statuses)}")

    @property
    def other(self) -> str | None:
        """With a reviewer, the coder of the turns they did not read."""
        return next((c for c in self.coders if c != self.reviewer), None) if self.reviewer else None

    @property
    def coder(self) -> str | tuple[str, ...]:
        """The ``coder=`` that selects the same codings again."""
        return f"{self.reviewer}+{self.other}" if self.reviewer else self.coders

    @property
    def filter(self) -> CodingFilter:
        """The selection as the store's queries take it."""
        return CodingFilter(self.codebook_id, self.coders, self.statuses, self.reviewer)


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


def _codebook_label(books: dict[int, StoredCodebook], codebook_id: int | None) -> str | None:
    if codebook_id is None:
        return None
    return books[codebook_id].label if codebook_id in books else str(codebook_id)


def select_codings(project: Project, *, codebook: str | int | None = None,
                   coder: str | Iterable[str] | None = None,
                   status: str | Iterable[str] | None = None) -> Selection:
    """The codings one analysis uses, chosen from how many each codebook, coder and status
    has (without reading a single coding); see the module documentation for the defaults.

    Raises :class:`SelectionError` when nothing is left, or when the coder is ambiguous."""
    summary, books = coding_summary(project), {b.id: b for b in stored_codebooks(project)}
    if summary.empty or summary["codings"].sum() == 0:
        raise SelectionError("the project has no codings yet: code it first "
                             "(qualcode code PROJECT --codebook FILE)")
    statuses = _as_tuple(status) or DEFAULT_STATUSES
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise SelectionError(f"unknown status {unknown[0]!r}; use {', '.join(STATUSES)}")
    codebook_id = _choose_codebook(summary, books, codebook)
    label = _codebook_label(books, codebook_id)
    chosen = summary[summary["codebook_id"].isna()] if codebook_id is None else \
        summary[summary["codebook_id"] == codebook_id]
    chosen = chosen[chosen["status"].isin(statuses)]
    if chosen.empty or chosen["codings"].sum() == 0:
        raise SelectionError(f"no codings with status {' or '.join(statuses)} in codebook {label}")
    by_coder = chosen.groupby("coder")["codings"].sum()
    by_coder = by_coder[by_coder > 0]
    asked = _as_tuple(coder)
    if asked is None and len(by_coder) > 1 and codebook_id is not None:
        coders, reviewer = _default_coders(project, codebook_id, statuses)
    else:
        coders, reviewer = _choose_coders(by_coder, asked, label, statuses)
    selection = Selection(codebook_id, label, coders, tuple(statuses), 0, reviewer,
                          asked is None and len(by_coder) > 1)
    count = count_codings(project, selection.filter) if reviewer else \
        int(by_coder[list(dict.fromkeys(coders))].sum())
    return replace(selection, codings=count)


def _default_coders(project: Project, codebook_id: int,
                    statuses: tuple[str, ...]) -> tuple[tuple[str, ...], str | None]:
    """(coders, reviewer) when several coders coded the codebook and none was asked for
    (the rule in the module documentation)."""
    facts = coder_facts(project, codebook_id, statuses)
    people = sorted(c for c, (kind, _, _) in facts.items() if kind == "human")
    taggers = sorted(c for c, (kind, _, _) in facts.items() if kind != "human")
    person = max(people, key=lambda c: facts[c][2]) if people else None       # read the most turns
    tagger = max(taggers, key=lambda c: facts[c][1] or "") if taggers else None  # coded last
    if person and tagger:
        return (person, tagger), person
    return (person or tagger,), None


def _choose_codebook(summary: pd.DataFrame, books: dict[int, StoredCodebook],
                     codebook: str | int | None) -> int | None:
    """The codebook asked for (found as :mod:`qualcode.store.codebooks` finds one; of its
    versions, the latest with codings), else the latest with codings; None for codings
    without a codebook."""
    present = sorted(set(summary["codebook_id"].dropna().astype(int).tolist()))
    if codebook is None:
        return max(present) if present else None
    wanted = int(codebook) if isinstance(codebook, (int, np.integer)) else str(codebook)
    candidates = [c for c in matching_ids(((b.id, b.name, b.version) for b in books.values()), wanted)
                  if c in present]
    if not candidates:
        names = sorted({_codebook_label(books, i) for i in present})
        raise SelectionError(f"no codings for codebook {codebook!r}; codebooks with codings: {_listing(names)}")
    return max(candidates)


def _choose_coders(by_coder: pd.Series, coders: tuple[str, ...] | None, label: str | None,
                   statuses: tuple[str, ...]) -> tuple[tuple[str, ...], str | None]:
    """(coders, reviewer): the coders asked for (``all``: every one; ``PERSON+TAGGER``: the
    person where they read, the tagger elsewhere), else the only one there is."""
    if coders is None:
        return tuple(by_coder.index), None
    if coders == (ALL_CODERS,):
        return tuple(sorted(by_coder.index)), None
    reviewer = None
    if len(coders) == 1 and "+" in coders[0] and coders[0] not in by_coder.index:
        reviewer, _, other = coders[0].partition("+")
        coders = (reviewer, other)
    missing = [c for c in coders if c not in by_coder.index]
    if missing:
        raise SelectionError(f"no codings by coder {missing[0]!r} in codebook {label} with status "
                             f"{' or '.join(statuses)}; coders: {_listing(sorted(by_coder.index))}")
    if reviewer is not None and (reviewer == coders[1] or label is None):
        raise SelectionError(f"--coder {reviewer}+{coders[1]} needs two coders of one codebook")
    return coders, reviewer


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
    def for_selection(cls, project: Project, selection: "Selection") -> "CodeTree":
        """The tree of the selection's codebook, with the codes its codings use that the
        codebook lacks."""
        return cls.of_codebook(project, selection.codebook_id, selected_codes(project, selection.filter))

    @classmethod
    def of_codebook(cls, project: Project, codebook_id: int | None, extra: Iterable[str] = ()) -> "CodeTree":
        """The tree of one codebook (None: no codebook, only ``extra``) read from the project."""
        codes = project.codes_frame(codebook_id) if codebook_id is not None else project.codes_frame().iloc[0:0]
        return cls(codes, extra)

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

    @property
    def themes(self) -> list[str]:
        """The top-level codes, in display order."""
        return [code for code in self.display_order if self.parent[code] is None]

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


# ------------------------------------------------------------------ whose turns count
def left_out(include_facilitators: bool, include_unidentified: bool) -> str:
    """Whose turns an analysis leaves out, for its messages: ``"facilitators and
    unidentified voices"``, one of them, or ``""``."""
    return " and ".join(who for who, kept in (("facilitators", include_facilitators),
                                              ("unidentified voices", include_unidentified)) if not kept)


# ------------------------------------------------------------------------ groups
def check_grouping(project: Project, by: str) -> None:
    """Raise unless ``by`` is role, document, participant or an attribute of documents or turns."""
    if by in GROUPINGS:
        return
    attributes = attribute_names(project)
    if by in attributes:
        return
    raise SelectionError(f"cannot group by {by!r}; use role, document, participant or a document "
                         f"attribute ({_listing(attributes)})")


def check_group(groups: Iterable[str], value: str, by: str) -> None:
    groups = sorted(set(groups))
    if value not in groups:
        raise SelectionError(f"unknown {by} {value!r}; {by} values in the project: {_listing(groups)}")
