"""Where the sentences of a turn begin and end, for quotes in context.

A sentence ends after ``.``, ``!``, ``?`` or ``…`` (and any closing quote or bracket) that
a space or the end of the text follows, and at every line break (a turn keeps its
paragraphs as ``\\n``), as the rule tagger's sentencizer splits them; a full stop after a
title or common abbreviation (``Dr.``, ``e.g.``, ``etc.``) or after an initial (``J. Pike``)
ends none, as spaCy's tokenizer keeps those words whole.

    >>> text = "Dr. Lee agreed. We wrote it down!\\nThen nothing."
    >>> [text[s:e] for s, e in sentence_spans(text)]
    ['Dr. Lee agreed.', 'We wrote it down!', 'Then nothing.']
"""

from __future__ import annotations

import re

from qualcode.core.spans import trim_span

#: Words whose full stop ends no sentence (lower case, without that final full stop).
ABBREVIATIONS = frozenset(
    "dr mr mrs ms mx prof st sr sra jr rev fr gov sen rep capt col gen hon mt vs etc e.g i.e cf approx "
    "dept univ inc ltd corp co assn ph.d m.d b.a m.a b.sc m.sc jan feb mar apr jun jul aug sep sept "
    "oct nov dec".split())
_END = re.compile(r"[.!?\u2026\u3002\uff01\uff1f]+[\"'\u201d\u2019)\]]*(?=\s|$)|\n")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text``, without the spaces around it, in order."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(text):
        if match.group() == "\n":
            end = match.start()
        elif match.group()[0] == "." and _abbreviation_before(text, match.start()):
            continue
        else:
            end = match.end()
        _add(spans, text, start, end)
        start = match.end()
    _add(spans, text, start, len(text))
    return spans


def _abbreviation_before(text: str, dot: int) -> bool:
    """True when the word before the full stop at ``dot`` is an abbreviation or an initial."""
    begin = dot
    while begin > 0 and not text[begin - 1].isspace():
        begin -= 1
    word = text[begin:dot].lstrip("\"'(\u201c\u2018[")
    return word.casefold() in ABBREVIATIONS or (len(word) == 1 and word.isupper())


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    start, end = trim_span(text, start, end)
    if start < end:
        spans.append((start, end))
