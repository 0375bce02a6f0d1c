"""Train the ML tagger on one coder's codings and save it as a model file: one job for the
command line, the workbench and notebooks.

    >>> from qualcode.store.project import open_project
    >>> from qualcode.workflows.train import train_model
    >>> with open_project("study.qcproj") as project:
    ...     trained = train_model(project, "gold", output="gold.qcmodel")
    >>> trained.learned  # the codes with enough coded turns

The chain is always the same: the coder's training data (turns and code-level labels,
:func:`~qualcode.tagging.ml.training.training_data`), an
:class:`~qualcode.tagging.ml.estimator.MLTagger` fitted on it, the model's manifest (codebook,
coder, per-code C, threshold and cross-validated F1) and the ``.qcmodel`` file, written
atomically.  The project is only read.

When the project keeps the codebook's rules, the manifest also records how ``code --tagger
all`` combines rules and model, code by code (``combination``): the policies of
:mod:`qualcode.workflows.combine`, chosen on the coder's turns with the model's out-of-fold
predictions (``folds`` models fitted on the other folds, as ``evaluate`` does), since the model
learned those turns.  ``code --tagger all --coder NAME`` chooses them again on NAME's turns
(:func:`combination_for_run`): with the model's own predictions when it learned none of them
(the model file lists the turns it learned), else with out-of-fold refits as here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qualcode.core.errors import ParameterError, SelectionError
from qualcode.store.project import Project
from qualcode.tagging.combine import default_policy, model_codes
from qualcode.tagging.hierarchy import close_upward
from qualcode.tagging.ml.estimator import MIN_POSITIVES, MLTagger
from qualcode.tagging.ml.modelfile import ModelFile, model_manifest, save_model
from qualcode.store.codebooks import load_stored_codebook
from qualcode.tagging.ml.training import TrainingData, training_data
from qualcode.workflows.combine import MARGIN, MIN_POSITIVES as MIN_POLICY_POSITIVES, choose_policies
from qualcode.workflows.evaluate import fold_splits, model_oof_predictions, rule_predictions

#: The fewest coded (and uncoded) turns a code can be learned from: the model's internal
#: cross-validation needs a positive and a negative turn in each of its folds.
LEAST_MIN_POSITIVES = 2
#: Folds of the cross-validation that chooses how rules and model combine.
COMBINATION_FOLDS = 5
#: The largest seed NumPy's generators take.
MAX_SEED = 2**32 - 1


@dataclass
class TrainedModel:
    """What :func:`train_model` made: the fitted model with its manifest, and the data it learned."""

    model: ModelFile
    data: TrainingData

    @property
    def codes(self) -> list[dict]:
        """Per code: ``code``, ``positives``, ``learned`` and, when learned, ``C``, ``threshold``,
        ``cv_f1``; in codebook order."""
        return self.model.info["codes"]

    @property
    def learned(self) -> list[str]:
        return [c["code"] for c in self.codes if c["learned"]]


def train_model(project: Project, coder: str, codebook: str | None = None, *, output: str | Path,
                seed: int = 0, min_positives: int = MIN_POSITIVES,
                include_facilitators: bool = False, folds: int = COMBINATION_FOLDS,
                combination: bool = True) -> TrainedModel:
    """Fit the ML tagger on the turns ``coder`` covered with ``codebook`` (a name or
    'name version'; needed only when the coder used several) and save it to ``output``.

    ``min_positives``: fewest coded turns (and uncoded ones) a code needs to be learned;
    codes with fewer are kept in the model as not learned.  ``seed`` fixes folds and solver.
    ``combination=False`` skips choosing how rules and model combine (``folds`` more fits).
    Raises :class:`~qualcode.core.errors.QualcodeError` for an unknown coder or codebook, no
    covered turns, a ``min_positives`` below 2 or a seed out of range; nothing is written then.
    """
    if not _whole(min_positives) or min_positives < LEAST_MIN_POSITIVES:
        raise ParameterError(f"min_positives must be a whole number of at least {LEAST_MIN_POSITIVES}, "
                             f"not {min_positives!r}")
    if not _whole(seed) or not 0 <= seed <= MAX_SEED:
        raise ParameterError(f"seed must be a whole number from 0 to {MAX_SEED}, not {seed!r}")
    data = training_data(project, coder, codebook, include_facilitators=include_facilitators)
    params = {"random_state": seed, "min_positives": min_positives}
    tagger = MLTagger(**params).fit(data.texts, data.Y)
    manifest = model_manifest(tagger, data)
    book = load_stored_codebook(project, data.codebook) if combination else None
    if combination and book is not None and len(data.texts) >= folds:
        choices = choose_on_coding(data, book, ("rules", "ml"), params, folds=folds, seed=seed)
        manifest["combination"] = {"taggers": ["rules", "ml"], "folds": folds, "seed": seed, "margin": MARGIN,
                                   "min_positives": MIN_POLICY_POSITIVES,
                                   "policies": {c: ch.as_dict() for c, ch in choices.items()}}
    return TrainedModel(save_model(tagger, output, manifest), data)


def choose_on_coding(data: TrainingData, codebook, taggers: tuple[str, ...], params: dict | None = None,
                     llm_codes: dict[int, set[str]] | None = None, folds: int = COMBINATION_FOLDS,
                     seed: int = 0, model_predictions: np.ndarray | None = None) -> dict:
    """Each code's :class:`~qualcode.workflows.combine.Choice` of policy for ``taggers`` on the
    coder's ``data``: the rules' codes, the model's (``model_predictions``, turns x codes 0/1, when
    given: predictions of a model that learned none of these turns; else out-of-fold ones, each
    fold predicted by a model with ``params`` fitted on the other folds) and the LLM's
    (``llm_codes``: segment id -> codes)."""
    texts, codes, parents = data.texts, list(data.labels.columns), data.codebook.parents
    Y = data.labels.to_numpy().astype(int)
    predictions = {}
    if "rules" in taggers:
        predictions["rules"] = rule_predictions(codebook, texts, codes, parents)
    if "ml" in taggers and model_predictions is not None:
        predictions["ml"] = np.asarray(model_predictions, dtype=int)
    elif "ml" in taggers:
        oof, _ = model_oof_predictions(texts, Y, codes, parents, fold_splits(Y, folds, seed), params, seed)
        predictions["ml"] = oof[1.0]
    if "llm" in taggers:
        given = [(llm_codes or {}).get(int(s), set()) for s in data.turns["segment_id"]]
        matrix = np.array([[int(c in g) for c in codes] for g in given], dtype=int).reshape(len(given), len(codes))
        predictions["llm"] = close_upward(matrix, codes, parents)
    return choose_policies(Y, predictions, codes, parents)


@dataclass
class Combination:
    """How a run combines its taggers: each code's policy, and where the policies came from."""

    taggers: tuple[str, ...]
    policies: dict[str, str]
    source: str             # said to the user: who chose them, on what
    choices: dict | None = None  # code -> Choice.as_dict(), when chosen in this run


