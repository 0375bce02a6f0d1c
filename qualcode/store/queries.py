"""The read side the analyses use: selections, counts, quotes, the corpus, agreement data.

Functions take an open :class:`~qualcode.store.project.Project` and never write.  Counts are
aggregated by SQLite (GROUP BY) and quotes come from one sorted cursor, so what a command
holds does not grow with the number of codings.  Whole tables, read into pandas, are in
:mod:`qualcode.store.frames`.

Two rules live here and nowhere else: which turn a coding counts in (:func:`_on_turns`)
and the order of speaker roles (:data:`ROLE_ORDER`).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Iterable, Iterator

import pandas as pd

from qualcode.core.errors import SelectionError
from qualcode.core.roles import FACILITATOR
from qualcode.core.spelling import did_you_mean, matching_names
from qualcode.store.frames import DOCUMENT_COLUMNS
from qualcode.store.project import Project
from qualcode.store.schema import SPEAKERS_JOIN, participant_turns_sql

#: Roles in a reader's order; any other role follows them, by name.
ROLE_ORDER = ("scholar", "mentor", FACILITATOR)


def role_rank(role: str) -> tuple[int, str]:
    """Sort key of a role: the :data:`ROLE_ORDER` roles first, then the others by name."""
    return (ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER), role)


def _role_rank_sql(expression: str) -> str:
    """SQL for the first item of :func:`role_rank` of ``expression``."""
    cases = " ".join(f"WHEN '{role}' THEN {rank}" for rank, role in enumerate(ROLE_ORDER))
    return f"CASE {expression} {cases} ELSE {len(ROLE_ORDER)} END"


@dataclass(frozen=True)
class CodingFilter:
    """Which codings a query reads: one codebook (None: the codings without one), these
    coders, these statuses.  With a ``reviewer`` (one of two ``coders``, with a codebook):
    the reviewer's codings on the turns they read (:func:`_read_turns_sql`), the other
    coder's on every other turn."""

    codebook_id: int | None
    coders: tuple[str, ...]
    statuses: tuple[str, ...]
    reviewer: str | None = None

    def where(self) -> tuple[str, list]:
        """WHERE clause (on ``codings c``) and its parameters."""
        if self.codebook_id is None:
            return _coding_where("c.codebook_id IS NULL", [], self.coders, self.statuses)
        if self.reviewer is None:
            return _coding_where("c.codebook_id = ?", [int(self.codebook_id)], self.coders, self.statuses)
        other = next(c for c in self.coders if c != self.reviewer)
        read, read_params = _read_turns_sql(self.reviewer, int(self.codebook_id))
        return (f"c.codebook_id = ? AND c.status IN (SELECT value FROM json_each(?)) AND"
                f" ((c.coder = ? AND c.segment_id IN {read}) OR"
                f" (c.coder = ? AND (c.segment_id IS NULL OR c.segment_id NOT IN {read})))",
                [int(self.codebook_id), json.dumps(list(self.statuses)), self.reviewer, *read_params,
                 other, *read_params])


def _read_turns_sql(coder: str, codebook_id: int) -> tuple[str, list]:
    """(subquery, parameters): the turns ``coder`` read with the codebook: their coverage,
    and every turn they coded."""
    return ("(SELECT segment_id FROM coverage WHERE coder = ? AND codebook_id = ?"
            " UNION SELECT segment_id FROM codings WHERE coder = ? AND codebook_id = ?"
            " AND segment_id IS NOT NULL)", [coder, codebook_id, coder, codebook_id])


def coder_facts(project: Project, codebook_id: int, statuses: Iterable[str]) -> dict[str, tuple[str, str, int]]:
    """Per coder with codings of these statuses under the codebook: (kind, when their latest
    coding was made, how many turns they read with it: :func:`_read_turns_sql`)."""
    rows = project.conn.execute(
        "SELECT coder, MIN(coder_kind), MAX(created_at) FROM codings WHERE codebook_id = ?"
        " AND status IN (SELECT value FROM json_each(?)) GROUP BY coder",
        (int(codebook_id), json.dumps(list(statuses)))).fetchall()
    out = {}
    for coder, kind, latest in rows:
        read, params = _read_turns_sql(coder, int(codebook_id))
        turns = project.conn.execute(f"SELECT COUNT(*) FROM {read}", params).fetchone()[0]
        out[coder] = (kind, latest, turns)
    return out


def count_codings(project: Project, chosen: CodingFilter) -> int:
    """How many codings ``chosen`` selects."""
    where, params = chosen.where()
    return project.conn.execute(f"SELECT COUNT(*) FROM codings c WHERE {where}", params).fetchone()[0]


