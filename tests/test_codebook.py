"""Codebook loading and validation: every problem kind, with its exact message and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.codebook import (codebook_hash, format_codebook_tree, load_codebook, load_codebook_text,
                               validate_codebook, validate_codebook_text)
from qualcode.core.errors import CodebookError
from qualcode.tagging.rules.pattern_check import check_codebook_patterns, validate_codebook_with_spacy

CODEBOOKS = Path(__file__).resolve().parents[1] / "codebooks"

GOOD = """\
name: Small
version: "2.1"
description: A small codebook.
defaults:
  scope: sentence
codes:
  - id: value
    name: Value
    definition: Why expectations matter.
    include: Talk about benefits
    examples: ["It helps to say it out loud."]
    rules:
      phrases: [set expectations, {phrase: compact, near: [mentor], id: compact-near}]
      exclude: [page number]
    children:
      - id: value.clarity
        name: Clarity
        definition: Clear or unclear expectations.
        children:
          - id: value.clarity.guessing
            name: Guessing
            definition: Having to guess.
  - id: tools
    name: Tools
    definition: Formal mechanisms.
    rules:
      scope: turn
      negation: true
      patterns:
        - id: signed
          pattern: [{LEMMA: sign}, {LEMMA: {IN: [contract, no]}}]
"""


def problems(write, text, validate=validate_codebook):
    path = write("codebook.yaml", text)
    return [(p.line, p.message) for p in validate(path)]


def test_good_codebook_loads(write):
    path = write("codebook.yaml", GOOD)
    assert validate_codebook(path) == []
    cb = load_codebook(path)
    assert (cb.name, cb.version, cb.description) == ("Small", "2.1", "A small codebook.")
    assert cb.ids == ["value", "value.clarity", "value.clarity.guessing", "tools"]
    assert [c.id for c in cb.roots] == ["value", "tools"]
    assert cb.get("value.clarity").parent == "value"
    assert [c.id for c in cb.get("value").children] == ["value.clarity"]
    assert cb.theme_of("value.clarity.guessing") == "value"
    assert cb.theme_of("tools") == "tools"
    assert cb.descendants("value") == ["value.clarity", "value.clarity.guessing"]
    assert cb.descendants("tools") == []
    assert cb.ancestors("value.clarity.guessing") == ["value.clarity", "value"]
    assert cb.path == str(path)
    value = cb.get("value")
    assert value.include == ["Talk about benefits"]
    assert value.examples == ["It helps to say it out loud."]
    assert [(r.rule_id, r.phrase, r.near) for r in value.rules.phrases] == [
        ("value/phrases/1", "set expectations", ()), ("compact-near", "compact", ("mentor",))]
    assert [r.rule_id for r in value.rules.exclude] == ["value/exclude/1"]
    assert value.rules.scope == "sentence" and value.rules.phrases[0].negation is False
    tools = cb.get("tools")
    assert tools.rules.scope == "turn"
    # "no" stays a word in a pattern, not YAML 1.1's false
    assert tools.rules.patterns[0].pattern == ({"LEMMA": "sign"}, {"LEMMA": {"IN": ["contract", "no"]}})
    assert tools.rules.patterns[0].negation is True
    with pytest.raises(KeyError, match="no code 'nope'"):
        cb.get("nope")


def test_hash_ignores_line_endings_and_trailing_space(write):
    a = load_codebook(write("a.yaml", GOOD))
    b = load_codebook(write("b.yaml", GOOD.replace("\n", "  \r\n")))
    c = load_codebook(write("c.yaml", GOOD.replace("A small", "A tiny")))
    assert a.hash == b.hash == codebook_hash(GOOD)
    assert len(a.hash) == 64 and a.hash != c.hash


def test_yaml_syntax_error_has_line(write):
    assert problems(write, "name: x\nversion: 1\ncodes:\n  - id: a\n    name: [unclosed\n") == [
        (6, "YAML syntax error: expected ',' or ']', but got '<stream end>'")]
    assert problems(write, "name: x\n  bad: indent\n") == [
        (2, "YAML syntax error: mapping values are not allowed here")]


BROKEN = """\
name: Broken
version: 1
codez: []
codes:
  - id: value
    name: Value
    defintion: typo
    rules:
      scope: paragraph
      phrase: [x]
      phrases: ["", [nested]]
  - id: Bad Id!
    name: Bad
    definition: ok
  - id: value
    name: Again
    definition: "   "
  - name: No id
    definition: here
  - id: tools
    name: Tools
    definition: fine
    examples: {a: b}
    rules:
      negation: maybe
      window: 0
      near: [two words]
      patterns:
        - [{LEMA: sign}]
        - {id: pos, pattern: [{POS: NOUN}]}
        - {id: op, pattern: [{LOWER: a, OP: x}]}
        - []
        - {id: re, pattern: [{TEXT: {REGEX: "("}}]}
        - {pattern: [{LOWER: {IN: abc}}]}
        - {id: pos, pattern: [{LOWER: ok}]}
