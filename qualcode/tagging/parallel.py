"""Rule tagging of turn batches on one process or a pool of them, streaming.

Workers get a batch of ``(key, text, base_offset)`` turns, ``key`` a tuple, and return
only plain tuples (no spaCy Docs, which are costly to send back), one per coding,
ready to be stored: the key's fields, then ``code_id, start, end, evidence JSON``.
Building those rows and the evidence in the workers leaves the parent process little
more than the database inserts, which run while the workers tag.  At most ``2 * workers`` batches are in
flight, so memory holds a few batches, never the corpus, and the batches are
read in the caller's thread (a SQLite connection stays in its own thread).

On Linux the workers are forked after the tagger is built, so they share its
compiled matchers instead of rebuilding them; elsewhere (where forking a process
that has loaded native libraries is unsafe) each worker is spawned and builds it.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from typing import Any, Iterable, Iterator

from qualcode.codebook import Codebook
from qualcode.tagging.rules.tagger import RuleTagger

#: Below this many words one process is faster than starting a pool.
POOL_MIN_WORDS = 100_000

Item = tuple[Any, str, int]  # (key, text, base_offset)
CodingTuple = tuple  # (*key, code_id, start, end, evidence JSON)

_TAGGER: RuleTagger | None = None  # the worker's tagger


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def choose_workers(workers: int | None, words: int) -> int:
    """``workers`` if given, else every core for jobs of at least :data:`POOL_MIN_WORDS` words."""
    if workers is not None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        return workers
    return available_cores() if words >= POOL_MIN_WORDS else 1


def start_method() -> str:
    """``fork`` on Linux, ``spawn`` elsewhere."""
    return "fork" if sys.platform.startswith("linux") else "spawn"


def _init_worker(codebook: Codebook | None) -> None:
    global _TAGGER
    if codebook is not None:  # spawned: build the tagger here; forked: inherited
        _TAGGER = RuleTagger(codebook)


def flat_rows(tagger: RuleTagger, items: Iterable[Item]) -> list[CodingTuple]:
    """:meth:`RuleTagger.coding_rows` with each row's key (a tuple) spread into its fields."""
    return [(*key, code_id, start, end, evidence)
            for key, code_id, start, end, evidence in tagger.coding_rows(items)]


def _tag_batch(items: list[Item]) -> list[CodingTuple]:
    return flat_rows(_TAGGER, items)


def tag_batches(tagger: RuleTagger, batches: Iterable[list[Item]],
                workers: int = 1) -> Iterator[tuple[list[Item], list[CodingTuple]]]:
    """``(batch, codings)`` for each batch, in order; codings as :func:`flat_rows` rows."""
    if workers <= 1:
        for batch in batches:
            yield batch, flat_rows(tagger, batch)
        return
    global _TAGGER
    fork = start_method() == "fork"
    context = multiprocessing.get_context(start_method())
    _TAGGER = tagger if fork else None  # forked workers inherit it
    try:
        with context.Pool(workers, initializer=_init_worker,
                          initargs=(None if fork else tagger.codebook,)) as pool:
            pending: deque = deque()
            for batch in batches:
                pending.append((batch, pool.apply_async(_tag_batch, (batch,))))
                if len(pending) >= 2 * workers:
                    done, result = pending.popleft()
                    yield done, result.get()
            while pending:
                done, result = pending.popleft()
                yield done, result.get()
    finally:
        _TAGGER = None
