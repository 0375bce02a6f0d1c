"""The rule tagger: a codebook's phrases and token patterns applied with spaCy matchers.

Every machine code is explainable: a :class:`RuleCoding` carries the matched
words and the id of each rule that fired, and :meth:`RuleTagger.explain` also
returns the matches that were *vetoed* (by an exclude phrase, a negation cue or
a missing ``near`` word) so a researcher can see why a code was not applied.

Offsets are character offsets into the document's text: a segment's text is
tagged with its ``base_offset`` (``segment.start``), so
``document.text[coding.start:coding.end]`` is the coded excerpt.

Each text is tokenized, its lemmas looked up (:mod:`~qualcode.tagging.rules.nlp`)
and matched (:mod:`~qualcode.tagging.rules.matching`); only texts with matches
get sentences and the rule checks (:mod:`~qualcode.tagging.rules.checks`).  The
same steps run as a spaCy pipeline component (:mod:`~qualcode.tagging.rules.component`).
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable, Iterator, NamedTuple

import numpy
from spacy.attrs import LEMMA, LOWER
from spacy.language import Language
from spacy.tokens import Doc

from qualcode.codebook import Codebook
from qualcode.core.models import Document, Segment
from qualcode.tagging.rules.checks import APPLIED, Hit, RuleChecks
from qualcode.tagging.rules.matching import RuleMatcher
from qualcode.tagging.rules.nlp import get_nlp, lemmatizer_of, phrase_lemmas
from qualcode.tagging.rules.pattern_check import check_codebook_patterns
from qualcode.tagging.rules.patterns import expand_to_phrases, prepare_pattern

_JSON_STR = json.encoder.encode_basestring  # a JSON string as json.dumps(..., ensure_ascii=False) writes it
Groups = list[tuple[tuple[str, int, int], list[Hit]]]  # ((code id, start, end), applied hits)


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
    """Apply a codebook's rules.  Build once (compiling matchers), then tag any number of texts.

    ``nlp`` gives the tokenizer and vocabulary (default: :func:`~qualcode.tagging.rules.nlp.get_nlp`);
    its components are not run: lemmas and sentences are the tagger's own."""

    name = "rules"

    def __init__(self, codebook: Codebook, nlp: Language | None = None):
        self.codebook = codebook
        self.nlp = nlp or get_nlp()
        check_codebook_patterns(codebook, self.nlp)
        self._lemmatizer = lemmatizer_of(self.nlp)
        self._matcher = RuleMatcher(self.nlp.vocab, common=self.nlp.Defaults.stop_words)
        self._checks = RuleChecks(self.nlp)
        for code in codebook.codes:
            self._add_phrases(code, code.rules.phrases, is_exclude=False)
            for rule in code.rules.patterns:
                self._checks.add(code, rule, self._matcher.key(rule.rule_id))
                pattern = prepare_pattern(list(rule.pattern), self.nlp)
                expanded = expand_to_phrases(pattern, self.nlp)
                if expanded is None:
                    self._matcher.add_pattern(rule.rule_id, pattern)
                else:  # same matches, but the PhraseMatcher is nearly free
                    self._matcher.add_phrases(rule.rule_id, expanded)
            self._add_phrases(code, code.rules.exclude, is_exclude=True)
        # patterns that test sentence starts need them set before matching
        self._sentences_first = any("SENT_START" in str(key).upper() for code in codebook.codes
                                    for rule in code.rules.patterns for token in rule.pattern
                                    if isinstance(token, dict) for key in token)
        self._scope = {c.id: c.rules.scope for c in codebook.codes}

    def _add_phrases(self, code, rules, is_exclude: bool) -> None:
        seen: set[tuple[str, ...]] = set()
        for rule in rules:
            lemmas = phrase_lemmas(rule.phrase, self.nlp)
            if lemmas in seen:  # "file away" and "filed away": one rule is enough
                continue
            seen.add(lemmas)
            self._checks.add(code, rule, self._matcher.key(rule.rule_id), is_exclude)
            self._matcher.add_phrases(rule.rule_id, [lemmas])

    @property
    def version(self) -> str:
        """Identifies the rules used: the codebook's content hash."""
        return self.codebook.hash[:16]

    # ------------------------------------------------------------ public

    def tag_segments(self, items: Iterable[tuple[Any, str, int]]) -> Iterator[RuleCoding]:
        """Tag ``(segment_key, text, base_offset)`` items, streaming; offsets are base + turn offset."""
        scope = self._scope
        for key, text, base in items:
            for (code_id, start, end), hits in self.groups(self.hits(self.nlp.make_doc(text), text, base)):
                yield RuleCoding(key, code_id, start, end, scope[code_id], tuple(hits))

    def coding_rows(self, items: Iterable[tuple[Any, str, int]]) -> Iterator[tuple[Any, str, int, int, str]]:
        """What :meth:`tag_segments` finds, as ``(segment_key, code_id, start, end, evidence
        JSON)`` rows ready to store (no :class:`RuleCoding` objects: the coding workers' path)."""
        scope = self._scope
        for key, text, base in items:
            for (code_id, start, end), hits in self.groups(self.hits(self.nlp.make_doc(text), text, base)):
                yield key, code_id, start, end, evidence_json(scope[code_id], hits)

    def tag_documents(self, documents: Iterable[Document],
                      skip: Callable[[Segment], bool] | None = None) -> Iterator[RuleCoding]:
        """Tag every segment of every document; ``segment_key`` is ``(document.name, segment.index)``."""
        def items():
            for document in documents:
                for seg in document.segments:
                    if skip is None or not skip(seg):
                        yield (document.name, seg.index), document.text[seg.start:seg.end], seg.start
        return self.tag_segments(items())

    def tag_text(self, text: str, segment_key: Any = None, base_offset: int = 0) -> list[RuleCoding]:
        """Tag one text (offsets relative to it unless ``base_offset`` is given)."""
        return list(self.tag_segments([(segment_key, text, base_offset)]))

    def explain(self, text: str, base_offset: int = 0) -> list[Hit]:
        """Every rule match in ``text``, applied or vetoed (with the reason), in text order."""
        return [hit for hit, _ in self.hits(self.nlp.make_doc(text), text, base_offset)]

    # ------------------------------------------------------------ one doc

    def hits(self, doc: Doc, text: str, base: int = 0) -> list[tuple[Hit, tuple[int, int]]]:
        """Every match in ``doc`` (made from ``text``) as a :class:`Hit`, with the character span
        of its scope (offsets plus ``base``).  The doc's tokens get the rules' lemmas."""
        if not len(doc):
            return []
        lowers = doc.to_array(LOWER).tolist()
        lemmas = self._lemmatizer.lemmas_of(lowers, doc.vocab.strings)
        doc.from_array([LEMMA], numpy.asarray(lemmas, dtype=numpy.uint64))  # what the matchers read
        if self._sentences_first and not doc.has_annotation("SENT_START"):
            for start in self._checks.sentence_starts(doc, text)[1:]:
                doc[start].is_sent_start = True
        matches = self._matcher(doc, lowers, lemmas)
        return self._checks(doc, text, lemmas, matches, base) if matches else []

    def groups(self, hits: list[tuple[Hit, tuple[int, int]]]) -> Groups:
        """The applied hits (from :meth:`hits`) grouped by ``(code_id, start, end)`` of their
        scope, in coding order: by start, then the codebook's order of codes, then end."""
        groups: dict[tuple[str, int, int], list[Hit]] = {}
        for hit, span in hits:
            if hit[5] == APPLIED:
                groups.setdefault((hit[0], span[0], span[1]), []).append(hit)
        if len(groups) < 2:
            return list(groups.items())
        order = self._checks.code_order
        return sorted(groups.items(), key=lambda kv: (kv[0][1], order[kv[0][0]], kv[0][2]))


def code_document(tagger: RuleTagger, document: Document,
                  skip: Callable[[Segment], bool] = lambda seg: False) -> list[RuleCoding]:
    """All rule codings of one document; ``segment_key`` is the segment's index."""
    items = ((seg.index, document.text[seg.start:seg.end], seg.start)
             for seg in document.segments if not skip(seg))
    return list(tagger.tag_segments(items))
