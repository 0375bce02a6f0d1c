"""Changes to a project after ingest: a speaker's role or participant, a document's attributes,
removing a document, replacing a document's text.  Reads and writes only; what to change,
and what to tell the user, is decided in :mod:`qualcode.workflows.edit`.

Every write runs inside the caller's :meth:`~qualcode.store.project.Project.transaction`.
Lists of ids travel as one JSON parameter, so no statement meets SQLite's limit on
parameters.
"""

from __future__ import annotations

import json
from typing import Iterable

from qualcode.store.project import Project, _now

#: The columns of a coding as :func:`document_codings` reads them and :func:`restore_codings`
#: writes them back.
CODING_COLUMNS = ("id", "document_id", "segment_id", "codebook_id", "code", "start", "end", "coder",
                  "coder_kind", "tagger_version", "status", "confidence", "evidence", "created_at")


def _ids(values: Iterable[int]) -> str:
    return json.dumps([int(v) for v in values])


_IN_IDS = "IN (SELECT value FROM json_each(?))"


# --------------------------------------------------------------------------- speakers
def speaker_rows(project: Project) -> list[dict]:
    """Every speaker of every document, in document and first-appearance order: speaker_id,
    document_id, document, label, participant_id, participant (the pseudonym), role, turns,
    words, human and machine (codings on its turns)."""
    rows = [dict(r) for r in project.conn.execute(
        "SELECT sp.id AS speaker_id, sp.document_id, d.name AS document, sp.label,"
        " sp.participant_id, p.pid AS participant, sp.role FROM speakers sp"
        " JOIN documents d ON d.id = sp.document_id JOIN participants p ON p.id = sp.participant_id"
        " ORDER BY d.id, sp.id")]
    turns = {r[0]: (r[1], r[2]) for r in project.conn.execute(
        "SELECT speaker_id, COUNT(*), COALESCE(SUM(words), 0) FROM segments GROUP BY speaker_id")}
    codings = {r[0]: (r[1], r[2]) for r in project.conn.execute(
        "SELECT s.speaker_id, SUM(c.coder_kind = 'human'), SUM(c.coder_kind = 'machine')"
        " FROM codings c JOIN segments s ON s.id = c.segment_id GROUP BY s.speaker_id")}
    for row in rows:
        row["turns"], row["words"] = turns.get(row["speaker_id"], (0, 0))
        row["human"], row["machine"] = codings.get(row["speaker_id"], (0, 0))
    return rows


def speaker_segments(project: Project, speaker_ids: Iterable[int]) -> list[int]:
    """The turns (segment ids) of these speakers."""
    return [r[0] for r in project.conn.execute(
        f"SELECT id FROM segments WHERE speaker_id {_IN_IDS} ORDER BY id", (_ids(speaker_ids),))]


def set_speaker(project: Project, speaker_id: int, participant_id: int, role: str | None) -> None:
    project.write("UPDATE speakers SET participant_id = ?, role = ? WHERE id = ?",
                  (int(participant_id), role, int(speaker_id)))


def human_codings_on(project: Project, segment_ids: Iterable[int]) -> list[dict]:
    """Human codings on these turns, in document and position order: coder, document, turn,
    code, status, start, end."""
    return [dict(r) for r in project.conn.execute(
        "SELECT c.coder, d.name AS document, s.turn, c.code, c.status, c.start, c.\"end\""
        " FROM codings c JOIN segments s ON s.id = c.segment_id JOIN documents d ON d.id = s.document_id"
        f" WHERE c.coder_kind = 'human' AND c.segment_id {_IN_IDS}"
        " ORDER BY d.id, c.start, c.code, c.id", (_ids(segment_ids),))]


def delete_machine_work_on(project: Project, segment_ids: Iterable[int]) -> int:
    """Remove the taggers' codings on these turns and their record of having read them (a
    tagger reads only the turns it codes); returns the codings removed.  Human codings and
    coverage are kept."""
    ids = _ids(segment_ids)
    project.write(f"DELETE FROM coverage WHERE segment_id {_IN_IDS} AND coder IN"
                  " (SELECT DISTINCT coder FROM codings WHERE coder_kind = 'machine')", (ids,))
    return project.write(f"DELETE FROM codings WHERE coder_kind = 'machine' AND segment_id {_IN_IDS}",
                         (ids,)).rowcount


# -------------------------------------------------------------------------- documents
def document_rows(project: Project) -> list[dict]:
    """Every document in the order they were added: document_id, document, format, source,
    turns, words, speakers, human and machine (codings)."""
    rows = [dict(r) for r in project.conn.execute(
        "SELECT d.id AS document_id, d.name AS document, d.format, d.source,"
        " (SELECT COUNT(*) FROM segments s WHERE s.document_id = d.id) AS turns,"
        " (SELECT COALESCE(SUM(words), 0) FROM segments s WHERE s.document_id = d.id) AS words,"
        " (SELECT COUNT(*) FROM speakers sp WHERE sp.document_id = d.id) AS speakers"
        " FROM documents d ORDER BY d.id")]
    codings = {(r[0], r[1]): r[2] for r in project.conn.execute(
        "SELECT document_id, coder_kind, COUNT(*) FROM codings GROUP BY document_id, coder_kind")}
    for row in rows:
        row["human"] = codings.get((row["document_id"], "human"), 0)
        row["machine"] = codings.get((row["document_id"], "machine"), 0)
    return rows


