"""The rule tagger as a spaCy component: ``nlp.add_pipe("qualcode_rules", ...)`` on a user's pipeline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc

from qualcode.codebook import load_codebook
from qualcode.ingest import read_document
from qualcode.tagging import Hit, RuleTagger

REPO = Path(__file__).resolve().parents[1]
MENTORING = REPO / "codebooks" / "mentoring_expectations.yaml"
TEXT = ("We signed a compact with our mentor. It was not helpful\n"
        "Nobody wants to ask about authorship")


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("qualcode_rules", config={"codebook": str(MENTORING)})
    return nlp


def test_codings_are_spans_with_their_evidence(nlp):
    doc = nlp(TEXT)
    assert [(s.label_, s.text) for s in doc.spans["qualcode"]] == [
        ("tools.types", "We signed a compact with our mentor."),
        ("tools.reservations", "It was not helpful"),
        ("independence.credit", "Nobody wants to ask about authorship"),
        ("power_differential", "Nobody wants to ask about authorship")]
    assert doc.spans["qualcode"][0]._.qualcode_evidence == (
        Hit("tools.types", "tools.types/sign-document", "signed a compact", 3, 19),
        Hit("tools.types", "tools.types/phrases/4", "compact", 12, 19))
    assert [(s.label_, s.text, s._.qualcode_evidence) for s in doc.spans["qualcode_vetoed"]] == [
        ("tools.benefits", "helpful", (Hit("tools.benefits", "tools.benefits/phrases/93", "helpful", 48, 55,
                                           "negated", 'negated by "not"'),))]
    # a span made by anyone else has no evidence
    assert doc[0:2]._.qualcode_evidence == ()


def test_the_component_codes_as_the_tagger_does(nlp):
    """On spacy.blank("en"), the same codings, hits and vetoes as RuleTagger for every sample turn."""
    tagger = RuleTagger(load_codebook(MENTORING))
    compared = vetoed = 0
    for path in sorted((REPO / "transcripts_sample").glob("*.txt")):
        document = read_document(path)
        for seg in document.segments:
            text = document.text[seg.start:seg.end]
            doc = nlp(text)
            codings = [(c.code_id, c.start, c.end, c.hits) for c in tagger.tag_text(text)]
            assert [(s.label_, s.start_char, s.end_char, s._.qualcode_evidence)
                    for s in doc.spans["qualcode"]] == codings
            hits = [h for h in tagger.explain(text) if h.status != "applied"]
            assert [h for s in doc.spans["qualcode_vetoed"] for h in s._.qualcode_evidence] == hits
            compared += len(codings)
            vetoed += len(hits)
    assert compared > 100 and vetoed > 10


def test_the_docs_lemmas_and_sentences_are_left_as_they_were():
    nlp = spacy.blank("en")
    nlp.add_pipe("qualcode_rules", config={"codebook": str(MENTORING)})
    doc = nlp(TEXT)
    assert {t.lemma_ for t in doc} == {""} and not doc.has_annotation("SENT_START")
    # lemmas set by an earlier component survive
    words = ["They", "signed", "a", "compact", "."]
    doc = Doc(nlp.vocab, words=words, lemmas=["THEY", "SIGN", "A", "COMPACT", "."])
    doc = nlp.get_pipe("qualcode_rules")(doc)
    assert [t.lemma_ for t in doc] == ["THEY", "SIGN", "A", "COMPACT", "."]
    assert [s.label_ for s in doc.spans["qualcode"]] == ["tools.types"]


def test_sentences_set_before_the_component_are_used():
    """A pipeline with a sentencizer sets sentence starts without the line-break rule: the
    codings follow the doc's sentences."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("qualcode_rules", config={"codebook": str(MENTORING)})
    doc = nlp(TEXT)
    assert [(s.label_, s.text) for s in doc.spans["qualcode"]] == [
        ("tools.types", "We signed a compact with our mentor."),
        ("independence.credit", "It was not helpful\nNobody wants to ask about authorship"),
        ("power_differential", "It was not helpful\nNobody wants to ask about authorship"),
        ("tools.reservations", "It was not helpful\nNobody wants to ask about authorship")]


def test_a_loaded_codebook_other_span_keys_and_no_codebook():
    nlp = spacy.blank("en")
    component = nlp.add_pipe("qualcode_rules", config={"spans_key": "rules"})
    with pytest.raises(ValueError, match="has no codebook"):
        nlp("We signed a compact.")
    component.set_codebook(load_codebook(MENTORING))
    doc = nlp("We signed a compact. It was not helpful.")
    assert [s.label_ for s in doc.spans["rules"]] == ["tools.types", "tools.reservations"]
    assert [s.label_ for s in doc.spans["rules_vetoed"]] == ["tools.benefits"]
    assert "qualcode" not in doc.spans
    assert [len(d.spans["rules"]) for d in nlp.pipe(["", "Nothing to see.", "A compact."])] == [0, 0, 1]


def test_spans_and_evidence_survive_serialization(nlp, tmp_path):
    doc = nlp(TEXT)
    copy = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert [s._.qualcode_evidence for s in copy.spans["qualcode"]] == \
        [s._.qualcode_evidence for s in doc.spans["qualcode"]]
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    again = loaded(TEXT)
    assert [s.label_ for s in again.spans["qualcode"]] == [s.label_ for s in doc.spans["qualcode"]]


def test_spacy_finds_the_factory_without_importing_qualcode():
    """The factory is registered as a spaCy entry point (setup.cfg), as spaCy's plugins are."""
    script = ("import sys, spacy; nlp = spacy.blank('en'); "
              f"nlp.add_pipe('qualcode_rules', config={{'codebook': {str(MENTORING)!r}}}); "
              "doc = nlp('We signed a compact.'); print([s.label_ for s in doc.spans['qualcode']])")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['tools.types']"
