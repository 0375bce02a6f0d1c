"""The quote table: one row per coded excerpt, with who said it and where.

Speakers are pseudonymized by default: the ``speaker`` column shows the
participant's stable id and role (``S03 (scholar)``), never the transcript
label; ``real_names=True`` shows the label as it appears in the transcript.
(Names spoken inside a quote are not removed: read quotes before sharing.)
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Iterable, Iterator

import pandas as pd

from qualcode.analysis.quotes import QUESTION, QuoteContext, question_before, quote
from qualcode.analysis.selection import (NO_VALUE, CodeTree, SelectionError, _as_tuple, _listing,
                                         check_group, left_out, select_codings)
from qualcode.core.pseudonyms import speaker_pseudonym
from qualcode.store.project import Project
from qualcode.store.frames import facilitator_turns
from qualcode.store.queries import (EXCERPT_ORDERS, attribute_names, document_attributes, document_names,
                                    iter_excerpt_rows, turn_roles)

SORTS = tuple(EXCERPT_ORDERS)
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


def _shown_attribute(name: str) -> str:
    """An attribute's column name in the quote table (``doc_`` before names the table uses)."""
    return f"doc_{name}" if name in [*BASE_COLUMNS, *CODE_COLUMNS, QUESTION] else name


def _resolve_codes(tree: CodeTree, codes: tuple[str, ...] | None,
                   themes: tuple[str, ...] | None) -> set[str] | None:
    wanted: set[str] | None = None
    if codes:
        wanted = set()
        for code in codes:
            tree.check(code)
            wanted.update(tree.descendants(code))
    if themes:
        top = tree.themes
        by_name = {tree.name[c].casefold(): c for c in top}
        in_themes: set[str] = set()
        for theme in themes:
            key = theme if theme in top else by_name.get(theme.casefold())
            if key is None:
                raise SelectionError(f"unknown theme {theme!r}; themes: {_listing(top)}")
            in_themes.update(tree.descendants(key))
        wanted = in_themes if wanted is None else wanted & in_themes
    return wanted


def _nothing_matches(selection: str, code, theme, roles, documents, missing: str) -> SelectionError:
    filters = [f"{name} {', '.join(values)}" for name, values in
               (("code", _as_tuple(code)), ("theme", _as_tuple(theme)), ("role", roles),
                ("document", documents)) if values]
    return SelectionError("no excerpts match " + ("; ".join(filters) if filters else "the selection")
                          + f" ({selection}" + (f", {missing} left out" if missing else "") + ")")


def excerpts_table(project: Project, *, code: str | Iterable[str] | None = None,
                   theme: str | Iterable[str] | None = None, role: str | Iterable[str] | None = None,
                   document: str | Iterable[str] | None = None, coder=None, status=None,
                   codebook: str | int | None = None, include_facilitators: bool = False,
                   include_unidentified: bool = False, real_names: bool = False, sort: str = "code",
                   context: QuoteContext | None = None) -> pd.DataFrame:
    """One row per quote, filtered and sorted: :func:`iter_excerpts` read into a frame (to
    write a long table without holding it, use :func:`iter_excerpts`)."""
    return excerpts_frame(iter_excerpts(
        project, code=code, theme=theme, role=role, document=document, coder=coder, status=status,
        codebook=codebook, include_facilitators=include_facilitators,
        include_unidentified=include_unidentified, real_names=real_names, sort=sort, context=context))


@dataclass
class ExcerptRows:
    """The quote table as a stream: ``columns``, then ``rows`` (tuples in column order,
    ``None`` for a document without an attribute), read once, one at a time; ``read``
    counts the rows read so far."""

    columns: list[str]
    attributes: list[str]
    selection: str
    rows: Iterator[tuple] = field(default_factory=lambda: iter(()))
    read: int = 0
    real_names: bool = False  # speakers shown by label (else by pseudonym)
    context: QuoteContext = field(default_factory=QuoteContext)  # how much of a turn a quote shows


