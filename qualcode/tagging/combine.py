"""Codings from the ML model alone (``ml``) or from rules and model combined (``all``).

The combination rule (also in the README):

- **A code is given to a turn when the rules fire for it OR the model gives
  it**: its probability reaches that code's threshold and, for a subcode, the
  model also gives its theme (:func:`~qualcode.tagging.ml.estimator.gate_by_parents`)
  (rules are precise but miss
  paraphrase; the model generalizes from the human coding; their union keeps
  what each finds).  Parents are implied by children on both sides.
- What is stored: every rule coding as the rules would store it (its sentence
  or turn span and its rule hits), and, for a code only the model gives, one
  coding spanning the whole turn.  A parent the model gives together with one of
  its children is implied by the child and not stored twice.
- Evidence: ``sources`` lists who gave the code (``["rules"]``, ``["ml"]`` or
  ``["rules", "ml"]``), with the model's ``probability`` and ``threshold`` and,
  for rules, the hits.  ``confidence`` is the model's probability for the code
  (None for a code the model did not learn, which only the rules can give).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np

from qualcode.tagging.ml.estimator import hierarchical_predictions
from qualcode.tagging.ml.modelfile import ModelFile

PREDICT_BATCH = 2000


@dataclass
class MachineCoding:
    segment_key: object
    code: str
    start: int
    end: int
    confidence: float | None
    evidence: dict


def most_specific(codes: set[str], parents: dict[str, str | None]) -> list[str]:
    """Codes that are not the parent (or ancestor) of another code in the set."""
    implied = set()
    for code in codes:
        parent = parents.get(code)
        while parent is not None:
            implied.add(parent)
            parent = parents.get(parent)
    return [c for c in codes if c not in implied]


def model_codes(model: ModelFile, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(0/1 predictions gated by parents and closed upward, probabilities), turns x codes."""
    tagger = model.tagger
    codes = [str(c) for c in tagger.classes_]
    proba = np.vstack([tagger.predict_proba(texts[i:i + PREDICT_BATCH])
                       for i in range(0, len(texts), PREDICT_BATCH)]) if texts else \
        np.zeros((0, len(codes)))
    predicted = ((proba >= tagger.thresholds_) & tagger.learned_).astype(int)
    return hierarchical_predictions(predicted, tagger.learned_, codes, model.info["parents"]), proba


def machine_codings(model: ModelFile, turns: Iterable[tuple[object, str, int]], *,
                    rule_tagger=None, batch_size: int = 256) -> Iterator[MachineCoding]:
    """Codings for ``(segment_key, text, start)`` turns: model alone, or with ``rule_tagger``."""
    turns = list(turns)
    tagger = model.tagger
    codes = [str(c) for c in tagger.classes_]
    order = {c: j for j, c in enumerate(codes)}
    parents = model.info["parents"]
    learned = tagger.learned_
    rule_codings: dict[object, list] = {}
    if rule_tagger is not None:
        for coding in rule_tagger.tag_segments(turns, batch_size=batch_size):
            rule_codings.setdefault(coding.segment_key, []).append(coding)
    for offset in range(0, len(turns), PREDICT_BATCH):
        chunk = turns[offset:offset + PREDICT_BATCH]
        predicted, proba = model_codes(model, [text for _, text, _ in chunk])
        for (key, text, start), row, probs in zip(chunk, predicted, proba):
            def model_view(code: str) -> dict:
                j = order[code]
                return ({"probability": round(float(probs[j]), 4),
                         "threshold": round(float(tagger.thresholds_[j]), 4)}
                        if learned[j] else {"probability": None, "threshold": None})

            def confidence(code: str) -> float | None:
                j = order[code]
                return float(probs[j]) if learned[j] else None

            by_model = {codes[j] for j in np.flatnonzero(row)}
            by_rules: set[str] = set()
            for coding in rule_codings.get(key, ()):
                by_rules.add(coding.code_id)
                sources = ["rules", "ml"] if coding.code_id in by_model else ["rules"]
                yield MachineCoding(key, coding.code_id, coding.start, coding.end,
                                    confidence(coding.code_id) if coding.code_id in order else None,
                                    {"sources": sources, **(model_view(coding.code_id)
                                                            if coding.code_id in order else {}),
                                     "scope": coding.scope,
                                     "hits": [{"rule": h.rule_id, "matched": h.matched,
                                               "start": h.start, "end": h.end} for h in coding.hits]})
            given_by_rules = set(by_rules)
            for code in by_rules:
                parent = parents.get(code)
                while parent is not None:
                    given_by_rules.add(parent)
                    parent = parents.get(parent)
            only_model = [c for c in most_specific(by_model, parents) if c not in given_by_rules]
            for code in sorted(only_model, key=order.get):
                yield MachineCoding(key, code, start, start + len(text), confidence(code),
                                    {"sources": ["ml"], **model_view(code), "scope": "turn"})
