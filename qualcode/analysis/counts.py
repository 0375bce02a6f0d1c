"""How often each code comes up, per role, document, participant or document attribute.

The units focus-group analysis reports (one row per code and group):

- ``mentions``: coded excerpts - distinct passages (document, start, end);
- ``turns``: participant turns with at least one coding of the code;
- ``share``: ``turns / group_turns``, the share of the group's participant turns;
- ``participants``: distinct participants who raised the code;
- ``documents``: documents (focus groups) in which it appears.

With ``rollup=True`` (the default) a parent code counts its own codings and
all its descendants', each unit at most once: a turn coded with two children
of one parent is one turn for the parent; two children coded on the same
passage are one mention for it.  Facilitator turns are left out of both the
counts and the denominators unless ``include_facilitators=True``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from qualcode.analysis.frames import CorpusFrames, is_frames, project_attributes
from qualcode.analysis.selection import (NO_VALUE, CodeTree, Selection, SelectionError, attach_turns,
                                         check_grouping, group_values, participant_turns,
                                         select_codings, select_from_project)
from qualcode.store.queries import CodingFilter, code_unit_counts, turn_group_totals

ROLE_ORDER = ("scholar", "mentor", "facilitator")
TOTAL = "all"
MEASURES = ("mentions", "turns", "share", "participants", "documents")
COLUMNS = ["by", "group", "code", "name", "theme", "parent", "depth", "mentions", "turns",
           "group_turns", "share", "participants", "group_participants", "documents",
           "group_documents"]


def order_groups(groups, by: str) -> list[str]:
    """Groups in a reader's order: scholar, mentor, facilitator first for roles; else sorted."""
    groups = sorted(set(groups), key=str)
    if by != "role":
        return groups
    known = [g for g in ROLE_ORDER if g in groups]
    return known + [g for g in groups if g not in known]


