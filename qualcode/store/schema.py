"""The project file's SQL schema and its migrations.

A new project gets :data:`SCHEMA` at :data:`SCHEMA_VERSION`; an older one is brought up
to date by :func:`migrate`, one step per version, inside the caller's transaction.
A few SQL fragments every reader shares (a turn's speaker, which turns are participants')
are defined here too.
"""

from __future__ import annotations

import sqlite3

from qualcode.core.roles import FACILITATOR, UNIDENTIFIED

SCHEMA_VERSION = 5
APPLICATION_ID = 0x51434F44  # "QCOD": marks the SQLite file as a qualcode project

#: The LLM tagger's requests and answers (qualcode.tagging.llm.cache).
LLM_ANSWERS = """
CREATE TABLE llm_answers (
    model TEXT NOT NULL,
    prompt_hash TEXT NOT NULL,
    turn_hash TEXT NOT NULL,
    request TEXT NOT NULL,
    answer TEXT,
    status TEXT NOT NULL CHECK (status IN ('answered', 'failed')),
    attempts INTEGER NOT NULL,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    seconds REAL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (model, prompt_hash, turn_hash)
);
"""

#: The review log (schema 4): each decision a person takes in the workbench, with its coder,
#: time and what it changed, so that it can be undone (qualcode/store/reviews.py).
REVIEWS = """
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    coder TEXT NOT NULL,
    codebook_id INTEGER NOT NULL REFERENCES codebooks(id) ON DELETE CASCADE,
    segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
    action TEXT NOT NULL CHECK (action IN ('accept', 'reject', 'add', 'remove', 'reviewed')),
    suggestion_id INTEGER,
    previous_status TEXT,
    added_coding_id INTEGER,
    removed_coding TEXT,
    covered INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    undone_at TEXT
);
CREATE INDEX reviews_by_coder ON reviews(coder, codebook_id);
"""

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
CREATE TABLE segment_attributes (
    segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (segment_id, key)
);
CREATE INDEX codings_by_segment ON codings(segment_id);
CREATE INDEX codings_by_coder ON codings(coder, codebook_id);
CREATE INDEX segments_by_document ON segments(document_id, turn);
""" + REVIEWS + LLM_ANSWERS

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
    # 3: a turn's own attributes (the discussion-guide question a participant's turn answers),
    # grouped and shown like document attributes; a turn's value wins over its document's.
    2: """
CREATE TABLE segment_attributes (
    segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (segment_id, key)
);
""",
    # 4: the review log: each decision a person takes in the workbench (accept or reject a
    # suggestion, add or remove a coding, mark a turn reviewed), with its coder and time and
    # what it changed, so that it can be undone (qualcode/store/reviews.py).
    3: REVIEWS,
    # 5: the LLM tagger's requests and answers, so a second run sends nothing and an
    # interrupted one resumes (qualcode.tagging.llm.cache).
    4: LLM_ANSWERS,
}


def create(conn: sqlite3.Connection, created_at: str) -> None:
    """Create every table of an empty database and mark it as a qualcode project."""
    for statement in statements(SCHEMA):
        conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
    conn.execute("INSERT INTO meta VALUES ('created_at', ?)", (created_at,))
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def migrate(conn: sqlite3.Connection, version: int) -> None:
    """Upgrade a database at schema ``version`` to :data:`SCHEMA_VERSION`.

    Raises ``LookupError`` naming the version no migration starts from."""
    while version < SCHEMA_VERSION:
        script = MIGRATIONS.get(version)
        if script is None:
            raise LookupError(version)
        for statement in statements(script):
            conn.execute(statement)
        version += 1
    conn.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(version),))


def statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


# ------------------------------------------------------- SQL the readers share

#: Joins a turn ``s`` to its speaker ``sp`` and participant ``p``.
SPEAKERS_JOIN = " JOIN speakers sp ON sp.id = s.speaker_id JOIN participants p ON p.id = sp.participant_id"


def participant_turns_sql(include_facilitators: bool, include_unidentified: bool = True) -> str:
    """SQL condition on speakers ``sp``: the turns that count as participants' (facilitators'
    too if asked; voices that name nobody, role ``unidentified``, unless left out)."""
    left_out = [role for role, kept in ((FACILITATOR, include_facilitators), (UNIDENTIFIED, include_unidentified))
                if not kept]
    if not left_out:
        return "1"
    return "COALESCE(sp.role, '') NOT IN (" + ", ".join(f"'{role}'" for role in left_out) + ")"