def _coding_where(book: str, book_params: list, coders: Iterable[str],
                  statuses: Iterable[str]) -> tuple[str, list]:
    """WHERE clause (on ``codings c``): the codebook condition ``book``, and coder and status
    among these."""
    return (f"{book} AND c.coder IN (SELECT value FROM json_each(?))"
            " AND c.status IN (SELECT value FROM json_each(?))",
            [*book_params, json.dumps(list(coders)), json.dumps(list(statuses))])


def _on_turns(where: str) -> tuple[str, str]:
    """Which turn a coding counts in: ``(cte, join)`` for the codings matching ``where``.

    The CTE ``sel`` holds them (id, document_id, code, start, end, coder, status) with the
    turn they count in (``seg``): their own, or for a coding stored without one the turn
    whose span holds its start (the last turn of its document starting at or before it, if
    it ends after that start).  The join puts each on that turn ``s``; a coding no turn
    holds is left out."""
    cte = ("sel AS (SELECT c.id, c.document_id, c.code, c.start, c.\"end\", c.coder, c.status,"
           " c.segment_id IS NULL AS placed,"
           " COALESCE(c.segment_id, (SELECT s2.id FROM segments s2 WHERE s2.document_id = c.document_id"
           " AND s2.start <= c.start ORDER BY s2.start DESC, s2.id DESC LIMIT 1)) AS seg"
           f" FROM codings c WHERE {where}) ")
    join = " JOIN segments s ON s.id = sel.seg AND (NOT sel.placed OR sel.start < s.\"end\")"
    return cte, join


def _group_sql(by: str | None, no_value: str) -> tuple[str, str, list]:
    """(group expression, extra join, parameters) of a turn's group over segments ``s``,
    speakers ``sp``, participants ``p``; empty or missing values become ``no_value``.  An
    attribute is the turn's own value (``question``) where it has one, else its document's."""
    if by is None:
        return "NULL", "", []
    if by == "role":
        return "COALESCE(NULLIF(sp.role, ''), ?)", "", [no_value]
    if by == "participant":
        return "COALESCE(NULLIF(p.pid, ''), ?)", "", [no_value]
    if by == "document":
        return ("COALESCE(NULLIF(gd.name, ''), ?)", " JOIN documents gd ON gd.id = s.document_id",
                [no_value])
    return ("COALESCE(NULLIF(ta.value, ''), NULLIF(ga.value, ''), ?)",
            " LEFT JOIN segment_attributes ta ON ta.segment_id = s.id AND ta.key = ?"
            " LEFT JOIN document_attributes ga ON ga.document_id = s.document_id AND ga.key = ?",
            [no_value, by, by])  # in the order they appear in the statement


# ------------------------------------------------------------------ what there is
def coding_summary(project: Project) -> pd.DataFrame:
    """How many codings each (codebook_id, coder, status) has: what a selection chooses from.
    Columns: codebook_id, coder, status, codings."""
    return pd.read_sql_query(
        "SELECT codebook_id, coder, status, COUNT(*) AS codings FROM codings"
        " GROUP BY codebook_id, coder, status ORDER BY codebook_id, coder, status", project.conn)


def selected_codes(project: Project, chosen: CodingFilter) -> list[str]:
    """The distinct codes of the chosen codings, sorted."""
    where, params = chosen.where()
    return [r[0] for r in project.conn.execute(
        f"SELECT DISTINCT c.code FROM codings c WHERE {where} ORDER BY c.code", params)]


def attribute_names(project: Project) -> list[str]:
    """Attribute names of documents and of turns, sorted: the attribute columns of
    :func:`~qualcode.store.frames.documents_frame` and
    :func:`~qualcode.store.frames.segments_frame` (a name those frames use for their own
    columns is left out)."""
    return [r[0] for r in project.conn.execute(
        "SELECT key FROM document_attributes UNION SELECT key FROM segment_attributes ORDER BY key")
        if r[0] not in DOCUMENT_COLUMNS]


def document_names(project: Project) -> list[str]:
    """Every document's name, in the order they were added."""
    return [r[0] for r in project.conn.execute("SELECT name FROM documents ORDER BY id")]


