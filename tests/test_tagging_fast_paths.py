"""The shortcuts of the fast rule tagger: sentence starts on id arrays, compiled patterns and
Matcher anchors, lemmas."""

from __future__ import annotations

from pathlib import Path


from qcbench.corpus import generate_turns
from qualcode.codebook import load_codebook
from qualcode.ingest import read_document
from qualcode.tagging import RuleTagger, get_nlp
from spacy.attrs import IS_SPACE

from qualcode.tagging.rules.nlp import TokenClasses, make_nlp, sentence_starts
from qualcode.tagging.rules.patterns import max_pattern_length, pattern_anchors, prepare_pattern

SAMPLE = Path(__file__).resolve().parents[1] / "transcripts_sample"


def _texts():
    for path in sorted(SAMPLE.glob("*.txt")):
        document = read_document(path)
        yield from (document.text[s.start:s.end] for s in document.segments)
    yield from (text for _, text in generate_turns(3, 3000))
    yield from ["", "   ", "Wait... what?! No.", "One.\n\nTwo\nthree. (Four.) \"Five!\" six",
                "Line one\n  \n", "\nStarts with a break. Ends with one.\n"]


def test_sentence_starts_equal_the_pipelines_sentences():
    nlp = get_nlp()
    classes = TokenClasses(nlp)
    texts = list(_texts()) + ["Odd ones\u3002 Next \u2026 then! \u00bf Yes?! Done\u0589 a; b. c"]
    assert len(texts) > 200 and any("\n" in t for t in texts)
    for text in texts:
        doc, bare = nlp(text), nlp.make_doc(text)
        lowers = bare.to_array("LOWER").tolist() if len(bare) else []
        assert sentence_starts(bare, classes(lowers), text) == [s.start for s in doc.sents], text
        assert classes(lowers) == "".join(("P" if t.is_punct else "Q") if t.text in classes._punct_chars
                                          else "p" if t.is_punct else "s" if t.is_space else "w" for t in bare)


def test_token_classes_follow_from_the_lowercase_form():
    """A character is a sentence-final character, punctuation or whitespace exactly when its
    lowercase is, for every code point; str.lower maps characters one by one and never
    shortens a string, so the same holds for every token."""
    import sys

    nlp = get_nlp()
    classes = TokenClasses(nlp)
    is_space = nlp.vocab.lex_attr_getters[IS_SPACE]
    for c in map(chr, range(sys.maxunicode + 1)):
        assert classes.of(c) == classes.of(c.lower()), hex(ord(c))
        assert is_space(c) == is_space(c.lower())


def test_lemmas_set_from_ids_equal_lowercase_lookups():
    nlp = make_nlp()
    lemmatizer = nlp.get_pipe("qualcode_lemmatizer")
    doc = nlp.make_doc("Mentors WROTE the Papers they'd signed, didn't they?")
    lowers, lemmas = lemmatizer.annotate(doc)
    assert [t.lemma_ for t in doc] == ["mentor", "write", "the", "paper", "they", "would", "sign", ",",
                                       "do", "not", "they", "?"]
    assert lemmas == [t.lemma for t in doc] and lowers == [t.lower for t in doc]
    assert lemmatizer.annotate(nlp.make_doc("")) == ([], [])


def test_pattern_anchors_are_the_required_lemma_and_lower_tests():
    nlp = get_nlp()
    strings = nlp.vocab.strings
    pattern = prepare_pattern([{"LEMMA": "sign"}, {"IS_PUNCT": False, "OP": "?"},
                               {"LOWER": {"IN": ["The", "a"]}, "OP": "?"},
                               {"lemma": {"IN": ["contracts", "agreement"]}},
                               {"LOWER": {"NOT_IN": ["x"]}}, {"LEMMA": "form", "OP": "*"}], nlp)
    anchors = pattern_anchors(pattern, strings)
    assert anchors == [("LEMMA", frozenset({strings["sign"]})),
                       ("LEMMA", frozenset({strings["contract"], strings["agreement"]}))]
    assert pattern_anchors([{"IS_PUNCT": True}], strings) == []


