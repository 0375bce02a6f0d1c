"""The id-list matchers give exactly what spaCy's PhraseMatcher and Matcher give, in order.

Random token sequences over a small vocabulary (so that phrases and patterns match
often, overlap and share words), random phrases shared by several keys, and random
patterns in the language the compiled matcher accepts, compared with spaCy's own
matchers on the same docs.
"""

from __future__ import annotations

import random

import numpy
import pytest
from spacy.attrs import IS_PUNCT, LEMMA
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from qualcode.tagging import get_nlp
from qualcode.tagging.rules.idmatch import PatternSet, PhraseTrie, compile_pattern

# word -> lemma; lowercase forms differ from some words ("Mentors")
LEMMAS = {"we": "we", "Mentors": "mentor", "mentor": "mentor", "ran": "run", "run": "run",
          "the": "the", "talk": "talk", "talked": "talk", "about": "about", ",": ",", ".": ".",
          "never": "never", "clear": "clear"}
WORDS = list(LEMMAS)
LEMMAS_BY_LOWER = {w.lower(): lemma for w, lemma in LEMMAS.items()}
is_punct = get_nlp().vocab.lex_attr_getters[IS_PUNCT]


def make_doc(vocab, words: list[str]) -> tuple[Doc, list[int], list[int]]:
    doc = Doc(vocab, words=words)
    lemmas = [vocab.strings.add(LEMMAS[w]) for w in words]
    if words:
        doc.from_array([LEMMA], numpy.asarray(lemmas, dtype=numpy.uint64))
    lowers = [vocab.strings.add(w.lower()) for w in words]
    return doc, lowers, lemmas


def random_docs(vocab, rng: random.Random, count: int):
    return [make_doc(vocab, [rng.choice(WORDS) for _ in range(rng.randrange(0, 25))]) for _ in range(count)]


def test_phrase_trie_gives_the_phrase_matchers_matches_in_its_order():
    nlp = get_nlp()
    vocab, strings = nlp.vocab, nlp.vocab.strings
    rng = random.Random(7)
    lemma_words = sorted(set(LEMMAS.values()))
    phrases = [tuple(rng.choice(lemma_words) for _ in range(rng.randrange(1, 4))) for _ in range(12)]
    matcher = PhraseMatcher(vocab, attr="LEMMA")
    trie = PhraseTrie()
    for k in range(40):  # 40 keys over 12 phrases: most phrases are shared by several keys
        key = f"idmatch-test-key-{k}"
        chosen = rng.sample(phrases, rng.randrange(1, 4))
        docs = [make_doc(vocab, [w for w in phrase])[0] for phrase in chosen]
        for doc, phrase in zip(docs, chosen):
            doc.from_array([LEMMA], numpy.asarray([strings.add(w) for w in phrase], dtype=numpy.uint64))
        matcher.add(key, docs)
        for phrase in chosen:
            trie.add(strings.add(key), [strings.add(w) for w in phrase])
    trie.order_like_spacy(vocab)
    compared = 0
    for doc, _, lemmas in random_docs(vocab, rng, 400):
        expected = matcher(doc)
        assert trie(lemmas) == expected
        compared += len(expected)
    assert compared > 1000


def random_token(rng: random.Random) -> dict:
    kind = rng.randrange(6)
    if kind == 0:
        token = {"LOWER": rng.choice(WORDS).lower()}
    elif kind == 1:
        token = {"LEMMA": {"IN": rng.sample(sorted(set(LEMMAS.values())), 2)}}
    elif kind == 2:
        token = {"LOWER": {"IN": [w.lower() for w in rng.sample(WORDS, 3)]}}
    elif kind == 3:
        token = {"IS_PUNCT": rng.random() < 0.5}
    elif kind == 4:
        token = {"LEMMA": rng.choice(sorted(set(LEMMAS.values()))), "IS_PUNCT": False}
    else:
        token = {}
    op = rng.choice([None, None, None, "?", "?", "*", "+"])
    if op:
        token["OP"] = op
    return token


@pytest.mark.parametrize("seed", range(4))
def test_compiled_patterns_give_the_matchers_matches_in_its_order(seed):
    nlp = get_nlp()
    vocab, strings = nlp.vocab, nlp.vocab.strings
    rng = random.Random(seed)
    docs = random_docs(vocab, rng, 60)
    compiled = compared = 0
    for k in range(150):
        pattern = [random_token(rng) for _ in range(rng.randrange(1, 6))]
        key = f"idmatch-pattern-{seed}-{k}"
        ours = compile_pattern(strings.add(key), pattern, strings)
        assert ours is not None
        compiled += 1
        patterns = PatternSet(lambda lower: strings.add(LEMMAS_BY_LOWER[strings[lower]]),
                              lambda lower: is_punct(strings[lower]))
        patterns.add(ours)
        matcher = Matcher(vocab)
        matcher.add(key, [pattern], greedy="LONGEST")
        for doc, lowers, lemmas in docs:
            expected = matcher(doc)
            got = patterns(lowers)
            assert (got[0] if got else []) == expected, (pattern, [t.text for t in doc])
            compared += len(expected)
    assert compiled == 150 and compared > 300


def test_anchors_chosen_again_from_the_docs_seen_change_no_match():
    """Many patterns in one set, anchored first on the words' kinds and then, after five
    docs, on the kinds least seen in them: every doc gets each pattern's spaCy matches."""
    nlp = get_nlp()
    vocab, strings = nlp.vocab, nlp.vocab.strings
    rng = random.Random(7)
    docs = random_docs(vocab, rng, 80)
    patterns = PatternSet(lambda lower: strings.add(LEMMAS_BY_LOWER[strings[lower]]),
                          lambda lower: is_punct(strings[lower]),
                          lambda word: strings[word] in nlp.Defaults.stop_words, learn_from=5)
    matchers = []
    for k in range(60):
        pattern = [random_token(rng) for _ in range(rng.randrange(1, 6))]
        key = f"idmatch-anchored-{k}"
        patterns.add(compile_pattern(strings.add(key), pattern, strings))
        matcher = Matcher(vocab)
        matcher.add(key, [pattern], greedy="LONGEST")
        matchers.append(matcher)
    patterns.compile()
    first = dict(patterns._anchored)
    compared = 0
    for doc, lowers, _ in docs:
        expected = [found for found in (matcher(doc) for matcher in matchers) if found]
        assert patterns(lowers) == expected, [t.text for t in doc]
        compared += sum(map(len, expected))
    assert patterns._anchored != first, "the anchors were chosen again"
    assert compared > 300


def test_patterns_outside_the_compiled_language_are_left_to_spacy():
    strings = get_nlp().vocab.strings
    for pattern in ([{"ORTH": "We"}], [{"LOWER": {"REGEX": "^m"}}], [{"LOWER": "we", "OP": "!"}],
                    [{"LOWER": {"NOT_IN": ["we"]}}], [{"IS_PUNCT": "yes"}], [{"LENGTH": 3}],
                    [{"LOWER": "we", "OP": "{2}"}], []):
        assert compile_pattern(1, pattern, strings) is None, pattern


def test_a_string_is_punctuation_exactly_when_its_lowercase_is():
    """Compiled patterns read IS_PUNCT off the LOWER form: spaCy's test must agree on every
    code point (it tests each character, and lowercasing maps characters one by one)."""
    import sys

    assert all(is_punct(c) == is_punct(c.lower()) for c in map(chr, range(sys.maxunicode + 1)))
    assert is_punct("?!") and not is_punct("Ok.")