def attribute_values(project: Project, key: str, except_document: int | None = None) -> dict[str, int]:
    """Each value of document attribute ``key`` with the number of documents that have it
    (leaving out the document ``except_document``)."""
    return {r[0]: r[1] for r in project.conn.execute(
        "SELECT value, COUNT(*) FROM document_attributes WHERE key = ? AND document_id IS NOT ?"
        " GROUP BY value ORDER BY value", (key, except_document))}


def speaker_roles(project: Project, except_document: int | None = None) -> list[str]:
    """The roles speakers have (in any document but ``except_document``), sorted."""
    return [r[0] for r in project.conn.execute(
        "SELECT DISTINCT role FROM speakers WHERE role IS NOT NULL AND document_id IS NOT ?"
        " ORDER BY role", (except_document,))]


def set_attribute(project: Project, document_id: int, key: str, value: str | None) -> None:
    """Set (``value`` None: remove) one attribute of a document."""
    if value is None:
        project.write("DELETE FROM document_attributes WHERE document_id = ? AND key = ?",
                      (int(document_id), key))
    else:
        project.write("INSERT INTO document_attributes (document_id, key, value) VALUES (?, ?, ?)"
                      " ON CONFLICT (document_id, key) DO UPDATE SET value = excluded.value",
                      (int(document_id), key, value))


def human_codings_of(project: Project, document_ids: Iterable[int]) -> list[dict]:
    """Human codings of these documents (on a turn or not), in document and position order:
    coder, document, turn (None when on no turn), code, status, start, end."""
    return [dict(r) for r in project.conn.execute(
        "SELECT c.coder, d.name AS document, s.turn, c.code, c.status, c.start, c.\"end\""
        " FROM codings c JOIN documents d ON d.id = c.document_id LEFT JOIN segments s ON s.id = c.segment_id"
        f" WHERE c.coder_kind = 'human' AND c.document_id {_IN_IDS} ORDER BY d.id, c.start, c.code, c.id",
        (_ids(document_ids),))]


def delete_document(project: Project, document_id: int) -> None:
    """Remove a document with its attributes, speakers, turns, codings and coverage.  Its
    participants stay, so the same people keep their pseudonyms if it comes back."""
    project.write("DELETE FROM codings WHERE document_id = ?", (int(document_id),))
    project.write("DELETE FROM documents WHERE id = ?", (int(document_id),))


# -------------------------------------------------------------- replacing a document
def document_codings(project: Project, document_id: int) -> list[dict]:
    """Every coding of a document, all of :data:`CODING_COLUMNS`, in position order."""
    columns = ", ".join(f'"{c}"' for c in CODING_COLUMNS)
    return [dict(r) for r in project.conn.execute(
        f"SELECT {columns} FROM codings WHERE document_id = ? ORDER BY start, code, id", (int(document_id),))]


def document_coverage(project: Project, document_id: int) -> list[tuple[str, int, int]]:
    """``(coder, codebook_id, segment_id)`` of every turn of the document a coder has read."""
    return [tuple(r) for r in project.conn.execute(
        "SELECT v.coder, v.codebook_id, v.segment_id FROM coverage v JOIN segments s ON s.id = v.segment_id"
        " WHERE s.document_id = ? ORDER BY v.coder, v.codebook_id, v.segment_id", (int(document_id),))]


def clear_document(project: Project, document_id: int) -> None:
    """Remove a document's codings, turns (with their coverage) and speakers, keeping the
    document's row and attributes for :func:`rewrite_document`."""
    project.write("DELETE FROM codings WHERE document_id = ?", (int(document_id),))
    project.write("DELETE FROM segments WHERE document_id = ?", (int(document_id),))
    project.write("DELETE FROM speakers WHERE document_id = ?", (int(document_id),))


def rewrite_document(project: Project, document_id: int, text: str, fmt: str, sha256: str,
                     source: str | None, metadata: dict[str, str]) -> None:
    """Store a new text (and what came with it) in a document's row, keeping its id and name."""
    project.write("UPDATE documents SET text = ?, format = ?, sha256 = ?, source = ?, metadata = ?,"
                  " ingested_at = ? WHERE id = ?",
                  (text, fmt, sha256, source, json.dumps(metadata, ensure_ascii=False), _now(),
                   int(document_id)))


def restore_codings(project: Project, rows: Iterable[dict]) -> None:
    """Insert codings as :func:`document_codings` read them (ids included), e.g. moved to a
    replaced document's new turns."""
    columns = ", ".join(f'"{c}"' for c in CODING_COLUMNS)
    marks = ", ".join("?" * len(CODING_COLUMNS))
    project.write_many(f"INSERT INTO codings ({columns}) VALUES ({marks})",
                       ([row[c] for c in CODING_COLUMNS] for row in rows))
