"""Phrase and token-pattern matching on a doc's integer id columns, in plain Python.

The rule tagger's fast path has each turn's ``LOWER`` and ``LEMMA`` ids as Python
lists.  Matching those lists directly is cheaper than setting the lemmas on the
``Doc`` and calling spaCy's ``PhraseMatcher`` and ``Matcher``, whose fixed cost per
call dominates on turns of fifty-odd tokens.  Both classes here give *exactly*
what the spaCy matchers give, in the same order, so codings do not change:

- :class:`PhraseTrie` reproduces ``PhraseMatcher(attr="LEMMA")``: every start
  position walks a trie of lemma ids; matches come by start, then end, and keys
  sharing one phrase in the spaCy matcher's own order (read from it once).
- :class:`IdPattern` reproduces a ``Matcher`` pattern with ``greedy="LONGEST"`` for
  the pattern language codebooks use: per token ``LOWER``/``LEMMA`` by one value or
  an ``IN`` list, ``IS_PUNCT`` true or false, ``{}`` (any token), and the operators
  none, ``"?"``, ``"*"`` and ``"+"``.
  :func:`compile_pattern` returns None for anything else; the caller then keeps
  spaCy's ``Matcher`` for that pattern.

A test compares both with spaCy's matchers on random token sequences.
"""

from __future__ import annotations

import re
from itertools import repeat
from typing import Any, Iterable

from spacy.attrs import LEMMA
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

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
        root, out, n = self._root, [], len(lemmas)
        for start in range(n):
            node = root.get(lemmas[start])
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
#: The code of a doc token value no pattern mentions.
_OTHER = "\x00"


class IdPattern:
    """One compiled ``Matcher`` pattern (``greedy="LONGEST"``) over id columns.

    ``tests[j]`` is a tuple of ``(column, values, want)`` checks for pattern token
    ``j``: ``column`` 0 is ``LOWER``, 1 ``LEMMA``, 2 ``IS_PUNCT`` (values then is
    ``{1}`` and ``want`` the required truth); a token passes when every check is
    ``(doc value in values) == want`` (no checks: any token).

    It matches by regular expression: a doc is coded three characters a token (its
    ``LOWER`` and ``LEMMA`` as one character each from the :class:`PatternSet`'s
    alphabet, then ``1``/``0`` for ``IS_PUNCT``), and a token sequence matches when the
    expression matches its characters in full, which is exactly what the Matcher's
    pattern means.  All ``(start, end)`` pairs are tried around the anchor's positions."""

    def __init__(self, key: int, tests: list[tuple], ops: list[str | None],
                 stop_ids: frozenset[int] = frozenset()):
        self.key = key
        self.tests = tests
        self.ops = ops
        self.uses_punct = any(column == 2 for checks in tests for column, _, _ in checks)
        self.min_length = sum(op in (None, "+") for op in ops)
        self.max_length = None if any(op in ("*", "+") for op in ops) else len(ops)
        self.regex: re.Pattern | None = None  # set by compile()
        self.anchor_regex: re.Pattern | None = None  # finds the anchor's values
        # the anchor: the required token whose values are fewest (stop words last)
        required = [j for j, op in enumerate(ops) if op is None and
                    any(column < 2 for column, _, _ in tests[j])]
        self.anchor = (min(required, key=lambda j: _anchor_cost(tests[j], stop_ids))
                       if required else None)
        if self.anchor is not None:
            before = ops[:self.anchor]
            self.min_before = sum(op in (None, "+") for op in before)
            # None: an unbounded operator comes before the anchor
            self.max_before = None if any(op in ("*", "+") for op in before) else len(before)
            column, values, _ = next(c for c in tests[self.anchor] if c[0] < 2)
            self.anchor_column, self.anchor_values = column, values
        # (column, values) of every required token: a doc must hold one of each
        self.required = [(column, values) for j, op in enumerate(ops) if op in (None, "+")
                         for column, values, want in tests[j] if column < 2 and want]

    def compile(self, alphabet: tuple[dict[int, str], dict[int, str]]) -> None:
        """Build the regular expression over codes from ``alphabet`` (LOWER, LEMMA id -> char)."""
        parts = []
        for checks, op in zip(self.tests, self.ops):
            slots = [".", ".", "."]
            for column, values, want in checks:
                if column == 2:
                    slots[2] = "1" if want else "0"
                else:
                    slots[column] = "[" + "".join(sorted(alphabet[column][v] for v in values)) + "]"
            parts.append(f"(?:{''.join(slots)}){_OPS[op]}")
        self.regex = re.compile("".join(parts), re.DOTALL)
        if self.anchor is not None:
            self.anchor_regex = re.compile(
                "[" + "".join(sorted(alphabet[self.anchor_column][v] for v in self.anchor_values)) + "]")

    def __call__(self, codes: str, n: int) -> list[tuple[int, int, int]]:
        """The matches spaCy's ``Matcher`` (LONGEST filter) returns, in its order.

        ``codes``: the doc coded as :class:`PatternSet` does (``n`` tokens)."""
        starts: set[int] = set()
        for match in self.anchor_regex.finditer(codes):  # the alphabets of LOWER and LEMMA
            q = match.start() // 3                       # differ: slots cannot be confused
            lo = 0 if self.max_before is None else max(q - self.max_before, 0)
            starts.update(range(lo, q - self.min_before + 1))
        match, fullmatch = self.regex.match, self.regex.fullmatch
        shortest, longest = max(self.min_length, 1), self.max_length
        pairs = [(s, e) for s in starts if match(codes, 3 * s)  # some match starts at s: which ends?
                 for e in range(s + shortest, (n if longest is None else min(s + longest, n)) + 1)
                 if fullmatch(codes, 3 * s, 3 * e)]
        if not pairs:
            return []
        pairs.sort(key=lambda p: (p[0] - p[1], p[0]))  # longest first, then by start
        taken = bytearray(n)
        out = []
        for s, e in pairs:
            if not any(taken[s:e]):
                out.append((self.key, s, e))
                taken[s:e] = b"\x01" * (e - s)
        return out