def find_document(project: Project, name: str) -> str:
    """The name of the document ``name`` stands for: the same name, in any case, with or
    without a file suffix (``P2``, ``P2.odt`` find ``P2.txt``; see
    :func:`~qualcode.core.spelling.matching_names`).  Raises :class:`SelectionError` with a
    did-you-mean when it names none, or lists the documents when it names several."""
    names = document_names(project)
    found = matching_names(name, names)
    if len(found) == 1:
        return found[0]
    if found:
        raise SelectionError(f"document {name!r} matches {len(found)} documents ({', '.join(found)}); "
                             "give its full name")
    raise SelectionError(f"no document {name!r} in the project{did_you_mean(name, names)}")


def turn_roles(project: Project) -> list[str]:
    """The speaker roles turns have (no NULL), sorted."""
    return [r[0] for r in project.conn.execute(
        "SELECT DISTINCT sp.role FROM speakers sp WHERE sp.role IS NOT NULL"
        " AND EXISTS (SELECT 1 FROM segments s WHERE s.speaker_id = sp.id) ORDER BY sp.role")]


def document_attributes(project: Project) -> dict[int, dict[str, str]]:
    """document_id -> {attribute: value} (one entry per document, not per turn)."""
    out: dict[int, dict[str, str]] = {}
    for doc_id, key, value in project.conn.execute(
            "SELECT document_id, key, value FROM document_attributes ORDER BY document_id, key"):
        out.setdefault(doc_id, {})[key] = value
    return out


# ------------------------------------------------------------------------- counts
def code_unit_counts(project: Project, chosen: CodingFilter, rollup: Iterable[tuple[str, str]],
                     by: str | None, *, include_facilitators: bool = False,
                     include_unidentified: bool = False, no_value: str = "(none)") -> pd.DataFrame:
    """Per (counted code, group) of the chosen codings on counted turns.  Columns: code,
    group, mentions (distinct document/start/end), turns, participants, documents.

    ``rollup``: (code, counted_as) pairs; a coding counts for every pair of its code.
    ``by``: ``role``, ``document``, ``participant``, a document attribute, or None (one
    group, NULL).  Empty or missing group values become ``no_value``."""
    where, params = chosen.where()
    cte, on_turn = _on_turns(where)
    group, join, group_params = _group_sql(by, no_value)
    sql = (
        "WITH pairs(code, counted_as) AS MATERIALIZED (SELECT json_extract(value, '$[0]'),"
        " json_extract(value, '$[1]') FROM json_each(?)), " + cte +
        "SELECT r.counted_as AS code, " + group + " AS \"group\","
        " COUNT(DISTINCT sel.document_id || ':' || sel.start || ':' || sel.\"end\") AS mentions,"
        " COUNT(DISTINCT s.id) AS turns, COUNT(DISTINCT p.pid) AS participants,"
        " COUNT(DISTINCT sel.document_id) AS documents"
        " FROM sel" + on_turn + SPEAKERS_JOIN + join + " JOIN pairs r ON r.code = sel.code"
        " WHERE " + participant_turns_sql(include_facilitators, include_unidentified)
        + " GROUP BY 1, 2 ORDER BY 1, 2")
    return pd.read_sql_query(sql, project.conn, params=[json.dumps([list(p) for p in rollup]),
                                                        *params, *group_params])


def turn_group_totals(project: Project, by: str | None, *, include_facilitators: bool = False,
                      include_unidentified: bool = False, no_value: str = "(none)") -> pd.DataFrame:
    """Per group (as in :func:`code_unit_counts`) of the counted turns.  Columns: group,
    group_turns, group_participants, group_documents."""
    group, join, group_params = _group_sql(by, no_value)
    return pd.read_sql_query(
        "SELECT " + group + " AS \"group\", COUNT(*) AS group_turns,"
        " COUNT(DISTINCT p.pid) AS group_participants, COUNT(DISTINCT s.document_id) AS group_documents"
        " FROM segments s" + SPEAKERS_JOIN + join + " WHERE "
        + participant_turns_sql(include_facilitators, include_unidentified)
        + " GROUP BY 1 ORDER BY 1", project.conn, params=group_params)


# ----------------------------------------------------------------------- excerpts
#: The orders of :func:`iter_excerpt_rows`; ties keep the codings' stored order.
EXCERPT_ORDERS = {
    "code": "k.theme_pos, k.code_pos, sel.document_id, sel.start, sel.\"end\"",
    "document": "sel.document_id, sel.start, sel.\"end\", k.code_pos",
    "participant": "p.pid, sel.document_id, sel.start, k.code_pos",
    "role": f"{_role_rank_sql('COALESCE(sp.role, ?)')}, COALESCE(sp.role, ?), k.theme_pos, k.code_pos,"
            " sel.document_id, sel.start",
}


