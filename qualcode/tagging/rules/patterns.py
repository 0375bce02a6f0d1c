"""Preparing spaCy ``Matcher`` token patterns written in a codebook (checked in ``pattern_check``).

Patterns are data: a list of token dicts, exactly as spaCy's ``Matcher`` takes
them.  Two conveniences keep them in step with phrases: ``LEMMA`` values are
lemmatized like the text (write ``{"LEMMA": "data"}``, not ``"datum"``) and
``LOWER`` values are lowercased.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language


def prepare_pattern(tokens: list[dict], nlp: Language) -> list[dict]:
    """A copy with ``LEMMA`` values lemmatized and ``LOWER`` values lowercased."""
    from qualcode.tagging.rules.nlp import lemmatize

    def lemma(value: str) -> str:
        return " ".join(lemmatize(value, nlp)) or value.lower()

    out = []
    for token in tokens:
        new = {}
        for key, value in token.items():
            name = str(key).upper()
            if name == "LEMMA":
                value = _map_values(value, lemma)
            elif name == "LOWER":
                value = _map_values(value, str.lower)
            new[key] = value
        out.append(new)
    return out


def _map_values(value: Any, fn) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, dict):
        return {k: ([fn(v) if isinstance(v, str) else v for v in vals]
                    if k in ("IN", "NOT_IN") and isinstance(vals, list) else
                    (fn(vals) if isinstance(vals, str) and k in ("==", "!=") else vals))
                for k, vals in value.items()}
    return value


#: Most word sequences a pattern may expand to before it is left to the (slower) Matcher.
#: Each sequence is a Doc added to the PhraseMatcher, built when the tagger is: above a
#: few hundred, building costs more than the Matcher saves on a study's 10^5 words.
MAX_EXPANSION = 300


def expand_to_phrases(tokens: list[dict], nlp: Language) -> list[list[str]] | None:
    """The lemma sequences a simple pattern matches, so the near-free PhraseMatcher can run it.

    ``tokens`` must be prepared (:func:`prepare_pattern`).  A pattern is simple when every
    token tests only ``LEMMA``, or ``LOWER``/``ORTH``/``TEXT`` values that are their own
    lemma, by one value or an ``IN`` list, with no operator or ``OP: "?"``.  Anything else
    (and any pattern expanding to more than :data:`MAX_EXPANSION` sequences) returns None.
    """
    from qualcode.tagging.rules.nlp import lemmatize

    sequences: list[list[str]] = [[]]
    for token in tokens:
        op = token.get("OP")
        attrs = {k: v for k, v in token.items() if k != "OP"}
        if op not in (None, "?") or len(attrs) != 1:
            return None
        (attr, value), = attrs.items()
        values = value.get("IN") if isinstance(value, dict) and set(value) == {"IN"} else value
        values = [values] if isinstance(values, str) else values
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            return None
        attr = str(attr).upper()
        if attr in ("LOWER", "ORTH", "TEXT"):
            if attr != "LOWER" and any(v != v.lower() for v in values):
                return None
            if any(lemmatize(v, nlp) != [v] for v in values):
                return None
        elif attr != "LEMMA" or any(len(v.split()) != 1 for v in values):
            return None
        options = [[v] for v in values] + ([[]] if op == "?" else [])
        sequences = [seq + opt for seq in sequences for opt in options]
        if len(sequences) > MAX_EXPANSION:
            return None
    return [seq for seq in sequences if seq]


#: Operators under which a pattern token must match exactly one doc token or more.
_REQUIRED_OPS = (None, "1", "+")


def pattern_anchors(tokens: list[dict], strings) -> list[tuple[str, frozenset[int]]]:
    """What a doc must contain for a prepared pattern to match: ``(attr, ids)`` pairs.

    For every token the pattern requires (no operator, ``"1"`` or ``"+"``) that tests
    ``LEMMA`` or ``LOWER`` by one value or an ``IN`` list, some doc token must carry one of
    those values.  A doc that lacks any of them cannot match, so the (costly) token
    ``Matcher`` is skipped for it.  An empty list means: no such test, always run it.
    """
    anchors = []
    for token in tokens:
        op = next((v for k, v in token.items() if str(k).upper() == "OP"), None)
        if op not in _REQUIRED_OPS:
            continue
        for key, value in token.items():
            attr = str(key).upper()
            if attr not in ("LEMMA", "LOWER"):
                continue
            if isinstance(value, dict):
                if set(value) != {"IN"} or not isinstance(value["IN"], list):
                    continue
                value = value["IN"]
            values = [value] if isinstance(value, str) else value
            if isinstance(values, list) and values and all(isinstance(v, str) for v in values):
                anchors.append((attr, frozenset(strings.add(v) for v in values)))
    return anchors


def max_pattern_length(tokens: list[dict]) -> int | None:
    """Most doc tokens a pattern can span, or None when an operator makes it unbounded."""
    length = 0
    for token in tokens:
        op = next((v for k, v in token.items() if str(k).upper() == "OP"), None)
        if op in (None, "1", "?", "!"):  # at most one token each (an upper bound is enough)
            length += 1
        else:  # "*", "+", "{n,m}" quantifiers: leave such patterns to the whole doc
            return None
    return length