def test_token_matcher_is_skipped_only_when_it_cannot_match(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_text("""\
name: Anchors
version: "1"
codes:
  - id: sign
    name: Signing
    definition: Signing a document.
    rules:
      patterns:
        - id: sign-doc
          pattern: [{LEMMA: sign}, {IS_PUNCT: false, OP: "?"}, {LEMMA: {IN: [contract, form]}}]
  - id: any
    name: Anything capitalised twice
    definition: Two title-case words.
    rules:
      patterns:
        - id: titles
          pattern: [{IS_TITLE: true}, {IS_TITLE: true}]
""", encoding="utf-8")
    tagger = RuleTagger(load_codebook(path))
    # sign-doc is compiled to run on id lists; titles (IS_TITLE) is left to spaCy's Matcher,
    # unanchored, so every doc gets its lemmas set for it
    assert len(tagger._compiled) == 1 and tagger._doc_lemmas
    assert [(bool(anchors), length) for anchors, _, length in tagger._anchors] == [(False, 2)]

    def tag(text):
        doc, ids = tagger._analyse(text)
        return [(tagger.nlp.vocab.strings[k], s, e) for k, s, e in tagger._pattern_matches(doc, ids)]

    assert tag("We signed the contracts. Big Deal.") == [("sign-doc", 1, 4), ("titles", 5, 7)]
    assert tag("we signed contracts") == [("sign-doc", 1, 3)]
    # an unanchored pattern sends every doc to the Matcher
    assert tag("nothing to See Here") == [("titles", 2, 4)]


def test_without_unanchored_patterns_docs_lacking_anchors_skip_the_matcher(tmp_path, monkeypatch):
    book = load_codebook(Path(__file__).resolve().parents[1] / "codebooks" / "mentoring_expectations.yaml")
    tagger = RuleTagger(book)
    # every token pattern of the shipped codebook runs compiled: spaCy's Matcher never runs
    # and docs never get their lemmas set
    assert len(tagger._compiled) > 50 and not tagger._anchors and not tagger._doc_lemmas
    ran = []
    monkeypatch.setattr(tagger, "_patterns", _Spy(tagger._patterns, ran))
    doc, ids = tagger._analyse("We met on Tuesday and talked about the weather.")
    assert tagger._pattern_matches(doc, ids) == [] and ran == []
    doc, ids = tagger._analyse("It did not really help, and he took my data.")
    found = [(tagger.nlp.vocab.strings[k], s, e) for k, s, e in tagger._pattern_matches(doc, ids)]
    assert found == [("tools.reservations/did-not-help", 1, 5),
                     ("independence.ownership/take-data", 8, 11)]
    assert ran == []  # two patterns could match: each ran alone, compiled


class _Spy:
    def __init__(self, matcher, log):
        self._matcher, self._log = matcher, log

    def __call__(self, doc):
        self._log.append("all")
        return self._matcher(doc)

    def __len__(self):
        return len(self._matcher)


def test_max_pattern_length_is_none_for_unbounded_operators():
    assert max_pattern_length([{"LEMMA": "a"}, {"LOWER": "b", "OP": "?"}, {"ORTH": "c", "OP": "!"}]) == 3
    assert max_pattern_length([{"LEMMA": "a"}, {"IS_PUNCT": True, "OP": "*"}]) is None
    assert max_pattern_length([{"LEMMA": "a", "op": "+"}]) is None


def test_matching_around_anchors_finds_what_the_whole_doc_matcher_finds():
    book = load_codebook(Path(__file__).resolve().parents[1] / "codebooks" / "mentoring_expectations.yaml")
    tagger = RuleTagger(book)
    texts = [text for _, text in generate_turns(11, 20000)]
    texts += ["He took the data and she took my data, then took their project.",
              "It didn't help. It did not really help. Nothing did not matter."]
    matched = 0
    for text in texts:
        doc, ids = tagger._analyse(text)
        got = tagger._pattern_matches(doc, ids)
        combined = tagger._patterns(tagger.nlp(text))  # the whole pipeline sets the lemmas
        assert sorted(got) == sorted(combined), text
        # the order _hits relies on: a stable sort by span gives the same list
        assert sorted(got, key=lambda m: m[1:]) == sorted(combined, key=lambda m: m[1:]), text
        matched += bool(got)
    assert matched > 50


def test_windowed_matches_keep_the_combined_matchers_order(tmp_path, monkeypatch):
    path = tmp_path / "cb.yaml"
    path.write_text("""\
name: Order
version: "1"
codes:
  - id: sign
    name: Signing
    definition: Signing a document.
    rules:
      patterns:
        - id: sign-doc
          pattern: [{LEMMA: sign}, {IS_PUNCT: false, OP: "?"}, {LEMMA: contract}]
  - id: paper
    name: Paperwork
    definition: Signed paperwork.
    rules:
      patterns:
        - id: signed-the
          pattern: [{LOWER: signed}, {LOWER: the}, {LEMMA: {IN: [contract, form]}}]
""", encoding="utf-8")
    tagger = RuleTagger(load_codebook(path))
    ran = []
    monkeypatch.setattr(tagger, "_patterns", _Spy(tagger._patterns, ran))

    def tag(text):
        doc, ids = tagger._analyse(text)
        return [(tagger.nlp.vocab.strings[k], s, e) for k, s, e in tagger._pattern_matches(doc, ids)]

    # one pattern, two windows far apart: longest first, then by start, as the combined Matcher
    far = "sign contract " + "and so on " * 10 + "signs the contracts"
    assert tag(far) == [("sign-doc", 32, 35), ("sign-doc", 0, 2)]
    assert tag(far) == [(tagger.nlp.vocab.strings[k], s, e) for k, s, e in tagger._patterns(tagger.nlp(far))]
    ran.clear()
    # two patterns on different tokens: sorted by span, the combined Matcher not run
    assert tag("I signed the form and then we sign contracts.") == [("signed-the", 1, 4),
                                                                     ("sign-doc", 7, 9)]
    assert ran == []
    # two patterns on the very same tokens: the combined Matcher decides their order (here not
    # the codebook's order: spaCy lists patterns in the order their first raw match was found)
    assert tag("we signed the contract") == [("signed-the", 1, 4), ("sign-doc", 1, 4)]
    assert ran == ["all"]


def test_a_pipeline_off_the_fast_path_codes_the_same():
    """With any other pipeline the tagger runs spaCy's own matchers on fully processed docs:
    the same codings and the same hits, vetoed ones included, in the same order."""
    from spacy.language import Language

    @Language.component("qualcode_test_noop")
    def noop(doc):
        return doc

    nlp = make_nlp()
    nlp.add_pipe("qualcode_test_noop")
    texts = list(_texts())[:1500]
    codings = 0
    for name in ("mentoring_expectations", "expectation_domains"):
        book = load_codebook(Path(__file__).resolve().parents[1] / "codebooks" / f"{name}.yaml")
        fast, slow = RuleTagger(book), RuleTagger(book, nlp=nlp)
        assert fast._fast and not slow._fast
        items = [(i, text, 10) for i, text in enumerate(texts)]
        expected = list(fast.tag_segments(items))
        assert list(slow.tag_segments(items)) == expected
        # the rows the coding workers store: the same codings, evidence as JSON
        rows = [(c.segment_key, c.code_id, c.start, c.end, c.evidence_json()) for c in expected]
        assert list(fast.coding_rows(items)) == rows == list(slow.coding_rows(items))
        for text in texts[:300]:
            assert slow.explain(text) == fast.explain(text)
        codings += len(expected)
    assert codings > 500
