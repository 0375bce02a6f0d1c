"""Checking and preparing spaCy ``Matcher`` token patterns written in a codebook.

Patterns are data: a list of token dicts, exactly as spaCy's ``Matcher`` takes
them.  Two conveniences keep them in step with phrases: ``LEMMA`` values are
lemmatized like the text (write ``{"LEMMA": "data"}``, not ``"datum"``) and
``LOWER`` values are lowercased.
"""

from __future__ import annotations

import re
from typing import Any

from spacy.errors import MatchPatternError
from spacy.language import Language
from spacy.matcher import Matcher

from qualcode.core.spelling import did_you_mean

#: Token attributes the blank pipeline fills in (plus the operator key).
SUPPORTED_ATTRS = (
    "ORTH", "TEXT", "LOWER", "NORM", "LEMMA", "SHAPE", "PREFIX", "SUFFIX", "LENGTH",
    "IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT",
    "IS_SPACE", "IS_STOP", "IS_BRACKET", "IS_QUOTE", "IS_LEFT_PUNCT", "IS_RIGHT_PUNCT",
    "IS_CURRENCY", "IS_SENT_START", "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL", "SPACY", "OP",
)
#: Attributes only a trained pipeline sets: they would silently never match.
MODEL_ATTRS = ("POS", "TAG", "MORPH", "DEP", "ENT_TYPE", "ENT_IOB", "ENT_ID", "ENT_KB_ID", "HEAD")

_SPACY_LINE = re.compile(r"^- \[pattern -> (\d+) -> (.*?)\] (.*)$")


def check_pattern(tokens: Any, nlp: Language) -> list[str]:
    """Every problem with one token pattern, as short messages ("token 2: ...")."""
    if not isinstance(tokens, list) or not tokens:
        return ["a pattern must be a non-empty list of token mappings"]
    problems: list[str] = []
    for i, token in enumerate(tokens, 1):
        if not isinstance(token, dict):
            problems.append(f"token {i}: must be a mapping of attributes, not {_kind(token)}")
            continue
        for key in token:
            name = str(key).upper()
            if name in MODEL_ATTRS:
                problems.append(f"token {i}: attribute '{key}' needs a trained pipeline; "
                                "the blank English pipeline only sets lexical attributes and LEMMA")
            elif name == "_":
                problems.append(f"token {i}: custom attributes ('_') are not supported")
            elif name not in SUPPORTED_ATTRS:
                hint = did_you_mean(name, SUPPORTED_ATTRS + MODEL_ATTRS)
                problems.append(f"token {i}: unknown attribute '{key}'{hint}")
    if problems:
        return problems
    try:
        Matcher(nlp.vocab, validate=True).add("check", [prepare_pattern(tokens, nlp)])
    except MatchPatternError as exc:
        problems.extend(_spacy_problems(str(exc)))
    except re.error as exc:
        problems.append(f"invalid regular expression: {exc}")
    except (ValueError, TypeError, KeyError) as exc:
        problems.append(str(exc).splitlines()[0])
    return problems


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


def _spacy_problems(message: str) -> list[str]:
    out = []
    for line in message.splitlines():
        m = _SPACY_LINE.match(line.strip())
        if m:
            token = int(m.group(1)) + 1
            where = " -> ".join(p for p in m.group(2).split(" -> ") if p.isupper())
            out.append(f"token {token}: {where + ': ' if where else ''}{m.group(3)}")
    return out or [message.splitlines()[0]]


def _kind(value: Any) -> str:
    return {str: "a string", int: "a number", float: "a number", list: "a list",
            bool: "true/false", type(None): "nothing"}.get(type(value), type(value).__name__)


#: Most word sequences a pattern may expand to before it is left to the (slower) Matcher.
MAX_EXPANSION = 2000


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
