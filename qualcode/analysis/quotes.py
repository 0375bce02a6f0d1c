"""Quotes in context: what a quote table shows of the words a code was given to.

A tagger codes a sentence, a person a span; a researcher pasting a quote into a paper wants
whole sentences, once per turn.  :class:`QuoteContext` says how much to show:

- ``sentence`` (the default): the hits of one code in one turn become one quote of the
  whole sentences they touch, with ``sentences`` more before and after each hit (within
  the turn); sentences left out between two hits are marked ``[…]``;
- ``turn``: the whole turn, once per code;
- ``coded``: each coding's own span, one row per coding (what the coder marked).

``with_question`` adds the facilitator's question the turn answers: the question sentences
of the nearest facilitator turn before it that asks one.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from qualcode.core.errors import ParameterError
from qualcode.core.sentences import sentence_spans

CONTEXTS = ("sentence", "turn", "coded")
#: How many sentences around a hit a quote may add on each side.
MAX_SENTENCES = 10
#: Stands for the sentences left out between two hits of one quote.
GAP = " [\u2026] "
#: The column of the facilitator's question in a quote table or a coding sheet.
QUESTION = "facilitator_question"


@dataclass(frozen=True)
class QuoteContext:
    context: str = "sentence"
    sentences: int = 0
    with_question: bool = False

    def __post_init__(self):
        if self.context not in CONTEXTS:
            raise ParameterError(f"unknown context {self.context!r}; use {', '.join(CONTEXTS)}")
        if not 0 <= self.sentences <= MAX_SENTENCES:
            raise ParameterError(f"sentences around a quote must be 0 to {MAX_SENTENCES}, not {self.sentences}")
        if self.sentences and self.context != "sentence":
            raise ParameterError("sentences around a quote go with the sentence context")

    @property
    def merges(self) -> bool:
        """True when a code's hits in one turn make one quote."""
        return self.context != "coded"

    def describe(self) -> str:
        if self.context == "coded":
            return "each coded span as coded"
        if self.context == "turn":
            return "whole turns"
        around = f", with {self.sentences} sentence{'s' if self.sentences != 1 else ''} around each" \
            if self.sentences else ""
        return f"whole sentences{around}"


def quote(text: str, turn: tuple[int, int], hits: list[tuple[int, int]],
          context: QuoteContext) -> tuple[int, int, str]:
    """``(start, end, quote)`` of ``hits`` (spans of one code in one turn, offsets into the
    document's ``text``), shown as ``context`` says; ``turn``: the turn's span."""
    first, last = min(s for s, _ in hits), max(e for _, e in hits)
    if context.context == "coded":
        return first, last, text[first:last]
    if context.context == "turn":
        start, end = min(first, turn[0]), max(last, turn[1])
        return start, end, text[start:end]
    pieces = _pieces(text, turn, sorted(hits), context.sentences)
    return pieces[0][0], pieces[-1][1], GAP.join(text[a:b] for a, b in pieces)


@lru_cache(maxsize=32768)
def _sentences(turn: str) -> tuple[tuple[int, int], ...]:
    """:func:`sentence_spans` of a turn's text, remembered for the turns quoted last: a turn
    with several codes is quoted once per code, far apart in a table sorted by code (at 10^6
    words, 18,757 participant turns: the quote stream 2.2 -> 1.4 s; the cache holds about
    25 MB at most)."""
    return tuple(sentence_spans(turn))


def _pieces(text: str, turn: tuple[int, int], hits: list[tuple[int, int]], around: int) -> list[tuple[int, int]]:
    """The stretches a sentence quote shows: each hit widened to its sentences (and
    ``around`` more each side), stretches of neighbouring or shared sentences joined."""
    spans = [(turn[0] + a, turn[0] + b) for a, b in _sentences(text[turn[0]:turn[1]])]
    if not spans:
        return [(min(s for s, _ in hits), max(e for _, e in hits))]
    starts = [s for s, _ in spans]
    runs: list[list[int]] = []   # [first sentence, last sentence, start, end]
    for s, e in hits:
        i = max(bisect_right(starts, s) - 1, 0)
        j = max(bisect_right(starts, max(e - 1, s)) - 1, i)
        i, j = max(i - around, 0), min(j + around, len(spans) - 1)
        start, end = min(spans[i][0], s), max(spans[j][1], e)
        if runs and i <= runs[-1][1] + 1:
            runs[-1][1], runs[-1][3] = max(runs[-1][1], j), max(runs[-1][3], end)
        else:
            runs.append([i, j, start, end])
    return [(start, end) for _, _, start, end in runs]


def question_before(facilitator: list[tuple[int, str]], turn: int) -> str:
    """The question the turn numbered ``turn`` answers: the sentences ending in ``?`` of the
    nearest facilitator turn before it that has one (``facilitator``: its document's
    facilitator turns as ``(turn, text)``, in order); ``""`` if none asks one."""
    at = bisect_right([t for t, _ in facilitator], turn - 1)
    for _, said in reversed(facilitator[:at]):
        asked = [said[a:b] for a, b in sentence_spans(said)
                 if said[a:b].rstrip("\"'\u201d\u2019)]").endswith(("?", "\uff1f"))]
        if asked:
            return " ".join(asked)
    return ""
