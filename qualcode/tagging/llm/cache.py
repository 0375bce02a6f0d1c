"""Requests and answers kept in the project (table ``llm_answers``), so nothing is asked twice.

An answer is keyed by the model (as named to the server), the prompt hash (the system
part: codebook and instructions, :func:`qualcode.tagging.llm.prompt.prompt_hash`) and the
sha256 of the turn's message (speaker, context and turn as sent).  Each answer is written
in its own short transaction as soon as it arrives, so a run that is interrupted keeps
what it received and the next run sends only the rest; a second run sends nothing unless
asked to refresh.  Stored: the request body, the answer text, ``answered`` or ``failed``
(malformed after every re-ask; a turn that got no answer at all is not stored and is asked
again next time), the attempts, the server's token counts and the seconds it took.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from qualcode.store.project import Project

ANSWERED, FAILED = "answered", "failed"


@dataclass(frozen=True)
class Exchange:
    """One turn's request and what came back of it."""

    request: dict
    answer: str | None
    status: str          # ANSWERED or FAILED
    attempts: int        # requests sent for the turn (1 + re-asks)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    seconds: float | None = None


class AnswerCache:
    """The stored answers of one model to one system part."""

    def __init__(self, project: Project, model: str, prompt_hash: str):
        self.project = project
        self.model = model
        self.prompt_hash = prompt_hash

    def get(self, turn_hash: str) -> Exchange | None:
        row = self.project.conn.execute(
            "SELECT request, answer, status, attempts, prompt_tokens, completion_tokens, seconds"
            " FROM llm_answers WHERE model=? AND prompt_hash=? AND turn_hash=?",
            (self.model, self.prompt_hash, turn_hash)).fetchone()
        if row is None:
            return None
        return Exchange(json.loads(row[0]), *row[1:])

    def put(self, turn_hash: str, exchange: Exchange) -> None:
        """Store (or replace) one answer, committed at once."""
        with self.project.transaction():
            self.project.conn.execute(
                "INSERT OR REPLACE INTO llm_answers (model, prompt_hash, turn_hash, request, answer, status,"
                " attempts, prompt_tokens, completion_tokens, seconds, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (self.model, self.prompt_hash, turn_hash, json.dumps(exchange.request, ensure_ascii=False),
                 exchange.answer, exchange.status, exchange.attempts, exchange.prompt_tokens,
                 exchange.completion_tokens, exchange.seconds,
                 datetime.now(timezone.utc).isoformat(timespec="seconds")))

    def count(self) -> int:
        return self.project.conn.execute(
            "SELECT COUNT(*) FROM llm_answers WHERE model=? AND prompt_hash=?",
            (self.model, self.prompt_hash)).fetchone()[0]
