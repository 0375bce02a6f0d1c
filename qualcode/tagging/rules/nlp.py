"""The one shared blank-English pipeline: tokenizer, sentencizer, paragraph breaks, lemmas.

No model is downloaded: lemmas come from the lookup table shipped in
``spacy-lookups-data`` (the table spaCy's ``lemmatizer`` uses in ``lookup``
mode).  The table is case-sensitive ("Mentors" stays "Mentors"), so lemmas are
looked up on the *lowercase* form and stored lowercase: a ``LEMMA`` attribute is
therefore also case-insensitive.  Each vocabulary entry is resolved once and
cached, which makes lemmas nearly as cheap as tokenizing.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

import numpy
import spacy
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LEMMA, LENGTH, LOWER
from spacy.language import Language
from spacy.tokens import Doc

PIPELINE_NAME = "qualcode_en"


def cached_lookup(cache: dict, keys: list, compute) -> list:
    """``[cache[key] for key in keys]``, first computing (once) the entries not cached yet.

    The per-vocabulary-entry caches of the fast tagger (lemmas, token classes, pattern
    codes) are read this way: one list comprehension per doc once the words are known."""
    try:
        return [cache[key] for key in keys]
    except KeyError:
        for key in set(keys).difference(cache):
            cache[key] = compute(key)
        return [cache[key] for key in keys]


class LowercaseLookupLemmatizer:
    """Sets ``token.lemma`` from the lookup table, keyed on the lowercase form, cached per entry.

    The lemmas of a doc are resolved on integer ids (``LOWER`` -> ``LEMMA``, one dict
    look-up per token, a table look-up once per vocabulary entry) and written back in one
    ``Doc.from_array`` call, so no per-token ``Token`` objects are created.
    """

    def __init__(self, table=None):
        if table is None:
            from spacy.lookups import load_lookups

            table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
        self.table = table
        self._cache: dict[int, int] = {}

    def lemma_of(self, lower: str) -> str:
        lemma = self.table.get(lower, lower)
        return lemma.lower() if isinstance(lemma, str) else lower

    def annotate(self, doc: Doc) -> tuple[list[int], list[int]]:
        """Set the doc's lemmas; return its tokens' ``LOWER`` and ``LEMMA`` ids."""
        lowers, lemmas = self.ids(doc)
        if lemmas:
            self.set_lemmas(doc, lemmas)
        return lowers, lemmas

    @staticmethod
    def set_lemmas(doc: Doc, lemmas: list[int]) -> None:
        """Write lemma ids (from :meth:`ids`) onto the doc."""
        doc.from_array([LEMMA], numpy.asarray(lemmas, dtype=numpy.uint64))

    def ids(self, doc: Doc) -> tuple[list[int], list[int]]:
        """The doc's tokens' ``LOWER`` and ``LEMMA`` ids, without setting anything on it."""
        if not len(doc):
            return [], []
        lowers = doc.to_array(LOWER).tolist()
        return lowers, self.lemmas_of(lowers, doc.vocab.strings)

    def lemmas_of(self, lowers: list[int], strings) -> list[int]:
        """The ``LEMMA`` ids of tokens with these ``LOWER`` ids."""
        return cached_lookup(self._cache, lowers, lambda key: strings.add(self.lemma_of(strings[key])))

    def __call__(self, doc: Doc) -> Doc:
        self.annotate(doc)
        return doc


@Language.factory("qualcode_lemmatizer")
def _make_lemmatizer(nlp: Language, name: str) -> LowercaseLookupLemmatizer:
    return LowercaseLookupLemmatizer()


@Language.component("qualcode_paragraphs")
def paragraph_breaks(doc: Doc) -> Doc:
    """A line break always ends a sentence (turns keep paragraphs as ``\\n``)."""
    if "\n" not in doc.text:
        return doc
    for i in range(1, len(doc)):
        if "\n" in doc[i - 1].text or "\n" in doc[i - 1].whitespace_:
            if not doc[i].is_space:
                doc[i].is_sent_start = True
    return doc


class TokenClasses:
    """One character per token saying what sentence splitting and clause checks need.

    ``P``: a sentence-final character of the sentencizer (``punct_chars``) that is
    punctuation; ``Q``: one that is not; ``p``: other punctuation; ``s``: whitespace;
    ``w``: anything else.  All of it follows from the token's ``LOWER`` form (a
    character is in ``punct_chars``, is punctuation or is whitespace exactly when its
    lowercase is: checked over every code point in the tests), so each vocabulary
    entry's class is worked out once and cached, and a doc's classes are one string.
    """

    def __init__(self, nlp: Language):
        self._strings = nlp.vocab.strings
        self._punct_chars = frozenset(nlp.get_pipe("sentencizer").punct_chars)
        self._is_punct = nlp.vocab.lex_attr_getters[IS_PUNCT]
        self._is_space = nlp.vocab.lex_attr_getters[IS_SPACE]
        self._cache: dict[int, str] = {}

    def of(self, lower: str) -> str:
        if lower in self._punct_chars:
            return "P" if self._is_punct(lower) else "Q"
        return "p" if self._is_punct(lower) else "s" if self._is_space(lower) else "w"

    def __call__(self, lowers: list[int]) -> str:
        return "".join(cached_lookup(self._cache, lowers, lambda lower: self.of(self._strings[lower])))


#: A run of sentence-final characters (with other punctuation) followed by a token that
#: is neither: the sentencizer starts a sentence at that token.
_SENTENCE_END = re.compile(r"[PQ][PQp]*(?=[sw])")
_SPACE_BEFORE_WORD = re.compile(r"s(?=[^s])")  # a whitespace token followed by another kind


def sentence_starts(doc: Doc, classes: str, text: str | None = None,
                    spans: tuple[list[int], list[int]] | None = None) -> list[int]:
    """First token of each sentence, exactly as ``sentencizer`` + ``qualcode_paragraphs`` set them.

    ``classes``: the doc's :class:`TokenClasses` string.  Computed without setting anything
    on the doc, for docs that need sentences.  ``text`` is the doc's text if the caller has
    it (``doc.text`` is rebuilt token by token), ``spans`` its tokens' ``IDX`` and ``LENGTH``.
    """
    n = len(classes)
    if not n:
        return []
    starts = [0] + [m.end() for m in _SENTENCE_END.finditer(classes)]  # the sentencizer's rule
    if text is None:
        text = doc.text
    if "\n" in text:
        # the paragraph rule; whitespace_ is at most one space, and the tokenizer splits at
        # every whitespace character, so only space tokens can hold a line break
        idx, length = spans or doc.to_array([IDX, LENGTH]).T.tolist()
        breaks = [m.end() for m in _SPACE_BEFORE_WORD.finditer(classes)
                  if "\n" in text[idx[m.start()]:idx[m.start()] + length[m.start()]]]
        if breaks:
            starts = sorted(set(starts).union(breaks))
    return starts


def make_nlp() -> Language:
    """A fresh pipeline (most callers want the cached :func:`get_nlp`)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("qualcode_paragraphs")
    nlp.add_pipe("qualcode_lemmatizer")
    nlp.meta["name"] = PIPELINE_NAME
    return nlp


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The shared pipeline, created once per process."""
    return make_nlp()


def lemma_doc(nlp: Language, text: str) -> Doc:
    """Tokenize and lemmatize a short text (a phrase or a word) without splitting sentences."""
    return nlp.get_pipe("qualcode_lemmatizer")(nlp.make_doc(text))


def lemmatize(text: str, nlp: Language | None = None) -> list[str]:
    """The lowercase lemmas of a text's tokens, as rules see them."""
    return [lemma for lemma, space in _lemmas(nlp or get_nlp(), text) if not space]


