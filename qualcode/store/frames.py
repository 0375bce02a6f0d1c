"""Whole tables of the project as pandas frames, and single turns: what exports, exchanges,
taggers and notebooks read.

Functions take an open :class:`~qualcode.store.project.Project` and never write; each
docstring names its columns.  The aggregates and streams the analyses read are in
:mod:`qualcode.store.queries`.
"""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from qualcode.core.roles import FACILITATOR
from qualcode.store.project import Project
from qualcode.store.schema import SPEAKERS_JOIN, participant_turns_sql

#: Turns with their document, speaker, participant and role: the columns of
#: :func:`segments_frame` (and document_id, which it drops after cutting the texts).
_TURNS_SQL = ("SELECT s.id AS segment_id, d.name AS document, s.turn, sp.label AS speaker,"
              " p.pid AS participant, sp.role, s.start, s.end, s.time_start, s.time_end, s.words,"
              " s.document_id FROM segments s JOIN documents d ON d.id = s.document_id" + SPEAKERS_JOIN)


#: The columns of :func:`documents_frame` that are not document attributes.
DOCUMENT_COLUMNS = ("document_id", "document", "format", "source", "ingested_at", "turns", "words")


def documents_frame(project: Project) -> pd.DataFrame:
    """One row per document, in the order they were added.  Columns: document_id, document,
    format, source, ingested_at, turns, words, then each document attribute (sorted)."""
    docs = pd.read_sql_query(
        "SELECT d.id AS document_id, d.name AS document, d.format, d.source, d.ingested_at,"
        " (SELECT COUNT(*) FROM segments s WHERE s.document_id = d.id) AS turns,"
        " (SELECT COALESCE(SUM(words), 0) FROM segments s WHERE s.document_id = d.id) AS words"
        " FROM documents d ORDER BY d.id", project.conn)
    attrs = attributes_frame(project)
    if not attrs.empty:
        wide = attrs.pivot(index="document_id", columns="key", values="value").reset_index()
        wide.columns.name = None
        docs = docs.merge(wide, on="document_id", how="left")
    return docs


#: The columns :func:`segments_frame` always has; any other is a turn attribute.
SEGMENT_COLUMNS = ("segment_id", "document", "turn", "speaker", "participant", "role", "start", "end",
                   "time_start", "time_end", "words", "text")


def attributes_frame(project: Project) -> pd.DataFrame:
    """One row per document attribute.  Columns: document_id, key, value."""
    return pd.read_sql_query("SELECT document_id, key, value FROM document_attributes"
                             " ORDER BY document_id, key", project.conn)


