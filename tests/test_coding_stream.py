"""code_project streams turns in batches and may tag them on a process pool: same codings either way.

The project holds the corpus of ``tests/fixtures/rule_codings`` (sample transcripts and a
small synthetic corpus), so its codings must also equal the ones the original tagger wrote.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qcbench.corpus import generate_turns, write_corpus
from qualcode.codebook import load_codebook
from qualcode.workflows.code import code_project
from qualcode.workflows.ingest import ingest
from qualcode.store.project import open_project
from qualcode.tagging.parallel import POOL_MIN_WORDS, available_cores, choose_workers
from test_rules_equivalence import CODEBOOKS, MAKER, _expected
from qualcode.store.frames import codings_frame, coverage_frame

SAMPLE = Path(__file__).resolve().parents[1] / "transcripts_sample"


@pytest.fixture(scope="module")
def corpus_project(tmp_path_factory):
    """A project file with the fixture corpus ingested in the fixture's document order."""
    tmp = tmp_path_factory.mktemp("stream")
    sample = [SAMPLE / name for name in MAKER.SAMPLE_FILES]
    synthetic = write_corpus(tmp / "synthetic", MAKER.SYNTHETIC_WORDS, seed=MAKER.SYNTHETIC_SEED,
                             words_per_transcript=MAKER.SYNTHETIC_PER_FILE).files
    path = tmp / "corpus.qcproj"
    with open_project(path, create=True) as project:
        ingest(project, sample + synthetic)
    return path


