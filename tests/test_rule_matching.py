"""How the rule tagger finds matches: spaCy's matchers, patterns run around their anchor
words, ties in the codebook's order, sentences computed without setting them, lemmas."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from spacy.attrs import LEMMA
from spacy.matcher import Matcher
from spacy.tokens import Doc

from qcbench.corpus import generate_turns
from qualcode.codebook import load_codebook
from qualcode.ingest import read_document
from qualcode.tagging import RuleTagger, get_nlp
from qualcode.tagging.rules.matching import RuleMatcher
from qualcode.tagging.rules.nlp import make_nlp
from qualcode.tagging.rules.patterns import max_pattern_length, pattern_anchors, prepare_pattern

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "transcripts_sample"


def _texts():
    for path in sorted(SAMPLE.glob("*.txt")):
        document = read_document(path)
        yield from (document.text[s.start:s.end] for s in document.segments)
    yield from (text for _, text in generate_turns(3, 3000))
    yield from ["", "   ", "Wait... what?! No.", "One.\n\nTwo\nthree. (Four.) \"Five!\" six",
                "Line one\n  \n", "\nStarts with a break. Ends with one.\n",
                "Odd ones\u3002 Next \u2026 then! \u00bf Yes?! Done\u0589 a; b. c"]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cb.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_sentences_are_the_pipelines_without_being_set_on_the_doc():
    """Sentences for the rule checks: the sentencizer's plus a start after every line break,
    exactly the pipeline's (sentencizer + qualcode_paragraphs), on a bare doc left as it was."""
    nlp = get_nlp()
    checks = RuleTagger(load_codebook(REPO / "codebooks" / "expectation_domains.yaml"))._checks
    texts = list(_texts())
    assert len(texts) > 200 and sum("\n" in t for t in texts) > 5
    for text in texts:
        bare = nlp.make_doc(text)
        assert checks.sentence_starts(bare, text) == [s.start for s in nlp(text).sents], text
        assert not any(bare.to_array("SENT_START").tolist()[1:]), text  # as make_doc left it


def test_lemmas_are_lowercase_lookups_set_from_ids():
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


def test_max_pattern_length_is_none_for_unbounded_operators():
    assert max_pattern_length([{"LEMMA": "a"}, {"LOWER": "b", "OP": "?"}, {"ORTH": "c", "OP": "!"}]) == 3
    assert max_pattern_length([{"LEMMA": "a"}, {"IS_PUNCT": True, "OP": "*"}]) is None
    assert max_pattern_length([{"LEMMA": "a", "op": "+"}]) is None


class _Spy:
    """Stands for one pattern's Matcher and records the tokens it was run on."""

    def __init__(self, matcher, name, log):
        self._matcher, self._name, self._log = matcher, name, log

    def __call__(self, doclike):
        self._log.append((self._name, doclike.start if hasattr(doclike, "start") else 0, len(doclike)))
        return self._matcher(doclike)


def _spy_on(tagger: RuleTagger) -> list:
    log: list = []
    matcher = tagger._matcher
    strings = tagger.nlp.vocab.strings
    matcher._patterns = [p._replace(matcher=_Spy(p.matcher, strings[next(iter(p.matcher._patterns))], log))
                         for p in matcher._patterns]
    return log


def test_a_pattern_runs_only_on_docs_holding_its_words_and_only_around_them(tmp_path):
    tagger = RuleTagger(load_codebook(_write(tmp_path, """\
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
""")))
    log = _spy_on(tagger)

    def tag(text):
        return [(c.code_id, text[c.start:c.end]) for c in tagger.tag_text(text)]

    # titles tests no word: it runs on every doc, over the whole doc
    assert tag("nothing to See Here") == [("any", "nothing to See Here")]
    assert log == [("titles", 0, 4)]
    log.clear()
    # sign-doc runs around "sign" (of its required tests, the one with the fewest words), at most
    # two tokens either side (the pattern spans three at most)
    text = "Well, " + "and so on " * 6 + "we signed the contracts. Big Deal."
    assert tag(text) == [("sign", "Well, and so on and so on and so on and so on and so on and so on "
                                  "we signed the contracts."), ("any", "Big Deal.")]
    assert sorted(log) == [("sign-doc", 19, 5), ("titles", 0, 28)]
    log.clear()
    assert tag("we signed nothing") == [] and log == [("titles", 0, 3)]  # no contract or form


def test_windows_find_what_the_whole_doc_matcher_finds():
    """Each shipped pattern's matches, found around its anchors, equal its Matcher's over the
    whole doc (the LONGEST filter included)."""
    tagger = RuleTagger(load_codebook(REPO / "codebooks" / "mentoring_expectations.yaml"))
    patterns = tagger._matcher._patterns
    assert len(patterns) > 50 and sum(p.anchor is not None and p.length is not None for p in patterns) > 50
    texts = [text for _, text in generate_turns(11, 20000)]
    texts += ["He took the data and she took my data, then took their project.",
              "It didn't help. It did not really help. Nothing did not matter."]
    matched = 0
    for text in texts:
        doc = tagger.nlp.make_doc(text)
        lowers, lemmas = tagger._lemmatizer.annotate(doc)
        got = sorted(tagger._matcher._pattern_matches(doc, (lowers, lemmas)))
        whole = sorted(m for p in patterns for m in p.matcher(doc))
        assert got == whole, text
        matched += bool(got)
    assert matched > 50