def combination_for_run(project: Project, codebook, taggers: tuple[str, ...], model=None, coder: str | None = None,
                        llm_codes: dict[int, set[str]] | None = None) -> Combination:
    """The policies that combine ``taggers`` for ``codebook``: the model file's when it chose
    them for exactly these taggers, else chosen now on ``coder``'s turns (default: the model's
    coder) with the LLM's codes ``llm_codes`` (segment id -> codes) and the model's predictions
    of :func:`model_view` (its own on turns it did not learn, else out-of-fold refits); without
    coded turns, the rules alone (:data:`~qualcode.tagging.combine.DEFAULT_POLICY`)."""
    stored = (model.info.get("combination") or {}) if model is not None else {}
    if tuple(stored.get("taggers", ())) == taggers and coder in (None, model.coder):
        policies = {c: v["policy"] for c, v in stored["policies"].items()}
        return Combination(taggers, policies, f"policies chosen on {model.coder!r}'s coding when the model "
                                              "was trained")
    coder = coder or (model.coder if model is not None else None)
    default = Combination(taggers, {}, "no coded turns to choose policies on (--coder NAME): "
                                       f"{default_policy(taggers)} alone")
    if coder is None:
        return default
    try:
        data = training_data(project, coder, codebook.name)
    except SelectionError:
        return default
    if len(data.texts) < COMBINATION_FOLDS:
        return default
    own, how = model_view(project, model, data) if "ml" in taggers and model is not None else (None, "")
    choices = choose_on_coding(data, codebook, taggers, model.tagger.get_params() if model is not None else None,
                               llm_codes, model_predictions=own)
    return Combination(taggers, {c: ch.policy for c, ch in choices.items()},
                       f"policies chosen now on {coder!r}'s {len(data.texts)} turns{how}",
                       {c: ch.as_dict() for c, ch in choices.items()})


def model_view(project: Project, model, data: TrainingData) -> tuple[np.ndarray | None, str]:
    """How the model is judged on a coder's ``data`` when policies are chosen there, and the
    words that say so: the model's own 0/1 predictions (at its thresholds, parents implied, as
    ``--tagger ml`` stores them) when it learned none of the coder's turns; else None (out-of-fold
    refits with its parameters), when it learned some of them or the turns it learned are unknown."""
    refits = ", with out-of-fold predictions of models refitted with the model's parameters"
    learned = learned_turns(project, model)
    if learned is None:
        return None, f"{refits} (the model file does not say which turns it learned)"
    seen = len(learned.intersection(data.turn_keys))
    if seen:
        return None, f"{refits} (the model learned {seen} of these turns)"
    predicted, _ = model_codes(model, data.texts)
    column = {str(c): j for j, c in enumerate(model.tagger.classes_)}
    own = np.zeros(data.labels.shape, dtype=int)
    for j, code in enumerate(data.labels.columns):
        if code in column:
            own[:, j] = predicted[:, column[code]]
    return own, ", with the model's own predictions (turns it did not learn)"


def learned_turns(project: Project, model) -> set[str] | None:
    """The :func:`~qualcode.tagging.ml.training.turn_key` of each turn ``model`` learned: from the
    model file, or (a file written before it recorded them) from the project, when the model's
    coder's turns there are still exactly the training data (same hash); else None (unknown)."""
    keys = model.info.get("training_turn_keys")
    if keys is not None:
        return set(keys)
    try:
        data = training_data(project, model.coder, model.codebook["name"])
    except SelectionError:
        return None
    return set(data.turn_keys) if data.data_hash == model.info.get("training_data_sha256") else None


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
