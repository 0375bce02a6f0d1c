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

import json
from operator import itemgetter
from typing import Any, Callable, Iterable, Iterator, NamedTuple

from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LEMMA, LENGTH, LOWER
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from qualcode.codebook import Code, Codebook, Rule
from qualcode.core.models import Document, Segment
from qualcode.tagging.rules.idmatch import PatternSet, PhraseTrie, compile_pattern
from qualcode.tagging.rules.nlp import (LowercaseLookupLemmatizer, get_nlp, lemma_doc, lemma_set,
                                  TokenClasses, phrase_lemmas, sentence_starts)
from qualcode.tagging.rules.pattern_check import check_codebook_patterns
from qualcode.tagging.rules.patterns import (expand_to_phrases, max_pattern_length, pattern_anchors,
                                       prepare_pattern)

_JSON_STR = json.encoder.encode_basestring  # a JSON string as json.dumps(..., ensure_ascii=False) writes it
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


class RuleCoding(NamedTuple):
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

    def evidence_json(self) -> str:
        """The evidence as the project stores it: JSON ``{"scope", "hits": [{"rule", "matched",
        "start", "end"}]}``."""
        return evidence_json(self.scope, self.hits)


def evidence_json(scope: str, hits: Iterable[Hit]) -> str:
    """A coding's evidence as the project stores it (see :meth:`RuleCoding.evidence_json`)."""
    # written out by hand, byte for byte what json.dumps(..., ensure_ascii=False) writes
    # (its string encoder, its separators), at a fraction of the cost; a test compares
    return (f'{{"scope": {_JSON_STR(scope)}, "hits": ['
            + ", ".join([f'{{"rule": {_JSON_STR(h[1])}, "matched": {_JSON_STR(h[2])}, '
                         f'"start": {h[3]}, "end": {h[4]}}}' for h in hits]) + "]}")


