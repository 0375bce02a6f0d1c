"""The rule tagger as a spaCy pipeline component, for researchers' own pipelines.

    import spacy
    nlp = spacy.blank("en")
    nlp.add_pipe("qualcode_rules", config={"codebook": "codebooks/mentoring_expectations.yaml"})
    doc = nlp("We never set expectations. Then we signed a compact with our mentor.")
    [(span.label_, span.text) for span in doc.spans["qualcode"]]
    [hit.rule_id for hit in doc.spans["qualcode"][0]._.qualcode_evidence]

Each coding is a span of ``doc.spans["qualcode"]`` (its label the code id, its
extent the sentence or turn the code applies to) and ``span._.qualcode_evidence``
holds its :class:`~qualcode.tagging.rules.checks.Hit`\\ s: rule id, matched words,
their character offsets in ``doc.text``.  Matches that were vetoed (by an exclude
phrase, a negation or a missing ``near`` word) are spans of
``doc.spans["qualcode_vetoed"]`` over the matched words, whose evidence says why.
These are exactly the codings and hits :class:`~qualcode.tagging.rules.tagger.RuleTagger`
finds for the doc's text, computed from the doc's tokens: the component matches the
rules' own lemmas (lowercase lookups) and leaves the doc's lemmas as they were; it uses
the doc's sentence starts when a component before it set them (a parser, a
sentencizer), otherwise it finds them as qualcode does, without setting them (unless a
pattern of the codebook tests ``IS_SENT_START``: then they are set before matching).

``codebook`` in the config is the path of a codebook file; a codebook already loaded
(:class:`~qualcode.codebook.Codebook`, which a spaCy config cannot hold) is given to
the component after it is added: ``nlp.add_pipe("qualcode_rules").set_codebook(book)``.
``spans_key`` names the span group (the vetoed one adds ``_vetoed``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from spacy.attrs import LEMMA
from spacy.language import Language
from spacy.tokens import Doc, Span

from qualcode.codebook import Codebook, load_codebook
from qualcode.tagging.rules.checks import APPLIED, Hit
from qualcode.tagging.rules.tagger import RuleTagger

SPANS_KEY = "qualcode"
EVIDENCE = "qualcode_evidence"  # the span extension, and the doc.user_data key it reads


def span_evidence(span: Span) -> tuple[Hit, ...]:
    """The hits behind a span of the component's span groups (empty for any other span)."""
    hits = span.doc.user_data.get((EVIDENCE, span.id_, span.label_, span.start_char, span.end_char), ())
    return tuple(map(Hit._make, hits))  # Hits again after Doc.to_bytes made them lists


if not Span.has_extension(EVIDENCE):
    Span.set_extension(EVIDENCE, getter=span_evidence)


class RuleComponent:
    """Writes a codebook's rule codings to ``doc.spans[spans_key]`` (see the module's docs)."""

    def __init__(self, nlp: Language, codebook: Codebook | str | Path | None = None,
                 spans_key: str = SPANS_KEY):
        self.nlp = nlp
        self.spans_key = spans_key
        self.tagger: RuleTagger | None = None
        if codebook is not None:
            self.set_codebook(codebook)

    def set_codebook(self, codebook: Codebook | str | Path) -> None:
        """Code with this codebook (a loaded one, or the path of its file) from now on."""
        if not isinstance(codebook, Codebook):
            codebook = load_codebook(codebook)
        self.tagger = RuleTagger(codebook, self.nlp)

    def __call__(self, doc: Doc) -> Doc:
        if self.tagger is None:
            raise ValueError("the qualcode_rules component has no codebook: add it with "
                             "config={'codebook': PATH} or call its set_codebook(codebook)")
        lemmas = doc.to_array([LEMMA])  # the tagger sets the rules' lemmas: the doc's come back after
        hits = self.tagger.hits(doc, doc.text)
        if len(doc):
            doc.from_array([LEMMA], lemmas)
        vetoed: dict[tuple[str, int, int], list[Hit]] = {}
        for hit, _ in hits:
            if hit.status != APPLIED:
                vetoed.setdefault((hit.code_id, hit.start, hit.end), []).append(hit)
        _set_spans(doc, self.spans_key, self.tagger.groups(hits))
        _set_spans(doc, f"{self.spans_key}_vetoed", vetoed.items())
        return doc


def _set_spans(doc: Doc, key: str, groups: Iterable[tuple[tuple[str, int, int], list[Hit]]]) -> None:
    spans = []
    for (code_id, start, end), hits in groups:
        spans.append(doc.char_span(start, end, label=code_id, span_id=key))
        doc.user_data[(EVIDENCE, key, code_id, start, end)] = tuple(hits)
    doc.spans[key] = spans


@Language.factory("qualcode_rules", default_config={"codebook": None, "spans_key": SPANS_KEY})
def make_rule_component(nlp: Language, name: str, codebook: str | None, spans_key: str) -> RuleComponent:
    """The ``qualcode_rules`` pipeline component: ``config={"codebook": PATH}``, or no codebook
    and then ``set_codebook`` (a loaded :class:`~qualcode.codebook.Codebook`)."""
    return RuleComponent(nlp, codebook, spans_key)
