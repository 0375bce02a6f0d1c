"""With the current shipped codebooks, the tagger gives exactly the codings, hits and vetoes it gave
before per-pattern windowed matching (``tests/fixtures/rule_codings/current/make_expected.py``;
ties between rules matching the same tokens in the codebook's order of rules, see there)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualcode.codebook import load_codebook
from qualcode.tagging import RuleTagger
from test_rules_equivalence import load_maker, read_expected

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "rule_codings" / "current"


MAKER = load_maker(FIXTURES, "make_expected_current")


def _expected(name: str, kind: str) -> list[dict]:
    return read_expected(FIXTURES, name, kind)


@pytest.fixture(scope="module")
def turns(tmp_path_factory):
    return MAKER.corpus_turns(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def taggers():
    return {name: RuleTagger(load_codebook(MAKER.CODEBOOK_DIR / f"{name}.yaml")) for name in MAKER.CODEBOOKS}


@pytest.mark.parametrize("name", MAKER.CODEBOOKS)
def test_codings_equal_the_recorded_ones(name, taggers, turns):
    # JSON round trip: tuples become lists exactly as in the stored file
    got = json.loads(json.dumps(MAKER.coding_records(taggers[name], turns)))
    expected = _expected(name, "codings")
    assert len(got) == len(expected) > 900
    assert MAKER.DEV_DOCUMENT in {r["document"] for r in expected}
    assert got == expected


@pytest.mark.parametrize("name", MAKER.CODEBOOKS)
def test_applied_and_vetoed_hits_equal_the_recorded_ones(name, taggers, turns):
    got = json.loads(json.dumps(MAKER.explain_records(taggers[name], turns)))
    expected = _expected(name, "hits")
    vetoes = {"mentoring_expectations": {"excluded", "negated", "not near"},
              "expectation_domains": {"excluded", "not near"}}[name]
    assert {h["status"] for h in expected} == {"applied"} | vetoes
    assert len(got) == len(expected) > 1000
    assert got == expected
