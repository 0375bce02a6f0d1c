"""The review log and the few reads and writes a person's review decisions need.

Every decision a person takes in the workbench is one row of the ``reviews`` table:
who (``coder``), when (``created_at``), on which turn and codebook, and what it changed,
so that it can be undone exactly:

- ``suggestion_id`` / ``previous_status``: the machine coding whose status it set, and
  the status it had before;
- ``added_coding_id``: the person's own coding it wrote;
- ``removed_coding``: the person's own coding it deleted (the whole row, as JSON);
- ``covered``: 1 when it added the coverage row (the turn became reviewed by it).

An undone decision keeps its row, with ``undone_at`` set.  Part of the store package
(and so allowed to write SQL): the workflow in :mod:`qualcode.workflows.review` calls
these inside one :meth:`~qualcode.store.project.Project.transaction`.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Iterable

from qualcode.store.project import Project, _now
from qualcode.store.schema import participant_turns_sql

ACTIONS = ("accept", "reject", "add", "remove", "reviewed")
#: The columns of a coding that :func:`coding_row` reads and :func:`restore_coding` writes back.
CODING_COLUMNS = ("id", "document_id", "segment_id", "codebook_id", "code", "start", "end", "coder",
                  "coder_kind", "tagger_version", "status", "confidence", "evidence", "created_at")
#: The turns a review covers: every speaker but the facilitator.
_PARTICIPANTS = participant_turns_sql(include_facilitators=False)


def _marks(values: list) -> str:
    return ", ".join("?" * len(values))


# ------------------------------------------------------------------------- the log
def add_review(project: Project, *, coder: str, codebook_id: int, segment_id: int, action: str,
               suggestion_id: int | None = None, previous_status: str | None = None,
               added_coding_id: int | None = None, removed_coding: dict | None = None,
               covered: bool = False) -> int:
    """Write one decision to the log (inside the caller's transaction); returns its id."""
    if action not in ACTIONS:
        raise ValueError(f"unknown review action {action!r}")
    return project._write(
        "INSERT INTO reviews (coder, codebook_id, segment_id, action, suggestion_id, previous_status,"
        " added_coding_id, removed_coding, covered, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (coder, int(codebook_id), int(segment_id), action, suggestion_id, previous_status,
         added_coding_id, json.dumps(removed_coding) if removed_coding is not None else None,
         int(bool(covered)), _now())).lastrowid


def last_review(project: Project, coder: str, codebook_ids: Iterable[int]) -> dict | None:
    """The coder's latest decision not undone yet (under these codebooks), or None."""
    ids = [int(i) for i in codebook_ids]
    row = project.conn.execute(
        f"SELECT * FROM reviews WHERE coder = ? AND codebook_id IN ({_marks(ids)}) AND undone_at IS NULL"
        " ORDER BY id DESC LIMIT 1", (coder, *ids)).fetchone()
    if row is None:
        return None
    found = dict(row)
    if found["removed_coding"] is not None:
        found["removed_coding"] = json.loads(found["removed_coding"])
    return found


def mark_undone(project: Project, review_id: int) -> None:
    project._write("UPDATE reviews SET undone_at = ? WHERE id = ?", (_now(), int(review_id)))


def reviews_frame(project: Project):
    """Every decision of the log, oldest first (undone ones too, with ``undone_at``)."""
    import pandas as pd
    return pd.read_sql_query("SELECT * FROM reviews ORDER BY id", project.conn)


