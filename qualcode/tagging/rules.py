"""The rule tagger: a codebook's phrases and token patterns applied with spaCy matchers.

Every machine code is explainable: a :class:`RuleCoding` carries the matched
words and the id of each rule that fired, and :meth:`RuleTagger.explain` also
returns the matches that were *vetoed* (by an exclude phrase, a negation cue or
a missing ``near`` word) so a researcher can see why a code was not applied.

Offsets are character offsets into the document's text: a segment's text is
tagged with its ``base_offset`` (``segment.start``), so
``document.text[coding.start:coding.end]`` is the coded excerpt.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LEMMA, LENGTH, ORTH
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from qualcode.codebook import Code, Codebook, Rule
from qualcode.models import Document, Segment
from qualcode.tagging.nlp import (LowercaseLookupLemmatizer, get_nlp, lemma_doc, lemma_set,
                                  punct_orth_ids, sentence_starts)
from qualcode.tagging.patterns import (expand_to_phrases, max_pattern_length, pattern_anchors,
                                       prepare_pattern)

_TEXT = "qualcode_text"  # user_data key: the text a doc was made from (doc.text is slow)
#: The pipeline the fast path reproduces exactly (tokenizer, then these components).
STANDARD_PIPES = ["sentencizer", "qualcode_paragraphs", "qualcode_lemmatizer"]

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


@dataclass(frozen=True)
class Hit:
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


@dataclass(frozen=True)
class RuleCoding:
    """A code applied to a span (a sentence or a whole turn) with every rule hit inside it."""

    segment_key: Any
    code_id: str
    start: int
    end: int
    scope: str
    hits: tuple[Hit, ...]

    @property
    def rule_id(self) -> str:
        return "; ".join(dict.fromkeys(h.rule_id for h in self.hits))

    @property
    def matched(self) -> str:
        return "; ".join(dict.fromkeys(h.matched for h in self.hits))

    @property
    def evidence(self) -> str:
        """One line naming each rule and the words it matched, for the store and exports."""
        return "; ".join(dict.fromkeys(f'{h.rule_id} "{h.matched}"' for h in self.hits))


class RuleTagger:
    """Apply a codebook's rules.  Build once (compiling matchers), then tag any number of texts."""

    name = "rules"

    def __init__(self, codebook: Codebook, nlp: Language | None = None):
        self.codebook = codebook
        self.nlp = nlp or get_nlp()
        strings = self.nlp.vocab.strings
        self._phrases = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        self._patterns = Matcher(self.nlp.vocab)
        self._rules: dict[int, tuple[Code, Rule, bool]] = {}  # key -> (code, rule, is_exclude)
        self._near: dict[str, frozenset[int]] = {}
        self._near_reason: dict[str, str] = {}
        # per Matcher pattern: the (attr, ids) a doc must contain for it to match ([]: no
        # prefilter) and a Matcher holding that pattern alone
        self._anchors: list[tuple[list[tuple[str, frozenset[int]]], Matcher, int | None]] = []
        for code in codebook.codes:
            for is_exclude, rules in ((False, code.rules.phrases), (True, code.rules.exclude)):
                seen: set[tuple[str, ...]] = set()
                for rule in rules:
                    doc = lemma_doc(self.nlp, rule.phrase)
                    lemmas = tuple(t.lemma_ for t in doc)
                    if lemmas in seen:  # "file away" and "filed away": one rule is enough
                        continue
                    seen.add(lemmas)
                    key = strings.add(rule.rule_id)
                    self._rules[key] = (code, rule, is_exclude)
                    self._phrases.add(rule.rule_id, [doc])
            for rule in code.rules.patterns:
                key = strings.add(rule.rule_id)
                self._rules[key] = (code, rule, False)
                pattern = prepare_pattern(list(rule.pattern), self.nlp)
                expanded = expand_to_phrases(pattern, self.nlp)
                if expanded is None:
                    self._patterns.add(rule.rule_id, [pattern], greedy="LONGEST")
                    single = Matcher(self.nlp.vocab)
                    single.add(rule.rule_id, [pattern], greedy="LONGEST")
                    self._anchors.append((pattern_anchors(pattern, strings), single,
                                          max_pattern_length(pattern)))
                else:  # same matches, but the PhraseMatcher is nearly free
                    self._phrases.add(rule.rule_id, [_lemma_words(self.nlp, words) for words in expanded])
            for rule in code.rules.all:
                if rule.near:
                    self._near[rule.rule_id] = frozenset(strings.add(w) for w in
                                                         lemma_set(rule.near, self.nlp))
                    self._near_reason[rule.rule_id] = (f"none of {', '.join(rule.near)} "
                                                       f"within {rule.window} words")
        self._negators = frozenset(strings.add(w) for w in lemma_set(NEGATION_CUES, self.nlp))
        self._pseudo = frozenset(strings.add(w) for w in lemma_set(PSEUDO_NEGATION_NEXT, self.nlp))
        self._breaks = frozenset(strings.add(w) for w in lemma_set(CLAUSE_BREAKS, self.nlp))
        self._order = {c.id: i for i, c in enumerate(codebook.codes)}
        self._scope = {c.id: c.rules.scope for c in codebook.codes}
        self._fast = self.nlp.pipe_names == STANDARD_PIPES and isinstance(
            self.nlp.get_pipe("qualcode_lemmatizer"), LowercaseLookupLemmatizer)
        if self._fast:
            self._lemmatizer = self.nlp.get_pipe("qualcode_lemmatizer")
            self._punct_ids = punct_orth_ids(self.nlp)
            # patterns testing sentence starts need them set before matching
            self._sents_first = any("SENT_START" in str(key).upper() for pattern in
                                    (list(r.pattern) for c in codebook.codes for r in c.rules.patterns)
                                    for token in pattern if isinstance(token, dict) for key in token)

    @property
    def version(self) -> str:
        """Identifies the rules used: the codebook's content hash."""
        return self.codebook.hash[:16]

    # ------------------------------------------------------------ public

    def tag_segments(self, items: Iterable[tuple[Any, str, int]],
                     batch_size: int = 256) -> Iterator[RuleCoding]:
        """Tag ``(segment_key, text, base_offset)`` items, streaming; offsets are base + turn offset."""
        if self._fast:
            for key, text, base in items:
                yield from self._codings(*self._analyse(text), key, base)
            return
        stream = ((text, (key, base)) for key, text, base in items)
        for doc, (key, base) in self.nlp.pipe(stream, as_tuples=True, batch_size=batch_size):
            yield from self._codings(doc, None, key, base)

    def tag_documents(self, documents: Iterable[Document], batch_size: int = 256,
                      skip: Callable[[Segment], bool] | None = None) -> Iterator[RuleCoding]:
        """Tag every segment of every document; ``segment_key`` is ``(document.name, segment.index)``."""
        def items():
            for document in documents:
                for seg in document.segments:
                    if skip is None or not skip(seg):
                        yield (document.name, seg.index), document.text[seg.start:seg.end], seg.start
        return self.tag_segments(items(), batch_size=batch_size)

    def tag_text(self, text: str, segment_key: Any = None, base_offset: int = 0) -> list[RuleCoding]:
        """Tag one text (offsets relative to it unless ``base_offset`` is given)."""
        return list(self._codings(*self._analyse(text), segment_key, base_offset))

    def explain(self, text: str, base_offset: int = 0) -> list[Hit]:
        """Every rule match in ``text``, applied or vetoed (with the reason), in text order."""
        return [hit for hit, _ in self._hits(*self._analyse(text), base_offset)]

    # ------------------------------------------------------------ internals

    def _analyse(self, text: str) -> tuple[Doc, tuple[list[int], list[int]] | None]:
        """The doc and its (lowers, lemmas) ids: the tokenizer and lemmas only (the fast path),
        sentences are computed later, only for docs with matches; else the whole pipeline."""
        if not self._fast:
            return self.nlp(text), None
        doc = self.nlp.make_doc(text)
        doc.user_data[_TEXT] = text
        ids = self._lemmatizer.annotate(doc)
        if self._sents_first:
            for name in STANDARD_PIPES[:2]:
                doc = self.nlp.get_pipe(name)(doc)
        return doc, ids

    def _pattern_matches(self, doc: Doc, ids: tuple[list[int], list[int]] | None) -> list:
        """The token Matcher's matches.  Patterns whose anchor words are missing from the doc
        cannot match, so they are skipped.  Each pattern that can match runs its own Matcher
        (the cost of matching grows with the number of patterns), only over the tokens around
        its rarest anchor's positions: a match holds one of them and is at most as long as the
        pattern, so no match is lost and none is added.  Overlapping windows are merged, so
        overlapping matches of one pattern meet in one run and the LONGEST filter keeps the
        same ones as over the whole doc.  Patterns without anchors or of unbounded length run
        over the whole doc.

        Order: the combined Matcher lists matches grouped by pattern, each group by length
        (longest first) then start; the groups come in the order of each pattern's first raw
        (unfiltered) match in the whole doc, which windowed runs cannot know.  So one
        pattern's matches are returned in that order exactly, several patterns' matches
        sorted by (start, end) -- the order ``_hits`` sorts them into (stably) anyway -- and
        if two patterns match the very same tokens, whose relative order ``_hits`` keeps, the
        combined Matcher runs over the whole doc instead."""
        if not len(self._patterns):
            return []
        if ids is None:
            return self._patterns(doc)
        present = {"LOWER": set(ids[0]), "LEMMA": set(ids[1])}
        possible = [(anchors, single, length) for anchors, single, length in self._anchors
                    if all(not present[attr].isdisjoint(values) for attr, values in anchors)]
        if not possible:
            return []
        # token positions of each word, per attribute
        where: dict[str, dict[int, list[int]]] = {"LOWER": {}, "LEMMA": {}}
        for attr, column in (("LOWER", ids[0]), ("LEMMA", ids[1])):
            index = where[attr]
            for i, value in enumerate(column):
                index.setdefault(value, []).append(i)
        n = len(doc)
        matches: list = []
        found = 0  # patterns with matches
        for anchors, single, length in possible:
            before = len(matches)
            if not anchors or length is None:
                matches += single(doc)
            else:
                index_lists = [[where[attr][v] for v in values if v in where[attr]] for attr, values in anchors]
                rarest = min(index_lists, key=lambda lists: sum(map(len, lists)))
                positions = sorted(p for lst in rarest for p in lst)
                windows: list[list[int]] = []
                for p in positions:
                    lo, hi = max(p - length + 1, 0), min(p + length, n)
                    if windows and lo <= windows[-1][1]:
                        windows[-1][1] = hi
                    else:
                        windows.append([lo, hi])
                for lo, hi in windows:
                    if lo == 0 and hi == n:
                        matches += single(doc)
                    else:
                        matches += [(key, lo + s, lo + e) for key, s, e in single(doc[lo:hi])]
            found += len(matches) > before
        if found > 1:
            matches.sort(key=lambda m: (m[1], m[2]))
            if any(a[1] == b[1] and a[2] == b[2] for a, b in zip(matches, matches[1:])):
                return self._patterns(doc)
        else:  # one pattern: the combined Matcher's LONGEST order
            matches.sort(key=lambda m: (m[1] - m[2], m[1]))
        return matches

    def _codings(self, doc: Doc, ids, key: Any, base: int) -> Iterator[RuleCoding]:
        groups: dict[tuple[str, int, int], list[Hit]] = {}
        for hit, span in self._hits(doc, ids, base):
            if hit.status == APPLIED:
                groups.setdefault((hit.code_id, span[0], span[1]), []).append(hit)
        ordered = sorted(groups.items(), key=lambda kv: (kv[0][1], self._order[kv[0][0]], kv[0][2]))
        for (code_id, start, end), hits in ordered:
            yield RuleCoding(key, code_id, start, end, self._scope[code_id], tuple(hits))

    def _hits(self, doc: Doc, ids, base: int) -> list[tuple[Hit, tuple[int, int]]]:
        matches = self._phrases(doc)
        matches += self._pattern_matches(doc, ids)
        if not matches:
            return []
        matches.sort(key=lambda m: (m[1], m[2]))
        text = doc.user_data.get(_TEXT) or doc.text
        if ids is None:
            view = _DocView(doc, text, doc.to_array(LEMMA).tolist(), None)
        else:
            view = _DocView(doc, text, ids[1], None if self._sents_first else self._punct_ids)
        vetoes: dict[tuple[str, int, int], str] = {}
        rules, near, scope_span = self._rules, self._near, view.scope_span
        for key, s, e in matches:
            code, rule, is_exclude = rules[key]
            if is_exclude:
                a, b = scope_span(code.rules.scope, s, e)
                vetoes.setdefault((code.id, a, b), f'exclude phrase "{view.words(s, e)[0]}"')
        out = []
        for key, s, e in matches:
            code, rule, is_exclude = rules[key]
            if is_exclude:
                continue
            a, b = scope_span(code.rules.scope, s, e)
            status, reason = APPLIED, ""
            if vetoes and (code.id, a, b) in vetoes:
                status, reason = EXCLUDED, vetoes[(code.id, a, b)]
            elif rule.negation and (cue := self._negation_cue(view, s)) is not None:
                status, reason = NEGATED, f'negated by "{cue}"'
            elif rule.rule_id in near and not self._is_near(view, rule, s, e):
                status, reason = NOT_NEAR, self._near_reason[rule.rule_id]
            words, start_char, end_char = view.words(s, e)
            hit = Hit(code.id, rule.rule_id, words, base + start_char, base + end_char, status, reason)
            out.append((hit, (base + a, base + b)))
        return out

    def _negation_cue(self, view: "_DocView", s: int) -> str | None:
        """The negation cue shortly before token ``s`` in the same clause, if any."""
        lemmas = view.lemmas
        for i in range(s - 1, max(view.sentence(s)[0], s - NEGATION_WINDOW) - 1, -1):
            if lemmas[i] in self._breaks or view.is_punct[i]:
                return None
            if lemmas[i] in self._negators:
                if i + 1 < len(lemmas) and lemmas[i + 1] in self._pseudo:
                    continue
                return view.doc[i].text
        return None

    def _is_near(self, view: "_DocView", rule: Rule, s: int, e: int) -> bool:
        """Whether a ``near`` word is within ``window`` tokens of the match, in the same sentence."""
        words, lemmas = self._near[rule.rule_id], view.lemmas
        lo = max(view.sentence(s)[0], s - rule.window)
        hi = min(view.sentence(e - 1)[1], e + rule.window)
        return not words.isdisjoint(lemmas[lo:s]) or (e < hi and not words.isdisjoint(lemmas[e:hi]))


