"""The rule tagger: lemma-aware phrases, patterns, negation, exclusion, proximity, scope, offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.codebook import load_codebook
from qualcode.core.models import Turn, build_document
from qualcode.tagging import Hit, RuleTagger, code_document, get_nlp, lemmatize

CODEBOOKS = Path(__file__).resolve().parents[1] / "codebooks"

CODEBOOK = """\
name: Test
version: "1"
codes:
  - id: value
    name: Value
    definition: Setting expectations.
    rules:
      phrases: [set expectations, same page]
      exclude: [page number]
    children:
      - id: value.clarity
        name: Clarity
        definition: Knowing what is expected.
        rules:
          phrases: [what was expected]
  - id: tools
    name: Tools
    definition: Formal tools.
    rules:
      scope: turn
      phrases:
        - contract
        - {phrase: agreement, near: [mentor, signed], window: 4, id: agreement-near}
      patterns:
        - id: own-data
          pattern: [{LEMMA: own}, {LOWER: the, OP: "?"}, {LEMMA: data}]
      exclude: [social contract]
  - id: benefit
    name: Benefit
    definition: Praise.
    rules:
      negation: true
      phrases: [helpful, {phrase: useful, negation: false}]
"""


@pytest.fixture(scope="module")
def tagger(tmp_path_factory):
    path = tmp_path_factory.mktemp("cb") / "codebook.yaml"
    path.write_text(CODEBOOK, encoding="utf-8")
    return RuleTagger(load_codebook(path))


@pytest.fixture(scope="module")
def mentoring():
    return RuleTagger(load_codebook(CODEBOOKS / "mentoring_expectations.yaml"))


def codes(tagger, text):
    return [(c.code_id, text[c.start:c.end], c.matched) for c in tagger.tag_text(text)]


def test_pipeline_is_shared_and_lemmas_are_lowercase():
    assert get_nlp() is get_nlp()
    assert get_nlp().pipe_names == ["sentencizer", "qualcode_paragraphs", "qualcode_lemmatizer"]
    assert lemmatize("Mentors were Setting EXPECTATIONS and didn't own the Data") == [
        "mentor", "be", "set", "expectation", "and", "do", "not", "own", "the", "datum"]


def test_phrases_match_lemmas_case_insensitively(tagger):
    assert codes(tagger, "Mentors were Setting Expectations early.") == [
        ("value", "Mentors were Setting Expectations early.", "Setting Expectations")]
    assert codes(tagger, "We set an expectation.") == []  # words must be adjacent


def test_pattern_lemma_values_are_lemmatized(tagger):
    text = "Who owns the data? I own data."
    [coding] = tagger.tag_text(text)
    assert (coding.code_id, coding.scope, coding.rule_id) == ("tools", "turn", "own-data")
    assert [h.matched for h in coding.hits] == ["owns the data", "own data"]


def test_several_matches_in_one_span_make_one_coding(tagger):
    text = "Setting expectations put us on the same page."
    [coding] = tagger.tag_text(text, segment_key="s1")
    assert coding.segment_key == "s1"
    assert coding.hits == (
        Hit("value", "value/phrases/1", "Setting expectations", 0, 20),
        Hit("value", "value/phrases/2", "same page", 35, 44),
    )
    assert coding.rule_id == "value/phrases/1; value/phrases/2"
    assert coding.matched == "Setting expectations; same page"
    assert coding.evidence == 'value/phrases/1 "Setting expectations"; value/phrases/2 "same page"'


def test_sentence_scope_codes_each_sentence_turn_scope_the_whole_turn(tagger):
    text = "We set expectations. Then a contract came.\nLater we set expectations again."
    got = [(c.code_id, c.scope, c.start, c.end, text[c.start:c.end]) for c in tagger.tag_text(text)]
    assert got == [
        ("value", "sentence", 0, 20, "We set expectations."),
        ("tools", "turn", 0, len(text), text),
        ("value", "sentence", 43, len(text), "Later we set expectations again."),
    ]


def test_line_break_ends_a_sentence(tagger):
    text = "we set expectations\nand then nothing"
    assert codes(tagger, text) == [("value", "we set expectations", "set expectations")]


def test_exclude_vetoes_only_in_the_same_scope(tagger):
    assert codes(tagger, "Same page number as before.") == []
    text = "See page number two. We were on the same page."
    assert codes(tagger, text) == [("value", "We were on the same page.", "same page")]
    # turn scope: the veto reaches the whole turn
    assert codes(tagger, "A contract. Rousseau wrote the social contract.") == []
    assert tagger.explain("A contract. Rousseau wrote the social contract.") == [
        Hit("tools", "tools/phrases/1", "contract", 2, 10, "excluded", 'exclude phrase "social contract"'),
        Hit("tools", "tools/phrases/1", "contract", 38, 46, "excluded", 'exclude phrase "social contract"'),
    ]


def test_negation(tagger):
    assert codes(tagger, "The compact was not helpful.") == []
    assert codes(tagger, "It wasn't really helpful.") == []
    assert codes(tagger, "Never helpful.") == []
    # too far away, a clause break, a pseudo-negation, or negation switched off for the phrase
    assert [c[0] for c in codes(tagger, "No, the written plan was very helpful.")] == ["benefit"]
    assert [c[0] for c in codes(tagger, "It was not long but helpful.")] == ["benefit"]
    assert [c[0] for c in codes(tagger, "It was not only helpful.")] == ["benefit"]
    assert [c[0] for c in codes(tagger, "It was not useful.")] == ["benefit"]
    assert [h.describe() for h in tagger.explain("It was not helpful.")] == [
        'benefit  benefit/phrases/1  "helpful"  negated (negated by "not")']


def test_negation_exception_for_unclear_expectations(mentoring):
    text = "No one told me what was expected."
    got = [(c.code_id, c.matched) for c in mentoring.tag_text(text)]
    assert got == [("value.clarity", "No one told; No one told me; what was expected")]
    # where negation is on, negated praise becomes a reservation rather than a benefit
    got = [(c.code_id, c.matched) for c in mentoring.tag_text("The compact was not helpful to us.")]
    assert got == [("tools.types", "compact"), ("tools.reservations", "was not helpful; not helpful")]
    got = [(c.code_id, c.matched) for c in mentoring.tag_text("The compact was helpful to us.")]
    assert got == [("tools.types", "compact"), ("tools.benefits", "helpful")]


def test_near_requires_a_word_close_by_in_the_same_sentence(tagger):
    assert codes(tagger, "The mentor wrote an agreement.") == [
        ("tools", "The mentor wrote an agreement.", "agreement")]
    assert codes(tagger, "The mentor and I wrote an agreement.") == []  # 5 words away
    assert codes(tagger, "We were all in agreement about lunch.") == []
    assert codes(tagger, "The mentor left. We were in agreement.") == []
    assert tagger.explain("We were in agreement.") == [
        Hit("tools", "agreement-near", "agreement", 11, 20, "not near", "none of mentor, signed within 4 words")]


def test_offsets_slice_the_document_text():
    doc = build_document("fg1", [
        Turn("Facilitator", "How were expectations set?"),
        Turn("Scholar 1", "Honestly?  We set expectations in week one.\n\nThen we signed a contract."),
        Turn("Mentor 2", "I never set expectations. The contract was helpful."),
    ], "txt")
    path = CODEBOOKS / "mentoring_expectations.yaml"
    tagger = RuleTagger(load_codebook(path))
    codings = code_document(tagger, doc, skip=lambda seg: seg.speaker == "Facilitator")
    got = [(c.segment_key, c.code_id, doc.text[c.start:c.end]) for c in codings]
    assert got == [
        (1, "value", "We set expectations in week one."),
        (1, "tools.types", "Then we signed a contract."),
        (2, "value", "I never set expectations."),
        (2, "tools.types", "The contract was helpful."),
        (2, "tools.benefits", "The contract was helpful."),
    ]
    for coding in codings:
        seg = doc.segments[coding.segment_key]
        assert seg.start <= coding.start < coding.end <= seg.end
        for hit in coding.hits:
            assert doc.text[hit.start:hit.end] == hit.matched
    assert [c.evidence for c in codings][1] == (
        'tools.types/sign-document "signed a contract"; tools.types/phrases/1 "contract"')


def test_tag_segments_and_tag_documents_stream(tagger):
    items = [("a", "We set expectations.", 100), ("b", "Nothing here.", 200), ("c", "A contract.", 300)]
    got = [(c.segment_key, c.code_id, c.start, c.end) for c in tagger.tag_segments(iter(items))]
    assert got == [("a", "value", 100, 120), ("c", "tools", 300, 311)]
    docs = [build_document("d1", [Turn("A", "A contract."), Turn("B", "We set expectations.")], "txt"),
            build_document("d2", [Turn("A", "We set expectations.")], "txt")]
    got = [(c.segment_key, c.code_id) for c in tagger.tag_documents(docs, skip=lambda s: s.speaker == "A")]
    assert got == [(("d1", 1), "value")]


def test_explain_lists_applied_and_vetoed_hits(mentoring):
    text = "We signed a mentoring agreement, but it was not helpful and got filed away."
    assert [(h.code_id, h.matched, h.status, h.reason) for h in mentoring.explain(text)] == [
        ("tools.types", "signed a mentoring agreement", "applied", ""),
        ("tools.types", "mentoring agreement", "applied", ""),
        ("tools.types", "agreement", "applied", ""),
        ("tools.reservations", "was not helpful", "applied", ""),
        ("tools.reservations", "not helpful", "applied", ""),
        ("tools.benefits", "helpful", "negated", 'negated by "not"'),
        ("tools.reservations", "filed away", "applied", ""),
    ]
    assert mentoring.explain(text)[0].rule_id == "tools.types/sign-document"
    # the same text's codings: one per code and sentence, the benefit left out
    assert [c.code_id for c in mentoring.tag_text(text)] == ["tools.types", "tools.reservations"]


def test_simple_patterns_run_as_phrases_with_the_same_matches():
    from qualcode.tagging.rules.patterns import expand_to_phrases

    nlp = get_nlp()
    assert expand_to_phrases([{"LEMMA": {"IN": ["own", "take"]}}, {"LOWER": "the", "OP": "?"},
                              {"LEMMA": "datum"}], nlp) == [
        ["own", "the", "datum"], ["own", "datum"], ["take", "the", "datum"], ["take", "datum"]]
    assert expand_to_phrases([{"LEMMA": "own"}, {"OP": "*"}], nlp) is None
    assert expand_to_phrases([{"LOWER": "was"}], nlp) is None  # "was" is not its own lemma
    assert expand_to_phrases([{"IS_PUNCT": True}], nlp) is None


def test_evidence_json_is_what_json_dumps_writes():
    import json

    from qualcode.tagging.rules.tagger import Hit, RuleCoding

    hits = (Hit("value", 'value/"quoted" \\ rule', "naïve\tstart — «x»\n\x01😀", 3, 12),
            Hit("value", "value/p2", "", 0, 0, "applied", ""))
    for chosen in (hits, hits[:1], ()):
        coding = RuleCoding(("s", 1), "value", 0, 20, "sentence", chosen)
        expected = json.dumps({"scope": "sentence", "hits": [
            {"rule": h.rule_id, "matched": h.matched, "start": h.start, "end": h.end} for h in chosen]},
            ensure_ascii=False)
        assert coding.evidence_json() == expected
        assert json.loads(coding.evidence_json())["hits"] == [
            {"rule": h.rule_id, "matched": h.matched, "start": h.start, "end": h.end} for h in chosen]