def coder_decisions(project: Project, coder: str, codebook_ids: Iterable[int], *,
                    document_id: int | None = None,
                    suggestion_id: int | None = None) -> dict[int, tuple[str, int | None]]:
    """suggestion id -> (``accept`` or ``reject``, the coding the accept wrote): the coder's
    standing decision on each machine coding (the latest one not undone), in one document
    or on one suggestion if asked."""
    ids = [int(i) for i in codebook_ids]
    where = f"r.coder = ? AND r.codebook_id IN ({_marks(ids)}) AND r.undone_at IS NULL" \
            " AND r.action IN ('accept', 'reject')"
    params: list = [coder, *ids]
    if document_id is not None:
        where += " AND r.segment_id IN (SELECT id FROM segments WHERE document_id = ?)"
        params.append(int(document_id))
    if suggestion_id is not None:
        where += " AND r.suggestion_id = ?"
        params.append(int(suggestion_id))
    decided: dict[int, tuple[str, int | None]] = {}
    for suggestion, action, added in project.conn.execute(
            f"SELECT r.suggestion_id, r.action, r.added_coding_id FROM reviews r WHERE {where}"
            " ORDER BY r.id", params):
        decided[int(suggestion)] = (action, added)
    return decided


# ------------------------------------------------------------------- codings
def coding_row(project: Project, coding_id: int) -> dict | None:
    """One coding with every stored column (evidence as its JSON text), or None."""
    row = project.conn.execute(f"SELECT {', '.join(CODING_COLUMNS)} FROM codings WHERE id = ?",
                               (int(coding_id),)).fetchone()
    return dict(row) if row is not None else None


def delete_coding(project: Project, coding_id: int) -> int:
    return project._write("DELETE FROM codings WHERE id = ?", (int(coding_id),)).rowcount


def restore_coding(project: Project, row: dict) -> int:
    """Write back a coding read by :func:`coding_row` (a new id if its old one was taken)."""
    taken = project.conn.execute("SELECT 1 FROM codings WHERE id = ?", (row["id"],)).fetchone()
    columns = [c for c in CODING_COLUMNS if not (c == "id" and taken)]
    return project._write(f"INSERT INTO codings ({', '.join(columns)}) VALUES ({_marks(columns)})",
                          [row[c] for c in columns]).lastrowid


def add_coding(project: Project, *, document_id: int, segment_id: int, codebook_id: int, code: str,
               start: int, end: int, coder: str, evidence: dict) -> int:
    """One person's coding (status accepted); returns its id."""
    return project._write(
        "INSERT INTO codings (document_id, segment_id, codebook_id, code, start, end, coder, coder_kind,"
        " status, evidence, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'human', 'accepted', ?, ?)",
        (int(document_id), int(segment_id), int(codebook_id), code, int(start), int(end), coder,
         json.dumps(evidence, ensure_ascii=False), _now())).lastrowid


def delete_machine_codings_on(project: Project, coder: str, codebook_ids: Iterable[int],
                              segment_ids: Iterable[int]) -> int:
    """Remove one tagger's codings on these turns only (human codings are never touched)."""
    ids, segments = [int(i) for i in codebook_ids], [int(s) for s in segment_ids]
    if not ids or not segments:
        return 0
    return project._write(
        f"DELETE FROM codings WHERE coder_kind = 'machine' AND coder = ? AND codebook_id IN ({_marks(ids)})"
        " AND segment_id IN (SELECT value FROM json_each(?))", (coder, *ids, json.dumps(segments))).rowcount


# ------------------------------------------------------------------- coverage
def is_covered(project: Project, coder: str, codebook_ids: Iterable[int], segment_id: int) -> bool:
    ids = [int(i) for i in codebook_ids]
    return project.conn.execute(
        f"SELECT 1 FROM coverage WHERE coder = ? AND codebook_id IN ({_marks(ids)}) AND segment_id = ?",
        (coder, *ids, int(segment_id))).fetchone() is not None


def remove_coverage(project: Project, coder: str, codebook_id: int, segment_id: int) -> int:
    return project._write("DELETE FROM coverage WHERE coder = ? AND codebook_id = ? AND segment_id = ?",
                          (coder, int(codebook_id), int(segment_id))).rowcount


