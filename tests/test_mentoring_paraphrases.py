"""The shipped mentoring codebook on sentences that are NOT in the sample transcripts.

The rules were tuned on the sample's gold coding; these invented sentences check that they
catch other ways of saying the same things, and stay quiet on everyday talk, so that tuning
does not silently turn into fitting the four sample transcripts.
"""

from __future__ import annotations

import pytest

from qualcode.codebook import load_codebook
from qualcode.tagging.rules.tagger import RuleTagger

from conftest import REPO


@pytest.fixture(scope="module")
def tagger():
    return RuleTagger(load_codebook(REPO / "codebooks" / "mentoring_expectations.yaml"))


def codes(tagger, text):
    return sorted({c.code_id for c in tagger.tag_text(text)})


@pytest.mark.parametrize("text, expected", [
    # value
    ("Nobody ever really explained what my mentor wanted from me in the first year.", ["value.clarity"]),
    ("It's a two-way street, expectations go both ways.", ["value.clarity"]),
    ("Our expectations didn't match, and it took us a year to figure that out.", ["value.mismatch"]),
    ("We were not a good fit, and we both knew it after six months.", ["value.mismatch"]),
    ("My primary mentor and my secondary mentor gave me conflicting advice.", ["value.roles"]),
    ("Over time my needs changed, so we rewrote the plan.", ["value.review"]),
    ("We put target dates next to every aim.", ["value.accountability"]),
    ("Being explicit early on saves so much heartache later.", ["value"]),
    ("We can be candid with each other now.", ["value.relationship"]),
    ("Every few months we step back and ask whether the plan still makes sense.", ["value.review"]),
    ("I keep a running document of what we decided and by when.", ["value.accountability"]),
    # independence
    ("I had a fellow who took the whole project with her when she left, and that was painful.",
     ["independence.ownership"]),
    ("The data belong to the university, technically.", ["independence.ownership"]),
    ("He wanted to be senior author on every paper that came out of my K.", ["independence.credit"]),
    ("She's been trying to break away from my area, which I think is healthy.", ["independence.niche"]),
    ("At some point you have to let them make their own mistakes.", ["independence.letting_go"]),
    ("He micromanages every slide of my talks.", ["independence.letting_go"]),
    ("He used my pilot results in his renewal without asking.", ["independence.ip_grants"]),
    # power differential
    ("There is an imbalance, and we all know it.", ["power_differential"]),
    ("I didn't feel like I could say no to him.", ["power_differential"]),
    ("Frankly, I don't think the mentee feels safe telling me I'm doing a bad job.",
     ["power_differential.withheld_feedback"]),
    ("You don't want to be labeled as difficult when you're up for promotion.", ["power_differential.fear"]),
    ("It's on the mentee to set up the meetings and bring an agenda.", ["power_differential.empowerment"]),
    ("There's no real way to hold a senior mentor accountable.",
     ["power_differential.limited_accountability", "value.accountability"]),
    # tools
    ("The agreement is fine, but it's just one more form to fill out.", ["tools.reservations", "tools.types"]),
    ("Nobody ever reads those documents once they're signed.", ["tools", "tools.reservations"]),
    ("We use a mentoring agreement template from the CTSA, and it's a decent conversation starter.",
     ["tools.benefits", "tools.types"]),
    ("I prefer to keep things informal with my mentees.", ["tools.formal_informal"]),
    ("What matters is the relationship, not the document.", ["tools.formal_informal"]),
    ("The form is too long and nobody fills it out properly.", ["tools.reservations", "tools.types"]),
])
def test_paraphrases_outside_the_sample(tagger, text, expected):
    assert codes(tagger, text) == expected


@pytest.mark.parametrize("text", [
    "The statistical power of the study was low.",
    "Let's go to the next question.",
    "I ran my R scripts on the cluster overnight.",
    "The elevator was not working again.",
    "My postdoc is presenting at the annual meeting in May.",
    "I wrote the letter of intent last night.",
    "The committee meets on Friday to review the budget.",
    "I'm going to take the data to the biostatistician tomorrow.",
    "We're in agreement on the budget.",
    "I'm doing better now, thanks.",
    "The form for reimbursement is online.",
    "I think the room is too cold.",
])
def test_everyday_talk_gets_no_code(tagger, text):
    assert codes(tagger, text) == []