class PatternSet:
    """Compiled patterns, each run only on docs that hold every word it requires.

    Every required token of every pattern has a bit; per column (LOWER, LEMMA), each
    value a required token accepts maps to the bits it satisfies.  A doc's bits are
    gathered from its distinct values, and a pattern runs only if the doc has all of its
    bits (``IdPattern.required_bits``)."""

    def __init__(self) -> None:
        self.patterns: list[IdPattern] = []
        self._bits: tuple[dict[int, int], dict[int, int]] = ({}, {})
        self._next_bit = 0
        # per column: the one-character code of every value a pattern tests, from two
        # separate ranges of private-use characters
        self._alphabet: tuple[dict[int, str], dict[int, str]] = ({}, {})
        self._first_code = (0xF0000, 0x100000)

    def add(self, pattern: IdPattern) -> None:
        if pattern.anchor is None:
            raise ValueError("a pattern without an anchor word runs on spaCy's Matcher")
        for checks in pattern.tests:
            for column, values, _ in checks:
                if column < 2:
                    codes = self._alphabet[column]
                    for value in values:
                        if value not in codes:
                            if len(codes) >= 0xFFFE:
                                raise ValueError("token patterns test more than 65,534 different words")
                            codes[value] = chr(self._first_code[column] + len(codes))
        pattern.compile(self._alphabet)
        pattern.required_bits = 0
        for column, values in pattern.required:
            bit = 1 << self._next_bit
            self._next_bit += 1
            pattern.required_bits |= bit
            bits = self._bits[column]
            for value in values:
                bits[value] = bits.get(value, 0) | bit
        self.patterns.append(pattern)

    def __len__(self) -> int:
        return len(self.patterns)

    def __call__(self, lowers: list[int], lemmas: list[int], punct) -> list[list[tuple[int, int, int]]]:
        """Each matching pattern's matches (in pattern order); ``punct()`` gives ``IS_PUNCT``."""
        have = 0
        for bits, values in zip(self._bits, (lowers, lemmas)):
            for value in bits.keys() & set(values):
                have |= bits[value]
        possible = [p for p in self.patterns if have & p.required_bits == p.required_bits]
        if not possible:
            return []
        lower_codes, lemma_codes = self._alphabet
        flags = (["1" if p else "0" for p in punct()] if any(p.uses_punct for p in possible)
                 else repeat("0"))
        codes = "".join([a + b + c for a, b, c in zip(map(lower_codes.get, lowers, repeat(_OTHER)),
                                                      map(lemma_codes.get, lemmas, repeat(_OTHER)), flags)])
        n = len(lowers)
        out = []
        for pattern in possible:
            found = pattern(codes, n)
            if found:
                out.append(found)
        return out


def _anchor_cost(checks, stop_ids: frozenset[int]) -> tuple[bool, int]:
    """Rarer anchors first: sets without stop words, then smaller sets."""
    _, values, _ = next(c for c in checks if c[0] < 2)
    return (not values.isdisjoint(stop_ids), len(values))


def compile_pattern(key: int, tokens: list[dict], strings, stop_ids: frozenset[int]) -> IdPattern | None:
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
                checks.append((0 if attr == "LOWER" else 1, frozenset(strings.add(v) for v in values), True))
            elif attr == "IS_PUNCT" and isinstance(value, bool):
                checks.append((2, frozenset((1,)), value))
            else:
                return None
        if op not in _OPS:
            return None
        tests.append(tuple(checks))
        ops.append(op)
    if not tests:
        return None
    return IdPattern(key, tests, ops, stop_ids)
