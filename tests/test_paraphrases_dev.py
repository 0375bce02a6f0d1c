"""The shipped mentoring codebook on the invented paraphrase development set.

``tests/data/paraphrases_dev.csv`` holds utterances written without looking at the
rules (at least 25 per code and 141 that must stay uncoded: housekeeping, agreement
tokens, off-topic talk and near-misses such as "statistical power" or "credit card").
It grew in four batches (402, 112, 108 and 107 rows); each batch was written before the
round of rule changes it informed and scored blind first.
The rules are tagged once (one RuleTagger, one nlp.pipe pass) and held to:

- every utterance marked ``ok`` gets exactly its expected codes;
- every utterance without codes gets none;
- micro-F1 over the whole set, computed with qualcode.analysis.metrics.score_table, stays at or
  above the floor reached when the rules were broadened (code and theme level);
- an utterance marked ``miss`` that the rules now get right is reported, so that it
  is marked ``ok`` and protected from then on.
"""

from __future__ import annotations

import pytest

from qualcode.codebook import load_codebook
from qualcode.tagging.rules.tagger import RuleTagger

from paraphrase_dev import CODEBOOK, read_dev_status, score

ROWS = read_dev_status()

# Reached by the rules of this commit on the whole set; lower only with a reason.
FLOORS = {"code": 0.88, "theme": 0.93}


@pytest.fixture(scope="module")
def outcome():
    tagger = RuleTagger(load_codebook(CODEBOOK))
    return score(tagger, [(text, codes) for text, codes, _ in ROWS])


def test_dev_set_is_as_described():
    statuses = {status for _, _, status in ROWS}
    assert statuses == {"ok", "miss"}
    negatives = [text for text, codes, _ in ROWS if not codes]
    assert len(negatives) >= 140
    texts = [text for text, _, _ in ROWS]
    assert len(texts) == len(set(texts))
    per_code: dict[str, int] = {}
    for _, codes, _ in ROWS:
        for code in codes:
            per_code[code] = per_code.get(code, 0) + 1
    book = load_codebook(CODEBOOK)
    assert set(per_code) == set(book.ids)
    assert min(per_code.values()) >= 25


@pytest.mark.parametrize("level", sorted(FLOORS))
def test_micro_f1_stays_above_the_floor(outcome, level):
    tables, _ = outcome
    micro = tables[level].set_index("code").loc["(micro)"]
    book = load_codebook(CODEBOOK)
    expected = [codes if level == "code" else {book.theme_of(c) for c in codes} for _, codes, _ in ROWS]
    assert micro["support"] == sum(len(codes) for codes in expected)  # every utterance is scored
    micro_f1 = micro["f1"]
    assert micro_f1 >= FLOORS[level], f"{level} micro-F1 fell to {micro_f1:.3f}"


def test_utterances_without_codes_stay_uncoded(outcome):
    _, predicted = outcome
    coded = [(text, sorted(got)) for (text, codes, _), got in zip(ROWS, predicted) if not codes and got]
    assert coded == []


def test_utterances_marked_ok_get_exactly_their_codes(outcome):
    _, predicted = outcome
    wrong = [(text, sorted(codes), sorted(got))
             for (text, codes, status), got in zip(ROWS, predicted) if status == "ok" and got != codes]
    assert wrong == []


def test_misses_now_right_are_marked_ok(outcome):
    _, predicted = outcome
    fixed = [text for (text, codes, status), got in zip(ROWS, predicted) if status == "miss" and got == codes]
    assert fixed == [], "the rules now code these correctly: mark them ok in paraphrases_dev.csv"