def _copy(path: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy.qcproj"
    target.write_bytes(path.read_bytes())
    return target


def _stored(project) -> list[dict]:
    """The codings in insertion order, as the fixture's records."""
    frame = codings_frame(project).sort_values("coding_id")
    out = []
    for row in frame.itertuples():
        evidence = json.loads(row.evidence)
        out.append({"document": row.document, "turn": row.turn, "code": row.code, "start": row.start,
                    "end": row.end, "scope": evidence["scope"],
                    "hits": [[h["rule"], h["matched"], h["start"], h["end"]] for h in evidence["hits"]]})
    return out


def _coverage(project) -> list[tuple]:
    return [tuple(r) for r in coverage_frame(project)[["coder", "segment_id"]].itertuples(index=False)]


@pytest.mark.parametrize("workers,read_batch", [(1, 500), (2, 7)])
def test_stored_codings_equal_the_original_taggers(corpus_project, tmp_path, workers, read_batch):
    with open_project(_copy(corpus_project, tmp_path)) as project:
        book = load_codebook(CODEBOOKS / "mentoring_expectations.yaml")
        run = code_project(project, book, include_facilitators=True, workers=workers, read_batch=read_batch)
        expected = _expected("mentoring_expectations", "codings")
        assert run.codings == len(expected)
        assert run.segments == project.counts()["turns"]
        assert _stored(project) == expected
        assert len(_coverage(project)) == run.segments


def test_batches_and_workers_do_not_change_the_result(corpus_project, tmp_path):
    """Participant turns only, both codebooks, re-run on top: one process vs two, big vs tiny batches."""
    results = []
    for k, (workers, read_batch) in enumerate([(1, 2000), (1, 1), (2, 3)]):
        path = tmp_path / f"p{k}.qcproj"
        path.write_bytes(corpus_project.read_bytes())
        with open_project(path) as project:
            runs = []
            for name in MAKER.CODEBOOKS:
                book = load_codebook(CODEBOOKS / f"{name}.yaml")
                runs.append(code_project(project, book, workers=workers, read_batch=read_batch))
            runs.append(code_project(project, book, workers=workers, read_batch=read_batch))  # re-run
            results.append(([(r.segments, r.codings, r.replaced, r.by_code) for r in runs],
                            _stored(project), _coverage(project)))
    assert results[0][0][2][2] == results[0][0][2][1] > 0  # the re-run replaced every coding
    assert results[0][0][1][:2] == results[0][0][2][:2]
    assert results[1] == results[0]
    assert results[2] == results[0]


def test_dry_run_counts_without_writing(corpus_project, tmp_path):
    with open_project(_copy(corpus_project, tmp_path)) as project:
        book = load_codebook(CODEBOOKS / "expectation_domains.yaml")
        dry = code_project(project, book, dry_run=True, workers=2, read_batch=5)
        assert project.counts()["codings"] == 0 and coverage_frame(project).empty
        real = code_project(project, book, workers=1)
        assert (dry.segments, dry.codings, dry.by_code) == (real.segments, real.codings, real.by_code)


class _Tracked:
    """A cursor that knows whether its rows were read to the end."""

    def __init__(self, cursor, owner):
        self._cursor, self._owner = cursor, owner
        owner.open.add(self)

    def fetchall(self):
        self._owner.open.discard(self)
        return self._cursor.fetchall()

    def fetchone(self):  # single-row queries (counts, look-ups)
        self._owner.open.discard(self)
        return self._cursor.fetchone()

    def __iter__(self):
        yield from self._cursor
        self._owner.open.discard(self)

    def __getattr__(self, name):
        return getattr(self._cursor, name)


class _Connection:
    """Wraps the project's connection: records writes made while a SELECT is still being read."""

    def __init__(self, conn):
        self._conn, self.open, self.violations, self.writes = conn, set(), [], 0

    def execute(self, sql, params=()):
        if sql.lstrip().upper().startswith("SELECT"):
            return _Tracked(self._conn.execute(sql, params), self)
        self._check(sql)
        return self._conn.execute(sql, params)

    def executemany(self, sql, rows):
        self._check(sql)
        return self._conn.executemany(sql, rows)

    def _check(self, sql):
        if sql.split()[0].upper() in ("INSERT", "DELETE", "UPDATE"):
            self.writes += 1
            if self.open:
                self.violations.append(sql.split("(")[0])

    def __getattr__(self, name):
        return getattr(self._conn, name)


@pytest.mark.parametrize("workers", [1, 2])
def test_no_read_cursor_is_open_while_codings_are_written(corpus_project, tmp_path, workers):
    with open_project(_copy(corpus_project, tmp_path)) as project:
        tracked = project.conn = _Connection(project.conn)
        run = code_project(project, load_codebook(CODEBOOKS / "mentoring_expectations.yaml"),
                           workers=workers, read_batch=3)
        assert run.codings > 0
        assert tracked.writes > 2 * (run.segments // 50)  # many batches were written
        assert tracked.violations == []


def test_the_tracker_sees_a_cursor_left_open(corpus_project, tmp_path):
    """The check above can fail: iterating turns lazily while writing is caught."""
    with open_project(_copy(corpus_project, tmp_path)) as project:
        tracked = project.conn = _Connection(project.conn)
        with project.transaction():
            for row in project.conn.execute("SELECT id AS segment_id FROM segments ORDER BY id"):
                project.add_participant(f"X{row['segment_id']}", f"someone {row['segment_id']}", None)
                break
        assert tracked.violations == ["INSERT INTO participants "]


def test_workers_default_to_one_process_for_small_jobs():
    assert choose_workers(None, POOL_MIN_WORDS - 1) == 1
    assert choose_workers(None, POOL_MIN_WORDS) == available_cores()
    assert choose_workers(3, 10) == 3
    with pytest.raises(ValueError):
        choose_workers(0, 10)


def test_spawned_workers_build_their_own_tagger(monkeypatch):
    """The path taken where fork is not used (macOS, Windows): same codings."""
    from qualcode.tagging import RuleTagger, parallel

    tagger = RuleTagger(load_codebook(CODEBOOKS / "expectation_domains.yaml"))
    items = [((k, 0), text, 0) for k, (_, text) in enumerate(generate_turns(5, 1500))]
    batches = [items[i:i + 20] for i in range(0, len(items), 20)]
    one = list(parallel.tag_batches(tagger, batches, 1))
    monkeypatch.setattr(parallel, "start_method", lambda: "spawn")
    two = list(parallel.tag_batches(tagger, batches, 2))
    assert sum(len(codings) for _, codings in one) > 20
    assert two == one