def covered_segments(project: Project, coder: str, codebook_ids: Iterable[int],
                     document_id: int | None = None) -> set[int]:
    """The turns the coder has reviewed (covered) with these codebooks."""
    ids = [int(i) for i in codebook_ids]
    sql = f"SELECT segment_id FROM coverage WHERE coder = ? AND codebook_id IN ({_marks(ids)})"
    params: list = [coder, *ids]
    if document_id is not None:
        sql += " AND segment_id IN (SELECT id FROM segments WHERE document_id = ?)"
        params.append(int(document_id))
    return {r[0] for r in project.conn.execute(sql, params)}


# ------------------------------------------------------------------- reads for the workbench
def review_codings(project: Project, document_id: int, codebook_ids: Iterable[int],
                   segment_id: int | None = None) -> list[sqlite3.Row]:
    """One document's codings under these codebooks, on its turns (on one turn if
    ``segment_id``), with what a reviewer sees: id, segment_id, code, start, end, coder,
    coder_kind, status, confidence, evidence; in (start, code, id) order.  Read through the
    turns' index."""
    ids = [int(i) for i in codebook_ids]
    turns = ("segment_id = ?", [int(segment_id)]) if segment_id is not None else \
        ("segment_id IN (SELECT id FROM segments WHERE document_id = ?)", [int(document_id)])
    return project.conn.execute(
        "SELECT id, segment_id, code, start, end, coder, coder_kind, status, confidence, evidence"
        f" FROM codings WHERE {turns[0]} AND codebook_id IN ({_marks(ids)}) ORDER BY start, code, id",
        (*turns[1], *ids)).fetchall()


def review_progress(project: Project, codebook_ids: Iterable[int]) -> dict[tuple[int, str], int]:
    """(document id, coder) -> participant turns the coder has reviewed, for every coder with
    coverage under these codebooks (taggers included: they cover what they coded)."""
    ids = [int(i) for i in codebook_ids]
    rows = project.conn.execute(
        "SELECT s.document_id, c.coder, COUNT(DISTINCT c.segment_id) FROM coverage c"
        " JOIN segments s ON s.id = c.segment_id JOIN speakers sp ON sp.id = s.speaker_id"
        f" WHERE c.codebook_id IN ({_marks(ids)}) AND {_PARTICIPANTS}"
        " GROUP BY s.document_id, c.coder", ids)
    return {(doc, coder): n for doc, coder, n in rows}


def review_counts(project: Project, coder: str, codebook_ids: Iterable[int],
                  document_id: int | None = None, *, suggestions: bool = True) -> dict[str, int]:
    """How far the coder is, in one document or in all: participant ``turns``, those
    ``reviewed`` and, with ``suggestions``, the machine ``suggestions`` on them and those the
    coder ``decided``."""
    ids = [int(i) for i in codebook_ids]
    in_doc = "" if document_id is None else " AND s.document_id = ?"
    doc = [] if document_id is None else [int(document_id)]
    turns, reviewed = project.conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(EXISTS (SELECT 1 FROM coverage c WHERE c.segment_id = s.id"
        f" AND c.coder = ? AND c.codebook_id IN ({_marks(ids)}))), 0) FROM segments s"
        f" JOIN speakers sp ON sp.id = s.speaker_id WHERE {_PARTICIPANTS}" + in_doc,
        (coder, *ids, *doc)).fetchone()
    counts = {"turns": turns, "reviewed": reviewed}
    if suggestions:
        suggested = {r[0] for r in project.conn.execute(
            "SELECT k.id FROM codings k JOIN segments s ON s.id = k.segment_id JOIN speakers sp ON"
            f" sp.id = s.speaker_id WHERE k.coder_kind = 'machine' AND {_PARTICIPANTS}"
            f" AND k.codebook_id IN ({_marks(ids)})" + in_doc, (*ids, *doc))}
        decided = coder_decisions(project, coder, ids, document_id=document_id)
        counts.update(suggestions=len(suggested), decided=len(suggested & set(decided)))
    return counts
