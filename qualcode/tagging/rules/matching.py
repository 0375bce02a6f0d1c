"""A codebook's phrases and token patterns found in a doc with spaCy's own matchers.

Phrases (and token patterns that only list words, see
:func:`~qualcode.tagging.rules.patterns.expand_to_phrases`) go to one
``PhraseMatcher`` on ``LEMMA``, which is nearly free.  Other token patterns go to
spaCy's ``Matcher`` with ``greedy="LONGEST"``, one ``Matcher`` per pattern, because
its cost grows with the number of patterns and with the tokens it reads (``IN`` tests
are Python calls per token).  So each pattern runs only on docs holding a word for
every token it requires, and only over the tokens around its *anchor* words (the
tokens passing one of its required tests) that hold such a word too: a match holds an
anchor and is at most as long as the pattern, so it lies in the window around that
anchor, and since windows that overlap are merged, no match is lost, none is added and
the LONGEST filter keeps the same ones as over the whole doc.

Matches come sorted by start, end, then the order the rules are written in the
codebook (the order they were added here), whatever order the matchers list them in.
"""

from __future__ import annotations

from typing import Iterable, NamedTuple

from spacy.attrs import LEMMA, ORTH
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from qualcode.tagging.rules.patterns import max_pattern_length, pattern_anchors

Match = tuple[int, int, int]  # (rule key, first token, token after the last)
_COLUMNS = ("LOWER", "LEMMA")


class _Pattern(NamedTuple):
    matcher: Matcher  # this pattern alone
    tests: list[tuple[int, frozenset[int]]]  # (column, ids): a required token's values
    anchor: tuple[int, frozenset[int]] | None  # the test whose tokens place the windows
    length: int | None  # most tokens a match spans (None: unbounded)

    def matches(self, doc: Doc, columns: tuple[list[int], list[int]]) -> list[Match]:
        """The pattern's matches in ``doc``, over the windows around its anchor tokens that
        hold a word for each of its required tokens."""
        if self.anchor is None or self.length is None:
            return self.matcher(doc)
        column, values = self.anchor
        reach, n = self.length, len(doc)
        windows: list[list[int]] = []
        for i in [i for i, value in enumerate(columns[column]) if value in values]:
            lo, hi = max(i - reach + 1, 0), min(i + reach, n)
            if windows and lo <= windows[-1][1]:
                windows[-1][1] = hi
            else:
                windows.append([lo, hi])
        return [(key, lo + s, lo + e) for lo, hi in windows if self._may_match(columns, lo, hi)
                for key, s, e in self.matcher(doc[lo:hi])]

    def _may_match(self, columns: tuple[list[int], list[int]], lo: int, hi: int) -> bool:
        """Whether tokens lo..hi-1 hold a word for each token the pattern requires."""
        return all(not values.isdisjoint(columns[column][lo:hi]) for column, values in self.tests)


class RuleMatcher:
    """Every match of the rules added, in a doc whose tokens carry the rules' lemmas."""

    def __init__(self, vocab: Vocab, common: Iterable[str] = ()):
        """``common``: frequent words (stop words), a poor choice of anchor."""
        self.vocab = vocab
        self._phrases = PhraseMatcher(vocab, attr="LEMMA")
        self._patterns: list[_Pattern] = []
        self._common = frozenset(vocab.strings.add(word) for word in common)
        self._order: dict[int, int] = {}  # rule key -> the order it was added in
        self._anchored: tuple[dict[int, list[int]], dict[int, list[int]]] = ({}, {})  # value -> patterns
        self._anchor_values: tuple[frozenset[int], frozenset[int]] = (frozenset(), frozenset())
        self._unanchored: list[int] = []  # patterns that run on every doc

    def __len__(self) -> int:
        return len(self._order)

    def key(self, rule_id: str) -> int:
        """The rule's key in matches; the rule's place in the order of ties."""
        key = self.vocab.strings.add(rule_id)
        self._order.setdefault(key, len(self._order))
        return key

    def add_phrases(self, rule_id: str, phrases: Iterable[Iterable[str]]) -> None:
        """Lemma sequences (space tokens included) that this rule matches."""
        self.key(rule_id)
        docs = [Doc(self.vocab, words=list(lemmas)) for lemmas in phrases]
        for doc in docs:  # each word is its own lemma
            doc.from_array([LEMMA], doc.to_array([ORTH]))
        self._phrases.add(rule_id, docs)

    def add_pattern(self, rule_id: str, pattern: list[dict]) -> None:
        """A prepared token pattern (see :func:`~qualcode.tagging.rules.patterns.prepare_pattern`)."""
        self.key(rule_id)
        matcher = Matcher(self.vocab)
        matcher.add(rule_id, [pattern], greedy="LONGEST")
        tests = [(_COLUMNS.index(attr), values) for attr, values in pattern_anchors(pattern, self.vocab.strings)]
        # the test with the fewest common words, then the fewest values, places the windows
        anchor = min(tests, key=lambda test: (len(test[1] & self._common), len(test[1])), default=None)
        number = len(self._patterns)
        self._patterns.append(_Pattern(matcher, tests, anchor, max_pattern_length(pattern)))
        if anchor is None:
            self._unanchored.append(number)
            return
        column, values = anchor
        for value in values:
            self._anchored[column].setdefault(value, []).append(number)
        self._anchor_values = tuple(frozenset(index) for index in self._anchored)

    def __call__(self, doc: Doc, lowers: list[int], lemmas: list[int]) -> list[Match]:
        """Matches in ``doc``, whose ``LOWER`` and ``LEMMA`` ids are ``lowers`` and ``lemmas``
        (the lemmas set on its tokens)."""
        found = self._phrases(doc)
        if self._patterns:
            found += self._pattern_matches(doc, (lowers, lemmas))
        if len(found) > 1:
            order = self._order
            found.sort(key=lambda m: (m[1], m[2], order[m[0]]))
        return found

    def _pattern_matches(self, doc: Doc, columns: tuple[list[int], list[int]]) -> list[Match]:
        present = (set(columns[0]), set(columns[1]))
        numbers = set(self._unanchored)
        for column, index in enumerate(self._anchored):
            for value in present[column].intersection(self._anchor_values[column]):
                numbers.update(index[value])
        found: list[Match] = []
        for number in numbers:
            pattern = self._patterns[number]
            if all(not present[column].isdisjoint(values) for column, values in pattern.tests):
                found += pattern.matches(doc, columns)
        return found