# word -> lemma for random docs: few words, so that patterns match often, overlap and share words
LEMMAS = {"we": "we", "Mentors": "mentor", "mentor": "mentor", "ran": "run", "run": "run",
          "the": "the", "talk": "talk", "talked": "talk", "about": "about", ",": ",", ".": ".",
          "never": "never", "clear": "clear"}


def _random_token(rng: random.Random) -> dict:
    lemmas = sorted(set(LEMMAS.values()))
    token = rng.choice([{"LOWER": rng.choice(list(LEMMAS)).lower()},
                        {"LEMMA": {"IN": rng.sample(lemmas, 2)}},
                        {"LOWER": {"IN": [w.lower() for w in rng.sample(list(LEMMAS), 3)]}},
                        {"IS_PUNCT": rng.random() < 0.5},
                        {"LEMMA": rng.choice(lemmas), "IS_PUNCT": False}, {}])
    op = rng.choice([None, None, None, "?", "?", "*", "+"])
    return {**token, "OP": op} if op else token


@pytest.mark.parametrize("seed", range(3))
def test_random_patterns_match_as_spacys_matcher_over_the_whole_doc(seed):
    """Random patterns (bounded or not, anchored or not) on random docs: the rule matcher
    finds exactly each pattern's whole-doc Matcher matches, sorted by start, end and rule."""
    vocab = get_nlp().vocab
    rng = random.Random(seed)
    matcher, alone = RuleMatcher(vocab, common=["the", "we"]), []
    for k in range(40):
        pattern, rule_id = [_random_token(rng) for _ in range(rng.randrange(1, 5))], f"random-{seed}-{k}"
        matcher.add_pattern(rule_id, pattern)
        single = Matcher(vocab)
        single.add(rule_id, [pattern], greedy="LONGEST")
        alone.append(single)
    order = {vocab.strings[f"random-{seed}-{k}"]: k for k in range(40)}
    compared = 0
    for _ in range(150):
        words = [rng.choice(list(LEMMAS)) for _ in range(rng.randrange(0, 25))]
        doc = Doc(vocab, words=words, lemmas=[LEMMAS[w] for w in words])
        lowers = [vocab.strings.add(w.lower()) for w in words]
        lemmas = doc.to_array(LEMMA).tolist() if words else []
        expected = sorted((m for single in alone for m in single(doc)), key=lambda m: (m[1], m[2], order[m[0]]))
        assert matcher(doc, lowers, lemmas) == expected, words
        compared += len(expected)
    assert compared > 300


def test_rules_matching_the_same_tokens_come_in_the_codebooks_order(tmp_path):
    """Ties are the codebook's order of codes, and in a code its phrases, patterns, excludes
    as written, whatever order spaCy's matchers list them in."""
    tagger = RuleTagger(load_codebook(_write(tmp_path, """\
name: Ties
version: "1"
codes:
  - id: b
    name: B
    definition: Second by name, first in the file.
    rules:
      phrases: [{phrase: clear plan, id: z-phrase}]
      patterns:
        - id: a-pattern
          pattern: [{LEMMA: clear}, {LEMMA: plan}]
        - id: m-pattern
          pattern: [{LEMMA: clear}, {IS_PUNCT: false, OP: "?"}, {LEMMA: plan}]
  - id: a
    name: A
    definition: First by name, second in the file.
    rules:
      phrases: [{phrase: clear plans, id: y-phrase}, {phrase: plan, id: x-phrase}]
""")))
    hits = [(h.code_id, h.rule_id, h.matched) for h in tagger.explain("A clear plan.")]
    assert hits == [("b", "z-phrase", "clear plan"), ("b", "a-pattern", "clear plan"),
                    ("b", "m-pattern", "clear plan"), ("a", "y-phrase", "clear plan"),
                    ("a", "x-phrase", "plan")]
    [b, a] = tagger.tag_text("A clear plan.")
    assert (b.code_id, b.rule_id) == ("b", "z-phrase; a-pattern; m-pattern")
    assert (a.code_id, a.rule_id) == ("a", "y-phrase; x-phrase")


def test_another_pipeline_gives_the_tokenizer_only():
    """A tagger on another pipeline runs none of its components: lemmas and sentences are the
    tagger's own, so the codings are the same."""
    from spacy.language import Language

    @Language.component("qualcode_test_breaks_everything")
    def breaks_everything(doc):
        raise AssertionError("the tagger ran a pipeline component")

    nlp = make_nlp()
    nlp.add_pipe("qualcode_test_breaks_everything")
    book = load_codebook(REPO / "codebooks" / "mentoring_expectations.yaml")
    items = [(i, text, 10) for i, text in enumerate(list(_texts())[:800])]
    expected = list(RuleTagger(book).coding_rows(items))
    assert len(expected) > 300
    assert list(RuleTagger(book, nlp=nlp).coding_rows(items)) == expected


def test_patterns_testing_sentence_starts_see_the_sentences(tmp_path):
    tagger = RuleTagger(load_codebook(_write(tmp_path, """\
name: Starts
version: "1"
codes:
  - id: opener
    name: Opener
    definition: A sentence that opens with a mentor.
    rules:
      patterns:
        - id: mentor-first
          pattern: [{IS_SENT_START: true, LEMMA: mentor}]
""")))
    text = "Our mentor was fine. Mentors listen.\nmentor again, and mentors"
    assert [(h.matched, h.start) for h in tagger.explain(text)] == [("Mentors", 21), ("mentor", 37)]
