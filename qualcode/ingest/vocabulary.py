"""The words speaker labels are read with: ``labels.yaml`` shipped in this package, plus the
user's own files.

    >>> words = load_label_words()                       # shipped + $QUALCODE_LABELS
    >>> words.is_facilitator("Moderadora 2"), words.is_unidentified("TODOS")
    (True, True)

A user's file has the shipped file's shape (any of its keys, each a list of strings); each
of its lists is added to the shipped list of the same name.  ``QUALCODE_LABELS`` names such
files (separated by ``os.pathsep``); ``load_label_words(paths)`` adds more (``--labels``).
Words are compared with case, accents and repeated spaces ignored.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from pathlib import Path
from typing import Iterable

import yaml

from qualcode.core.errors import InputError

SHIPPED = Path(__file__).with_name("labels.yaml")
ENVIRONMENT_VARIABLE = "QUALCODE_LABELS"
KEYS = ("facilitator", "facilitator_qualifiers", "unidentified", "speaker_words", "not_speakers",
        "not_speakers_first_word", "only_if_recurring", "discourse_words", "stage_directions",
        "question_words", "header_keys")

#: What may follow a role word in a label: a number, one letter, a bracketed name, "- name".
_SUFFIX = r"(?:\s*#?\d{1,3}|\s+[a-z]|\s*\([^)]*\)|\s+-\s+.+)?"


@functools.lru_cache(maxsize=8192)  # labels repeat: a transcript has a few, said many times
def fold(text: str) -> str:
    """Lowercase, accents dropped, single spaces, no final full stop: how labels are compared."""
    text = " ".join(str(text).split()).casefold()
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return text.rstrip(".")


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


class LabelWords:
    """The folded word lists of :data:`KEYS` and the patterns built from them."""

    def __init__(self, lists: dict[str, frozenset[str]], sources: tuple[str, ...] = ()):
        self.lists = {key: frozenset(fold(w) for w in lists.get(key, ())) for key in KEYS}
        question_words = set(lists.get("question_words", ())) | self.lists["question_words"]
        self.sources = sources
        g = self.lists
        facilitators = _alternation(g["facilitator"])
        qualifiers = _alternation(q.rstrip("-") for q in g["facilitator_qualifiers"])
        self._facilitator = re.compile(
            rf"^(?:(?:{qualifiers})\s*-?\s*)?(?:{facilitators})(?:\s*#?\d{{1,3}}|\s+[a-z]|\s*\([^)]*\)"
            rf"|\s*[-\u2013,:]\s*.+)?$")
        self._unidentified = re.compile(rf"^(?:{_alternation(g['unidentified'])})[\s#._-]*\d*$")
        roles = _alternation(g["facilitator"] | g["unidentified"] | g["speaker_words"])
        self._role = re.compile(rf"^(?:[a-z]+[ -])?(?:co-?)?(?:{roles})s?{_SUFFIX}$")
        self._generic = re.compile(rf"^(?:{roles})[\s#._-]*\d*$")
        self._question = re.compile(
            rf"^\s*(?:{_alternation(question_words)})\s*(\d{{1,3}}[a-z]?)(?=\s*(?:[.:)\-\u2013\u2014]|$))"
            rf"\s*[.:)\-\u2013\u2014]?\s*", re.I)

    def has(self, key: str, label: str) -> bool:
        return fold(label) in self.lists[key]

    def first_word_in(self, key: str, label: str) -> bool:
        words = fold(label).strip("[]() ").split()
        if not words:
            return False
        return words[0] in self.lists[key] or " ".join(words[:2]) in self.lists[key] \
            or " ".join(words[:3]) in self.lists[key]

    def is_facilitator(self, label: str) -> bool:
        return bool(self._facilitator.match(fold(label)))

    def is_unidentified(self, label: str) -> bool:
        return bool(self._unidentified.match(fold(label)))

    def is_role_word(self, label: str) -> bool:
        """A label made of a role word (``Participant 4``, ``Entrevistada``, ``TODOS``)."""
        return bool(self._role.match(fold(label)))

    def is_generic(self, label: str) -> bool:
        """A role word with at most a number: it names nobody beyond one transcript."""
        return bool(self._generic.match(fold(label)))

    def question_prefix(self, text: str) -> re.Match | None:
        """The ``Question 3.``/``Q3:``/``Pregunta 3 -`` opening of ``text`` (group 1: the number)."""
        return self._question.match(text)


def _read(path: Path) -> dict[str, list[str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("label words file not found", path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the label words file: {exc}", path) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(f"not valid YAML: {getattr(exc, 'problem', exc)}", path,
                         mark.line + 1 if mark else None) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError("expected lists of words under keys such as 'facilitator:' and "
                         "'unidentified:'", path)
    for key, words in data.items():
        if key not in KEYS:
            raise InputError(f"unknown key {key!r}; the keys are: {', '.join(KEYS)}", path)
        if not isinstance(words, list) or not all(isinstance(w, (str, int)) for w in words or []):
            raise InputError(f"{key!r} must be a list of words", path)
    return {key: [str(w) for w in words or []] for key, words in data.items()}


@functools.lru_cache(maxsize=16)
def _load(paths: tuple[str, ...]) -> LabelWords:
    lists: dict[str, set[str]] = {key: set() for key in KEYS}
    for path in (str(SHIPPED), *paths):
        for key, words in _read(Path(path)).items():
            lists[key].update(words)
    return LabelWords({k: frozenset(v) for k, v in lists.items()}, paths)


def load_label_words(paths: Iterable[str | Path] = ()) -> LabelWords:
    """The shipped words, plus the files named by ``$QUALCODE_LABELS``, plus ``paths``."""
    env = [p for p in os.environ.get(ENVIRONMENT_VARIABLE, "").split(os.pathsep) if p.strip()]
    return _load(tuple(str(Path(p)) for p in (*env, *paths)))
