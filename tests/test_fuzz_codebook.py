"""Fuzzed codebook loader: any YAML document, and any mutation of a valid codebook, is either
a valid codebook or a CodebookError naming the file -- never another exception.  A codebook
that loads is then either taken by the rule tagger's spaCy check of its patterns or refused
with exactly the problems ``qualcode codebook validate`` lists."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import given, settings, strategies as st

from qualcode.codebook import load_codebook, validate_codebook
from qualcode.core.errors import CodebookError, QualcodeError
from qualcode.tagging.rules.pattern_check import check_codebook_patterns, validate_codebook_with_spacy

CODEBOOKS = Path(__file__).resolve().parents[1] / "codebooks"
_DIR = tempfile.TemporaryDirectory(prefix="qc-fuzz-codebook-")

VALID = """\
name: Small
version: "1"
defaults: {scope: sentence, negation: false, window: 8}
codes:
  - id: value
    name: Value
    definition: Why expectations matter.
    include: [Benefits]
    rules:
      phrases: [set expectations, {phrase: compact, near: [mentor], id: compact-near, window: 4}]
      patterns:
        - [{LEMMA: clear}, {LOWER: {IN: [goal, goals]}, OP: "?"}]
        - {pattern: [{LOWER: trust}], negation: true}
      exclude: [page number]
      scope: turn
    children:
      - id: value.clarity
        name: Clarity
        definition: Clear expectations.
"""

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                     st.text(max_size=12),
                     st.sampled_from(["id", "name", "codes", "rules", "phrases", "patterns", "LEMMA",
                                      "OP", "*", "+", "sentence", "turn", "no", "on", "value.x"]))
YAML_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(_SCALARS.filter(lambda v: v is not None)),
                                            inner, max_size=4)),
    max_leaves=25)


#: Codebooks with patterns are checked by spaCy's Matcher: half the profile's examples.
PATTERNS = settings(max_examples=max(10, settings.default.max_examples // 2))


def _path(text: str | bytes) -> Path:
    path = Path(_DIR.name) / "book.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def load_or_clean_error(text: str | bytes) -> None:
    path = _path(text)
    problems = validate_codebook(path)
    assert all(isinstance(p, QualcodeError) and p.path == str(path) for p in problems)
    try:
        book = load_codebook(path)
    except CodebookError as exc:
        assert problems, "load_codebook fails exactly when validate_codebook reports problems"
        assert str(path) in str(exc)
        return
    assert not problems
    assert book.codes
    spacy_problems = [str(p) for p in validate_codebook_with_spacy(path)]
    try:
        check_codebook_patterns(book)
    except CodebookError as exc:
        assert [str(p) for p in exc.problems] == spacy_problems
    else:
        assert spacy_problems == []


@given(value=YAML_VALUES)
def test_arbitrary_yaml_documents(value):
    load_or_clean_error(yaml.safe_dump(value, allow_unicode=True))


@PATTERNS
@given(value=YAML_VALUES, key=st.sampled_from(["name", "version", "defaults", "codes", "description"]))
def test_arbitrary_values_at_top_level_keys(value, key):
    book = yaml.safe_load(VALID)
    book[key] = value
    load_or_clean_error(yaml.safe_dump(book, allow_unicode=True))


@PATTERNS
@given(value=YAML_VALUES, key=st.sampled_from(["id", "name", "definition", "include", "exclude",
                                              "examples", "rules", "children"]))
def test_arbitrary_values_in_a_code(value, key):
    book = yaml.safe_load(VALID)
    book["codes"][0][key] = value
    load_or_clean_error(yaml.safe_dump(book, allow_unicode=True))


@PATTERNS
@given(value=YAML_VALUES, key=st.sampled_from(["phrases", "patterns", "exclude", "scope", "negation",
                                              "near", "window"]))
def test_arbitrary_values_in_rules(value, key):
    book = yaml.safe_load(VALID)
    book["codes"][0]["rules"][key] = value
    load_or_clean_error(yaml.safe_dump(book, allow_unicode=True))


@PATTERNS
@given(token=st.dictionaries(st.sampled_from(["LEMMA", "LOWER", "ORTH", "OP", "TEXT", "LENGTH",
                                             "IS_ALPHA", "REGEX", "IN", "POS", "_", "lower"]),
                             YAML_VALUES, max_size=3))
def test_arbitrary_pattern_tokens(token):
    book = yaml.safe_load(VALID)
    book["codes"][0]["rules"]["patterns"] = [[token]]
    load_or_clean_error(yaml.safe_dump(book, allow_unicode=True))


@given(data=st.data())
def test_line_mutations_of_a_valid_codebook(data):
    """Delete, duplicate, re-indent or overwrite lines of a valid codebook."""
    lines = VALID.split("\n")
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        at = data.draw(st.integers(0, len(lines) - 1), label="line")
        how = data.draw(st.sampled_from(["delete", "duplicate", "indent", "dedent", "replace", "insert"]))
        if how == "delete" and len(lines) > 1:
            del lines[at]
        elif how == "duplicate":
            lines.insert(at, lines[at])
        elif how == "indent":
            lines[at] = "  " + lines[at]
        elif how == "dedent":
            lines[at] = lines[at][2:]
        else:
            piece = data.draw(st.one_of(
                st.text(max_size=20),
                st.sampled_from(["&a [*a]", "*a", "!!binary x", "!!timestamp x", "!!python/name:os.system",
                                 "? [a, b]\n: c", "? {a: [1]}\n: c", "{", "- ", "key: !!int nope",
                                 "%TAG ! tag:x,2000:", "---", "...", "\t", "\ufeff"])))
            if how == "replace":
                lines[at] = piece
            else:
                lines.insert(at, piece)
    load_or_clean_error("\n".join(lines))


@given(data=st.binary(max_size=200))
def test_arbitrary_bytes(data):
    load_or_clean_error(data)


def test_the_shipped_codebooks_load():
    for path in sorted(CODEBOOKS.glob("*.yaml")):
        assert validate_codebook(path) == []
