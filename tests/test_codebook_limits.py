"""Codebook limits and the crashes fuzzing found: each refused with file, line and limit."""

from __future__ import annotations

import pytest

from qualcode.codebook import load_codebook, model as cb
from qualcode.core.errors import CodebookError
from qualcode.tagging.rules.pattern_check import validate_codebook_with_spacy

HEAD = 'name: X\nversion: "1"\ncodes:\n  - id: a\n    name: A\n    definition: D\n'


def error_of(write, text: str) -> str:
    path = write("book.yaml", text)
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    return str(info.value).replace(str(path), "book.yaml")


def pattern(tokens: str) -> str:
    return HEAD + f"    rules:\n      patterns:\n        - {tokens}\n"


def test_a_value_its_yaml_tag_cannot_construct_is_a_problem_not_a_traceback(write):
    # found by fuzzing: ValueError from PyYAML's constructor escaped the validator
    text = HEAD + "    rules: {phrases: [a], window: !!int many}\n"
    assert error_of(write, text) == (
        "book.yaml, line 7: 2 problems in codebook; first: invalid YAML value 'many' (int): "
        "invalid literal for int() with base 10: 'many'")


def test_a_recursive_alias_is_refused_with_its_line(write):
    # found by fuzzing: a pattern that contains itself recursed until RecursionError
    text = HEAD + "    rules:\n      patterns: [&p [*p]]\n"
    assert error_of(write, text) == ("book.yaml, line 8: recursive YAML alias: an anchor (&name) "
                                     "contains an alias (*name) of itself")


def test_an_unhashable_mapping_key_is_an_unknown_key(write):
    path = write("book.yaml", HEAD + "    rules:\n      patterns: [[{? [a, b] : c}]]\n")
    assert [str(p) for p in validate_codebook_with_spacy(path)] == [
        f"{path}, line 8: invalid pattern 'a/patterns/1' in rules of code 'a': token 1: unknown attribute "
        "'['a', 'b']'"]


def test_aliases_expanding_past_the_limit_are_refused_quickly(write):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):  # 10**8 values once expanded
        levels.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    text = "\n".join(levels) + "\n" + HEAD
    assert error_of(write, text) == (
        "book.yaml: codebook expands to more than 200,000 YAML values (aliases repeating "
        "aliases?); the limit keeps loading fast")


def test_a_file_over_the_size_limit(write, monkeypatch):
    monkeypatch.setattr(cb, "MAX_CODEBOOK_BYTES", 50)
    assert error_of(write, HEAD) == f"book.yaml: codebook is {len(HEAD)} bytes, more than the limit of 50 bytes"


def test_too_many_codes_and_rules(write, monkeypatch):
    monkeypatch.setattr(cb, "MAX_CODES", 1)
    monkeypatch.setattr(cb, "MAX_RULES", 2)
    text = HEAD + "    rules: {phrases: [x, y, z]}\n  - id: b\n    name: B\n    definition: D\n"
    assert error_of(write, text) == ("book.yaml, line 1: 2 problems in codebook; first: codebook has "
                                     "2 codes, more than the limit of 1")


def test_a_long_phrase(write):
    text = HEAD + "    rules:\n      phrases:\n        - " + " ".join(["word"] * 31) + "\n"
    assert error_of(write, text) == ("book.yaml, line 9: phrase 1 in rules of code 'a' has 31 words, "
                                     "more than the limit of 30")


@pytest.mark.parametrize("tokens,message", [
    ("[" + ", ".join(['{OP: "*"}'] * 3) + ", {LOWER: x}]",
     "pattern has 3 open-ended tokens (OP *, + or {n,}), more than the limit of 1: matching would "
     "slow down explosively on long turns"),
    ('[{LOWER: a}, {OP: "+"}, {LOWER: b, OP: "{2,}"}]',
     "pattern has 2 open-ended tokens (OP *, + or {n,}), more than the limit of 1: matching would "
     "slow down explosively on long turns"),
    ('[{LOWER: x, OP: "{100000}"}]',
     "token 1: OP {100000} repeats a token 100,000 times, more than the limit of 20 tokens in a pattern"),
    ('[{LOWER: x, OP: "{,15}"}, {LOWER: y, OP: "{2,6}"}]', "pattern has 21 tokens, more than the limit of 20"),
    ("[" + ", ".join(["{LOWER: w}"] * 21) + "]", "pattern has 21 tokens, more than the limit of 20"),
    ("[{LOWER: {IN: [" + ", ".join(f"w{i}" for i in range(1001)) + "]}}]",
     "token 1: LOWER IN lists 1,001 alternatives, more than the limit of 1,000"),
    ("[{TEXT: {REGEX: '" + "a" * 201 + "'}}]", "token 1: TEXT REGEX is 201 characters, more than the limit of 200"),
])
def test_patterns_that_would_make_matching_explode(write, tokens, message):
    assert error_of(write, pattern(tokens)) == (
        f"book.yaml, line 9: invalid pattern 'a/patterns/1' in rules of code 'a': {message}")


def test_patterns_within_the_limits_load(write):
    path = write("book.yaml", pattern('[{LEMMA: sign}, {OP: "{,3}"}, {LEMMA: agreement}, {OP: "*"}, '
                                      '{LOWER: {IN: [a, b]}}]'))
    rule = load_codebook(path).get("a").rules.patterns[0]
    assert rule.pattern[1] == {"OP": "{,3}"}
