"""What a rule match becomes: a hit applied to its scope, or vetoed, and why.

A match is vetoed by an exclude phrase of its code in the same scope, by a negation
cue shortly before it in the same clause (rules with ``negation``), or by the lack of
a ``near`` word around it in the same sentence.  Sentences are spaCy's sentencizer's
plus a break at every line break (:func:`~qualcode.tagging.rules.nlp.line_break_starts`),
unless the doc already has sentence starts (a pipeline with a parser or a sentencizer).
"""

from __future__ import annotations

from typing import NamedTuple

from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from qualcode.codebook import Code, Rule
from qualcode.tagging.rules.nlp import lemma_set, line_break_starts

APPLIED, EXCLUDED, NEGATED, NOT_NEAR = "applied", "excluded", "negated", "not near"

#: Words that negate a match when they come shortly before it (compared as lemmas).
NEGATION_CUES = ("not", "no", "never", "n't", "nobody", "none", "nothing", "neither", "nor",
                 "without", "hardly", "barely", "cannot")
#: How many tokens before a match are searched for a negation cue.
NEGATION_WINDOW = 5
#: A negation cue followed by one of these is not a negation ("not only", "no doubt").
PSEUDO_NEGATION_NEXT = ("only", "just", "doubt", "matter", "question", "mention", "least")
#: Tokens that end the clause a negation cue can reach across.
CLAUSE_BREAKS = (".", ",", ";", ":", "!", "?", "--", "—", "–", "(", ")", "but", "however",
                 "although", "though", "because", "while", "whereas")


class Hit(NamedTuple):
    """One rule match.  ``status`` says whether it was applied or why it was vetoed."""

    code_id: str
    rule_id: str
    matched: str
    start: int
    end: int
    status: str = APPLIED
    reason: str = ""

    def describe(self) -> str:
        line = f'{self.code_id}  {self.rule_id}  "{self.matched}"  {self.status}'
        return line + (f" ({self.reason})" if self.reason else "")


class _RuleInfo(NamedTuple):
    code_id: str
    rule_id: str
    is_exclude: bool
    by_turn: bool  # the scope is the whole turn (else the sentence)
    negation: bool
    near: frozenset[int] | None  # lemma ids, one of which must be near (None: no such test)
    window: int
    near_reason: str


