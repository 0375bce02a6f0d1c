"""Phrase and token-pattern matching on a doc's integer id columns, in plain Python.

The rule tagger's fast path has each turn's ``LOWER`` and ``LEMMA`` ids as Python
lists (the lemmas looked up on the lowercase forms, see :mod:`qualcode.tagging.rules.nlp`).  Matching those lists directly is cheaper than setting the lemmas on the
``Doc`` and calling spaCy's ``PhraseMatcher`` and ``Matcher``, whose fixed cost per
call dominates on turns of fifty-odd tokens.  Both classes here give *exactly*
what the spaCy matchers give, in the same order, so codings do not change:

- :class:`PhraseTrie` reproduces ``PhraseMatcher(attr="LEMMA")``: every start
  position walks a trie of lemma ids; matches come by start, then end, and keys
  sharing one phrase in the spaCy matcher's own order (read from it once).
- :class:`PatternSet` reproduces ``Matcher`` patterns with ``greedy="LONGEST"`` for
  the pattern language codebooks use: per token ``LOWER``/``LEMMA`` by one value or
  an ``IN`` list, ``IS_PUNCT`` true or false, ``{}`` (any token), and the operators
  none, ``"?"``, ``"*"`` and ``"+"``.  Each doc becomes a string of one character
  per token and each pattern a regular expression over it.
  :func:`compile_pattern` returns None for anything else; the caller then keeps
  spaCy's ``Matcher`` for that pattern.

A test compares both with spaCy's matchers on random token sequences.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Iterable

from spacy.attrs import LEMMA
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from qualcode.tagging.rules.nlp import cached_lookup

_END = -1  # trie key of "a phrase ends here" (ids are unsigned hashes, never negative)


class PhraseTrie:
    """All occurrences of lemma-id sequences in a list of lemma ids."""

    def __init__(self) -> None:
        self._root: dict[int, Any] = {}
        self._entries: list[tuple[int, tuple[int, ...]]] = []

    def add(self, key: int, lemmas: Iterable[int]) -> None:
        lemmas = tuple(lemmas)
        if not lemmas:
            return
        node = self._root
        for lemma in lemmas:
            node = node.setdefault(lemma, {})
        keys = node.setdefault(_END, [])
        if key not in keys:
            keys.append(key)
        self._entries.append((key, lemmas))

    def order_like_spacy(self, vocab) -> None:
        """Order the keys of phrases added under several keys as spaCy's PhraseMatcher does.

        spaCy's matcher lists such keys in the order of the hash map at the phrase's end,
        which depends only on those keys and the order they were added in.  So a
        PhraseMatcher holding just the shared phrases, added in the same order, gives it;
        it is read by matching each shared phrase once."""
        shared: dict[tuple[int, ...], list[int]] = {}
        for key, lemmas in self._entries:
            shared.setdefault(lemmas, []).append(key)
        shared = {lemmas: keys for lemmas, keys in shared.items() if len(set(keys)) > 1}
        if not shared:
            return
        strings = vocab.strings
        matcher = PhraseMatcher(vocab, attr="LEMMA")
        for key, lemmas in self._entries:
            if lemmas in shared:
                matcher.add(strings[key], [_lemma_doc(vocab, lemmas)])
        for lemmas in shared:
            order = [k for k, s, e in matcher(_lemma_doc(vocab, lemmas)) if (s, e) == (0, len(lemmas))]
            node = self._root
            for lemma in lemmas:
                node = node[lemma]
            node[_END][:] = sorted(node[_END], key=order.index)

    def __call__(self, lemmas: list[int]) -> list[tuple[int, int, int]]:
        """``(key, start, end)`` of every occurrence, by start, then end."""
        out, n = [], len(lemmas)
        for start, node in enumerate(map(self._root.get, lemmas)):
            i = start + 1
            while node is not None:
                keys = node.get(_END)
                if keys:
                    out += [(key, start, i) for key in keys]
                if i == n:
                    break
                node = node.get(lemmas[i])
                i += 1
        return out


def _lemma_doc(vocab, lemmas: tuple[int, ...]) -> Doc:
    """A doc whose tokens carry these lemma ids."""
    import numpy

    doc = Doc(vocab, words=["w"] * len(lemmas))
    doc.from_array([LEMMA], numpy.asarray([[v] for v in lemmas], dtype=numpy.uint64))
    return doc


#: Operators the compiled patterns understand, as regular-expression quantifiers.
_OPS = {None: "", "?": "?", "*": "*", "+": "+"}
_OTHER = -1  # stands for any LOWER or LEMMA value no pattern tests
_LOWER, _LEMMA, _PUNCT = 0, 1, 2  # the columns a check tests
#: How many docs' kinds are counted before the patterns' anchors are chosen again.
LEARN_ANCHORS_FROM = 300


class IdPattern:
    """One ``Matcher`` pattern (``greedy="LONGEST"``) compiled to a regular expression.

    ``tests[j]`` is a tuple of ``(column, values, want)`` checks for pattern token
    ``j``: ``column`` is ``_LOWER``, ``_LEMMA`` (``values`` a set of ids, ``want``
    True) or ``_PUNCT`` (``want`` the required truth); a token passes when every check
    holds (no checks: any token).  :meth:`PatternSet.add` compiles it."""

    def __init__(self, key: int, tests: list[tuple], ops: list[str | None]):
        self.key = key
        self.tests = tests
        self.ops = ops
        # set by PatternSet.compile: per required word test, its kinds' characters and words
        self.required: list[tuple[frozenset[str], tuple[int, ...]]] = []
        self.min_length = sum(op in (None, "+") for op in ops)
        self.max_length = None if any(op in ("*", "+") for op in ops) else len(ops)
        self.regex: re.Pattern | None = None
        self.starts: re.Pattern | None = None

    def __call__(self, codes: str) -> list[tuple[int, int, int]]:
        """The matches spaCy's ``Matcher`` (LONGEST filter) returns, in its order, for a doc
        coded one character a token (:class:`PatternSet`)."""
        starts = [m.start() for m in self.starts.finditer(codes)]  # where some match begins
        if not starts:
            return []
        n, fullmatch = len(codes), self.regex.fullmatch
        shortest, longest = max(self.min_length, 1), self.max_length
        pairs = [(s, e) for s in starts
                 for e in range(s + shortest, (n if longest is None else min(s + longest, n)) + 1)
                 if fullmatch(codes, s, e)]
        pairs.sort(key=lambda p: (p[0] - p[1], p[0]))  # longest first, then by start
        taken = bytearray(n)
        out = []
        for s, e in pairs:
            if not any(taken[s:e]):
                out.append((self.key, s, e))
                taken[s:e] = b"\x01" * (e - s)
        return out


class PatternSet:
    """Compiled patterns over docs coded one character a token.

    A token's *kind* is what the patterns can tell about it: its ``LOWER`` if some
    pattern tests that value (else "other"), its ``LEMMA`` likewise, and ``IS_PUNCT``.
    All three follow from the ``LOWER`` alone (the lemma is looked up on it, and a
    string is punctuation exactly when its lowercase is: checked over every code point
    in the tests), so each vocabulary entry's character is worked out once and cached.
    Every kind that can occur has a character, fixed when the patterns are compiled, so
    each pattern token is a character class and each pattern a regular expression:
    matching a doc is matching its string, in C.

    Each pattern has an *anchor*: one of its required word tests (a match holds a token
    that passes it), chosen to be rarely passed.  One regular expression finds the kinds
    that anchor some pattern in a doc's string, and only the patterns anchored there
    run.  At first the anchor is the test with the fewest common words, then the fewest
    kinds; after ``learn_from`` docs, the test whose kinds were seen least
    often in them (in a corpus about mentoring, "mentor" is no rare word).  Which test
    anchors a pattern changes only how often it runs, never what it matches.

    ``lemma_of(lower id) -> lemma id`` and ``punct_of(lower id) -> bool`` give the rest
    of a token's kind; ``common(id) -> bool`` says whether a tested word is a common
    one (a stop word), which only steers the choice of anchors."""

    def __init__(self, lemma_of, punct_of, common=lambda value: False,
                 learn_from: int = LEARN_ANCHORS_FROM) -> None:
        self.patterns: list[IdPattern] = []
        self._lemma_of, self._punct_of, self._common = lemma_of, punct_of, common
        self._char: dict[int, str] = {}  # lower id -> its kind's character
        self._kinds: dict[tuple[int, int, bool], str] = {}
        self._anchored: dict[str, tuple[int, ...]] = {}  # character -> patterns anchored on it
        self._unanchored: tuple[int, ...] = ()  # patterns with no required word: run on every doc
        self._anchors: re.Pattern | None = None  # finds the characters in _anchored
        # kinds counted over the first docs, to anchor each pattern on its rarest test
        self._seen: Counter[str] = Counter()
        self._learning = learn_from
        self._compiled = False

    def add(self, pattern: IdPattern) -> None:
        if self._compiled:
            raise ValueError("patterns are added before the set is first used")
        self.patterns.append(pattern)

    def __len__(self) -> int:
        return len(self.patterns)

    def compile(self) -> None:
        """Work out the kinds' characters and compile every pattern (done on first use if
        not called; a tagger calls it when it is built, so its workers inherit the result)."""
        lowers = {v for p in self.patterns for checks in p.tests
                  for column, values, _ in checks if column == _LOWER for v in values}
        lemmas = {v for p in self.patterns for checks in p.tests
                  for column, values, _ in checks if column == _LEMMA for v in values}
        self._lowers, self._lemmas = frozenset(lowers), frozenset(lemmas)
        kinds = {self._kind(lower) for lower in lowers}
        kinds.update((_OTHER, lemma, punct) for lemma in (*lemmas, _OTHER) for punct in (False, True))
        if len(kinds) > 0xFFFE:
            raise ValueError("token patterns test too many different words")
        # private-use characters, in a fixed order: the BMP's if they suffice (the regex
        # engine keeps classes of those as bitmaps), else plane 15's
        first = 0xE000 if len(kinds) <= 0xF8FF - 0xE000 else 0xF0000
        # ordered so that the classes patterns use are runs of characters: punctuation
        # last, then by LOWER and LEMMA value ("not punctuation" is one range)
        order = sorted(kinds, key=lambda kind: (kind[_PUNCT], kind[_LOWER], kind[_LEMMA]))
        self._kinds = {kind: chr(first + i) for i, kind in enumerate(order)}
        # the characters of the kinds with each LOWER, LEMMA and IS_PUNCT value
        index: tuple[dict, dict, dict] = ({}, {}, {})
        for kind, c in self._kinds.items():
            for column in (_LOWER, _LEMMA, _PUNCT):
                index[column].setdefault(kind[column], set()).add(c)
        every = set(self._kinds.values())
        for pattern in self.patterns:
            classes, required = [], []
            for checks, op in zip(pattern.tests, pattern.ops):
                chars = set(every)
                for column, values, want in checks:
                    chars &= (index[_PUNCT].get(want, set()) if column == _PUNCT else
                              set().union(*(index[column].get(v, ()) for v in values)))
                if not checks:
                    piece = "."
                elif not chars:
                    piece = "(?!)"  # no token can pass
                elif len(chars) <= len(every) // 2:
                    piece = "[" + _ranges(chars) + "]"
                else:  # the other kinds are fewer (e.g. IS_PUNCT false): every token has a kind
                    piece = "[^" + _ranges(every - chars) + "]"
                classes.append(piece + _OPS[op])
                words = [v for column, values, _ in checks if column != _PUNCT for v in values]
                if op in (None, "+") and words:  # a required word test: a candidate anchor
                    required.append((frozenset(chars), tuple(words)))
            pattern.regex = re.compile("".join(classes), re.DOTALL)
            # finds every position where a match begins; a leading character class outside
            # the look-ahead lets the regex engine skip to candidate positions in C
            head, rest = classes[0], "".join(classes[1:])
            if pattern.ops[0] is None and pattern.tests[0]:
                starts = f"{head}(?={rest})"
            elif pattern.ops[0] == "+" and pattern.tests[0]:
                starts = f"{head[:-1]}(?={head[:-1]}*{rest})"
            else:
                starts = f"(?={head}{rest})"
            pattern.starts = re.compile(starts, re.DOTALL)
            pattern.required = required
        self._anchor_on(lambda test: (sum(map(self._common, test[1])), len(test[0])))
        self._compiled = True

    def _anchor_on(self, rank) -> None:
        """Anchor each pattern on its required test ``(chars, words)`` of least ``rank``."""
        anchored: dict[str, list[int]] = {}
        unanchored: list[int] = []
        for number, pattern in enumerate(self.patterns):
            if not pattern.required:
                unanchored.append(number)
                continue
            chars, _ = min(pattern.required, key=rank)
            for c in chars:
                anchored.setdefault(c, []).append(number)
        self._anchored = {c: tuple(numbers) for c, numbers in anchored.items()}
        self._unanchored = tuple(unanchored)
        self._anchors = re.compile("[" + _ranges(anchored) + "]") if anchored else re.compile("(?!)")

    def _kind(self, lower: int) -> tuple[int, int, bool]:
        lemma = self._lemma_of(lower)
        return (lower if lower in self._lowers else _OTHER, lemma if lemma in self._lemmas else _OTHER,
                bool(self._punct_of(lower)))

    def _learn(self, lower: int) -> str:
        """A vocabulary entry's character (cached by :meth:`codes`)."""
        return self._kinds[self._kind(lower)]

    def codes(self, lowers: list[int]) -> str:
        """The doc's tokens, one character each."""
        if not self._compiled:
            self.compile()
        return "".join(cached_lookup(self._char, lowers, self._learn))

    def __call__(self, lowers: list[int]) -> list[list[tuple[int, int, int]]]:
        """Each matching pattern's matches, in pattern order."""
        codes = self.codes(lowers)
        if self._learning:
            self._seen.update(codes)
            self._learning -= 1
            if not self._learning:  # anchor on the tests least often passed in these docs
                seen = self._seen
                self._anchor_on(lambda test: (sum(map(seen.__getitem__, test[0])), len(test[0])))
        found = self._anchors.findall(codes)
        if not found:
            if not self._unanchored:
                return []
            numbers = self._unanchored
        else:
            anchored = self._anchored
            numbers = set().union(self._unanchored, *[anchored[c] for c in set(found)])
            if len(numbers) > 1:
                numbers = sorted(numbers)
        out = []
        patterns = self.patterns
        for number in numbers:
            matches = patterns[number](codes)
            if matches:
                out.append(matches)
        return out