def iter_excerpts(project: Project, *, code: str | Iterable[str] | None = None,
                  theme: str | Iterable[str] | None = None, role: str | Iterable[str] | None = None,
                  document: str | Iterable[str] | None = None, coder=None, status=None,
                  codebook: str | int | None = None, include_facilitators: bool = False,
                  include_unidentified: bool = False, real_names: bool = False, sort: str = "code",
                  context: QuoteContext | None = None) -> ExcerptRows:
    """The quote table, streamed from one sorted query: one row per quote with who said it
    and where.  ``context`` (:class:`~qualcode.analysis.quotes.QuoteContext`; default: the
    hits of one code in one turn as one quote of whole sentences) says how much of the turn
    a quote shows, and whether the facilitator's question comes with it (column
    ``facilitator_question``, before ``text``); ``start`` and ``end`` are the quote's span.

    ``code`` includes the code's descendants; ``theme`` is a theme id or name.
    ``sort``: ``code`` (codebook order, then document and position), ``document``
    (transcript order), ``participant`` or ``role``.  Unknown codes, themes, roles or
    documents, and filters that leave nothing, raise :class:`SelectionError` here, before
    any row is read.  Memory holds one row and the text of the document it comes from;
    each document's text is read once per run of consecutive rows from it (once in all
    with ``sort="document"``).
    """
    if sort not in SORTS:
        raise SelectionError(f"cannot sort by {sort!r}; use {', '.join(SORTS)}")
    selection = select_codings(project, codebook=codebook, coder=coder, status=status)
    tree = CodeTree.for_selection(project, selection)
    wanted = _resolve_codes(tree, _as_tuple(code), _as_tuple(theme))
    roles, documents = _as_tuple(role), _as_tuple(document)
    for values, known, by in ((roles, turn_roles, "role"), (documents, document_names, "document")):
        if values:
            names = known(project)
            for value in values:
                check_group(names, value, by)
    position = {c: i for i, c in enumerate(tree.display_order)}
    positions = [(c, position.get(tree.theme(c), 0), position[c]) for c in tree.display_order]
    cursor = iter_excerpt_rows(
        project, selection.filter, positions, sort, codes=None if wanted is None else sorted(wanted),
        roles=roles, documents=documents, include_facilitators=include_facilitators,
        include_unidentified=include_unidentified, no_value=NO_VALUE)
    first = next(cursor, None)
    if first is None:
        raise _nothing_matches(selection.describe(), code, theme, roles, documents,
                               left_out(include_facilitators, include_unidentified))
    context = context or QuoteContext()
    attributes = [a for a in attribute_names(project) if a != "role"]  # the role is its own column
    shown = [_shown_attribute(a) for a in attributes]
    columns = CODE_COLUMNS if not context.with_question else \
        [*CODE_COLUMNS[:CODE_COLUMNS.index("text")], QUESTION, *CODE_COLUMNS[CODE_COLUMNS.index("text"):]]
    out = ExcerptRows(BASE_COLUMNS + shown + columns, shown, selection.describe(), real_names=real_names,
                      context=context)
    out.rows = _rows(project, _chain(first, cursor), tree, attributes, out,
                     _order_in_turn(sort, out.columns, position) if context.merges else None)
    return out


def _rows(project: Project, cursor: Iterator, tree: CodeTree, attributes: list[str], out: ExcerptRows,
          order=None) -> Iterator[tuple]:
    """The rows of :func:`iter_excerpts` from its cursor (one per quote), counted in ``out.read``;
    ``order``: the sort key of the quotes of one turn, when merging may upset their order."""
    made = _QuoteRows(project, tree, attributes, out)
    for turn in _turns(cursor, out.context.merges):
        rows = [made(hits) for hits in turn]
        if order is not None and len(rows) > 1:
            rows.sort(key=order)
        for row in rows:
            out.read += 1
            yield row