class _Tokens:
    """A doc's token columns, sentences and trimmed spans (for docs with matches)."""

    def __init__(self, doc: Doc, text: str, lemmas: list[int], starts: list[int]):
        self.text, self.lemmas = text, lemmas
        self.idx, self.length, self.punct, self.space = doc.to_array([IDX, LENGTH, IS_PUNCT, IS_SPACE]).T.tolist()
        # per token: the first token of its sentence, and the first token after it
        self.first: list[int] = []
        self.stop: list[int] = []
        bounds = starts + [len(self.idx)]
        for a, b in zip(bounds, bounds[1:]):
            self.first += [a] * (b - a)
            self.stop += [b] * (b - a)
        self._spans: dict[tuple[int, int], tuple[int, int]] = {}

    def scope(self, by_turn: bool, s: int, e: int) -> tuple[int, int]:
        """Character span of the turn, or of the sentences holding tokens s..e-1."""
        return self.span(0, len(self.idx)) if by_turn else self.span(self.first[s], self.stop[e - 1])

    def words(self, s: int, e: int) -> str:
        """The text of tokens s..e-1."""
        return self.text[self.idx[s]:self.idx[e - 1] + self.length[e - 1]]

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Character span of tokens first..last-1 without edge spaces (cached)."""
        span = self._spans.get((first, last))
        if span is None:
            space, a, b = self.space, first, last
            while a < b and space[a]:
                a += 1
            while b > a and space[b - 1]:
                b -= 1
            span = self._spans[(first, last)] = (self.idx[a], self.idx[b - 1] + self.length[b - 1])
        return span


class RuleChecks:
    """Turns a doc's matches into hits: scope, exclude vetoes, negation, ``near``."""

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self._info: dict[int, _RuleInfo] = {}  # rule key -> what the checks need
        self._excludes: set[int] = set()
        self.code_order: dict[str, int] = {}
        strings = nlp.vocab.strings
        self._negators, self._pseudo, self._breaks = (
            frozenset(strings.add(w) for w in lemma_set(words, nlp))
            for words in (NEGATION_CUES, PSEUDO_NEGATION_NEXT, CLAUSE_BREAKS))
        self._sentencizer = Sentencizer()

    def add(self, code: Code, rule: Rule, key: int, is_exclude: bool = False) -> None:
        near = None
        if rule.near:
            near = frozenset(self.nlp.vocab.strings.add(w) for w in lemma_set(rule.near, self.nlp))
        reason = f"none of {', '.join(rule.near)} within {rule.window} words" if rule.near else ""
        self._info[key] = _RuleInfo(code.id, rule.rule_id, is_exclude, code.rules.scope == "turn",
                                    rule.negation, near, rule.window, reason)
        if is_exclude:
            self._excludes.add(key)
        self.code_order.setdefault(code.id, len(self.code_order))

    def sentence_starts(self, doc: Doc, text: str) -> list[int]:
        """First token of each sentence: the doc's own if set, else the sentencizer's plus
        line breaks (without setting anything on the doc)."""
        if doc.has_annotation("SENT_START"):
            return [sent.start for sent in doc.sents]
        [guesses] = self._sentencizer.predict([doc])
        starts = [i for i, start in enumerate(guesses) if start]
        breaks = line_break_starts(doc, text)
        return sorted(set(starts).union(breaks)) if breaks else starts

    def __call__(self, doc: Doc, text: str, lemmas: list[int], matches: list[tuple[int, int, int]],
                 base: int) -> list[tuple[Hit, tuple[int, int]]]:
        """Each non-exclude match as a hit (applied or vetoed) with the character span of its scope."""
        tokens = _Tokens(doc, text, lemmas, self.sentence_starts(doc, text))
        info = self._info
        vetoes = self._vetoes(tokens, matches) if not self._excludes.isdisjoint([m[0] for m in matches]) else {}
        out = []
        for key, s, e in matches:
            code_id, rule_id, is_exclude, by_turn, negation, near, window, near_reason = info[key]
            if is_exclude:
                continue
            where = tokens.scope(by_turn, s, e)
            status, reason = APPLIED, ""
            if vetoes and (code_id, where) in vetoes:
                status, reason = EXCLUDED, vetoes[(code_id, where)]
            elif negation and (cue := self._negation_cue(tokens, s)) is not None:
                status, reason = NEGATED, f'negated by "{cue}"'
            elif near is not None and not _is_near(tokens, near, window, s, e):
                status, reason = NOT_NEAR, near_reason
            start, end = tokens.idx[s], tokens.idx[e - 1] + tokens.length[e - 1]
            out.append((Hit(code_id, rule_id, text[start:end], base + start, base + end, status, reason),
                        (base + where[0], base + where[1])))
        return out

    def _vetoes(self, tokens: _Tokens, matches) -> dict[tuple[str, tuple[int, int]], str]:
        """``(code id, scope span) -> reason`` for each scope holding an exclude phrase (the first)."""
        vetoes: dict[tuple[str, tuple[int, int]], str] = {}
        for key, s, e in matches:
            info = self._info[key]
            if info.is_exclude:
                reason = f'exclude phrase "{tokens.words(s, e)}"'
                vetoes.setdefault((info.code_id, tokens.scope(info.by_turn, s, e)), reason)
        return vetoes

    def _negation_cue(self, tokens: _Tokens, s: int) -> str | None:
        """The negation cue shortly before token ``s`` in the same clause, if any."""
        lemmas = tokens.lemmas
        for i in range(s - 1, max(tokens.first[s], s - NEGATION_WINDOW) - 1, -1):
            if lemmas[i] in self._breaks or tokens.punct[i]:  # a clause break or punctuation
                return None
            if lemmas[i] in self._negators:
                if i + 1 < len(lemmas) and lemmas[i + 1] in self._pseudo:
                    continue
                return tokens.words(i, i + 1)
        return None


def _is_near(tokens: _Tokens, words: frozenset[int], window: int, s: int, e: int) -> bool:
    """Whether one of ``words`` is within ``window`` tokens of the match, in the same sentence."""
    lemmas = tokens.lemmas
    lo = max(tokens.first[s], s - window)
    hi = min(tokens.stop[e - 1], e + window)
    return not words.isdisjoint(lemmas[lo:s]) or (e < hi and not words.isdisjoint(lemmas[e:hi]))