def coded_turns(frames: CorpusFrames, codings: pd.DataFrame, tree: CodeTree, by: str, *,
                include_facilitators: bool = False, rollup: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(coded, turns): codings on counted turns with ``group`` and ``counted_as``; the turns."""
    check_grouping(frames, by)
    turns = participant_turns(frames, include_facilitators)
    turns = turns.assign(group=group_values(turns, frames, by))
    coded = attach_turns(codings, frames.segments)
    coded = coded.merge(turns[["segment_id", "group"]], on="segment_id", how="inner")
    if rollup:
        coded = coded.merge(tree.rollup_pairs(), on="code", how="inner")
    else:
        coded = coded.assign(counted_as=coded["code"])
    return coded, turns


def _aggregate(coded: pd.DataFrame, turns: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    coded = coded.assign(_span=coded["document"].astype(str) + "\x00" + coded["start"].astype(str)
                         + "\x00" + coded["end"].astype(str))
    figures = (coded.groupby(["counted_as", "group"])
               .agg(mentions=("_span", "nunique"), turns=("segment_id", "nunique"),
                    participants=("participant", "nunique"), documents=("document", "nunique"))
               .reset_index().rename(columns={"counted_as": "code"}))
    totals = (turns.groupby("group")
              .agg(group_turns=("segment_id", "size"), group_participants=("participant", "nunique"),
                   group_documents=("document", "nunique"))
              .reset_index())
    return figures, totals


def counts_by(source, by: str = "role", *, codebook: str | int | None = None,
              coder=None, status=None, include_facilitators: bool = False, rollup: bool = True,
              total: bool = False) -> pd.DataFrame:
    """One row per (code, group) with every unit; codes in codebook order, zeros included.

    ``source``: an open :class:`~qualcode.store.project.Project` (SQLite aggregates the codings:
    memory does not grow with their number) or :class:`CorpusFrames` (pandas, e.g. frames
    edited in a notebook); both give the same table.
    ``by``: ``role`` (the speaker's role), ``document``, ``participant`` or any
    document attribute (``site``, ``group``...).  ``total=True`` adds a group
    ``"all"`` over every counted turn.  The selection used is described in
    ``result.attrs["selection"]``.
    """
    if is_frames(source):
        found = _frame_figures(source, by, codebook, coder, status, include_facilitators, rollup, total)
    else:
        found = _project_figures(source, by, codebook, coder, status, include_facilitators, rollup, total)
    figures, totals, selection, tree = found.figures, found.totals, found.selection, found.tree
    groups = order_groups(totals["group"], by)
    if total:
        figures = pd.concat([figures, found.all_figures], ignore_index=True)
        totals = pd.concat([totals, found.all_totals], ignore_index=True)
        groups.append(TOTAL)
    codes = tree.frame()
    grid = codes.merge(pd.DataFrame({"group": groups}), how="cross")
    out = (grid.merge(figures, on=["code", "group"], how="left")
           .merge(totals, on="group", how="left"))
    for column in ("mentions", "turns", "participants", "documents"):
        out[column] = out[column].fillna(0).astype(int)
    out["share"] = out["turns"] / out["group_turns"]
    out["by"] = by
    out = out[COLUMNS]
    out.attrs["selection"] = selection.describe()
    out.attrs["by"] = by
    return out.reset_index(drop=True)


def _no_coded_turns(selection, include_facilitators: bool) -> SelectionError:
    who = "turns" if include_facilitators else "participant turns (facilitators left out)"
    return SelectionError(f"none of the {selection.codings} selected codings is on {who}")


@dataclass
class _Figures:
    """Per (code, group) figures and per group totals; with ``total``, the same over every
    counted turn as group "all"."""

    figures: pd.DataFrame
    totals: pd.DataFrame
    selection: Selection
    tree: CodeTree
    all_figures: pd.DataFrame | None = None
    all_totals: pd.DataFrame | None = None


def _frame_figures(frames: CorpusFrames, by, codebook, coder, status, include_facilitators, rollup,
                   total) -> _Figures:
    check_grouping(frames, by)
    codings, selection = select_codings(frames, codebook=codebook, coder=coder, status=status)
    tree = CodeTree.for_selection(frames, selection, codings)
    coded, turns = coded_turns(frames, codings, tree, by, include_facilitators=include_facilitators,
                               rollup=rollup)
    if coded.empty:
        raise _no_coded_turns(selection, include_facilitators)
    found = _Figures(*_aggregate(coded, turns), selection, tree)
    if total:
        found.all_figures, found.all_totals = _aggregate(coded.assign(group=TOTAL), turns.assign(group=TOTAL))
    return found


def _project_figures(project, by, codebook, coder, status, include_facilitators, rollup,
                     total) -> _Figures:
    """The same figures as :func:`_frame_figures`, aggregated by SQLite (GROUP BY)."""
    check_grouping(None, by, project_attributes(project))
    selection = select_from_project(project, codebook=codebook, coder=coder, status=status)
    tree = CodeTree.for_project(project, selection)
    pairs = tree.rollup_pairs().itertuples(index=False, name=None) if rollup else \
        ((code, code) for code in tree.order)
    pairs = list(pairs)
    query = dict(include_facilitators=include_facilitators, no_value=NO_VALUE)
    keys = (CodingFilter(selection.codebook_id, selection.coders, selection.statuses), pairs)
    figures = code_unit_counts(project, *keys, by, **query)
    if figures.empty:
        raise _no_coded_turns(selection, include_facilitators)
    found = _Figures(figures, turn_group_totals(project, by, **query), selection, tree)
    if total:
        found.all_figures = code_unit_counts(project, *keys, None, **query).assign(group=TOTAL)
        found.all_totals = turn_group_totals(project, None, **query).assign(group=TOTAL)
    return found


def counts_wide(counts: pd.DataFrame, value: str = "turns") -> pd.DataFrame:
    """Codes as rows, groups as columns, one measure (``turns``, ``share``, ``participants``...)."""
    if value not in counts.columns:
        raise SelectionError(f"unknown measure {value!r}; use {', '.join(MEASURES)}")
    groups = list(dict.fromkeys(counts["group"]))
    codes = counts.drop_duplicates("code")[["code", "name", "theme", "depth"]]
    wide = counts.pivot(index="code", columns="group", values=value)[groups].reset_index()
    wide.columns.name = None
    return codes.merge(wide, on="code", how="left").reset_index(drop=True)


def counts_display(counts: pd.DataFrame) -> pd.DataFrame:
    """A readable wide table: per group "turns/group turns (share%)" and distinct participants."""
    groups = list(dict.fromkeys(counts["group"]))
    rows = []
    for code, part in counts.groupby("code", sort=False):
        first = part.iloc[0]
        row = {"code": ("  " * int(first["depth"])) + str(first["name"])}
        for group in groups:
            g = part[part["group"] == group].iloc[0]
            row[f"{group}: turns"] = f"{g['turns']}/{g['group_turns']} ({g['share']:.0%})"
            row[f"{group}: participants"] = f"{g['participants']}/{g['group_participants']}"
        rows.append(row)
    return pd.DataFrame(rows)