"""

#: Lines of the patterns that only spaCy's Matcher refuses.
SPACY_ONLY = (29, 30, 31, 33, 34)
EVERY_PROBLEM = [
    (3, "unknown key 'codez' at top level (did you mean 'codes'?)"),
    (5, "missing required key 'definition' in code 'value'"),
    (7, "unknown key 'defintion' in code 'value' (did you mean 'definition'?)"),
    (9, "invalid scope 'paragraph' in rules of code 'value': use 'sentence' or 'turn'"),
    (10, "unknown key 'phrase' in rules of code 'value' (did you mean 'phrases'?)"),
    (11, "empty phrase 1 in rules of code 'value'"),
    (11, "phrase 2 in rules of code 'value' must be text"),
    (12, "invalid code id 'Bad Id!': use lowercase letters, digits and '_', with '.' between "
         "parts (e.g. 'independence.ownership')"),
    (15, "duplicate code id 'value' (first defined on line 5)"),
    (17, "empty definition in code 'value'"),
    (18, "missing required key 'id' in a code"),
    (23, "'examples' in code 'tools' must be text or a list of texts"),
    (25, "'negation' in rules of code 'tools' must be true or false"),
    (26, "'window' in rules of code 'tools' must be a positive whole number of tokens"),
    (27, "'near' in rules of code 'tools' must be a list of single words"),
    (29, "invalid pattern 'tools/patterns/1' in rules of code 'tools': "
         "token 1: unknown attribute 'LEMA' (did you mean 'LEMMA'?)"),
    (30, "invalid pattern 'pos' in rules of code 'tools': token 1: attribute 'POS' needs a "
         "trained pipeline; the blank English pipeline only sets lexical attributes and LEMMA"),
    (31, "invalid pattern 'op' in rules of code 'tools': token 1: OP: Input should be "
         "'+', '*', '?' or '!'"),
    (31, "invalid pattern 'op' in rules of code 'tools': token 1: OP: String should match "
         "pattern '^(\\{\\d+\\}|\\{\\d+,\\d*\\}|\\{\\d*,\\d+\\})$'"),
    (32, "invalid pattern 'tools/patterns/4' in rules of code 'tools': "
         "a pattern must be a non-empty list of token mappings"),
    (33, "invalid pattern 're' in rules of code 'tools': "
         "invalid regular expression: missing ), unterminated subpattern at position 0"),
    (34, "invalid pattern 'tools/patterns/6' in rules of code 'tools': "
         "token 1: LOWER -> IN: Input should be a valid list"),
    (34, "invalid pattern 'tools/patterns/6' in rules of code 'tools': "
         "token 1: LOWER: Input should be a valid string"),
    (35, "duplicate rule id 'pos' (first used on line 30)"),
]


def test_every_problem_reported_at_once(write):
    assert problems(write, BROKEN, validate_codebook_with_spacy) == EVERY_PROBLEM
    # without spaCy, the same list less what only spaCy's Matcher says about the patterns
    assert problems(write, BROKEN) == [p for p in EVERY_PROBLEM if p[0] not in SPACY_ONLY]


def test_missing_top_level_keys_and_wrong_types(write):
    assert problems(write, "description: nothing else\n") == [
        (1, "missing required key 'name' at top level"),
        (1, "missing required key 'version' at top level"),
        (1, "missing required key 'codes' at top level"),
    ]
    assert problems(write, "name: x\nversion: 1\ncodes: {id: a}\n") == [
        (3, "'codes' at top level must be a list of codes")]
    assert problems(write, "- just\n- a list\n") == [
        (1, "top level must be a mapping of keys to values")]
    assert problems(write, "") == [(None, "codebook is empty")]
    assert problems(write, "name: x\nversion: 1\ncodes: []\n") == [(1, "codebook has no codes")]


def test_bad_defaults_and_rule_options(write):
    text = """\
