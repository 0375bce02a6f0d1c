"""The rule tagger gives exactly the codings, hits and vetoes of the original one.

The expected files were written by the tagger before the speed work
(``tests/fixtures/rule_codings/make_expected.py``, see its docstring), on the
four sample transcripts and a small synthetic corpus, with both default codebooks.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from qualcode.codebook import load_codebook
from qualcode.tagging import RuleTagger

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "rule_codings"
CODEBOOKS = FIXTURES / "codebooks"  # frozen copies: this compares tagger engines, not rule tuning


def load_maker(folder: Path, module_name: str):
    """The fixture folder's ``make_expected.py`` as a module."""
    spec = importlib.util.spec_from_file_location(module_name, folder / "make_expected.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_expected(folder: Path, name: str, kind: str) -> list[dict]:
    with open(folder / f"{name}.{kind}.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


MAKER = load_maker(FIXTURES, "make_expected")


def _expected(name: str, kind: str) -> list[dict]:
    return read_expected(FIXTURES, name, kind)


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    return MAKER.corpus_documents(tmp_path_factory.mktemp("corpus"))


@pytest.mark.parametrize("name", MAKER.CODEBOOKS)
def test_codings_equal_the_original_taggers(name, documents):
    tagger = RuleTagger(load_codebook(CODEBOOKS / f"{name}.yaml"))
    # JSON round trip: tuples become lists exactly as in the stored file
    got = json.loads(json.dumps(MAKER.coding_records(tagger, documents)))
    expected = _expected(name, "codings")
    assert len(got) == len(expected) > 500
    assert got == expected


@pytest.mark.parametrize("name", MAKER.CODEBOOKS)
def test_applied_and_vetoed_hits_equal_the_original_taggers(name, documents):
    tagger = RuleTagger(load_codebook(CODEBOOKS / f"{name}.yaml"))
    got = json.loads(json.dumps(MAKER.explain_records(tagger, documents)))
    expected = _expected(name, "hits")
    vetoes = {"mentoring_expectations": {"excluded", "negated", "not near"},
              "expectation_domains": {"not near"}}[name]
    assert {h["status"] for h in expected} == {"applied"} | vetoes
    assert got == expected