class RuleTagger:
    """Apply a codebook's rules.  Build once (compiling matchers), then tag any number of texts."""

    name = "rules"

    def __init__(self, codebook: Codebook, nlp: Language | None = None):
        self.codebook = codebook
        self.nlp = nlp or get_nlp()
        check_codebook_patterns(codebook, self.nlp)
        strings = self.nlp.vocab.strings
        # what spaCy's PhraseMatcher would hold: (rule id, phrase docs or lemma lists), built
        # into one only for pipelines off the fast path (see _phrases)
        self._phrase_specs: list[tuple[str, list]] = []
        self._phrase_matcher: PhraseMatcher | None = None
        self._trie = PhraseTrie()  # the PhraseMatcher's matches on lemma id lists
        self._patterns = Matcher(self.nlp.vocab)
        is_punct = self.nlp.vocab.lex_attr_getters[IS_PUNCT]
        # token patterns compiled to regular expressions (fast path only)
        stop_words = self.nlp.Defaults.stop_words
        self._compiled = PatternSet(lambda lower: self._lemmatizer.lemmas_of([lower], strings)[0],
                                    lambda lower: is_punct(strings[lower]),
                                    lambda word: strings[word] in stop_words)
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
                    lemmas = phrase_lemmas(rule.phrase, self.nlp)
                    if lemmas in seen:  # "file away" and "filed away": one rule is enough
                        continue
                    seen.add(lemmas)
                    key = strings.add(rule.rule_id)
                    self._rules[key] = (code, rule, is_exclude)
                    self._phrase_specs.append((rule.rule_id, [rule.phrase]))
                    self._trie.add(key, [strings.add(lemma) for lemma in lemmas])
            for rule in code.rules.patterns:
                key = strings.add(rule.rule_id)
                self._rules[key] = (code, rule, False)
                pattern = prepare_pattern(list(rule.pattern), self.nlp)
                expanded = expand_to_phrases(pattern, self.nlp)
                if expanded is None:
                    self._patterns.add(rule.rule_id, [pattern], greedy="LONGEST")
                    compiled = compile_pattern(key, pattern, strings)
                    if compiled is not None:
                        self._compiled.add(compiled)
                        continue
                    single = Matcher(self.nlp.vocab)
                    single.add(rule.rule_id, [pattern], greedy="LONGEST")
                    self._anchors.append((pattern_anchors(pattern, strings), single,
                                          max_pattern_length(pattern)))
                else:  # same matches, but the PhraseMatcher is nearly free
                    self._phrase_specs.append((rule.rule_id, expanded))
                    for words in expanded:
                        self._trie.add(key, [strings.add(word) for word in words])
            for rule in code.rules.all:
                if rule.near:
                    self._near[rule.rule_id] = frozenset(strings.add(w) for w in
                                                         lemma_set(rule.near, self.nlp))
                    self._near_reason[rule.rule_id] = (f"none of {', '.join(rule.near)} "
                                                       f"within {rule.window} words")
        self._trie.order_like_spacy(self.nlp.vocab)
        self._negators = frozenset(strings.add(w) for w in lemma_set(NEGATION_CUES, self.nlp))
        self._pseudo = frozenset(strings.add(w) for w in lemma_set(PSEUDO_NEGATION_NEXT, self.nlp))
        self._breaks = frozenset(strings.add(w) for w in lemma_set(CLAUSE_BREAKS, self.nlp))
        self._order = {c.id: i for i, c in enumerate(codebook.codes)}
        # per rule key, what _hits needs: (code id, rule id, is exclude, scope is the turn,
        # negation, near lemma ids or None, near window, near reason)
        self._info = {key: (code.id, rule.rule_id, is_exclude, code.rules.scope == "turn", rule.negation,
                            self._near.get(rule.rule_id), rule.window, self._near_reason.get(rule.rule_id, ""))
                      for key, (code, rule, is_exclude) in self._rules.items()}
        self._scope = {c.id: c.rules.scope for c in codebook.codes}
        self._excludes = frozenset(key for key, (_, _, is_exclude) in self._rules.items() if is_exclude)
        self._fast = self.nlp.pipe_names == STANDARD_PIPES and isinstance(
            self.nlp.get_pipe("qualcode_lemmatizer"), LowercaseLookupLemmatizer)
        if self._fast:
            self._lemmatizer = self.nlp.get_pipe("qualcode_lemmatizer")
            self._classes = TokenClasses(self.nlp)
            # patterns testing sentence starts need them set before matching
            self._sents_first = any("SENT_START" in str(key).upper() for pattern in
                                    (list(r.pattern) for c in codebook.codes for r in c.rules.patterns)
                                    for token in pattern if isinstance(token, dict) for key in token)
            # only patterns left to spaCy's Matcher need the lemmas set on the doc
            self._doc_lemmas = bool(self._anchors) or self._sents_first
            if len(self._compiled):
                self._compiled.compile()

    def _build_phrase_matcher(self) -> PhraseMatcher:
        """spaCy's PhraseMatcher with the codebook's phrases, added in the codebook's order."""
        matcher = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        for rule_id, phrases in self._phrase_specs:
            matcher.add(rule_id, [lemma_doc(self.nlp, p) if isinstance(p, str) else _lemma_words(self.nlp, p)
                                  for p in phrases])
        return matcher

    def _phrases(self, doc: Doc) -> list[tuple[int, int, int]]:
        """spaCy's PhraseMatcher over a doc with lemmas set (pipelines off the fast path)."""
        if self._phrase_matcher is None:
            self._phrase_matcher = self._build_phrase_matcher()
        return self._phrase_matcher(doc)

    @property
    def version(self) -> str:
        """Identifies the rules used: the codebook's content hash."""
        return self.codebook.hash[:16]

    # ------------------------------------------------------------ public

    def tag_segments(self, items: Iterable[tuple[Any, str, int]],
                     batch_size: int = 256) -> Iterator[RuleCoding]:
        """Tag ``(segment_key, text, base_offset)`` items, streaming; offsets are base + turn offset."""
        scope = self._scope
        for key, groups in self._grouped(items, batch_size):
            for (code_id, start, end), hits in groups:
                yield RuleCoding(key, code_id, start, end, scope[code_id], tuple(hits))

    def coding_rows(self, items: Iterable[tuple[Any, str, int]],
                    batch_size: int = 256) -> Iterator[tuple[Any, str, int, int, str]]:
        """What :meth:`tag_segments` finds, as ``(segment_key, code_id, start, end, evidence
        JSON)`` rows ready to store (no :class:`RuleCoding` objects: the coding workers' path)."""
        scope = self._scope
        for key, groups in self._grouped(items, batch_size):
            for (code_id, start, end), hits in groups:
                yield key, code_id, start, end, evidence_json(scope[code_id], hits)

    def _grouped(self, items, batch_size: int):
        """``(segment_key, groups)`` per item, for items with codings (see :meth:`_groups`)."""
        if self._fast:
            for key, text, base in items:
                groups = self._groups(*self._analyse(text), base)
                if groups:
                    yield key, groups
            return
        stream = ((text, (key, base)) for key, text, base in items)
        for doc, (key, base) in self.nlp.pipe(stream, as_tuples=True, batch_size=batch_size):
            groups = self._groups(doc, None, base)
            if groups:
                yield key, groups

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

    def _analyse(self, text: str) -> tuple[Doc, "_Columns | None"]:
        """The doc and its tokens' attributes as lists (:class:`_Columns`): the tokenizer and
        lemmas only (the fast path), sentences are computed later, only for docs with
        matches; else the whole pipeline (and None)."""
        if not self._fast:
            return self.nlp(text), None
        doc = self.nlp.make_doc(text)
        doc.user_data[_TEXT] = text
        lowers = doc.to_array(LOWER).tolist() if len(doc) else []
        ids = _Columns(lowers, self._lemmatizer.lemmas_of(lowers, doc.vocab.strings))
        if self._doc_lemmas and len(doc):  # a spaCy matcher will run on the doc
            self._lemmatizer.set_lemmas(doc, ids.lemmas)
        if self._sents_first:
            for name in STANDARD_PIPES[:2]:
                doc = self.nlp.get_pipe(name)(doc)
        return doc, ids

    def _pattern_matches(self, doc: Doc, ids: "_Columns | None") -> list:
        """The token Matcher's matches, as spaCy's ``Matcher`` (one per pattern) finds them.

        Compiled patterns (:mod:`qualcode.tagging.rules.idmatch`) run as regular expressions on
        the doc coded one character a token, only when the doc holds words of every token
        they require.  Other patterns run spaCy's Matcher when the doc holds all their
        required words, over windows around their rarest anchor's positions
        (:meth:`_spacy_pattern_matches`).

        Order: the combined Matcher lists matches grouped by pattern, each group by length
        (longest first) then start; the groups come in the order of each pattern's first raw
        (unfiltered) match in the whole doc, which the per-pattern runs cannot know.  So one
        pattern's matches are returned in that order exactly, several patterns' matches
        sorted by (start, end) -- the order ``_hits`` sorts them into (stably) anyway -- and
        if two patterns match the very same tokens, whose relative order ``_hits`` keeps, the
        combined Matcher runs over the whole doc instead."""
        if not len(self._patterns):
            return []
        if ids is None:
            return self._patterns(doc)
        found = 0  # patterns with matches
        matches: list = []
        if len(self._compiled):
            for found_here in self._compiled(ids.lowers):
                matches += found_here
                found += 1
        if self._anchors:
            found += self._spacy_pattern_matches(doc, ids, matches)
        if found > 1:
            matches.sort(key=lambda m: (m[1], m[2]))
            if any(a[1] == b[1] and a[2] == b[2] for a, b in zip(matches, matches[1:])):
                if not self._doc_lemmas:
                    self._lemmatizer.set_lemmas(doc, ids.lemmas)
                return self._patterns(doc)
        return matches

    def _spacy_pattern_matches(self, doc: Doc, ids: "_Columns", matches: list) -> int:
        """Add the matches of patterns left to spaCy's Matcher; return how many patterns matched.

        A pattern whose anchor words are missing from the doc cannot match, so it is
        skipped.  Each pattern that can match runs its own Matcher (the cost of matching
        grows with the number of patterns), only over the tokens around its rarest anchor's
        positions: a match holds one of them and is at most as long as the pattern, so no
        match is lost and none is added.  Overlapping windows are merged, so overlapping
        matches of one pattern meet in one run and the LONGEST filter keeps the same ones as
        over the whole doc.  Patterns without anchors or of unbounded length run over the
        whole doc.  One pattern's matches are added in the Matcher's LONGEST order."""
        present = {"LOWER": set(ids.lowers), "LEMMA": set(ids.lemmas)}
        possible = [(anchors, single, length) for anchors, single, length in self._anchors
                    if all(not present[attr].isdisjoint(values) for attr, values in anchors)]
        if not possible:
            return 0
        # token positions of each word, per attribute
        where: dict[str, dict[int, list[int]]] = {"LOWER": {}, "LEMMA": {}}
        for attr, column in (("LOWER", ids.lowers), ("LEMMA", ids.lemmas)):
            index = where[attr]
            for i, value in enumerate(column):
                index.setdefault(value, []).append(i)
        n = len(doc)
        found = 0
        for anchors, single, length in possible:
            own: list = []
            if not anchors or length is None:
                own += single(doc)
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
                        own += single(doc)
                    else:
                        own += [(key, lo + s, lo + e) for key, s, e in single(doc[lo:hi])]
                own.sort(key=lambda m: (m[1] - m[2], m[1]))  # the LONGEST order
            if own:
                matches += own
                found += 1
        return found

    def _codings(self, doc: Doc, ids, key: Any, base: int) -> Iterator[RuleCoding]:
        for (code_id, start, end), hits in self._groups(doc, ids, base):
            yield RuleCoding(key, code_id, start, end, self._scope[code_id], tuple(hits))

    def _groups(self, doc: Doc, ids, base: int) -> list[tuple[tuple[str, int, int], list[Hit]]]:
        """The applied hits grouped by ``(code_id, start, end)`` of their scope, in coding order."""
        groups: dict[tuple[str, int, int], list[Hit]] = {}
        for hit, span in self._hits(doc, ids, base):
            if hit[5] == APPLIED:
                groups.setdefault((hit[0], span[0], span[1]), []).append(hit)
        if len(groups) < 2:
            return list(groups.items())
        order = self._order
        return sorted(groups.items(), key=lambda kv: (kv[0][1], order[kv[0][0]], kv[0][2]))

    def _hits(self, doc: Doc, ids, base: int) -> list[tuple[Hit, tuple[int, int]]]:
        matches = self._phrases(doc) if ids is None else self._trie(ids.lemmas)
        matches += self._pattern_matches(doc, ids)
        if not matches:
            return []
        matches.sort(key=_START_END)
        text = doc.user_data.get(_TEXT) or doc.text
        if ids is None:
            view = _DocView(doc, text, None, None)
        else:
            view = _DocView(doc, text, ids, self._classes, sentences_set=self._sents_first)
        info, first, stop, n, span = self._info, view.first, view.stop, len(view.idx), view.span
        idx, length, spans = view.idx, view.length, view._spans
        vetoes: dict[tuple[str, tuple[int, int]], str] = {}
        if not self._excludes.isdisjoint([m[0] for m in matches]):
            for key, s, e in matches:
                code_id, _, is_exclude, by_turn = info[key][:4]
                if is_exclude:
                    where = span(0, n) if by_turn else span(first[s], stop[e - 1])
                    words = text[idx[s]:idx[e - 1] + length[e - 1]]
                    vetoes.setdefault((code_id, where), f'exclude phrase "{words}"')
        out = []
        for key, s, e in matches:
            code_id, rule_id, is_exclude, by_turn, negation, near, window, near_reason = info[key]
            if is_exclude:
                continue
            bounds = (0, n) if by_turn else (first[s], stop[e - 1])
            where = spans.get(bounds) or span(*bounds)
            status, reason = APPLIED, ""
            if vetoes and (code_id, where) in vetoes:
                status, reason = EXCLUDED, vetoes[(code_id, where)]
            elif negation and (cue := self._negation_cue(view, s)) is not None:
                status, reason = NEGATED, f'negated by "{cue}"'
            elif near is not None and not _is_near(view, near, window, s, e):
                status, reason = NOT_NEAR, near_reason
            start_char, end_char = idx[s], idx[e - 1] + length[e - 1]
            out.append((_new_tuple(Hit, (code_id, rule_id, text[start_char:end_char], base + start_char,
                                         base + end_char, status, reason)), (base + where[0], base + where[1])))
        return out

    def _negation_cue(self, view: "_DocView", s: int) -> str | None:
        """The negation cue shortly before token ``s`` in the same clause, if any."""
        lemmas = view.lemmas
        for i in range(s - 1, max(view.first[s], s - NEGATION_WINDOW) - 1, -1):
            if lemmas[i] in self._breaks or view.classes[i] in "Pp":  # a clause break or punctuation
                return None
            if lemmas[i] in self._negators:
                if i + 1 < len(lemmas) and lemmas[i + 1] in self._pseudo:
                    continue
                return view.text[view.idx[i]:view.idx[i] + view.length[i]]  # doc[i].text
        return None


