"""The LLM tagger: each turn asked once (or found in the cache), its answer checked.

    >>> tagger = LLMTagger(codebook, client, cache, concurrency=4)
    >>> for result in tagger.tag(turns):            # TurnToCode from qualcode.tagging.llm.prompt
    ...     result.codings                          # (code, start, end, evidence) in the document
    >>> tagger.stats                                # sent, from cache, kept, rejected, failed, tokens

Per turn: the cache is asked first (unless ``refresh``); otherwise the request goes to the
server, up to ``concurrency`` at a time on a thread pool.  An answer that is not the JSON of
the contract is asked again, saying what was wrong, at most :data:`REASKS` times; then the
turn is recorded as failed (stored, so a second run does not ask again).  A turn that got
no answer at all (timeouts, server errors after every retry) is failed for this run only.
Answers are written to the cache from the calling thread, as they arrive, in order.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from qualcode.codebook import Codebook
from qualcode.tagging.llm.cache import ANSWERED, FAILED, AnswerCache, Exchange
from qualcode.tagging.llm.client import ChatClient, TurnFailed
from qualcode.tagging.llm.prompt import TurnToCode, messages, prompt_hash, system_prompt
from qualcode.tagging.llm.validate import MalformedAnswer, answer_schema, check_answer, parse_answer

#: How many times a malformed answer is asked again before the turn counts as failed.
REASKS = 2
CODER = "llm"


@dataclass
class LLMStats:
    turns: int = 0            # participant turns considered
    sent: int = 0             # turns asked of the server in this run
    cached: int = 0           # turns answered from the cache
    kept: int = 0             # codings kept
    quotes_rejected: int = 0  # quotes not found in their turn (or only in its context)
    unknown_codes: int = 0    # code ids not in the codebook
    failed: int = 0           # turns with no valid answer
    reasked: int = 0          # malformed answers asked again
    retried: int = 0          # requests sent again after a timeout or HTTP 429/5xx
    seconds: float = 0.0      # wall time of the run
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def tokens_per_second(self) -> float | None:
        """Completion tokens the server reported per second of wall time (None without usage)."""
        if not self.completion_tokens or self.seconds <= 0:
            return None
        return self.completion_tokens / self.seconds


@dataclass
class TurnResult:
    turn: TurnToCode
    failed: bool
    from_cache: bool
    codings: list[tuple[str, int, int, dict]] = field(default_factory=list)  # code, start, end, evidence
    rejected: list[tuple[str, str, str]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    error: str | None = None


class LLMTagger:
    def __init__(self, codebook: Codebook, client: ChatClient | None, cache: AnswerCache | None = None, *,
                 concurrency: int = 4, refresh: bool = False):
        self.codebook = codebook
        self.client = client
        self.cache = cache
        self.concurrency = max(1, int(concurrency))
        self.refresh = refresh
        self.system = system_prompt(codebook)
        self.prompt_hash = prompt_hash(self.system)
        self.schema = answer_schema(codebook.ids)
        self.model = client.model if client is not None else cache.model
        self.stats = LLMStats()

    def pending(self, turns: Iterable[TurnToCode]) -> list[TurnToCode]:
        """The turns that would be sent (not in the cache, or all of them with ``refresh``)."""
        return [t for t in turns if self.refresh or self.cache is None or self.cache.get(t.message_hash) is None]

    def tag(self, turns: Iterable[TurnToCode]) -> Iterator[TurnResult]:
        """A :class:`TurnResult` per turn, in the order given."""
        started = time.monotonic()
        turns = list(turns)
        known = {} if self.refresh or self.cache is None else \
            {t.message_hash: self.cache.get(t.message_hash) for t in turns}
        to_send = [t for t in turns if known.get(t.message_hash) is None]
        pool = ThreadPoolExecutor(max_workers=self.concurrency)
        try:
            answers = pool.map(self._ask, to_send)
            for turn in turns:
                exchange = known.get(turn.message_hash)
                from_cache = exchange is not None
                if not from_cache:
                    exchange = next(answers)
                    if isinstance(exchange, Exchange) and self.cache is not None:
                        self.cache.put(turn.message_hash, exchange)
                yield self._result(turn, exchange, from_cache)
        finally:  # interrupted: requests not yet started are dropped, answers kept are cached
            pool.shutdown(wait=True, cancel_futures=True)
        if self.client is not None:
            self.stats.retried = self.client.retried
        self.stats.seconds += time.monotonic() - started

    def _ask(self, turn: TurnToCode) -> Exchange | str:
        """The exchange for one turn (re-asked while malformed), or why there is no answer."""
        conversation = messages(self.system, turn)
        request = {"model": self.model, "messages": conversation}
        prompt_tokens = completion_tokens = 0
        seconds = 0.0
        for attempt in range(REASKS + 1):
            try:
                completion = self.client.chat(conversation, self.schema)
            except TurnFailed as exc:
                return str(exc)
            prompt_tokens += completion.prompt_tokens or 0
            completion_tokens += completion.completion_tokens or 0
            seconds += completion.seconds
            try:
                parse_answer(completion.content)
                status = ANSWERED
            except MalformedAnswer as exc:
                status = FAILED
                if attempt < REASKS:
                    conversation = conversation + [
                        {"role": "assistant", "content": completion.content},
                        {"role": "user", "content": f"That answer cannot be used: {exc}. Answer again "
                                                    "with only the JSON object described above."}]
                    continue
            return Exchange(request, completion.content, status, attempt + 1,
                            prompt_tokens or None, completion_tokens or None, round(seconds, 3))

    def _result(self, turn: TurnToCode, exchange: Exchange | str, from_cache: bool) -> TurnResult:
        stats = self.stats
        stats.turns += 1
        if from_cache:
            stats.cached += 1
        if isinstance(exchange, str):  # no answer at all
            stats.sent += 1
            stats.failed += 1
            return TurnResult(turn, True, False, error=exchange)
        if not from_cache:
            stats.sent += 1
            stats.reasked += exchange.attempts - 1
            stats.prompt_tokens += exchange.prompt_tokens or 0
            stats.completion_tokens += exchange.completion_tokens or 0
        if exchange.status == FAILED:
            stats.failed += 1
            return TurnResult(turn, True, from_cache, error="malformed answer")
        checked = check_answer(parse_answer(exchange.answer), turn.text, turn.context, self.codebook.ids)
        stats.kept += len(checked.kept)
        stats.quotes_rejected += len(checked.rejected)
        stats.unknown_codes += len(checked.unknown)
        codings = []
        for quote in checked.kept:
            start, end = turn.stored_span(quote.start, quote.end)
            codings.append((quote.code, start, end, {"sources": [CODER], "model": self.model,
                                                     "quote": quote.quote, "rationale": quote.rationale,
                                                     "prompt_hash": self.prompt_hash}))
        return TurnResult(turn, False, from_cache, codings, checked.rejected, checked.unknown)

