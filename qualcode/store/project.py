"""The project file: one SQLite database, and the only module that writes SQL.

Human and machine codings live side by side, each with its coder (a person's
name or a tagger's name), the codebook it belongs to, a status and evidence, so
re-running a tagger never touches a human's work.

Every write goes through :meth:`Project.transaction`; a failure inside it rolls
the whole command back and leaves the project as it was.
"""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd

from qualcode.core.errors import ProjectError

SCHEMA_VERSION = 2
APPLICATION_ID = 0x51434F44  # "QCOD": marks the SQLite file as a qualcode project
LOCK_TIMEOUT_SECONDS = 10.0

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    source TEXT,
    format TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    text TEXT NOT NULL,
    metadata TEXT NOT NULL DEFAULT '{}',
    ingested_at TEXT NOT NULL
);
CREATE TABLE document_attributes (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (document_id, key)
);
CREATE TABLE participants (
    id INTEGER PRIMARY KEY,
    pid TEXT NOT NULL UNIQUE,
    identity TEXT NOT NULL UNIQUE,
    role TEXT
);
CREATE TABLE speakers (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    role TEXT,
    UNIQUE (document_id, label)
);
CREATE TABLE segments (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    turn INTEGER NOT NULL,
    speaker_id INTEGER NOT NULL REFERENCES speakers(id),
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    time_start REAL,
    time_end REAL,
    source_line INTEGER,
    words INTEGER NOT NULL,
    UNIQUE (document_id, turn)
);
CREATE TABLE codebooks (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    version TEXT,
    hash TEXT NOT NULL UNIQUE,
    source TEXT,
    content TEXT,
    added_at TEXT NOT NULL
);
CREATE TABLE codes (
    id INTEGER PRIMARY KEY,
    codebook_id INTEGER NOT NULL REFERENCES codebooks(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    parent TEXT,
    theme TEXT NOT NULL,
    name TEXT,
    definition TEXT,
    position INTEGER NOT NULL,
    color TEXT,
    UNIQUE (codebook_id, code)
);
CREATE TABLE codings (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    segment_id INTEGER REFERENCES segments(id) ON DELETE CASCADE,
    codebook_id INTEGER REFERENCES codebooks(id),
    code TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    coder TEXT NOT NULL,
    coder_kind TEXT NOT NULL CHECK (coder_kind IN ('human', 'machine')),
    tagger_version TEXT,
    status TEXT NOT NULL CHECK (status IN ('suggested', 'accepted', 'rejected')),
    confidence REAL,
    evidence TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE coverage (
    coder TEXT NOT NULL,
    codebook_id INTEGER NOT NULL REFERENCES codebooks(id) ON DELETE CASCADE,
    segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
    PRIMARY KEY (coder, codebook_id, segment_id)
);
CREATE INDEX codings_by_segment ON codings(segment_id);
CREATE INDEX codings_by_coder ON codings(coder, codebook_id);
CREATE INDEX segments_by_document ON segments(document_id, turn);
"""

#: Migrations from version N to N+1, applied in order inside one transaction.
MIGRATIONS: dict[int, str] = {
    # 2: code colors (REFI-QDA exchange) and coverage: which turns a coder has looked at, so
    # that a turn a coder saw and left uncoded ("no code") differs from one never seen (missing).
    1: """
ALTER TABLE codes ADD COLUMN color TEXT;
CREATE TABLE coverage (
    coder TEXT NOT NULL,
    codebook_id INTEGER NOT NULL REFERENCES codebooks(id) ON DELETE CASCADE,
    segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
    PRIMARY KEY (coder, codebook_id, segment_id)
);
INSERT INTO coverage (coder, codebook_id, segment_id)
    SELECT DISTINCT coder, codebook_id, segment_id FROM codings
    WHERE codebook_id IS NOT NULL AND segment_id IS NOT NULL;
""",
}

SEGMENT_COLUMNS = ["segment_id", "document", "turn", "speaker", "participant", "role",
                   "start", "end", "time_start", "time_end", "words", "text"]

_WORD = re.compile(r"\w+(?:['\u2019]\w+)*")


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


#: Turns with their document, speaker, participant and role: the columns of
#: Project.segments_frame (and document_id, which it drops after cutting the texts).
_TURNS_SQL = ("SELECT s.id AS segment_id, d.name AS document, s.turn, sp.label AS speaker,"
              " p.pid AS participant, sp.role, s.start, s.end, s.time_start, s.time_end, s.words,"
              " s.document_id FROM segments s JOIN documents d ON d.id = s.document_id"
              " JOIN speakers sp ON sp.id = s.speaker_id JOIN participants p ON p.id = sp.participant_id")


def _sql_text(value: str) -> str:
    """An SQL string literal (quotes doubled; a NUL, which SQLite would cut the text at, refused)."""
    if "\x00" in value:
        raise ValueError("text for an SQL literal holds a NUL character")
    return "'" + value.replace("'", "''") + "'"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Project:
    """An open project file.  Use :meth:`open` (or :func:`open_project`)."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn
        self._depth = 0
        self.created = False  # True when this open created the file

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, path: str | Path, create: bool = False) -> "Project":
        path = Path(path)
        if path.is_dir():
            raise ProjectError("is a directory, not a project file", path)
        exists = path.exists()
        if not exists and not create:
            raise ProjectError("project not found (run `qualcode ingest` to create it)", path)
        if exists and path.stat().st_size > 0:
            with open(path, "rb") as fh:
                if fh.read(16) != b"SQLite format 3\x00":
                    raise ProjectError("not a qualcode project (not an SQLite file)", path)
        try:
            conn = sqlite3.connect(path, timeout=LOCK_TIMEOUT_SECONDS, isolation_level=None)
        except sqlite3.Error as exc:
            raise ProjectError(f"cannot open project: {exc}", path) from None
        conn.row_factory = sqlite3.Row
        project = cls(path, conn)
        project.created = not exists
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            project._prepare(new=not exists or path.stat().st_size == 0)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise ProjectError(_describe_sqlite_error(exc), path) from None
        except ProjectError:
            conn.close()
            raise
        return project

    def _prepare(self, new: bool) -> None:
        app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if new or (not tables and app_id == 0):
            with self.transaction():
                for statement in _statements(SCHEMA):
                    self.conn.execute(statement)
                self.conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
                self.conn.execute("INSERT INTO meta VALUES ('created_at', ?)", (_now(),))
                self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            return
        if app_id != APPLICATION_ID or "meta" not in tables:
            raise ProjectError("not a qualcode project (an SQLite file of another program)", self.path)
        row = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None or not str(row[0]).strip().isdigit():
            raise ProjectError("project file is damaged: it records no valid schema version", self.path)
        version = int(row[0])
        if version > SCHEMA_VERSION:
            raise ProjectError(f"project has schema version {version}, newer than this qualcode "
                               f"understands ({SCHEMA_VERSION}); upgrade qualcode", self.path)
        if version < SCHEMA_VERSION:
            self._migrate(version)

    def _migrate(self, version: int) -> None:
        with self.transaction():
            while version < SCHEMA_VERSION:
                script = MIGRATIONS.get(version)
                if script is None:
                    raise ProjectError(f"project has schema version {version}, which this qualcode "
                                       "cannot migrate", self.path)
                for statement in _statements(script):
                    self.conn.execute(statement)
                version += 1
            self.conn.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(version),))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        """Close; a project this open created is removed again if a failure left it empty."""
        discard = exc_type is not None and self.created and self._is_empty()
        self.close()
        if discard:
            self.path.unlink(missing_ok=True)

    def _is_empty(self) -> bool:
        try:
            return not any(self.conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()
                           for table in ("documents", "codebooks"))
        except sqlite3.Error:
            return False

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0])

    # -------------------------------------------------------------- transactions
    @contextmanager
    def transaction(self) -> Iterator["Project"]:
        """All-or-nothing writes.  Nested calls join the outer transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise ProjectError(_describe_sqlite_error(exc), self.path) from None
        self._depth = 1
        try:
            yield self
        except BaseException:
            self._depth = 0
            self.conn.execute("ROLLBACK")
            raise
        else:
            self._depth = 0
            try:
                self.conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                self.conn.execute("ROLLBACK")
                raise ProjectError(_describe_sqlite_error(exc), self.path) from None

    def _write(self, sql: str, params: Iterable = ()) -> sqlite3.Cursor:
        if not self._depth:
            raise RuntimeError("writes must happen inside Project.transaction()")
        return self.conn.execute(sql, tuple(params))

    def _write_many(self, sql: str, rows: Iterable) -> sqlite3.Cursor:
        if not self._depth:
            raise RuntimeError("writes must happen inside Project.transaction()")
        return self.conn.executemany(sql, rows)

    # ------------------------------------------------------------------ documents
    def document_by_hash(self, sha256: str) -> str | None:
        row = self.conn.execute("SELECT name FROM documents WHERE sha256=?", (sha256,)).fetchone()
        return row["name"] if row else None

    def document_id(self, name: str) -> int | None:
        row = self.conn.execute("SELECT id FROM documents WHERE name=?", (name,)).fetchone()
        return row["id"] if row else None

    def add_document(self, name: str, text: str, fmt: str, sha256: str, source: str | None,
                     metadata: dict[str, str], attributes: dict[str, str]) -> int:
        cur = self._write(
            "INSERT INTO documents (name, source, format, sha256, text, metadata, ingested_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (name, source, fmt, sha256, text, json.dumps(metadata, ensure_ascii=False), _now()))
        doc_id = cur.lastrowid
        for key, value in attributes.items():
            self._write("INSERT INTO document_attributes VALUES (?, ?, ?)", (doc_id, key, value))
        return doc_id

    def replace_document_text(self, document_id: int, text: str, segments: Iterable[tuple] = (),
                              codings: Iterable[tuple] = ()) -> None:
        """Store a document's rewritten text (e.g. redacted) with its turns' and codings' new spans.

        segments: (start, end, words, segment_id); codings: (start, end, evidence, coding_id).
        The content hash is kept: it names the conversation as ingested, so ingesting the
        original file again is still recognised as a duplicate."""
        self._write("UPDATE documents SET text=? WHERE id=?", (text, document_id))
        self._write_many("UPDATE segments SET start=?, end=?, words=? WHERE id=? AND document_id=?",
                         ((*row, document_id) for row in segments))
        self._write_many("UPDATE codings SET start=?, end=?, evidence=? WHERE id=? AND document_id=?",
                         ((*row, document_id) for row in codings))

    def document_codings(self, document_id: int, codebook_ids: Iterable[int] | None = None,
                         statuses: Iterable[str] | None = None) -> list[sqlite3.Row]:
        """One document's codings (under these codebooks, with these statuses, if given) in
        :meth:`codings_frame`'s order (start, code, id): id, start, end, codebook_id, code,
        coder, evidence.  Read through the turns' index (and the few codings on no turn),
        not by scanning every coding: codings have no index by document."""
        where, params = "", []
        if codebook_ids is not None:
            ids = [int(i) for i in codebook_ids]
            where += f" AND codebook_id IN ({', '.join('?' * len(ids))})"
            params += ids
        if statuses is not None:
            statuses = list(statuses)
            where += f" AND status IN ({', '.join('?' * len(statuses))})"
            params += statuses
        columns = "id, start, end, codebook_id, code, coder, evidence"
        return self.conn.execute(
            f"SELECT {columns} FROM codings WHERE segment_id IN"
            f" (SELECT id FROM segments WHERE document_id = ?) AND document_id = ?{where}"
            f" UNION ALL SELECT {columns} FROM codings WHERE segment_id IS NULL AND document_id = ?{where}"
            " ORDER BY start, code, id",
            [document_id, document_id, *params, document_id, *params]).fetchall()

    def document_text(self, document_id: int) -> str:
        return self.conn.execute("SELECT text FROM documents WHERE id=?", (document_id,)).fetchone()[0]

    # --------------------------------------------------------------- participants
    def participant_by_identity(self, identity: str) -> tuple[int, str, str | None] | None:
        row = self.conn.execute("SELECT id, pid, role FROM participants WHERE identity=?",
                                (identity,)).fetchone()
        return (row["id"], row["pid"], row["role"]) if row else None

    def participant_by_pid(self, pid: str) -> tuple[int, str, str | None] | None:
        row = self.conn.execute("SELECT id, identity, role FROM participants WHERE pid=?",
                                (pid,)).fetchone()
        return (row["id"], row["identity"], row["role"]) if row else None

    def pids_with_prefix(self, prefix: str) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT pid FROM participants WHERE pid LIKE ?",
                                                (prefix + "%",))]

    def add_participant(self, pid: str, identity: str, role: str | None) -> int:
        return self._write("INSERT INTO participants (pid, identity, role) VALUES (?, ?, ?)",
                           (pid, identity, role)).lastrowid

    def add_speaker(self, document_id: int, label: str, participant_id: int, role: str | None) -> int:
        return self._write("INSERT INTO speakers (document_id, label, participant_id, role)"
                           " VALUES (?, ?, ?, ?)", (document_id, label, participant_id, role)).lastrowid

    def add_segments(self, document_id: int, rows: Iterable[tuple]) -> None:
        """rows: (turn, speaker_id, start, end, time_start, time_end, source_line, words)."""
        self._write_many(
            "INSERT INTO segments (document_id, turn, speaker_id, start, end, time_start, time_end,"
            " source_line, words) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((document_id, *row) for row in rows))

    # ------------------------------------------------------------------- reading
    def documents_frame(self) -> pd.DataFrame:
        """One row per document with its attributes as columns."""
        docs = pd.read_sql_query(
            "SELECT d.id AS document_id, d.name AS document, d.format, d.source, d.ingested_at,"
            " (SELECT COUNT(*) FROM segments s WHERE s.document_id = d.id) AS turns,"
            " (SELECT COALESCE(SUM(words), 0) FROM segments s WHERE s.document_id = d.id) AS words"
            " FROM documents d ORDER BY d.id", self.conn)
        attrs = self.attributes_frame()
        if not attrs.empty:
            wide = attrs.pivot(index="document_id", columns="key", values="value").reset_index()
            wide.columns.name = None
            docs = docs.merge(wide, on="document_id", how="left")
        return docs

    def attributes_frame(self) -> pd.DataFrame:
        return pd.read_sql_query("SELECT document_id, key, value FROM document_attributes"
                                 " ORDER BY document_id, key", self.conn)

    def segments_frame(self, include_facilitators: bool = True, document: str | None = None,
                       text: bool = True) -> pd.DataFrame:
        """One row per turn: document, turn, speaker label, participant pseudonym, role, span, text.

        ``text=False`` leaves the text column out (cutting it from a long document is slow)."""
        where, params = [], []
        if not include_facilitators:
            where.append("COALESCE(sp.role, '') != 'facilitator'")
        if document is not None:
            where.append("d.name = ?")
            params.append(document)
        sql = (_TURNS_SQL + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY d.id, s.turn")
        frame = pd.read_sql_query(sql, self.conn, params=params)
        if text:
            frame = self._with_texts(frame)
        return frame.drop(columns="document_id")

    def find_turn(self, segment_id: int | None = None, document: str | None = None,
                  turn: int | None = None) -> dict | None:
        """One turn, by id or by document name and turn number, with the columns of
        :meth:`segments_frame` (text included); None if there is no such turn."""
        where, params = (("s.id = ?", [int(segment_id)]) if segment_id is not None
                         else ("d.name = ? AND s.turn = ?", [document, int(turn)]))
        row = self.conn.execute(f"{_TURNS_SQL} WHERE {where}", params).fetchone()
        if row is None:
            return None
        found = dict(row)
        text = self.conn.execute("SELECT substr(text, ? + 1, ? - ?) FROM documents WHERE id = ?",
                                 (found["start"], found["end"], found["start"],
                                  found.pop("document_id"))).fetchone()[0]
        return {**found, "text": text}

    def turn_codings(self, segment_id: int) -> list[tuple[str, str, str]]:
        """``(code, coder, status)`` of one turn's codings, in :meth:`codings_frame`'s order."""
        return [tuple(r) for r in self.conn.execute(
            "SELECT code, coder, status FROM codings WHERE segment_id = ? ORDER BY start, code, id",
            (int(segment_id),))]

    def _with_texts(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Add column ``text``: each row's ``start:end`` slice of its document's text.

        Sliced in Python from one read of each document: SQL ``substr`` would re-read and
        scan the whole document text for every row."""
        texts: dict[int, str] = {}
        for doc_id in frame["document_id"].unique().tolist():
            texts[doc_id] = self.document_text(doc_id)
        frame["text"] = [texts[d][s:e] for d, s, e in zip(frame["document_id"].tolist(),
                                                          frame["start"].tolist(), frame["end"].tolist())]
        return frame

    def iter_segments(self, include_facilitators: bool = False) -> Iterator[sqlite3.Row]:
        """Stream turns (segment_id, document_id, start, end, role, text) in document order."""
        sql = ("SELECT s.id AS segment_id, s.document_id, s.turn, s.start, s.end, sp.role,"
               " substr(d.text, s.start + 1, s.end - s.start) AS text"
               " FROM segments s JOIN documents d ON d.id = s.document_id"
               " JOIN speakers sp ON sp.id = s.speaker_id"
               + ("" if include_facilitators else " WHERE COALESCE(sp.role, '') != 'facilitator'") +
               " ORDER BY s.document_id, s.turn")
        yield from self.conn.execute(sql)

    def turn_batches(self, include_facilitators: bool = False,
                     max_turns: int = 2000) -> Iterator[list[tuple[int, int, str, int]]]:
        """Turns as ``(segment_id, document_id, text, start)`` in document order, in lists of
        about ``max_turns`` (whole documents).  Every query is read to its end before a list
        is yielded, so the caller may write to the project between lists; memory holds one
        batch, not the corpus."""
        sql = ("SELECT s.id, s.start, s.end FROM segments s JOIN speakers sp ON sp.id = s.speaker_id"
               " WHERE s.document_id = ?"
               + ("" if include_facilitators else " AND COALESCE(sp.role, '') != 'facilitator'") +
               " ORDER BY s.turn")
        doc_ids = [r[0] for r in self.conn.execute("SELECT id FROM documents ORDER BY id").fetchall()]
        batch: list[tuple[int, int, str, int]] = []
        for doc_id in doc_ids:
            rows = self.conn.execute(sql, (doc_id,)).fetchall()
            if not rows:
                continue
            text = self.document_text(doc_id)
            batch.extend((seg_id, doc_id, text[start:end], start) for seg_id, start, end in rows)
            if len(batch) >= max_turns:
                yield batch
                batch = []
        if batch:
            yield batch

    def speakers_frame(self) -> pd.DataFrame:
        return pd.read_sql_query(
            "SELECT d.name AS document, sp.label AS speaker, p.pid AS participant, sp.role,"
            " (SELECT COUNT(*) FROM segments s WHERE s.speaker_id = sp.id) AS turns,"
            " (SELECT COALESCE(SUM(words), 0) FROM segments s WHERE s.speaker_id = sp.id) AS words"
            " FROM speakers sp JOIN documents d ON d.id = sp.document_id"
            " JOIN participants p ON p.id = sp.participant_id ORDER BY d.id, sp.id", self.conn)

    # ----------------------------------------------------------------- codebooks
    def add_codebook(self, name: str, version: str | None, hash_: str, source: str | None,
                     content: str | None, codes: Iterable[tuple]) -> int:
        """Register a codebook (idempotent by hash).

        codes: (code, parent, theme, name, definition) or the same with a sixth item, color
        (``#RRGGBB`` or None)."""
        row = self.conn.execute("SELECT id FROM codebooks WHERE hash=?", (hash_,)).fetchone()
        if row:
            return row["id"]
        cb_id = self._write("INSERT INTO codebooks (name, version, hash, source, content, added_at)"
                            " VALUES (?, ?, ?, ?, ?, ?)",
                            (name, version, hash_, source, content, _now())).lastrowid
        for position, row in enumerate(codes):
            code, parent, theme, code_name, definition, *rest = row
            self._write("INSERT INTO codes (codebook_id, code, parent, theme, name, definition, position,"
                        " color) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (cb_id, code, parent, theme, code_name, definition, position,
                         rest[0] if rest else None))
        return cb_id

    def codebook_content(self, codebook_id: int) -> str | None:
        """The codebook's YAML text as registered (None if it was not kept)."""
        row = self.conn.execute("SELECT content FROM codebooks WHERE id=?", (codebook_id,)).fetchone()
        return row["content"] if row else None

    def codebook_ids_named(self, name: str) -> list[int]:
        return [r[0] for r in self.conn.execute("SELECT id FROM codebooks WHERE name=?", (name,))]

    def codebooks_frame(self) -> pd.DataFrame:
        return pd.read_sql_query(
            "SELECT c.id AS codebook_id, c.name, c.version, c.hash, c.source, c.added_at,"
            " (SELECT COUNT(*) FROM codes k WHERE k.codebook_id = c.id) AS codes"
            " FROM codebooks c ORDER BY c.id", self.conn)

    def codes_frame(self, codebook_id: int | None = None) -> pd.DataFrame:
        sql = ("SELECT k.codebook_id, cb.name AS codebook, k.code, k.parent, k.theme, k.name,"
               " k.definition, k.position, k.color FROM codes k JOIN codebooks cb ON cb.id = k.codebook_id")
        params: list = []
        if codebook_id is not None:
            sql += " WHERE k.codebook_id = ?"
            params.append(codebook_id)
        return pd.read_sql_query(sql + " ORDER BY k.codebook_id, k.position", self.conn, params=params)

    # ------------------------------------------------------------------- codings
    def delete_machine_codings(self, coder: str, codebook_ids: Iterable[int]) -> int:
        """Remove one tagger's codings for the given codebook versions; human codings are never touched."""
        return self._delete_for_coder("codings", coder, codebook_ids, "coder_kind='machine' AND ")

    def delete_coder_codings(self, coder: str, codebook_ids: Iterable[int]) -> int:
        """Remove one coder's codings (human or machine) for the given codebooks, e.g. before a
        re-import of the same coder's work replaces them."""
        return self._delete_for_coder("codings", coder, codebook_ids)

    def add_coverage(self, coder: str, codebook_id: int, segment_ids: Iterable[int]) -> None:
        """Record that ``coder`` looked at these turns with this codebook (coded or not)."""
        self._write_many("INSERT OR IGNORE INTO coverage (coder, codebook_id, segment_id)"
                         " VALUES (?, ?, ?)", ((coder, codebook_id, int(s)) for s in segment_ids))

    def delete_coverage(self, coder: str, codebook_ids: Iterable[int]) -> int:
        return self._delete_for_coder("coverage", coder, codebook_ids)

    def _delete_for_coder(self, table: str, coder: str, codebook_ids: Iterable[int], extra: str = "") -> int:
        """Delete ``coder``'s rows of ``table`` (codings or coverage) for these codebooks."""
        ids = list(codebook_ids)
        if not ids:
            return 0
        marks = ",".join("?" * len(ids))
        return self._write(f"DELETE FROM {table} WHERE {extra}coder=? AND codebook_id IN ({marks})",
                           (coder, *ids)).rowcount

    def delete_coder_documents(self, coder: str, codebook_ids: Iterable[int],
                               document_ids: Iterable[int]) -> tuple[int, int]:
        """Remove one coder's codings and coverage for some documents (a re-import replaces them).

        Returns (codings deleted, coverage rows deleted); other coders are never touched."""
        ids, docs = list(codebook_ids), [int(d) for d in document_ids]
        if not ids or not docs:
            return 0, 0
        books, dmarks = ",".join("?" * len(ids)), ",".join("?" * len(docs))
        codings = self._write(f"DELETE FROM codings WHERE coder=? AND codebook_id IN ({books})"
                              f" AND document_id IN ({dmarks})", (coder, *ids, *docs)).rowcount
        coverage = self._write(
            f"DELETE FROM coverage WHERE coder=? AND codebook_id IN ({books}) AND segment_id IN"
            f" (SELECT id FROM segments WHERE document_id IN ({dmarks}))", (coder, *ids, *docs)).rowcount
        return codings, coverage

    def update_coding_status(self, coding_ids: Iterable[int], status: str) -> int:
        """Set the review status (suggested, accepted, rejected) of these codings."""
        return self._write_many("UPDATE codings SET status=? WHERE id=?",
                                ((status, int(i)) for i in coding_ids)).rowcount

    def coverage_frame(self) -> pd.DataFrame:
        """One row per (coder, codebook_id, segment_id) a coder has looked at."""
        return pd.read_sql_query("SELECT coder, codebook_id, segment_id FROM coverage"
                                 " ORDER BY coder, codebook_id, segment_id", self.conn)

    def add_codings(self, rows: Iterable[dict]) -> int:
        """Insert codings.  Each row: document_id, segment_id, codebook_id, code, start, end,
        coder, coder_kind, tagger_version, status, confidence, evidence (JSON-able)."""
        now = _now()
        cur = self._write_many(
            "INSERT INTO codings (document_id, segment_id, codebook_id, code, start, end, coder,"
            " coder_kind, tagger_version, status, confidence, evidence, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((r["document_id"], r.get("segment_id"), r.get("codebook_id"), r["code"], r["start"],
              r["end"], r["coder"], r["coder_kind"], r.get("tagger_version"),
              r.get("status", "accepted" if r["coder_kind"] == "human" else "suggested"),
              r.get("confidence"),
              json.dumps(r["evidence"], ensure_ascii=False) if r.get("evidence") is not None else None,
              now) for r in rows))
        return cur.rowcount

    def add_machine_codings(self, rows: Iterable[tuple], codebook_id: int, coder: str,
                            tagger_version: str) -> int:
        """Insert one tagger's suggested codings.  Each row: (document_id, segment_id, code,
        start, end, evidence already encoded as JSON, confidence or None)."""
        now = _now()
        return self._write_many(
            "INSERT INTO codings (document_id, segment_id, codebook_id, code, start, end, coder,"
            " coder_kind, tagger_version, status, confidence, evidence, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 'machine', ?, 'suggested', ?, ?, ?)",
            ((doc_id, seg_id, codebook_id, code, start, end, coder, tagger_version, confidence,
              evidence, now) for doc_id, seg_id, code, start, end, evidence, confidence in rows)).rowcount

    def add_rule_codings(self, rows: Iterable[tuple], codebook_id: int, coder: str,
                         tagger_version: str) -> int:
        """Insert one rule tagger's suggested codings, as :meth:`add_machine_codings` does
        (no confidence).  Each row: (document_id, segment_id, code, start, end, evidence
        JSON), as the coding workers send them: the values every row shares are written
        into the statement once, not bound row by row (a large share of the insert's cost)."""
        shared = ", ".join([str(int(codebook_id)), "?", "?", "?", _sql_text(coder), "'machine'",
                            _sql_text(tagger_version), "'suggested'", "NULL", "?", _sql_text(_now())])
        return self._write_many(
            "INSERT INTO codings (document_id, segment_id, codebook_id, code, start, end, coder,"
            f" coder_kind, tagger_version, status, confidence, evidence, created_at) VALUES (?, ?, {shared})",
            rows).rowcount

    def coding_decisions_frame(self) -> pd.DataFrame:
        """Every coding's who, what and where, without its excerpt and evidence (what the
        agreement statistics read): coding_id, document, document_id, segment_id,
        codebook_id, code, start, end, coder, coder_kind, status; in :meth:`codings_frame`'s
        order."""
        return pd.read_sql_query(
            "SELECT c.id AS coding_id, d.name AS document, c.document_id, c.segment_id, c.codebook_id,"
            " c.code, c.start, c.end, c.coder, c.coder_kind, c.status"
            " FROM codings c JOIN documents d ON d.id = c.document_id"
            " ORDER BY d.id, c.start, c.code, c.id", self.conn)

    def codings_frame(self) -> pd.DataFrame:
        """Every coding with its document, turn, speaker, participant, role, code, theme and excerpt."""
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
            " ORDER BY d.id, c.start, c.code, c.id", self.conn)
        return self._with_texts(frame)

    # ---------------------------------------------- aggregates and streams for exports
    # These read only the columns an export prints and never the evidence JSON; counts are
    # aggregated by SQLite (GROUP BY) and excerpts come from a cursor, so the memory an
    # export needs does not grow with the number of codings.

    def coder_kinds(self) -> dict[str, str]:
        """Each coder's kind (``human``/``machine``): that of its first coding in document,
        start, code order."""
        return dict(self.conn.execute(
            "SELECT coder, coder_kind FROM (SELECT coder, coder_kind, ROW_NUMBER() OVER (PARTITION BY"
            " coder ORDER BY document_id, start, code, id) AS n FROM codings) WHERE n = 1").fetchall())

    def coders_of(self, codebook_ids: Iterable[int], statuses: Iterable[str]) -> set[str]:
        """Coders with codings of these statuses, or coverage, under these codebooks."""
        ids, statuses = [int(i) for i in codebook_ids], list(statuses)
        marks, status_marks = ", ".join("?" * len(ids)), ", ".join("?" * len(statuses))
        return {r[0] for r in self.conn.execute(
            f"SELECT coder FROM codings WHERE codebook_id IN ({marks}) AND status IN ({status_marks})"
            f" UNION SELECT coder FROM coverage WHERE codebook_id IN ({marks})", [*ids, *statuses, *ids])}

    def document_turns(self, document_id: int) -> list[sqlite3.Row]:
        """A document's turns in order: segment_id, turn, speaker (label), participant, role,
        start, end."""
        return self.conn.execute(
            "SELECT s.id AS segment_id, s.turn, sp.label AS speaker, p.pid AS participant, sp.role,"
            " s.start, s.end FROM segments s JOIN speakers sp ON sp.id = s.speaker_id"
            " JOIN participants p ON p.id = sp.participant_id WHERE s.document_id = ? ORDER BY s.turn",
            (int(document_id),)).fetchall()

    def coding_summary(self) -> pd.DataFrame:
        """How many codings each (codebook_id, coder, status) has: what a selection chooses from."""
        return pd.read_sql_query(
            "SELECT codebook_id, coder, status, COUNT(*) AS codings FROM codings"
            " GROUP BY codebook_id, coder, status ORDER BY codebook_id, coder, status", self.conn)

    def attribute_keys(self) -> list[str]:
        """Document attribute names, sorted (the attribute columns of :meth:`documents_frame`)."""
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT key FROM document_attributes ORDER BY key")]

    def document_names(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM documents ORDER BY id")]

    def document_ids_and_names(self) -> list[tuple[int, str]]:
        """Every document's ``(id, name)``, in id order."""
        return [(r[0], r[1]) for r in self.conn.execute("SELECT id, name FROM documents ORDER BY id")]

    def turn_roles(self) -> list[str]:
        """The speaker roles turns have (no NULL), sorted."""
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT sp.role FROM speakers sp WHERE sp.role IS NOT NULL"
            " AND EXISTS (SELECT 1 FROM segments s WHERE s.speaker_id = sp.id) ORDER BY sp.role")]

    def selected_codes(self, codebook_id: int | None, coders: Iterable[str],
                       statuses: Iterable[str]) -> list[str]:
        """The distinct codes of the codings a selection keeps, sorted."""
        where, params = _selection_where(codebook_id, coders, statuses)
        return [r[0] for r in self.conn.execute(
            f"SELECT DISTINCT c.code FROM codings c WHERE {where} ORDER BY c.code", params)]

    def code_unit_counts(self, codebook_id: int | None, coders: Iterable[str], statuses: Iterable[str],
                         rollup: Iterable[tuple[str, str]], by: str | None, *,
                         include_facilitators: bool = False, no_value: str = "(none)") -> pd.DataFrame:
        """Per (counted code, group): mentions (distinct document/start/end), turns, participants
        and documents of the selected codings on counted turns.

        ``rollup``: (code, counted_as) pairs; a coding counts for every pair of its code.
        ``by``: ``role``, ``document``, ``participant``, a document attribute, or None (one
        group, NULL).  Empty or missing group values become ``no_value``.  A coding stored
        without its turn counts in the turn whose span holds its start (the last turn of its
        document starting at or before it, if it ends after that start)."""
        where, params = _selection_where(codebook_id, coders, statuses)
        group, join, group_params = _group_sql(by, no_value)
        sql = (
            "WITH pairs(code, counted_as) AS MATERIALIZED (SELECT json_extract(value, '$[0]'),"
            " json_extract(value, '$[1]') FROM json_each(?)), "
            + _SELECTED_CODINGS.format(where=where) +
            "SELECT r.counted_as AS code, " + group + " AS \"group\","
            " COUNT(DISTINCT sel.document_id || ':' || sel.start || ':' || sel.\"end\") AS mentions,"
            " COUNT(DISTINCT s.id) AS turns, COUNT(DISTINCT p.pid) AS participants,"
            " COUNT(DISTINCT sel.document_id) AS documents"
            " FROM sel JOIN segments s ON s.id = sel.seg AND (NOT sel.placed OR sel.start < s.\"end\")"
            " JOIN speakers sp ON sp.id = s.speaker_id JOIN participants p ON p.id = sp.participant_id"
            + join + " JOIN pairs r ON r.code = sel.code"
            + ("" if include_facilitators else " WHERE COALESCE(sp.role, '') != 'facilitator'") +
            " GROUP BY 1, 2 ORDER BY 1, 2")
        return pd.read_sql_query(sql, self.conn, params=[json.dumps([list(p) for p in rollup]),
                                                         *params, *group_params])

    def turn_group_totals(self, by: str | None, *, include_facilitators: bool = False,
                          no_value: str = "(none)") -> pd.DataFrame:
        """Per group (as in :meth:`code_unit_counts`): turns, distinct participants, documents."""
        group, join, group_params = _group_sql(by, no_value)
        return pd.read_sql_query(
            "SELECT " + group + " AS \"group\", COUNT(*) AS group_turns,"
            " COUNT(DISTINCT p.pid) AS group_participants, COUNT(DISTINCT s.document_id) AS group_documents"
            " FROM segments s JOIN speakers sp ON sp.id = s.speaker_id"
            " JOIN participants p ON p.id = sp.participant_id" + join
            + ("" if include_facilitators else " WHERE COALESCE(sp.role, '') != 'facilitator'") +
            " GROUP BY 1 ORDER BY 1", self.conn, params=group_params)

    def iter_excerpt_rows(self, codebook_id: int | None, coders: Iterable[str], statuses: Iterable[str],
                          positions: Iterable[tuple[str, int, int]], sort: str, *,
                          codes: Iterable[str] | None = None, roles: Iterable[str] | None = None,
                          documents: Iterable[str] | None = None, include_facilitators: bool = False,
                          no_value: str = "(none)") -> Iterator[sqlite3.Row]:
        """Stream the selected codings on turns, sorted, without their text.

        Each row: coding_id, document_id, document, turn, speaker, participant, role (NULL
        becomes ``no_value``), time_start, code, start, end, coder, status.
        ``positions``: (code, theme position, code position) used by the sorts ``code``
        (theme, code, document, start, end), ``document`` (document, start, end, code),
        ``participant`` (participant, document, start, code) and ``role`` (scholar, mentor,
        facilitator, others by name; then theme, code, document, start); ties keep the
        codings' stored order (document, start, code, id).  SQLite sorts (spilling to a
        temporary file when large), so memory stays flat."""
        where, params = _selection_where(codebook_id, coders, statuses)
        filters, filter_params = [], []
        if not include_facilitators:
            filters.append("COALESCE(sp.role, '') != 'facilitator'")
        for column, values in (("sel.code", codes), ("COALESCE(sp.role, ?)", roles), ("d.name", documents)):
            if values is not None:
                filters.append(f"{column} IN (SELECT value FROM json_each(?))")
                filter_params += ([no_value] if "?" in column else []) + [json.dumps(list(values))]
        role_pos = ("CASE COALESCE(sp.role, ?) WHEN 'scholar' THEN 0 WHEN 'mentor' THEN 1"
                    " WHEN 'facilitator' THEN 2 ELSE 3 END")
        order = {
            "code": "k.theme_pos, k.code_pos, sel.document_id, sel.start, sel.\"end\"",
            "document": "sel.document_id, sel.start, sel.\"end\", k.code_pos",
            "participant": "p.pid, sel.document_id, sel.start, k.code_pos",
            "role": f"{role_pos}, COALESCE(sp.role, ?), k.theme_pos, k.code_pos, sel.document_id, sel.start",
        }[sort]
        order_params = [no_value, no_value] if sort == "role" else []
        sql = (
            "WITH keys(code, theme_pos, code_pos) AS MATERIALIZED (SELECT json_extract(value, '$[0]'),"
            " json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(?)), "
            + _SELECTED_CODINGS.format(where=where) +
            "SELECT sel.id AS coding_id, sel.document_id, d.name AS document, s.turn,"
            " sp.label AS speaker, p.pid AS participant, COALESCE(sp.role, ?) AS role, s.time_start,"
            " sel.code, sel.start, sel.\"end\", sel.coder, sel.status"
            " FROM sel JOIN segments s ON s.id = sel.seg AND (NOT sel.placed OR sel.start < s.\"end\")"
            " JOIN documents d ON d.id = sel.document_id"
            " JOIN speakers sp ON sp.id = s.speaker_id JOIN participants p ON p.id = sp.participant_id"
            " LEFT JOIN keys k ON k.code = sel.code"
            + (" WHERE " + " AND ".join(filters) if filters else "") +
            f" ORDER BY {order}, sel.code, sel.id")
        yield from self.conn.execute(sql, [json.dumps([list(p) for p in positions]), *params, no_value,
                                           *filter_params, *order_params])

    def participants_by_document(self, exclude_role: str | None = "facilitator") -> pd.DataFrame:
        """Per document (that has such turns): distinct participants speaking in it, leaving
        out speakers whose role is ``exclude_role``."""
        return pd.read_sql_query(
            "SELECT d.name AS document, COUNT(DISTINCT sp.participant_id) AS participants"
            " FROM segments s JOIN documents d ON d.id = s.document_id"
            " JOIN speakers sp ON sp.id = s.speaker_id"
            " WHERE sp.role IS NULL OR sp.role != ? GROUP BY d.id ORDER BY d.id",
            self.conn, params=[exclude_role])

    def turns_by_role(self, no_value: str = "(none)") -> pd.DataFrame:
        """Per speaker role (NULL as ``no_value``): distinct participants, turns and words."""
        return pd.read_sql_query(
            "SELECT COALESCE(sp.role, ?) AS role, COUNT(DISTINCT sp.participant_id) AS participants,"
            " COUNT(*) AS turns, SUM(s.words) AS words"
            " FROM segments s JOIN speakers sp ON sp.id = s.speaker_id GROUP BY 1 ORDER BY 1",
            self.conn, params=[no_value])

    def speaking_participants(self) -> int:
        """Distinct participants with at least one turn."""
        return self.conn.execute("SELECT COUNT(DISTINCT sp.participant_id) FROM segments s"
                                 " JOIN speakers sp ON sp.id = s.speaker_id").fetchone()[0]

    def document_attributes(self) -> dict[int, dict[str, str]]:
        """document_id -> {attribute: value} (one entry per document, not per turn)."""
        out: dict[int, dict[str, str]] = {}
        for doc_id, key, value in self.conn.execute(
                "SELECT document_id, key, value FROM document_attributes ORDER BY document_id, key"):
            out.setdefault(doc_id, {})[key] = value
        return out

    def counts(self) -> dict[str, int]:
        q = lambda sql: self.conn.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "documents": q("SELECT COUNT(*) FROM documents"),
            "participants": q("SELECT COUNT(DISTINCT participant_id) FROM speakers"),
            "turns": q("SELECT COUNT(*) FROM segments"),
            "words": q("SELECT COALESCE(SUM(words), 0) FROM segments"),
            "codings": q("SELECT COUNT(*) FROM codings"),
        }


