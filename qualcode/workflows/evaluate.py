"""Honest evaluation of the taggers against a human coder, by cross-validation.

    >>> from qualcode.workflows.evaluate import evaluate_taggers
    >>> result = evaluate_taggers(data, codebook=book, folds=5, seed=0)
    >>> result.scores      # tagger, code, support, predicted, tp, fp, fn, precision, recall, f1, kappa
    >>> result.curve       # learning curve: F1 with 25/50/75/100% of the training folds

- **Folds**: the coder's turns are split into ``folds`` folds by *iterative
  stratification* for multi-label data (Sechidis, Tsoumakas & Vlahavas 2011, as
  implemented by the ``iterative-stratification`` package's
  ``MultilabelStratifiedKFold``), so every code's positives spread evenly over
  the folds.  Shuffled with ``seed``: the same seed gives the same figures.
- **Model** (``ml``): for each fold a fresh :class:`MLTagger` (vectorizer,
  C search and thresholds included) is fitted on the other folds only and
  predicts the held-out fold.  The held-out predictions of all folds are pooled
  and scored once against the human codes.
- **Rules** (``rules``): the rule tagger needs no training; it is scored on
  the same turns.  **Combined** (``all``): rules OR model, per turn and code.
- Labels and predictions are both at turn and code level with parents implied
  by children (see :mod:`qualcode.tagging.ml.training`).
- Per code: precision, recall, F1 and Cohen's kappa (turn-level agreement with
  the human beyond chance); ``(micro)`` pools every (turn, code) pair and
  ``(macro)`` averages the codes the human used at least once
  (:func:`qualcode.analysis.metrics.score_table`; a figure that is undefined, such
  as the precision of a code a tagger never gave, is NaN and left out of the average).
- **Learning curve**: the same folds, with the model fitted on 25/50/75/100%
  of each training fold (a seeded random subset): if F1 still climbs at 100%,
  more human coding will help.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from qualcode.analysis.metrics import MACRO, MICRO, score_table
from qualcode.core.errors import SelectionError
from qualcode.tagging.ml.estimator import MLTagger, close_upward, hierarchical_predictions
from qualcode.tagging.ml.training import TrainingData

TAGGER_CHOICES = ("ml", "rules", "all")
CURVE_FRACTIONS = (0.25, 0.5, 0.75, 1.0)


@dataclass
class Evaluation:
    scores: pd.DataFrame
    curve: pd.DataFrame
    folds: int
    turns: int
    seed: int
    notes: list[str] = field(default_factory=list)


def _tagger_scores(tagger: str, codes: list[str], Y: np.ndarray, P: np.ndarray) -> pd.DataFrame:
    """:func:`qualcode.analysis.metrics.score_table` of ``P`` against ``Y``, tagger first."""
    table = score_table(codes, Y, P)
    table.insert(0, "tagger", tagger)
    return table


def rule_predictions(codebook, texts: list[str], codes: list[str], parents: dict) -> np.ndarray:
    """The rule tagger's codes per turn (turns x codes, parents implied)."""
    from qualcode.tagging.rules.tagger import RuleTagger

    index = {c: j for j, c in enumerate(codes)}
    P = np.zeros((len(texts), len(codes)), dtype=int)
    for coding in RuleTagger(codebook).tag_segments((i, t, 0) for i, t in enumerate(texts)):
        if coding.code_id in index:
            P[coding.segment_key, index[coding.code_id]] = 1
    return close_upward(P, codes, parents)


def evaluate_taggers(data: TrainingData, *, taggers=TAGGER_CHOICES, codebook=None, folds: int = 5,
                     seed: int = 0, params: dict | None = None,
                     curve: tuple[float, ...] | None = CURVE_FRACTIONS) -> Evaluation:
    """Cross-validated scores of ``taggers`` against the human codes in ``data``.

    ``codebook`` (a :class:`~qualcode.codebook.Codebook` with rules) is needed for
    ``rules`` and ``all``; ``params`` are :class:`MLTagger` parameters; ``curve=None``
    skips the learning curve.
    """
    from iterstrat.ml_stratifiers import MultilabelStratifiedKFold

    unknown = [t for t in taggers if t not in TAGGER_CHOICES]
    if unknown:
        raise SelectionError(f"unknown tagger {unknown[0]!r}; choose from {', '.join(TAGGER_CHOICES)}")
    if codebook is None and any(t in ("rules", "all") for t in taggers):
        raise SelectionError("evaluating the rules needs the codebook with its rules")
    texts = data.texts
    codes = list(data.labels.columns)
    Y = data.labels.to_numpy().astype(int)
    n = len(texts)
    if folds < 2:
        raise SelectionError(f"--folds must be at least 2, not {folds}")
    if n < folds:
        raise SelectionError(f"{n} covered turns are too few for {folds}-fold cross-validation")
    params = dict(params or {})
    params["random_state"] = seed
    notes = []
    needs_model = any(t in ("ml", "all") for t in taggers)
    fractions = tuple(curve or ()) if needs_model else ()
    splitter = MultilabelStratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    splits = list(splitter.split(np.zeros((n, 1)), Y))

    oof = {f: np.zeros_like(Y) for f in set(fractions) | ({1.0} if needs_model else set())}
    train_sizes = {f: [] for f in oof}
    for k, (train, test) in enumerate(splits):
        rng = np.random.RandomState(seed + k)
        shuffled = rng.permutation(train)
        for fraction in sorted(oof):
            subset = np.sort(shuffled[:max(2, int(round(fraction * len(train))))]) if fraction < 1 else train
            train_sizes[fraction].append(len(subset))
            model = MLTagger(**params).fit([texts[i] for i in subset], Y[subset])
            oof[fraction][test] = hierarchical_predictions(model.predict([texts[i] for i in test]),
                                                           model.learned_, codes, data.codebook.parents)
    tables = []
    rules = rule_predictions(codebook, texts, codes, data.codebook.parents) \
        if any(t in ("rules", "all") for t in taggers) else None
    for tagger in taggers:
        if tagger == "ml":
            P = oof[1.0]
        elif tagger == "rules":
            P = rules
        else:
            P = oof[1.0] | rules
        tables.append(_tagger_scores(tagger, codes, Y, P))
    curve_rows = []
    for fraction in sorted(fractions):
        table = score_table(codes, Y, oof[fraction])
        micro = table[table["code"] == MICRO].iloc[0]
        macro = table[table["code"] == MACRO].iloc[0]
        curve_rows.append({"fraction": fraction,
                           "training_turns": round(float(np.mean(train_sizes[fraction])), 1),
                           "micro_f1": micro["f1"], "macro_f1": macro["f1"]})
    too_few = [c for c, s in zip(codes, Y.sum(axis=0)) if 0 < s < folds]
    if too_few:
        notes.append(f"codes with fewer positive turns than folds (some folds have none): {', '.join(too_few)}")
    return Evaluation(pd.concat(tables, ignore_index=True),
                      pd.DataFrame(curve_rows, columns=["fraction", "training_turns", "micro_f1", "macro_f1"]),
                      folds, n, seed, notes)