def iter_excerpt_rows(project: Project, chosen: CodingFilter, positions: Iterable[tuple[str, int, int]],
                      sort: str, *, codes: Iterable[str] | None = None, roles: Iterable[str] | None = None,
                      documents: Iterable[str] | None = None, include_facilitators: bool = False,
                      include_unidentified: bool = False, no_value: str = "(none)") -> Iterator[sqlite3.Row]:
    """Stream the chosen codings on turns, sorted, without their text.  Columns:
    coding_id, document_id, document, turn, turn_start, turn_end (the turn's span), speaker,
    participant, role (NULL becomes ``no_value``), time_start, code, start, end, coder,
    status, turn_attributes (the turn's own attributes as a JSON object).

    ``positions``: (code, theme position, code position) used by the sorts ``code``
    (theme, code, document, start, end), ``document`` (document, start, end, code),
    ``participant`` (participant, document, start, code) and ``role`` (:data:`ROLE_ORDER`,
    other roles by name; then theme, code, document, start); ties keep the codings'
    stored order (document, start, code, id).  SQLite sorts (spilling to a temporary file
    when large), so memory stays flat."""
    where, params = chosen.where()
    cte, on_turn = _on_turns(where)
    filters, filter_params = [participant_turns_sql(include_facilitators, include_unidentified)], []
    for column, values in (("sel.code", codes), ("COALESCE(sp.role, ?)", roles), ("d.name", documents)):
        if values is not None:
            filters.append(f"{column} IN (SELECT value FROM json_each(?))")
            filter_params += ([no_value] if "?" in column else []) + [json.dumps(list(values))]
    order_params = [no_value, no_value] if sort == "role" else []
    sql = (
        "WITH keys(code, theme_pos, code_pos) AS MATERIALIZED (SELECT json_extract(value, '$[0]'),"
        " json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(?)), " + cte +
        "SELECT sel.id AS coding_id, sel.document_id, d.name AS document, s.turn, s.start AS turn_start,"
        " s.\"end\" AS turn_end, sp.label AS speaker, p.pid AS participant, COALESCE(sp.role, ?) AS role,"
        " s.time_start,"
        " sel.code, sel.start, sel.\"end\", sel.coder, sel.status, (SELECT json_group_object(ta.key,"
        " ta.value) FROM segment_attributes ta WHERE ta.segment_id = s.id) AS turn_attributes"
        " FROM sel" + on_turn + " JOIN documents d ON d.id = sel.document_id" + SPEAKERS_JOIN +
        " LEFT JOIN keys k ON k.code = sel.code WHERE " + " AND ".join(filters) +
        f" ORDER BY {EXCERPT_ORDERS[sort]}, sel.code, sel.id")
    yield from project.conn.execute(sql, [json.dumps([list(p) for p in positions]), *params, no_value,
                                          *filter_params, *order_params])


# ------------------------------------------------------------------------- corpus
def participants_by_document(project: Project, exclude_role: str | None = FACILITATOR) -> pd.DataFrame:
    """Per document that has such turns, the distinct participants speaking in it, leaving
    out speakers whose role is ``exclude_role``.  Columns: document, participants."""
    return pd.read_sql_query(
        "SELECT d.name AS document, COUNT(DISTINCT sp.participant_id) AS participants"
        " FROM segments s JOIN documents d ON d.id = s.document_id"
        " JOIN speakers sp ON sp.id = s.speaker_id"
        " WHERE sp.role IS NULL OR sp.role != ? GROUP BY d.id ORDER BY d.id",
        project.conn, params=[exclude_role])


def turns_by_role(project: Project, no_value: str = "(none)") -> pd.DataFrame:
    """Per speaker role (NULL as ``no_value``), sorted by name.  Columns: role,
    participants (distinct), turns, words."""
    return pd.read_sql_query(
        "SELECT COALESCE(sp.role, ?) AS role, COUNT(DISTINCT sp.participant_id) AS participants,"
        " COUNT(*) AS turns, SUM(s.words) AS words"
        " FROM segments s JOIN speakers sp ON sp.id = s.speaker_id GROUP BY 1 ORDER BY 1",
        project.conn, params=[no_value])


def speaking_participants(project: Project) -> int:
    """Distinct participants with at least one turn."""
    return project.conn.execute("SELECT COUNT(DISTINCT sp.participant_id) FROM segments s"
                                " JOIN speakers sp ON sp.id = s.speaker_id").fetchone()[0]


