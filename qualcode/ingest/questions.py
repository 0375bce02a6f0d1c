"""The facilitator's scripted questions: found in a transcript, matched to a discussion guide.

Transcripts often print the guide's questions on a line of their own with no speaker label
(``Question 3. Do you think ...?``, ``Q3: ...``, ``3. Do you think ...?``).  Such a line is
the facilitator's turn, not the previous participant's words.  With a discussion guide
(:func:`read_guide`), a line close to one of its questions is a facilitator turn too, and
every participant turn records which question it answers (the turn attribute ``question``,
``Q3``), so counts and excerpts can be grouped by question.

Matching uses rapidfuzz: a line without a label must be nearly the question
(``fuzz.ratio`` >= :data:`LINE_SCORE`, on lowercase words); a facilitator's labelled turn
may hold the question inside other words (``fuzz.partial_ratio`` >= :data:`TURN_SCORE`,
for questions of at least four words).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from qualcode.core.errors import InputError
from qualcode.ingest.vocabulary import LabelWords

#: The turn attribute naming the guide question a turn answers.
QUESTION_ATTRIBUTE = "question"
#: Least ``fuzz.ratio`` for a line with no label to be a guide question.
LINE_SCORE = 85
#: Least ``fuzz.partial_ratio`` for a facilitator's turn to ask a guide question.
TURN_SCORE = 85

_NUMBERED = re.compile(r"^\s*(?:\(?(\d{1,2}[a-z]?)[.)]|(\d{1,2}[a-z]?)\s*[-\u2013:])\s+(?=\S)")
_PROBE = re.compile(r"^\s*(?:[-\u2022*\u25e6\u2013]\s+|\(?[a-z][.)]\s+|\(?[ivx]{1,4}[.)]\s+|probes?\b\s*:?)",
                    re.I)


@dataclass(frozen=True)
class GuideQuestion:
    number: str          # "3", "2a": as the guide numbers it, or its position
    text: str            # the question (or probe) as written in the guide
    line: int

    @property
    def value(self) -> str:
        """The ``question`` attribute value: ``Q3``."""
        return f"Q{self.number}"


@dataclass(frozen=True, eq=False)
class Guide:
    """A discussion guide: its questions and their probes (which count as their question)."""

    questions: tuple[GuideQuestion, ...]
    items: tuple[GuideQuestion, ...]        # questions and probes, for matching
    words: LabelWords
    source: str = ""

    def match_line(self, text: str) -> GuideQuestion | None:
        """The question a line with no speaker label is (nearly word for word), or None."""
        from rapidfuzz import fuzz
        return self._best(text, fuzz.ratio, LINE_SCORE, min_words=1)

    def match_turn(self, text: str) -> GuideQuestion | None:
        """The question a facilitator's turn asks, perhaps among other words, or None."""
        from rapidfuzz import fuzz
        return self._best(text, fuzz.partial_ratio, TURN_SCORE, min_words=4) or self.match_line(text)

    @functools.cached_property
    def _choices(self) -> tuple[str, ...]:
        return tuple(_processed(item.text) for item in self.items)

    def _best(self, text: str, scorer, cutoff: int, min_words: int) -> GuideQuestion | None:
        from rapidfuzz import process

        query = _processed(strip_number(text, self.words))
        if not query:
            return None
        choices = [c if len(c.split()) >= min_words else "" for c in self._choices]
        found = process.extractOne(query, choices, scorer=scorer, score_cutoff=cutoff, processor=None)
        return self.items[found[2]] if found else None


def _processed(text: str) -> str:
    from rapidfuzz import utils  # imported when a guide is used: ingest without one needs none of it
    return utils.default_process(text)


def strip_number(text: str, words: LabelWords) -> str:
    """The question without its ``3.``/``Q3:``/``Question 3.`` opening."""
    m = words.question_prefix(text)
    if m:
        return text[m.end():]
    return _NUMBERED.sub("", text, count=1)


def scripted_number(text: str, words: LabelWords, *, in_guide: bool = False) -> str | None:
    """``3`` for a scripted-question line: ``Question 3. ...``, ``Q3:``, ``Pregunta 3 -``, or a
    numbered line ending with a question mark (``3. Do you think ...?``; in the guide itself,
    any numbered line); None for any other."""
    m = words.question_prefix(text)
    if m:
        return m.group(1)
    m = _NUMBERED.match(text)
    if m and (in_guide or text.rstrip().endswith("?")):
        return m.group(1) or m.group(2)
    return None


def read_guide(units: list[tuple[int, str]], path: Path | str, words: LabelWords) -> Guide:
    """A guide from its lines: a numbered list (``1.``, ``Q1:``, ``Question 1.``: other lines
    after a question are its probes, lines before the first are titles), or else one question
    per line, numbered by position."""
    lines = [(n, " ".join(t.split())) for n, t in units if t.strip()]
    numbered = [(n, t, scripted_number(t, words, in_guide=True)) for n, t in lines]
    if sum(1 for *_, number in numbered if number) >= 2:
        questions, items = [], []
        current = None
        for line, text, number in numbered:
            if number:
                current = GuideQuestion(number, strip_number(text, words), line)
                questions.append(current)
                items.append(current)
            elif current is not None:
                probe = _PROBE.sub("", text, count=1).strip()
                if probe:
                    items.append(GuideQuestion(current.number, probe, line))
    else:
        questions = [GuideQuestion(str(i), text, line) for i, (line, text) in enumerate(lines, start=1)]
        items = list(questions)
    if not questions:
        raise InputError("the discussion guide holds no questions: write one question per line, "
                         "or a numbered list", path)
    seen: set[str] = set()
    for question in questions:
        if question.number in seen:
            raise InputError(f"question number {question.number} is used twice in the guide",
                             path, question.line)
        seen.add(question.number)
    return Guide(tuple(questions), tuple(items), words, str(path))