name: x
version: 1
defaults: {scope: page, negation: yes, windw: 3}
codes:
  - id: a
    name: A
    definition: d
    rules:
      phrases:
        - {phrase: ok, id: "bad id"}
        - {phrse: typo}
"""
    assert problems(write, text) == [
        (3, "invalid scope 'page' in defaults: use 'sentence' or 'turn'"),
        (3, "'negation' in defaults must be true or false"),
        (3, "unknown key 'windw' in defaults (did you mean 'window'?)"),
        (10, "invalid rule id 'bad id' in rules of code 'a': use letters, digits, '_', '.', '-', "
             "':' or '/'"),
        (11, "missing required key 'phrase' in phrase 2 in rules of code 'a'"),
        (11, "unknown key 'phrse' in phrase 2 in rules of code 'a' (did you mean 'phrase'?)"),
    ]


def test_load_raises_with_all_problems(write):
    path = write("codebook.yaml", "name: x\nversion: 1\ncodez: []\n")
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    err = info.value
    assert [p.message for p in err.problems] == [
        "missing required key 'codes' at top level",
        "unknown key 'codez' at top level (did you mean 'codes'?)"]
    assert str(err) == f"{path}, line 1: 2 problems in codebook; first: missing required key 'codes' at top level"
    assert str(err.problems[1]) == f"{path}, line 3: unknown key 'codez' at top level (did you mean 'codes'?)"


def test_unreadable_file(tmp_path):
    missing = tmp_path / "nope.yaml"
    assert [str(p) for p in validate_codebook(missing)] == [
        f"{missing}: cannot read codebook: No such file or directory"]


@pytest.mark.parametrize("name, themes", [
    ("mentoring_expectations.yaml", ["value", "independence", "power_differential", "tools"]),
    ("expectation_domains.yaml", ["research", "education", "professional_development", "support",
                                  "communication", "conduct"]),
])
def test_shipped_codebooks_are_valid(name, themes):
    path = CODEBOOKS / name
    assert validate_codebook(path) == []
    cb = load_codebook(path)
    assert [c.id for c in cb.roots] == themes
    for code in cb.codes:
        assert code.definition and code.name
        assert code.id == cb.theme_of(code.id) or code.id.startswith(code.parent + ".")
    subcodes = [c for c in cb.codes if c.parent is not None]
    assert all(c.examples for c in subcodes)
    assert all(c.rules for c in subcodes)


def test_mentoring_codebook_subcodes():
    cb = load_codebook(CODEBOOKS / "mentoring_expectations.yaml")
    assert {t: [c.split(".", 1)[1] for c in cb.descendants(t)] for t in [c.id for c in cb.roots]} == {
        "value": ["clarity", "mismatch", "roles", "relationship", "review", "accountability"],
        "independence": ["ownership", "credit", "niche", "letting_go", "ip_grants"],
        "power_differential": ["withheld_feedback", "fear", "empowerment", "limited_accountability"],
        "tools": ["types", "benefits", "reservations", "formal_informal"],
    }


def test_format_codebook_tree(write):
    cb = load_codebook(write("codebook.yaml", GOOD))
    assert format_codebook_tree(cb) == (
        "Small (version 2.1)\n"
        "A small codebook.\n"
        "\n"
        "value: Value  [2 rules]\n"
        "    Why expectations matter.\n"
        "  value.clarity: Clarity\n"
        "      Clear or unclear expectations.\n"
        "    value.clarity.guessing: Guessing\n"
        "        Having to guess.\n"
        "tools: Tools  [1 rule]\n"
        "    Formal mechanisms.\n"
    )
    assert format_codebook_tree(cb, definitions=False).splitlines()[3:] == [
        "value: Value  [2 rules]", "  value.clarity: Clarity",
        "    value.clarity.guessing: Guessing", "tools: Tools  [1 rule]"]


SPACY_REFUSES = """\
name: Patterns
version: "1"
codes:
  - id: tools
    name: Tools
    definition: Formal mechanisms.
    rules:
      patterns:
        - id: signed
          pattern: [{LEMA: sign}]
        - [{LOWER: ok}]
  - id: value
    name: Value
    definition: Why it matters.
    rules:
      patterns: [[{POS: NOUN}, {LOWER: a, OP: x}]]