class _QuoteRows:
    """Makes a quote table row from the codings of one quote, reading each document's text
    (and facilitator turns) when the stream comes to it."""

    def __init__(self, project: Project, tree: CodeTree, attributes: list[str], out: ExcerptRows):
        self.project, self.tree, self.attributes, self.out = project, tree, attributes, out
        self.values = document_attributes(project)
        self.doc_id, self.text, self.facilitator = None, "", []

    def _document(self, doc_id: int) -> None:
        if doc_id != self.doc_id:
            self.doc_id, self.text = doc_id, self.project.document_text(doc_id)
            self.facilitator = [(t, self.text[s:e]) for t, s, e in facilitator_turns(self.project, doc_id)] \
                if self.out.context.with_question else []

    def __call__(self, hits: list) -> tuple:
        row, context, tree = hits[0], self.out.context, self.tree
        self._document(row["document_id"])
        own = self.values.get(self.doc_id, {})
        if row["turn_attributes"] not in (None, "{}"):   # a turn's own value wins over its document's
            own = {**own, **json.loads(row["turn_attributes"])}
        code, theme = row["code"], tree.theme(row["code"])
        speaker = row["speaker"] if self.out.real_names else speaker_pseudonym(row["participant"], row["role"])
        start, end, said = quote(self.text, (row["turn_start"], row["turn_end"]),
                                 [(h["start"], h["end"]) for h in hits], context)
        asked = (question_before(self.facilitator, row["turn"]),) if context.with_question else ()
        return (row["document"], speaker, row["participant"], row["role"],
                *[own.get(a) for a in self.attributes],
                code, tree.name.get(code, code), theme, tree.name.get(theme, theme),
                start, end, row["turn"], format_time(row["time_start"]), *asked, said,
                _joined(h["coder"] for h in hits), _joined(h["status"] for h in hits))


def _turns(cursor: Iterator, merge: bool) -> Iterator[list[list]]:
    """The cursor's codings by quote: with ``merge``, per turn the codings of each code
    together (a turn's codings come one after another in every sort), codes in the order
    they first come; else each coding alone."""
    if not merge:
        yield from ([[row]] for row in cursor)
        return
    turn, codes = None, {}
    for row in cursor:
        key = (row["document_id"], row["turn"])
        if key != turn:
            if codes:
                yield list(codes.values())
            turn, codes = key, {}
        codes.setdefault(row["code"], []).append(row)
    if codes:
        yield list(codes.values())


def _order_in_turn(sort: str, columns: list[str], position: dict[str, int]):
    """The key that keeps a turn's merged quotes in the order ``sort`` asks for (their spans
    are widened, so the codings' order may no longer be theirs), or None when it cannot change."""
    s, e, c = (columns.index(name) for name in ("start", "end", "code"))
    if sort == "document":
        return lambda row: (row[s], row[e], position.get(row[c], 0))
    if sort == "participant":
        return lambda row: (row[s], position.get(row[c], 0))
    return None


def _joined(values: Iterable[str]) -> str:
    """Distinct values in the order they come, separated by ``, ``."""
    return ", ".join(dict.fromkeys(values))


def _chain(first, rest):
    yield first
    yield from rest


def excerpts_frame(excerpts: ExcerptRows) -> pd.DataFrame:
    """Read a stream of :func:`iter_excerpts` into the frame :func:`excerpts_table` returns."""
    frame = pd.DataFrame(list(excerpts.rows), columns=excerpts.columns)
    for column in excerpts.attributes:  # a document without the attribute: NaN, as a merge gives
        frame[column] = frame[column].where(frame[column].notna(), math.nan)
    for column in ("start", "end", "turn"):
        frame[column] = frame[column].astype(int)
    frame.attrs["selection"] = excerpts.selection
    frame.attrs["attributes"] = excerpts.attributes
    frame.attrs["real_names"] = excerpts.real_names
    frame.attrs["context"] = excerpts.context.describe()
    return frame


