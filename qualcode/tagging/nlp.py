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

import spacy
from spacy.language import Language
from spacy.tokens import Doc

PIPELINE_NAME = "qualcode_en"


class LowercaseLookupLemmatizer:
    """Sets ``token.lemma`` from the lookup table, keyed on the lowercase form, cached per entry."""

    def __init__(self, table=None):
        if table is None:
            from spacy.lookups import load_lookups

            table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
        self.table = table
        self._cache: dict[int, int] = {}

    def lemma_of(self, lower: str) -> str:
        lemma = self.table.get(lower, lower)
        return lemma.lower() if isinstance(lemma, str) else lower

    def __call__(self, doc: Doc) -> Doc:
        cache = self._cache
        strings = doc.vocab.strings
        for token in doc:
            key = token.lower
            lemma = cache.get(key)
            if lemma is None:
                lemma = strings.add(self.lemma_of(token.lower_))
                cache[key] = lemma
            token.lemma = lemma
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
    return [t.lemma_ for t in lemma_doc(nlp or get_nlp(), text) if not t.is_space]


def lemma_set(words: Iterable[str], nlp: Language | None = None) -> frozenset[str]:
    """Lemmas of single words (for negation cues and proximity lists)."""
    nlp = nlp or get_nlp()
    out: set[str] = set()
    for word in words:
        out.update(lemmatize(word, nlp))
    return frozenset(out)