"""


def test_loading_a_codebook_does_not_import_spacy(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "codebook.yaml"
    path.write_text(SPACY_REFUSES, encoding="utf-8")
    code = ("import sys; from qualcode.codebook import load_codebook, validate_codebook; "
            f"book = load_codebook({str(path)!r}); assert validate_codebook({str(path)!r}) == []; "
            "print(len(book.codes), 'spacy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "2 False\n"


def test_the_rule_tagger_refuses_patterns_spacy_does_not_take(write):
    from qualcode.tagging import RuleTagger

    path = write("codebook.yaml", SPACY_REFUSES)
    book = load_codebook(path)  # the codebook itself is fine
    expected = validate_codebook_with_spacy(path)
    assert [(p.line, p.message) for p in expected] == [
        (10, "invalid pattern 'signed' in rules of code 'tools': token 1: unknown attribute 'LEMA' "
             "(did you mean 'LEMMA'?)"),
        (16, "invalid pattern 'value/patterns/1' in rules of code 'value': token 1: attribute 'POS' "
             "needs a trained pipeline; the blank English pipeline only sets lexical attributes and LEMMA"),
    ]
    for build in (RuleTagger, check_codebook_patterns):
        with pytest.raises(CodebookError) as info:
            build(book)
        assert str(info.value) == (f"{path}, line 10: 2 problems in codebook; first: invalid pattern "
                                   "'signed' in rules of code 'tools': token 1: unknown attribute 'LEMA' "
                                   "(did you mean 'LEMMA'?)")
        assert [str(p) for p in info.value.problems] == [str(p) for p in expected]


def test_codebook_validate_lists_every_problem_and_exits_1(write):
    from click.testing import CliRunner

    from qualcode.cli import cli

    path = write("codebook.yaml", BROKEN)
    result = CliRunner().invoke(cli, ["codebook", "validate", str(path)])
    assert result.exit_code == 1
    assert result.output == "".join(f"Error: {path}, line {line}: {message}\n"
                                    for line, message in EVERY_PROBLEM)
    good = write("good.yaml", GOOD)
    read = []
    with pytest.MonkeyPatch.context() as patch:  # the file is read and parsed once
        patch.setattr(Path, "read_bytes", lambda self, read_bytes=Path.read_bytes: read.append(self) or read_bytes(self))
        result = CliRunner().invoke(cli, ["codebook", "validate", str(good)])
    assert (result.exit_code, result.output) == (0, f"{good}: valid (Small 2.1: 4 codes, 4 rules)\n")
    assert read == [good]


def test_a_codebook_from_text_is_the_codebook_from_its_file(write):
    path = write("codebook.yaml", "\ufeff" + GOOD.replace("\n", "\r\n"))
    from_file = load_codebook(path)
    from_text = load_codebook_text(GOOD, "stored codebook")
    assert from_text.path is None and from_file.path == str(path)
    assert from_text.hash == from_file.hash == codebook_hash(GOOD)
    assert from_text.text == from_file.text == GOOD  # as a project keeps it: no BOM, LF line ends
    assert from_text.codes == from_file.codes and from_text.defaults == from_file.defaults
    assert [str(p) for p in validate_codebook_text("name: x\nversion: 1\ncodez: []\n", "study.qcproj")] == [
        "study.qcproj, line 1: missing required key 'codes' at top level",
        "study.qcproj, line 3: unknown key 'codez' at top level (did you mean 'codes'?)"]
    with pytest.raises(CodebookError, match=r"^codebook is empty$"):
        load_codebook_text("")


def test_rule_lines_are_the_lines_of_their_phrase_or_pattern(write):
    book = load_codebook(write("codebook.yaml", SPACY_REFUSES))
    assert [(r.rule_id, r.line) for c in book.codes for r in c.rules.patterns] == [
        ("signed", 10), ("tools/patterns/2", 11), ("value/patterns/1", 16)]
    good = load_codebook(write("good.yaml", GOOD))
    assert [(r.rule_id, r.line) for c in good.codes for r in c.rules.all + c.rules.exclude] == [
        ("value/phrases/1", 13), ("compact-near", 13), ("value/exclude/1", 14), ("signed", 31)]
