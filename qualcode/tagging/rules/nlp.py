"""The one shared blank-English pipeline: tokenizer, sentencizer, paragraph breaks, lemmas.

No model is downloaded: lemmas come from the lookup table shipped in
``spacy-lookups-data`` (the table spaCy's ``lemmatizer`` uses in ``lookup``
mode).  The table is case-sensitive ("Mentors" stays "Mentors"), so lemmas are
looked up on the *lowercase* form and stored lowercase: a ``LEMMA`` attribute is
therefore also case-insensitive.  Each vocabulary entry is resolved once and
cached, which makes lemmas nearly as cheap as tokenizing.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable

import numpy
import spacy
from spacy.attrs import IDX, IS_SPACE, LEMMA, LOWER
from spacy.language import Language
from spacy.tokens import Doc

PIPELINE_NAME = "qualcode_en"


@lru_cache(maxsize=1)
def lemma_table():
    """spaCy's English lemma lookup table (loaded once per process)."""
    from spacy.lookups import load_lookups

    return load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")


class LowercaseLookupLemmatizer:
    """Sets ``token.lemma`` from the lookup table, keyed on the lowercase form, cached per entry.

    The lemmas of a doc are resolved on integer ids (``LOWER`` -> ``LEMMA``, one dict
    look-up per token, a table look-up once per vocabulary entry) and written back in one
    ``Doc.from_array`` call, so no per-token ``Token`` objects are created.
    """

    def __init__(self, table=None):
        self.table = lemma_table() if table is None else table
        self._cache: dict[int, int] = {}

    def lemma_of(self, lower: str) -> str:
        lemma = self.table.get(lower, lower)
        return lemma.lower() if isinstance(lemma, str) else lower

    def annotate(self, doc: Doc) -> tuple[list[int], list[int]]:
        """Set the doc's lemmas; return its tokens' ``LOWER`` and ``LEMMA`` ids."""
        if not len(doc):
            return [], []
        lowers = doc.to_array(LOWER).tolist()
        lemmas = self.lemmas_of(lowers, doc.vocab.strings)
        doc.from_array([LEMMA], numpy.asarray(lemmas, dtype=numpy.uint64))
        return lowers, lemmas

    def lemmas_of(self, lowers: list[int], strings) -> list[int]:
        """The ``LEMMA`` ids of tokens with these ``LOWER`` ids."""
        cache = self._cache
        try:
            return [cache[lower] for lower in lowers]
        except KeyError:
            for lower in set(lowers).difference(cache):
                cache[lower] = strings.add(self.lemma_of(strings[lower]))
            return [cache[lower] for lower in lowers]

    def __call__(self, doc: Doc) -> Doc:
        self.annotate(doc)
        return doc


@Language.factory("qualcode_lemmatizer")
def _make_lemmatizer(nlp: Language, name: str) -> LowercaseLookupLemmatizer:
    return LowercaseLookupLemmatizer()


@lru_cache(maxsize=8)
def lemmatizer_of(nlp: Language) -> LowercaseLookupLemmatizer:
    """The pipeline's ``qualcode_lemmatizer``, or one kept for a pipeline without it."""
    if "qualcode_lemmatizer" in nlp.pipe_names:
        return nlp.get_pipe("qualcode_lemmatizer")
    return LowercaseLookupLemmatizer()


def line_break_starts(doc: Doc, text: str) -> list[int]:
    """Tokens that follow a line break (other than space tokens): they start a sentence."""
    if "\n" not in text or len(doc) < 2:
        return []
    idx, spaces = doc.to_array([IDX, IS_SPACE]).T.tolist()
    # a token's text and the whitespace after it run up to the next token's start
    return [i for i in range(1, len(idx)) if not spaces[i] and "\n" in text[idx[i - 1]:idx[i]]]


@Language.component("qualcode_paragraphs")
def paragraph_breaks(doc: Doc) -> Doc:
    """A line break always ends a sentence (turns keep paragraphs as ``\\n``)."""
    for i in line_break_starts(doc, doc.text):
        doc[i].is_sent_start = True
    return doc


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


def lemmatize(text: str, nlp: Language | None = None) -> list[str]:
    """The lowercase lemmas of a text's tokens, as rules see them."""
    return [lemma for lemma, space in _lemmas(nlp or get_nlp(), text) if not space]


def phrase_lemmas(text: str, nlp: Language | None = None) -> tuple[str, ...]:
    """The lemmas of every token of a phrase, space tokens included (as a PhraseMatcher sees it)."""
    return tuple(lemma for lemma, _ in _lemmas(nlp or get_nlp(), text))


@lru_cache(maxsize=1 << 16)
def _lemmas(nlp: Language, text: str) -> tuple[tuple[str, bool], ...]:
    """(lemma, is space) per token of ``text``; cached, since codebooks repeat words across rules."""
    doc = nlp.make_doc(text)
    if not len(doc):
        return ()
    lowers, spaces = doc.to_array([LOWER, IS_SPACE]).T.tolist()
    strings = nlp.vocab.strings
    lemmas = lemmatizer_of(nlp).lemmas_of(lowers, strings)
    return tuple(zip(map(strings.__getitem__, lemmas), map(bool, spaces)))


def lemma_set(words: Iterable[str], nlp: Language | None = None) -> frozenset[str]:
    """Lemmas of single words (for negation cues and proximity lists)."""
    nlp = nlp or get_nlp()
    out: set[str] = set()
    for word in words:
        out.update(lemmatize(word, nlp))
    return frozenset(out)