def phrase_lemmas(text: str, nlp: Language | None = None) -> tuple[str, ...]:
    """The lemmas of every token of a phrase, space tokens included (as a PhraseMatcher sees it)."""
    return tuple(lemma for lemma, _ in _lemmas(nlp or get_nlp(), text))


@lru_cache(maxsize=1 << 16)
def _lemmas(nlp: Language, text: str) -> tuple[tuple[str, bool], ...]:
    """(lemma, is space) per token, as :func:`lemma_doc` sets them (read on integer ids,
    without setting them on the doc); cached, since codebooks repeat words across rules."""
    doc = nlp.make_doc(text)
    if not len(doc):
        return ()
    lowers, spaces = doc.to_array([LOWER, IS_SPACE]).T.tolist()
    strings = nlp.vocab.strings
    lemmas = nlp.get_pipe("qualcode_lemmatizer").lemmas_of(lowers, strings)
    return tuple(zip(map(strings.__getitem__, lemmas), map(bool, spaces)))


def lemma_set(words: Iterable[str], nlp: Language | None = None) -> frozenset[str]:
    """Lemmas of single words (for negation cues and proximity lists)."""
    nlp = nlp or get_nlp()
    out: set[str] = set()
    for word in words:
        out.update(lemmatize(word, nlp))
    return frozenset(out)