def position_label(row) -> str:
    """Where a quote is: its timestamp when the transcript has times, else its turn number."""
    time = row["time"] if "time" in row else ""
    return time if isinstance(time, str) and time else f"turn {int(row['turn'])}"


class _CodeQuotes:
    """What :func:`exemplar_rows` can pick for one code, kept while its quotes stream by:
    the first ``2 * per_code`` quotes of readable length and of the others (the fill-up),
    and per role the first quote of each of the first ``per_code`` participants, among
    readable and other quotes (the round robin never looks further)."""

    def __init__(self, per_code: int):
        self.per_code = per_code
        self.first: tuple[list, list] = ([], [])          # (fit, misfit) rows, row order
        self.roles: dict[str, list[dict]] = {}           # role -> [fit, misfit] {participant: row}
        self.role_first: dict[str, tuple[int, int]] = {}  # role -> (misfit, row) of its first quote

    def add(self, index: int, misfit: bool, role, participant, row) -> None:
        kept = self.first[misfit]
        if len(kept) < 2 * self.per_code:
            kept.append((index, row))
        voices = self.roles.setdefault(role, [{}, {}])[misfit]
        if participant not in voices and len(voices) < self.per_code:
            voices[participant] = (index, row)
        key = (int(misfit), index)
        if role not in self.role_first or key < self.role_first[role]:
            self.role_first[role] = key

    def pick(self) -> list[tuple[int, tuple]]:
        """This code's exemplars, in row order: a round robin over its roles (in the order
        of their first readable quote, else first quote), each turn taking the role's next
        quote from a participant not yet picked, readable quotes first; then, while fewer
        than ``per_code``, the first readable quotes and the first others."""
        queues = []
        for role in sorted(self.role_first, key=self.role_first.get):
            fit, misfit = self.roles[role]
            queue = list(fit.items()) + [(p, r) for p, r in misfit.items() if p not in fit]
            queues.append(queue)
        picked: dict[int, tuple] = {}
        seen: set = set()
        progress = True
        while len(picked) < self.per_code and progress:
            progress = False
            for queue in queues:
                fresh = next((i for i, (p, _) in enumerate(queue) if p not in seen), None)
                if fresh is not None and len(picked) < self.per_code:
                    participant, (index, row) = queue.pop(fresh)
                    picked[index] = row
                    seen.add(participant)
                    progress = True
        for index, row in self.first[0] + self.first[1]:
            if len(picked) >= self.per_code:
                break
            picked.setdefault(index, row)
        return sorted(picked.items(), key=lambda item: item[0])


def exemplar_rows(excerpts: ExcerptRows, per_code: int = 3, min_words: int = 6,
                  max_words: int = 80) -> tuple[pd.DataFrame, int]:
    """A few quotes per code for a report, picked while the quotes of :func:`iter_excerpts`
    stream by (holding a few per code, not the table): of readable length (``min_words``
    to ``max_words`` words), from different participants, alternating between roles
    (see :meth:`_CodeQuotes.pick`).  Deterministic: ties keep the table's order.

    Returns the chosen quotes as a frame (indexed by their rows' places in the whole table,
    in table order) and how many quotes streamed."""
    at = {c: i for i, c in enumerate(excerpts.columns)}
    codes: dict[str, _CodeQuotes] = {}
    total = 0
    for index, row in enumerate(excerpts.rows):
        total += 1
        words = len(str(row[at["text"]]).split())
        quotes = codes.setdefault(row[at["code"]], _CodeQuotes(per_code))
        quotes.add(index, not (min_words <= words <= max_words), row[at["role"]], row[at["participant"]], row)
    chosen = [picked for quotes in codes.values() for picked in quotes.pick()] if per_code > 0 else []
    frame = excerpts_frame(ExcerptRows(excerpts.columns, excerpts.attributes, excerpts.selection,
                                       iter([row for _, row in chosen]), real_names=excerpts.real_names,
                                       context=excerpts.context))
    frame.index = [index for index, _ in chosen]   # the rows' places in the whole table
    return frame, total
