"""The quote table: one row per coded excerpt, with who said it and where.

Speakers are pseudonymized by default: the ``speaker`` column shows the
participant's stable id and role (``S03 (scholar)``), never the transcript
label; ``real_names=True`` shows the label as it appears in the transcript.
(Names spoken inside a quote are not removed: read quotes before sharing.)
"""

from __future__ import annotations

import math
from typing import Iterable

import pandas as pd

from qualcode.analysis.counts import ROLE_ORDER
from qualcode.analysis.frames import CorpusFrames
from qualcode.analysis.selection import (FACILITATOR, CodeTree, SelectionError, attach_turns,
                                         check_group, select_codings, _as_tuple, _listing)
from qualcode.pseudonyms import pseudonymize_speakers

SORTS = ("code", "document", "participant", "role")
BASE_COLUMNS = ["document", "speaker", "participant", "role"]
CODE_COLUMNS = ["code", "code_name", "theme", "theme_name", "start", "end", "turn", "time",
                "text", "coder", "status"]


def format_time(seconds) -> str:
    """``3725.4`` -> ``"1:02:05"``; ``65`` -> ``"1:05"``; missing -> ``""``."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return ""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def attribute_columns(frames: CorpusFrames) -> list[str]:
    """Document attributes shown beside each quote (the speaker's role is its own column)."""
    return [a for a in frames.attribute_names if a != "role"]


def _resolve_codes(tree: CodeTree, codes: tuple[str, ...] | None,
                   themes: tuple[str, ...] | None) -> set[str] | None:
    wanted: set[str] | None = None
    if codes:
        wanted = set()
        for code in codes:
            tree.check(code)
            wanted.update(tree.descendants(code))
    if themes:
        top = [c for c in tree.display_order if tree.parent[c] is None]
        by_name = {tree.name[c].casefold(): c for c in top}
        in_themes: set[str] = set()
        for theme in themes:
            key = theme if theme in top else by_name.get(theme.casefold())
            if key is None:
                raise SelectionError(f"unknown theme {theme!r}; themes: {_listing(top)}")
            in_themes.update(tree.descendants(key))
        wanted = in_themes if wanted is None else wanted & in_themes
    return wanted


def excerpts_table(frames: CorpusFrames, *, code: str | Iterable[str] | None = None,
                   theme: str | Iterable[str] | None = None, role: str | Iterable[str] | None = None,
                   document: str | Iterable[str] | None = None, coder=None, status=None,
                   codebook: str | int | None = None, include_facilitators: bool = False,
                   real_names: bool = False, sort: str = "code") -> pd.DataFrame:
    """One row per coded excerpt, filtered and sorted.

    ``code`` includes the code's descendants; ``theme`` is a theme id or name.
    ``sort``: ``code`` (codebook order, then document and position),
    ``document`` (transcript order), ``participant`` or ``role``.
    Unknown codes, themes, roles or documents, and filters that leave nothing,
    raise :class:`SelectionError`.
    """
    if sort not in SORTS:
        raise SelectionError(f"cannot sort by {sort!r}; use {', '.join(SORTS)}")
    codings, selection = select_codings(frames, codebook=codebook, coder=coder, status=status)
    tree = CodeTree.for_selection(frames, selection, codings)
    wanted = _resolve_codes(tree, _as_tuple(code), _as_tuple(theme))
    rows = attach_turns(codings, frames.segments)
    if not include_facilitators:
        rows = rows[rows["role"] != FACILITATOR]
    roles = _as_tuple(role)
    if roles:
        known = frames.segments["role"].dropna().unique()
        for value in roles:
            check_group(known, value, "role")
        rows = rows[rows["role"].isin(roles)]
    documents = _as_tuple(document)
    if documents:
        for value in documents:
            check_group(frames.documents["document"], value, "document")
        rows = rows[rows["document"].isin(documents)]
    if wanted is not None:
        rows = rows[rows["code"].isin(wanted)]
    if rows.empty:
        filters = [f"{name} {', '.join(values)}" for name, values in
                   (("code", _as_tuple(code)), ("theme", _as_tuple(theme)), ("role", roles),
                    ("document", documents)) if values]
        raise SelectionError("no excerpts match " + ("; ".join(filters) if filters else "the selection")
                             + f" ({selection.describe()}"
                             + ("" if include_facilitators else ", facilitator turns left out") + ")")

    attrs = attribute_columns(frames)
    doc_info = frames.documents[["document", "document_id", *attrs]].rename(
        columns={a: (f"doc_{a}" if a in BASE_COLUMNS + CODE_COLUMNS else a) for a in attrs})
    attrs = [f"doc_{a}" if a in BASE_COLUMNS + CODE_COLUMNS else a for a in attrs]
    rows = rows.drop(columns=["document_id"], errors="ignore").merge(doc_info, on="document", how="left")

    position = {c: i for i, c in enumerate(tree.display_order)}
    rows = rows.assign(
        _code_pos=rows["code"].map(position),
        _theme_pos=rows["code"].map(lambda c: position.get(tree.theme(c), 0)),
        _role_pos=rows["role"].map(lambda r: ROLE_ORDER.index(r) if r in ROLE_ORDER else len(ROLE_ORDER)),
        code_name=rows["code"].map(lambda c: tree.name.get(c, c)),
        theme=rows["code"].map(tree.theme),
        time=rows["time_start"].map(format_time),
    )
    rows["theme_name"] = rows["theme"].map(lambda c: tree.name.get(c, c))
    rows = pseudonymize_speakers(rows, real_names)
    keys = {
        "code": ["_theme_pos", "_code_pos", "document_id", "start", "end"],
        "document": ["document_id", "start", "end", "_code_pos"],
        "participant": ["participant", "document_id", "start", "_code_pos"],
        "role": ["_role_pos", "role", "_theme_pos", "_code_pos", "document_id", "start"],
    }[sort]
    rows = rows.sort_values(keys, kind="stable")
    out = rows[BASE_COLUMNS + attrs + CODE_COLUMNS].reset_index(drop=True)
    for column in ("start", "end", "turn"):
        out[column] = out[column].astype(int)
    out.attrs["selection"] = selection.describe()
    out.attrs["attributes"] = attrs
    out.attrs["real_names"] = real_names
    return out


def position_label(row) -> str:
    """Where a quote is: its timestamp when the transcript has times, else its turn number."""
    time = row["time"] if "time" in row else ""
    return time if isinstance(time, str) and time else f"turn {int(row['turn'])}"


def exemplar_quotes(excerpts: pd.DataFrame, per_code: int = 3, min_words: int = 6,
                    max_words: int = 80) -> pd.DataFrame:
    """A few quotes per code for a report: of readable length, from different participants,
    alternating between roles.  Deterministic: ties keep the table's order."""
    if excerpts.empty:
        return excerpts
    words = excerpts["text"].str.split().str.len()
    ranked = excerpts.assign(_misfit=~words.between(min_words, max_words), _row=range(len(excerpts)))
    chosen: list[int] = []
    for _code, quotes in ranked.groupby("code", sort=False):
        quotes = quotes.sort_values(["_misfit", "_row"], kind="stable")
        queues = [list(q["_row"]) for _role, q in quotes.groupby("role", sort=False)]
        participant = dict(zip(quotes["_row"], quotes["participant"]))
        picked: list[int] = []
        seen: set[str] = set()
        progress = True
        while len(picked) < per_code and progress:  # round robin over roles, new voices first
            progress = False
            for queue in queues:
                fresh = next((r for r in queue if participant[r] not in seen), None)
                if fresh is not None and len(picked) < per_code:
                    picked.append(fresh)
                    seen.add(participant[fresh])
                    queue.remove(fresh)
                    progress = True
        rest = [r for r in quotes["_row"] if r not in picked]
        picked += rest[:per_code - len(picked)]
        chosen += sorted(picked)
    out = excerpts.iloc[chosen].copy()
    out.attrs.update(excerpts.attrs)
    return out
