"""Which policy combines the taggers for each code, chosen on a person's own coding.

    >>> from qualcode.workflows.combine import choose_policies
    >>> choices = choose_policies(Y, {"rules": R, "ml": M}, codes, parents)
    >>> choices["independence"].policy, choices["independence"].scores

The policies are those of :mod:`qualcode.tagging.combine` (each tagger alone, union,
intersection, majority).  For each code, on the person's coded turns (a model's
predictions there come from a model that did not learn the turn: the applied model itself
on turns it never saw, else out-of-fold refits; see :func:`qualcode.workflows.train.model_view`):

1. every policy's F1 against the person's codes;
2. the single tagger with the best F1 is the candidate (ties: rules, then ml, then llm);
3. a combination replaces it only when its F1 is higher by more than :data:`MARGIN` (0.02):
   combining must clearly help, since a small gain on a few turns is mostly chance;
4. a code with fewer than :data:`MIN_POSITIVES` coded turns (5, as many as the model needs to
   learn a code) is too rare to judge on its own: it takes its theme's policy (its top-level code's, chosen on every turn of the theme);
   a theme with fewer, or no coded turns at all, takes the default: the rules alone.

:func:`cross_validated_combination` is what ``evaluate`` scores as the combination: for each
fold, the policies are chosen on the other folds only and applied to it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from qualcode.analysis.metrics import confusion, scores_from_confusion
from qualcode.core.errors import SelectionError
from qualcode.tagging.combine import (TAGGER_ORDER, ancestors, combine_votes, combined_predictions,
                                      default_policy, policy_names)

MARGIN = 0.02
MIN_POSITIVES = 5


@dataclass(frozen=True)
class Choice:
    policy: str
    basis: str                 # "code" (chosen on its own turns), "theme" or "default"
    positives: int             # the person's coded turns with the code
    scores: dict[str, float]   # every policy's F1 on the person's turns (NaN: undefined)

    def as_dict(self) -> dict:
        return {"policy": self.policy, "basis": self.basis, "positives": self.positives,
                "f1": {p: (None if math.isnan(f) else round(f, 4)) for p, f in self.scores.items()}}


def ordered(taggers) -> list[str]:
    """The taggers once each, rules first, then ml, then llm."""
    unknown = [t for t in taggers if t not in TAGGER_ORDER]
    if unknown:
        raise ValueError(f"unknown tagger {unknown[0]!r}")
    return [t for t in TAGGER_ORDER if t in set(taggers)]


def tagger_parts(name: str) -> tuple[str, ...]:
    """The taggers a name stands for: ``all`` is rules and ml; ``rules,llm`` (or ``rules+llm``)
    a list; else one tagger."""
    if name == "all":
        return ("rules", "ml")
    parts = [p.strip() for p in name.replace("+", ",").split(",") if p.strip()]
    unknown = [p for p in parts if p not in ("ml", "rules", "llm")]
    if unknown or not parts:
        raise SelectionError(f"unknown tagger {(unknown or [name])[0]!r}; choose from "
                             "ml, rules, llm, all or a list such as rules,ml,llm")
    return tuple(ordered(parts))


def tagger_name(name: str) -> str:
    """How a tagger or combination is named in tables and as a coder: ``all``, ``rules+llm``."""
    return "all" if name == "all" else "+".join(tagger_parts(name))


def f1(y: np.ndarray, p: np.ndarray) -> float:
    """F1 of ``p`` against ``y`` (analysis.metrics; NaN when neither has a positive)."""
    return scores_from_confusion(confusion(y, p))["f1"]


def _best(scores: dict[str, float], taggers: list[str]) -> str:
    value = {p: (0.0 if math.isnan(s) else s) for p, s in scores.items()}
    best = max(taggers, key=lambda t: (value[t], -taggers.index(t)))
    better = [p for p in scores if p not in taggers and value[p] > value[best] + MARGIN]
    return max(better, key=lambda p: value[p]) if better else best


def choose_policies(Y: np.ndarray, predictions: dict[str, np.ndarray], codes: list[str],
                    parents: dict[str, str | None]) -> dict[str, Choice]:
    """Each code's :class:`Choice` from the person's 0/1 codes ``Y`` and each tagger's 0/1
    ``predictions`` (turns x codes, parents implied in both)."""
    taggers = ordered(predictions)
    Y = np.asarray(Y, dtype=int)
    choices: dict[str, Choice] = {}
    for j, code in enumerate(codes):
        votes = {t: predictions[t][:, j] for t in taggers}
        scores = {p: f1(Y[:, j], combine_votes(p, votes)) for p in policy_names(taggers)}
        positives = int(Y[:, j].sum())
        if positives >= MIN_POSITIVES:
            choices[code] = Choice(_best(scores, taggers), "code", positives, scores)
            continue
        theme = (ancestors(code, parents) or [code])[-1]
        own = choices.get(theme)
        if own is not None and own.basis == "code" and theme != code:
            choices[code] = Choice(own.policy, "theme", positives, scores)
        else:
            choices[code] = Choice(default_policy(taggers), "default", positives, scores)
    return choices


def cross_validated_combination(Y: np.ndarray, predictions: dict[str, np.ndarray], codes: list[str],
                                parents: dict[str, str | None], splits) -> np.ndarray:
    """Turns x codes: each fold combined by the policies chosen on the other folds."""
    out = np.zeros_like(np.asarray(Y, dtype=int))
    for train, test in splits:
        choices = choose_policies(Y[train], {t: p[train] for t, p in predictions.items()}, codes, parents)
        out[test] = combined_predictions({c: ch.policy for c, ch in choices.items()},
                                         {t: p[test] for t, p in predictions.items()}, codes, parents)
    return out


def policy_table(choices: dict[str, Choice]) -> pd.DataFrame:
    """Per code: coded turns, chosen policy and why, its F1, and every policy's F1."""
    rows = []
    for code, choice in choices.items():
        rows.append({"code": code, "positives": choice.positives, "policy": choice.policy,
                     "basis": choice.basis, "f1": choice.scores[choice.policy],
                     **{f"f1 {p}": f for p, f in choice.scores.items()}})
    return pd.DataFrame(rows)