# ------------------------------------------------------------------- pairs
def turns_read(project: Project, chosen: CodingFilter, participants: Iterable[str]) -> pd.DataFrame:
    """Every participant turn of these participants (facilitator turns left out), and whether
    ``chosen``'s coders read it with its codebook: it is in the coverage table for one of them,
    or one of them coded it (any status).  Columns: participant, document, turn, read (0/1)."""
    book = "IS NULL" if chosen.codebook_id is None else "= ?"
    book_params = [] if chosen.codebook_id is None else [int(chosen.codebook_id)]
    coders = json.dumps(list(chosen.coders))
    return pd.read_sql_query(
        "SELECT p.pid AS participant, d.name AS document, s.turn,"
        " (EXISTS (SELECT 1 FROM coverage v WHERE v.segment_id = s.id AND v.codebook_id " + book +
        "  AND v.coder IN (SELECT value FROM json_each(?)))"
        "  OR EXISTS (SELECT 1 FROM codings c WHERE c.segment_id = s.id AND c.codebook_id " + book +
        "  AND c.coder IN (SELECT value FROM json_each(?)))) AS read"
        " FROM segments s JOIN documents d ON d.id = s.document_id" + SPEAKERS_JOIN +
        " WHERE p.pid IN (SELECT value FROM json_each(?)) AND " + participant_turns_sql(False) +
        " ORDER BY d.id, s.turn", project.conn,
        params=[*book_params, coders, *book_params, coders, json.dumps(list(participants))])


# ---------------------------------------------------------------------- agreement
def _ids_sql(codebook_ids: Iterable[int]) -> tuple[str, list[int]]:
    ids = [int(i) for i in codebook_ids]
    return ", ".join("?" * len(ids)), ids


def coders_codebook_ids(project: Project, coders: Iterable[str]) -> set[int]:
    """The codebooks these coders coded with (any status) or read turns with."""
    coders = json.dumps(list(coders))
    return {r[0] for r in project.conn.execute(
        "SELECT codebook_id FROM codings WHERE codebook_id IS NOT NULL AND coder IN (SELECT value"
        " FROM json_each(?)) UNION SELECT codebook_id FROM coverage WHERE coder IN (SELECT value"
        " FROM json_each(?))", (coders, coders))}


def codebook_coders(project: Project, codebook_ids: Iterable[int]) -> set[str]:
    """The coders with codings (any status) under these codebooks."""
    marks, ids = _ids_sql(codebook_ids)
    return {r[0] for r in project.conn.execute(
        f"SELECT DISTINCT coder FROM codings WHERE codebook_id IN ({marks})", ids)}


def coverage_by_coder(project: Project, codebook_ids: Iterable[int],
                      coders: Iterable[str]) -> dict[str, set[int]]:
    """coder -> the turns (segment ids) they read with these codebooks; a coder with no
    coverage record is left out."""
    marks, ids = _ids_sql(codebook_ids)
    out: dict[str, set[int]] = {}
    for coder, segment_id in project.conn.execute(
            f"SELECT coder, segment_id FROM coverage WHERE codebook_id IN ({marks})"
            " AND coder IN (SELECT value FROM json_each(?))", [*ids, json.dumps(list(coders))]):
        out.setdefault(coder, set()).add(segment_id)
    return out


def documents_coded_by(project: Project, coder: str, codebook_ids: Iterable[int]) -> list[str]:
    """The names of the documents ``coder`` has codings in (any status) under these
    codebooks, sorted."""
    marks, ids = _ids_sql(codebook_ids)
    return [r[0] for r in project.conn.execute(
        f"SELECT DISTINCT d.name FROM codings c JOIN documents d ON d.id = c.document_id"
        f" WHERE c.coder = ? AND c.codebook_id IN ({marks}) ORDER BY d.name", [coder, *ids])]


def codings_on_turns(project: Project, codebook_ids: Iterable[int], coders: Iterable[str],
                     statuses: Iterable[str]) -> pd.DataFrame:
    """The codings of these coders and statuses under these codebooks, each on the turn it
    counts in (:func:`_on_turns`), in stored order.  Columns: coder, segment_id, code,
    start, end."""
    marks, ids = _ids_sql(codebook_ids)
    where, params = _coding_where(f"c.codebook_id IN ({marks})", ids, coders, statuses)
    cte, on_turn = _on_turns(where)
    return pd.read_sql_query(
        "WITH " + cte + "SELECT sel.coder, s.id AS segment_id, sel.code, sel.start, sel.\"end\""
        " FROM sel" + on_turn + " ORDER BY sel.document_id, sel.start, sel.code, sel.id",
        project.conn, params=params)