class _DocView:
    """Per-doc lookups computed once, only for docs that have matches, on integer arrays."""

    def __init__(self, doc: Doc, text: str, lemmas: list[int], punct_ids: frozenset[int] | None):
        """Sentences as the pipeline sets them, or computed from ``punct_ids`` if given."""
        self.doc = doc
        self.text = text
        self.lemmas = lemmas
        orths, self.is_punct, self.is_space, self.idx, self.length = \
            doc.to_array([ORTH, IS_PUNCT, IS_SPACE, IDX, LENGTH]).T.tolist()
        if punct_ids is None:
            self.starts = [sent.start for sent in doc.sents]
        else:
            self.starts = sentence_starts(doc, punct_ids, text, (orths, self.is_punct, self.is_space))
        self._spans: dict[tuple[int, int], tuple[int, int]] = {}

    def chars(self, first: int, last: int) -> tuple[int, int]:
        """Character span of tokens first..last-1 (like ``doc[first:last]``'s start/end_char)."""
        return self.idx[first], self.idx[last - 1] + self.length[last - 1]

    def words(self, s: int, e: int) -> tuple[str, int, int]:
        """The text of tokens s..e-1 (``doc[s:e].text``) and its character span."""
        start, end = self.idx[s], self.idx[e - 1] + self.length[e - 1]
        return self.text[start:end], start, end

    def sentence(self, i: int) -> tuple[int, int]:
        """First token of the sentence holding token ``i`` and the first after it."""
        starts = self.starts
        k = bisect_right(starts, i) - 1
        return starts[k], (starts[k + 1] if k + 1 < len(starts) else len(self.doc))

    def scope_span(self, scope: str, s: int, e: int) -> tuple[int, int]:
        """Character span of the sentence(s) holding tokens s..e, or of the turn, without edge spaces."""
        if scope == "turn":
            first, last = 0, len(self.doc)
        else:
            first, last = self.sentence(s)[0], self.sentence(e - 1)[1]
        span = self._spans.get((first, last))
        if span is None:
            space, a, b = self.is_space, first, last
            while a < b and space[a]:
                a += 1
            while b > a and space[b - 1]:
                b -= 1
            span = self._spans[(first, last)] = self.chars(a, b)
        return span


def _lemma_words(nlp: Language, lemmas: list[str]) -> Doc:
    doc = Doc(nlp.vocab, words=lemmas)
    for token, lemma in zip(doc, lemmas):
        token.lemma_ = lemma
    return doc


def code_document(tagger: RuleTagger, document: Document,
                  skip: Callable[[Segment], bool] = lambda seg: False) -> list[RuleCoding]:
    """All rule codings of one document; ``segment_key`` is the segment's index."""
    items = ((seg.index, document.text[seg.start:seg.end], seg.start)
             for seg in document.segments if not skip(seg))
    return list(tagger.tag_segments(items))
