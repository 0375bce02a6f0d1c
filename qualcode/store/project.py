"""The project file: one SQLite database, opened, written and migrated here.

Human and machine codings live side by side, each with its coder (a person's
name or a tagger's name), the codebook it belongs to, a status and evidence, so
re-running a tagger never touches a human's work.

Every write goes through :meth:`Project.transaction`; a failure inside it rolls
the whole command back and leaves the project as it was.  :class:`Project` holds the
writes and the few lookups the writing jobs (ingest, code, redact, import) need; the
read side is :mod:`qualcode.store.frames` (whole tables) and :mod:`qualcode.store.queries`
(what the analyses read); the tables themselves are in :mod:`qualcode.store.schema`.
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
from qualcode.store import schema

LOCK_TIMEOUT_SECONDS = 10.0

_WORD = re.compile(r"\w+(?:['\u2019]\w+)*")


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


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
                schema.create(self.conn, _now())
            return
        if app_id != schema.APPLICATION_ID or "meta" not in tables:
            raise ProjectError("not a qualcode project (an SQLite file of another program)", self.path)
        row = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None or not str(row[0]).strip().isdigit():
            raise ProjectError("project file is damaged: it records no valid schema version", self.path)
        version = int(row[0])
        if version > schema.SCHEMA_VERSION:
            raise ProjectError(f"project has schema version {version}, newer than this qualcode "
                               f"understands ({schema.SCHEMA_VERSION}); upgrade qualcode", self.path)
        if version < schema.SCHEMA_VERSION:
            with self.transaction():
                try:
                    schema.migrate(self.conn, version)
                except LookupError as exc:
                    raise ProjectError(f"project has schema version {exc.args[0]}, which this qualcode "
                                       "cannot migrate", self.path) from None

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

    def setting(self, key: str) -> str | None:
        """A value the project remembers for the next run (e.g. ``llm.url``), or None."""
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", ("setting." + key,)).fetchone()
        return row[0] if row else None

    def set_setting(self, key: str, value: str) -> None:
        self._write("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", ("setting." + key, value))

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

    #: For the store's other writing modules (:mod:`qualcode.store.edits`): statements that
    #: may only run inside :meth:`transaction`.
    write, write_many = _write, _write_many

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

    def add_segment_attributes(self, document_id: int, rows: Iterable[tuple[int, str, str]]) -> None:
        """rows: (turn, key, value): a turn's own attributes (``question``)."""
        self._write_many(
            "INSERT INTO segment_attributes (segment_id, key, value) SELECT id, ?, ? FROM segments"
            " WHERE document_id = ? AND turn = ?",
            ((key, value, document_id, turn) for turn, key, value in rows))

    # ------------------------------------------------- turns the writing jobs read
    def turn_batches(self, include_facilitators: bool = False,
                     max_turns: int = 2000) -> Iterator[list[tuple[int, int, str, int]]]:
        """Turns as ``(segment_id, document_id, text, start)`` in document order, in lists of
        about ``max_turns`` (whole documents).  Every query is read to its end before a list
        is yielded, so the caller may write to the project between lists; memory holds one
        batch, not the corpus."""
        sql = ("SELECT s.id, s.start, s.end FROM segments s JOIN speakers sp ON sp.id = s.speaker_id"
               " WHERE s.document_id = ?"
               f" AND {schema.participant_turns_sql(include_facilitators)} ORDER BY s.turn")
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

    def document_text(self, document_id: int) -> str:
        return self.conn.execute("SELECT text FROM documents WHERE id=?", (document_id,)).fetchone()[0]

    def document_turns(self, document_id: int) -> list[sqlite3.Row]:
        """A document's turns in order: segment_id, turn, speaker (label), participant, role,
        start, end."""
        return self.conn.execute(
            "SELECT s.id AS segment_id, s.turn, sp.label AS speaker, p.pid AS participant, sp.role,"
            " s.start, s.end FROM segments s" + schema.SPEAKERS_JOIN
            + " WHERE s.document_id = ? ORDER BY s.turn",
            (int(document_id),)).fetchall()

    def document_ids_and_names(self) -> list[tuple[int, str]]:
        """Every document's ``(id, name)``, in id order."""
        return [(r[0], r[1]) for r in self.conn.execute("SELECT id, name FROM documents ORDER BY id")]

    def document_codings(self, document_id: int, codebook_ids: Iterable[int] | None = None,
                         statuses: Iterable[str] | None = None) -> list[sqlite3.Row]:
        """One document's codings (under these codebooks, with these statuses, if given) in
        start, code, id order: id, start, end, codebook_id, code, coder, evidence.  Read
        through the turns' index (and the few codings on no turn), not by scanning every
        coding: codings have no index by document."""
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

    # ----------------------------------------------------------------- codebooks
    def add_codebook(self, name: str, version: str | None, hash_: str, source: str | None,
                     content: str | None, codes: Iterable[tuple]) -> int:
        """Register a codebook (idempotent by hash).  Finding, registering a loaded
        :class:`~qualcode.codebook.Codebook` and reading one back: :mod:`qualcode.store.codebooks`.

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

    def counts(self) -> dict[str, int]:
        """How many documents, participants, turns, words and codings the project holds."""
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


def _describe_sqlite_error(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return (f"project is in use by another qualcode command (waited {LOCK_TIMEOUT_SECONDS:g} s);"
                " try again when it has finished")
    if "not a database" in text or "malformed" in text:
        return f"project file is damaged or not a qualcode project ({text})"
    return f"project database error: {text}"