def _ranges(chars) -> str:
    """The inside of a regular-expression class holding exactly ``chars`` (private-use
    characters, never special in a class), consecutive ones written as ranges."""
    codes = sorted(map(ord, chars))
    out, i = [], 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        out.append(chr(codes[i]) if j == i else chr(codes[i]) + ("-" if j > i + 1 else "") + chr(codes[j]))
        i = j + 1
    return "".join(out)


def compile_pattern(key: int, tokens: list[dict], strings) -> IdPattern | None:
    """An :class:`IdPattern` for a prepared pattern, or None if it uses anything else."""
    tests, ops = [], []
    for token in tokens:
        op = None
        checks = []
        for name, value in token.items():
            attr = str(name).upper()
            if attr == "OP":
                op = value
                continue
            if attr in ("LOWER", "LEMMA"):
                if isinstance(value, dict):
                    if set(value) != {"IN"} or not isinstance(value["IN"], list):
                        return None
                    value = value["IN"]
                values = [value] if isinstance(value, str) else value
                if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
                    return None
                checks.append((_LOWER if attr == "LOWER" else _LEMMA, frozenset(strings.add(v) for v in values), True))
            elif attr == "IS_PUNCT" and isinstance(value, bool):
                checks.append((_PUNCT, frozenset(), value))
            else:
                return None
        if op not in _OPS:
            return None
        tests.append(tuple(checks))
        ops.append(op)
    if not tests:
        return None
    return IdPattern(key, tests, ops)