def open_project(path: str | Path, create: bool = False) -> Project:
    return Project.open(path, create=create)


#: The codings a selection keeps, each with the turn it counts in (``seg``): its own, or for
#: a coding stored without one the last turn of its document starting at or before it
#: (``placed``: the caller then also requires the coding to start before that turn ends).
_SELECTED_CODINGS = (
    "sel AS (SELECT c.id, c.document_id, c.code, c.start, c.\"end\", c.coder, c.status,"
    " c.segment_id IS NULL AS placed,"
    " COALESCE(c.segment_id, (SELECT s2.id FROM segments s2 WHERE s2.document_id = c.document_id"
    " AND s2.start <= c.start ORDER BY s2.start DESC, s2.id DESC LIMIT 1)) AS seg"
    " FROM codings c WHERE {where}) ")


def _selection_where(codebook_id: int | None, coders: Iterable[str],
                     statuses: Iterable[str]) -> tuple[str, list]:
    """WHERE clause (on ``codings c``) and parameters for one codebook, coders and statuses."""
    book = "c.codebook_id IS NULL" if codebook_id is None else "c.codebook_id = ?"
    params = ([] if codebook_id is None else [int(codebook_id)]) + [
        json.dumps(list(coders)), json.dumps(list(statuses))]
    return (f"{book} AND c.coder IN (SELECT value FROM json_each(?))"
            " AND c.status IN (SELECT value FROM json_each(?))", params)


def _group_sql(by: str | None, no_value: str) -> tuple[str, str, list]:
    """(group expression, extra join, parameters) of a turn's group over segments ``s``,
    speakers ``sp``, participants ``p``; empty or missing values become ``no_value``."""
    if by is None:
        return "NULL", "", []
    if by == "role":
        return "COALESCE(NULLIF(sp.role, ''), ?)", "", [no_value]
    if by == "participant":
        return "COALESCE(NULLIF(p.pid, ''), ?)", "", [no_value]
    if by == "document":
        return ("COALESCE(NULLIF(gd.name, ''), ?)", " JOIN documents gd ON gd.id = s.document_id",
                [no_value])
    return ("COALESCE(NULLIF(ga.value, ''), ?)",
            " LEFT JOIN document_attributes ga ON ga.document_id = s.document_id AND ga.key = ?",
            [no_value, by])  # in the order the two appear in the statement


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _describe_sqlite_error(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return (f"project is in use by another qualcode command (waited {LOCK_TIMEOUT_SECONDS:g} s);"
                " try again when it has finished")
    if "not a database" in text or "malformed" in text:
        return f"project file is damaged or not a qualcode project ({text})"
    return f"project database error: {text}"