def _is_near(view: "_DocView", words: frozenset[int], window: int, s: int, e: int) -> bool:
    """Whether one of ``words`` is within ``window`` tokens of the match, in the same sentence."""
    lemmas = view.lemmas
    lo = max(view.first[s], s - window)
    hi = min(view.stop[e - 1], e + window)
    return not words.isdisjoint(lemmas[lo:s]) or (e < hi and not words.isdisjoint(lemmas[e:hi]))


_START_END = itemgetter(1, 2)
_new_tuple = tuple.__new__  # Hit(...) without the generated __new__'s call overhead
class _Columns(NamedTuple):
    """A doc's tokens' ``LOWER`` ids and ``LEMMA`` ids (from the lookup table, not the doc)."""

    lowers: list[int]
    lemmas: list[int]


class _DocView:
    """Per-doc lookups computed once, only for docs that have matches, on integer arrays."""

    def __init__(self, doc: Doc, text: str, ids: _Columns | None, classes: TokenClasses | None,
                 sentences_set: bool = False):
        """``ids`` and ``classes`` on the fast path (sentences computed from the classes unless
        ``sentences_set``: the pipeline set them); a doc of the whole pipeline otherwise."""
        self.doc = doc
        self.text = text
        self.idx, self.length = doc.to_array([IDX, LENGTH]).T.tolist()
        if ids is None:  # a doc of the whole pipeline (it has matches, so tokens): lemmas set on it
            self.lemmas, puncts, spaces = doc.to_array([LEMMA, IS_PUNCT, IS_SPACE]).T.tolist()
            self.classes = "".join(["p" if p else "s" if sp else "w" for p, sp in zip(puncts, spaces)])
        else:
            self.lemmas = ids.lemmas
            self.classes = classes(ids.lowers)
        if ids is None or sentences_set:
            starts = [sent.start for sent in doc.sents]
        else:
            starts = sentence_starts(doc, self.classes, text, (self.idx, self.length))
        # per token: the first token of its sentence, and the first token after it
        self.first: list[int] = []
        self.stop: list[int] = []
        bounds = starts + [len(self.idx)]
        for a, b in zip(bounds, bounds[1:]):
            self.first += [a] * (b - a)
            self.stop += [b] * (b - a)
        self._spans: dict[tuple[int, int], tuple[int, int]] = {}

    def sentence(self, i: int) -> tuple[int, int]:
        """First token of the sentence holding token ``i`` and the first after it."""
        return self.first[i], self.stop[i]

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Character span of tokens first..last-1 without edge spaces (cached)."""
        span = self._spans.get((first, last))
        if span is None:
            classes, a, b = self.classes, first, last
            while a < b and classes[a] == "s":
                a += 1
            while b > a and classes[b - 1] == "s":
                b -= 1
            span = self._spans[(first, last)] = (self.idx[a], self.idx[b - 1] + self.length[b - 1])
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