def segments_frame(project: Project, include_facilitators: bool = True, document: str | None = None,
                   text: bool = True) -> pd.DataFrame:
    """One row per turn, in document and turn order.  Columns: segment_id, document, turn,
    speaker (the transcript's label), participant (pseudonym), role, start, end, time_start,
    time_end, words, text, then each turn attribute of the project (sorted; ``question``).

    ``text=False`` leaves the text column out (cutting it from a long document is slow)."""
    where, params = [], []
    if not include_facilitators:
        where.append(participant_turns_sql(False))
    if document is not None:
        where.append("d.name = ?")
        params.append(document)
    sql = (_TURNS_SQL + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY d.id, s.turn")
    frame = pd.read_sql_query(sql, project.conn, params=params)
    if text:
        frame = _with_texts(project, frame)
    return _with_turn_attributes(project, frame.drop(columns="document_id"))


def _with_turn_attributes(project: Project, frame: pd.DataFrame) -> pd.DataFrame:
    attrs = pd.read_sql_query("SELECT segment_id, key, value FROM segment_attributes", project.conn)
    if attrs.empty:
        return frame
    wide = attrs.pivot(index="segment_id", columns="key", values="value").reset_index()
    wide.columns.name = None
    return frame.merge(wide[["segment_id", *sorted(wide.columns[1:])]], on="segment_id", how="left")


def find_turn(project: Project, segment_id: int | None = None, document: str | None = None,
              turn: int | None = None) -> dict | None:
    """One turn, by id or by document name and turn number, with the columns of
    :func:`segments_frame` (text included); None if there is no such turn."""
    where, params = (("s.id = ?", [int(segment_id)]) if segment_id is not None
                     else ("d.name = ? AND s.turn = ?", [document, int(turn)]))
    row = project.conn.execute(f"{_TURNS_SQL} WHERE {where}", params).fetchone()
    if row is None:
        return None
    found = dict(row)
    text = project.conn.execute("SELECT substr(text, ? + 1, ? - ?) FROM documents WHERE id = ?",
                                (found["start"], found["end"], found["start"],
                                 found.pop("document_id"))).fetchone()[0]
    return {**found, "text": text}


def facilitator_turns(project: Project, document_id: int) -> list[tuple[int, int, int]]:
    """``(turn, start, end)`` of a document's facilitator turns, in order."""
    return [tuple(r) for r in project.conn.execute(
        "SELECT s.turn, s.start, s.\"end\" FROM segments s JOIN speakers sp ON sp.id = s.speaker_id"
        " WHERE s.document_id = ? AND sp.role = ? ORDER BY s.turn", (int(document_id), FACILITATOR))]


def turn_codings(project: Project, segment_id: int) -> list[tuple[str, str, str]]:
    """``(code, coder, status)`` of one turn's codings, in :func:`codings_frame`'s order."""
    return [tuple(r) for r in project.conn.execute(
        "SELECT code, coder, status FROM codings WHERE segment_id = ? ORDER BY start, code, id",
        (int(segment_id),))]


def _with_texts(project: Project, frame: pd.DataFrame) -> pd.DataFrame:
    """Add column ``text``: each row's ``start:end`` slice of its document's text.

    Sliced in Python from one read of each document: SQL ``substr`` would re-read and
    scan the whole document text for every row."""
    texts: dict[int, str] = {}
    for doc_id in frame["document_id"].unique().tolist():
        texts[doc_id] = project.document_text(doc_id)
    frame["text"] = [texts[d][s:e] for d, s, e in zip(frame["document_id"].tolist(),
                                                      frame["start"].tolist(), frame["end"].tolist())]
    return frame


def speakers_frame(project: Project) -> pd.DataFrame:
    """One row per speaker of a document.  Columns: document, speaker (label), participant,
    role, turns, words."""
    return pd.read_sql_query(
        "SELECT d.name AS document, sp.label AS speaker, p.pid AS participant, sp.role,"
        " (SELECT COUNT(*) FROM segments s WHERE s.speaker_id = sp.id) AS turns,"
        " (SELECT COALESCE(SUM(words), 0) FROM segments s WHERE s.speaker_id = sp.id) AS words"
        " FROM speakers sp JOIN documents d ON d.id = sp.document_id"
        " JOIN participants p ON p.id = sp.participant_id ORDER BY d.id, sp.id", project.conn)


def coverage_frame(project: Project) -> pd.DataFrame:
    """One row per turn a coder has looked at with a codebook.  Columns: coder,
    codebook_id, segment_id."""
    return pd.read_sql_query("SELECT coder, codebook_id, segment_id FROM coverage"
                             " ORDER BY coder, codebook_id, segment_id", project.conn)


def coding_decisions_frame(project: Project) -> pd.DataFrame:
    """Every coding's who, what and where, without its excerpt and evidence, in
    :func:`codings_frame`'s order.  Columns: coding_id, document, document_id, segment_id,
    codebook_id, code, start, end, coder, coder_kind, status."""
    return pd.read_sql_query(
        "SELECT c.id AS coding_id, d.name AS document, c.document_id, c.segment_id, c.codebook_id,"
        " c.code, c.start, c.end, c.coder, c.coder_kind, c.status"
        " FROM codings c JOIN documents d ON d.id = c.document_id"
        " ORDER BY d.id, c.start, c.code, c.id", project.conn)


def codings_frame(project: Project) -> pd.DataFrame:
    """Every coding, in document, start, code order.  Columns: coding_id, document,
    document_id, segment_id, turn, speaker, participant, role, code, theme, parent,
    codebook, codebook_id, start, end, coder, coder_kind, tagger_version, status,
    confidence, evidence (JSON text), text (the excerpt)."""
    frame = pd.read_sql_query(
        "SELECT c.id AS coding_id, d.name AS document, c.document_id, c.segment_id, s.turn,"
        " sp.label AS speaker, p.pid AS participant, sp.role, c.code,"
        " COALESCE(k.theme, c.code) AS theme, k.parent, cb.name AS codebook, c.codebook_id,"
        " c.start, c.end, c.coder, c.coder_kind, c.tagger_version, c.status, c.confidence,"
        " c.evidence"
        " FROM codings c JOIN documents d ON d.id = c.document_id"
        " LEFT JOIN segments s ON s.id = c.segment_id"
        " LEFT JOIN speakers sp ON sp.id = s.speaker_id"
        " LEFT JOIN participants p ON p.id = sp.participant_id"
        " LEFT JOIN codebooks cb ON cb.id = c.codebook_id"
        " LEFT JOIN codes k ON k.codebook_id = c.codebook_id AND k.code = c.code"
        " ORDER BY d.id, c.start, c.code, c.id", project.conn)
    return _with_texts(project, frame)


def coder_kinds(project: Project) -> dict[str, str]:
    """Each coder's kind (``human``/``machine``): that of its first coding in document,
    start, code order."""
    return dict(project.conn.execute(
        "SELECT coder, coder_kind FROM (SELECT coder, coder_kind, ROW_NUMBER() OVER (PARTITION BY"
        " coder ORDER BY document_id, start, code, id) AS n FROM codings) WHERE n = 1").fetchall())


def coders_of(project: Project, codebook_ids: Iterable[int], statuses: Iterable[str]) -> set[str]:
    """Coders with codings of these statuses, or coverage, under these codebooks."""
    ids, statuses = [int(i) for i in codebook_ids], list(statuses)
    marks, status_marks = ", ".join("?" * len(ids)), ", ".join("?" * len(statuses))
    return {r[0] for r in project.conn.execute(
        f"SELECT coder FROM codings WHERE codebook_id IN ({marks}) AND status IN ({status_marks})"
        f" UNION SELECT coder FROM coverage WHERE codebook_id IN ({marks})", [*ids, *statuses, *ids])}
