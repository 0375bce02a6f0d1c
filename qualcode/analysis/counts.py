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
passage are one mention for it.  Facilitator turns, and the turns of voices that name
nobody (role ``unidentified``: "ALL", "Unknown speaker"), are left out of both the counts
and the denominators unless ``include_facilitators=True`` / ``include_unidentified=True``.
"""

from __future__ import annotations

import pandas as pd

from qualcode.analysis.selection import (NO_VALUE, CodeTree, Selection, SelectionError, check_grouping,
                                         left_out, select_codings)
from qualcode.store.project import Project
from qualcode.store.queries import code_unit_counts, role_rank, turn_group_totals

TOTAL = "all"
MEASURES = ("mentions", "turns", "share", "participants", "documents")
COLUMNS = ["by", "group", "code", "name", "theme", "parent", "depth", "mentions", "turns",
           "group_turns", "share", "participants", "group_participants", "documents",
           "group_documents"]


def order_groups(groups, by: str) -> list[str]:
    """Groups in a reader's order: for roles, :data:`~qualcode.store.queries.ROLE_ORDER`
    first; else sorted."""
    return sorted(set(groups), key=role_rank if by == "role" else str)


def counts_by(project: Project, by: str = "role", *, codebook: str | int | None = None,
              coder=None, status=None, include_facilitators: bool = False,
              include_unidentified: bool = False, rollup: bool = True, total: bool = False) -> pd.DataFrame:
    """One row per (code, group) with every unit; codes in codebook order, zeros included.

    SQLite aggregates the codings (:func:`~qualcode.store.queries.code_unit_counts`), so
    memory does not grow with their number.  ``by``: ``role`` (the speaker's role),
    ``document``, ``participant`` or any document attribute (``site``, ``group``...).
    ``total=True`` adds a group ``"all"`` over every counted turn.  The selection used is
    described in ``result.attrs["selection"]``.
    """
    check_grouping(project, by)
    selection = select_codings(project, codebook=codebook, coder=coder, status=status)
    tree = CodeTree.for_selection(project, selection)
    pairs = (list(tree.rollup_pairs().itertuples(index=False, name=None)) if rollup
             else [(code, code) for code in tree.order])
    query = dict(include_facilitators=include_facilitators, include_unidentified=include_unidentified,
                 no_value=NO_VALUE)
    figures = code_unit_counts(project, selection.filter, pairs, by, **query)
    if figures.empty:
        raise _no_coded_turns(selection, left_out(include_facilitators, include_unidentified))
    totals = turn_group_totals(project, by, **query)
    groups = order_groups(totals["group"], by)
    if total:
        figures = pd.concat([figures, code_unit_counts(project, selection.filter, pairs, None, **query)
                             .assign(group=TOTAL)], ignore_index=True)
        totals = pd.concat([totals, turn_group_totals(project, None, **query).assign(group=TOTAL)],
                           ignore_index=True)
        groups.append(TOTAL)
    return _grid(tree, groups, figures, totals, by, selection)


def _grid(tree: CodeTree, groups: list[str], figures: pd.DataFrame, totals: pd.DataFrame, by: str,
          selection: Selection) -> pd.DataFrame:
    """Every (code, group), codes in display order, with its figures (zeros where none)."""
    grid = tree.frame().merge(pd.DataFrame({"group": groups}), how="cross")
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


def _no_coded_turns(selection: Selection, missing: str) -> SelectionError:
    who = f"participant turns ({missing} left out)" if missing else "turns"
    return SelectionError(f"none of the {selection.codings} selected codings is on {who}")


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
