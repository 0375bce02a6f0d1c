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
- **Rules** (``rules``) and **LLM** (``llm``) need no training; they are scored on
  the same turns (the LLM's answers come from the project's cache or the server).
- **Combined** (``all`` = rules and ml, or a list such as ``rules,ml,llm``): per code, the
  policy of :mod:`qualcode.workflows.combine`, chosen for each fold on the other folds only
  (the model's predictions there being out-of-fold too) and applied to it, so the figure is
  honest; ``Evaluation.policies`` holds each code's policy chosen on every turn, with its
  F1 and the alternatives'.
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
from qualcode.tagging.hierarchy import close_upward, hierarchical_predictions
from qualcode.tagging.ml.estimator import MLTagger
from qualcode.tagging.ml.training import TrainingData
from qualcode.workflows.combine import (choose_policies, cross_validated_combination, policy_table,
                                        tagger_name, tagger_parts)

TAGGER_CHOICES = ("ml", "rules", "llm", "all")
DEFAULT_TAGGERS = ("ml", "rules", "all")
CURVE_FRACTIONS = (0.25, 0.5, 0.75, 1.0)


@dataclass
class Evaluation:
    scores: pd.DataFrame
    curve: pd.DataFrame
    folds: int
    turns: int
    seed: int
    notes: list[str] = field(default_factory=list)
    #: Per combination evaluated (``all``, ``rules+llm``, ...): each code's policy chosen on
    #: every turn, with its F1 and the alternatives' (:func:`qualcode.workflows.combine.policy_table`).
    policies: dict[str, pd.DataFrame] = field(default_factory=dict)
    data: TrainingData | None = None  # the coder's turns (evaluate_coder)
    llm: object | None = None         # the LLM's run (workflows.llm.LLMRun), when it was scored


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


def fold_splits(Y: np.ndarray, folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) indices of ``folds`` folds by iterative multi-label stratification."""
    from iterstrat.ml_stratifiers import MultilabelStratifiedKFold

    if folds < 2:
        raise SelectionError(f"--folds must be at least 2, not {folds}")
    if len(Y) < folds:
        raise SelectionError(f"{len(Y)} covered turns are too few for {folds}-fold cross-validation")
    splitter = MultilabelStratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros((len(Y), 1)), Y))


def model_oof_predictions(texts: list[str], Y: np.ndarray, codes: list[str], parents: dict, splits,
                          params: dict, seed: int, fractions=(1.0,)) -> tuple[dict, dict]:
    """Out-of-fold 0/1 predictions of a model fitted on each fold's training turns (or a seeded
    ``fraction`` of them): ``({fraction: turns x codes}, {fraction: [training turns per fold]})``."""
    oof = {f: np.zeros_like(Y) for f in fractions}
    train_sizes = {f: [] for f in fractions}
    for k, (train, test) in enumerate(splits):
        shuffled = np.random.RandomState(seed + k).permutation(train)
        for fraction in sorted(fractions):
            subset = np.sort(shuffled[:max(2, int(round(fraction * len(train))))]) if fraction < 1 else train
            train_sizes[fraction].append(len(subset))
            model = MLTagger(**params).fit([texts[i] for i in subset], Y[subset])
            oof[fraction][test] = hierarchical_predictions(model.predict([texts[i] for i in test]),
                                                           model.learned_, codes, parents)
    return oof, train_sizes


def evaluate_taggers(data: TrainingData, *, taggers=DEFAULT_TAGGERS, codebook=None, folds: int = 5,
                     seed: int = 0, params: dict | None = None,
                     curve: tuple[float, ...] | None = CURVE_FRACTIONS,
                     llm: np.ndarray | None = None) -> Evaluation:
    """Cross-validated scores of ``taggers`` against the human codes in ``data``.

    ``taggers``: ``ml``, ``rules``, ``llm``, ``all`` (rules and ml combined) or a list such as
    ``rules,ml,llm`` (combined).  ``codebook`` (a :class:`~qualcode.codebook.Codebook` with
    rules) is needed for the rules; ``llm`` (turns x codes 0/1, the LLM's codes for
    ``data``'s turns, :func:`qualcode.workflows.llm.llm_predictions`) for the LLM;
    ``params`` are :class:`MLTagger` parameters; ``curve=None`` skips the learning curve.
    """
    requested = [(tagger_name(t), tagger_parts(t)) for t in taggers]
    bases = {b for _, parts in requested for b in parts}
    if codebook is None and "rules" in bases:
        raise SelectionError("evaluating the rules needs the codebook with its rules")
    if llm is None and "llm" in bases:
        raise SelectionError("evaluating the LLM needs its answers for the coder's turns")
    texts, codes, parents = data.texts, list(data.labels.columns), data.codebook.parents
    Y = data.labels.to_numpy().astype(int)
    splits = fold_splits(Y, folds, seed)
    params = {**(params or {}), "random_state": seed}
    fractions = tuple(sorted(set(curve or ()) | {1.0})) if "ml" in bases else ()
    oof, train_sizes = model_oof_predictions(texts, Y, codes, parents, splits, params, seed, fractions)
    predictions = {}
    if "rules" in bases:
        predictions["rules"] = rule_predictions(codebook, texts, codes, parents)
    if "ml" in bases:
        predictions["ml"] = oof[1.0]
    if "llm" in bases:
        predictions["llm"] = close_upward(np.asarray(llm, dtype=int), codes, parents)
    tables, policies = [], {}
    for name, parts in requested:
        if len(parts) == 1:
            P = predictions[parts[0]]
        else:
            chosen = {t: predictions[t] for t in parts}
            P = cross_validated_combination(Y, chosen, codes, parents, splits)
            policies[name] = policy_table(choose_policies(Y, chosen, codes, parents))
        tables.append(_tagger_scores(name, codes, Y, P))
    curve_rows = [_curve_row(f, codes, Y, oof[f], train_sizes[f]) for f in sorted(curve or ()) if f in oof]
    notes = []
    too_few = [c for c, s in zip(codes, Y.sum(axis=0)) if 0 < s < folds]
    if too_few:
        notes.append(f"codes with fewer positive turns than folds (some folds have none): {', '.join(too_few)}")
    return Evaluation(pd.concat(tables, ignore_index=True),
                      pd.DataFrame(curve_rows, columns=["fraction", "training_turns", "micro_f1", "macro_f1"]),
                      folds, len(texts), seed, notes, policies)


def _curve_row(fraction: float, codes: list[str], Y: np.ndarray, P: np.ndarray, sizes: list[int]) -> dict:
    table = score_table(codes, Y, P)
    micro = table[table["code"] == MICRO].iloc[0]
    macro = table[table["code"] == MACRO].iloc[0]
    return {"fraction": fraction, "training_turns": round(float(np.mean(sizes)), 1),
            "micro_f1": micro["f1"], "macro_f1": macro["f1"]}


def evaluate_coder(project, coder: str, codebook: str | None = None, *, taggers=DEFAULT_TAGGERS,
                   folds: int = 5, seed: int = 0, curve: tuple[float, ...] | None = CURVE_FRACTIONS,
                   llm_options=None, notify=None, progress=None) -> Evaluation:
    """:func:`evaluate_taggers` on ``coder``'s turns in ``project`` (``codebook``: a name, or
    'name version', when the coder used several): the rules from the codebook the project
    keeps, the LLM's answers (``llm_options``, :class:`~qualcode.workflows.llm.LLMOptions`)
    from the project's cache or the server.  ``Evaluation.data`` and ``.llm`` tell what was used."""
    from qualcode.tagging.ml.training import stored_codebook, training_data
    from qualcode.workflows.llm import LLMOptions, llm_predictions

    bases = {b for t in taggers for b in tagger_parts(t)}
    data = training_data(project, coder, codebook)
    book = stored_codebook(project, data.codebook) if bases & {"rules", "llm"} else None
    matrix = run = None
    if "llm" in bases:
        matrix, run = llm_predictions(project, book, llm_options or LLMOptions(),
                                      data.turns["segment_id"].astype(int).tolist(), list(data.labels.columns),
                                      notify=notify, progress=progress)
    result = evaluate_taggers(data, taggers=taggers, codebook=book, folds=folds, seed=seed, curve=curve,
                              llm=matrix)
    result.data, result.llm = data, run
    return result
