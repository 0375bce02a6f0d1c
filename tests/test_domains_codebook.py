"""The shipped expectation-domains codebook: common idioms that are not expectations stay uncoded."""

from __future__ import annotations

import pytest

from qualcode.codebook import load_codebook
from qualcode.tagging.rules.tagger import RuleTagger

from conftest import REPO


@pytest.fixture(scope="module")
def tagger():
    return RuleTagger(load_codebook(REPO / "codebooks" / "expectation_domains.yaml"))


def codes(tagger, text):
    return sorted({c.code_id for c in tagger.tag_text(text)})


@pytest.mark.parametrize("text", [
    "Of course it is.",
    "Thanks, everyone.",
    "I'll be honest, I'm tired.",
    "To be honest, the lab is fine.",
    "It's just a piece of paper.",
    "I'm kidding.",
    "No comment.",
    "Clinic ran over.",
    "You have to model it for them.",
    "There's supposed to be the program director, right?",
])
def test_idioms_are_not_expectations(tagger, text):
    assert codes(tagger, text) == []


@pytest.mark.parametrize("text, expected", [
    ("I had a baby in my second year and nobody planned for it.", ["professional_development.work_life"]),
    ("My kids come first on weekends.", ["professional_development.work_life"]),
    ("They keep adding clinic sessions to her week.", ["support.effort"]),
    ("I send the program director a progress summary every June.", ["communication.progress_reports"]),
    ("He always thanks the trainee by name for the work.", ["conduct.acknowledgment"]),
    ("We agreed to be honest with each other from day one.", ["conduct.ground_rules"]),
    ("I still needed the regression course.", ["education.coursework"]),
])
def test_domains_still_found(tagger, text, expected):
    assert codes(tagger, text) == expected
