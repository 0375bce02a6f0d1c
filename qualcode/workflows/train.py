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
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qualcode.core.errors import ParameterError
from qualcode.store.project import Project
from qualcode.tagging.ml.estimator import MIN_POSITIVES, MLTagger
from qualcode.tagging.ml.modelfile import ModelFile, model_manifest, save_model
from qualcode.tagging.ml.training import TrainingData, training_data

#: The fewest coded (and uncoded) turns a code can be learned from: the model's internal
#: cross-validation needs a positive and a negative turn in each of its folds.
LEAST_MIN_POSITIVES = 2


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
                include_facilitators: bool = False) -> TrainedModel:
    """Fit the ML tagger on the turns ``coder`` covered with ``codebook`` (a name or
    'name version'; needed only when the coder used several) and save it to ``output``.

    ``min_positives``: fewest coded turns (and uncoded ones) a code needs to be learned;
    codes with fewer are kept in the model as not learned.  ``seed`` fixes folds and solver.
    Raises :class:`~qualcode.core.errors.QualcodeError` for an unknown coder or codebook, no
    covered turns, or a ``min_positives`` below 2; nothing is written then.
    """
    if isinstance(min_positives, bool) or not isinstance(min_positives, int) \
            or min_positives < LEAST_MIN_POSITIVES:
        raise ParameterError(f"min_positives must be a whole number of at least {LEAST_MIN_POSITIVES}, "
                             f"not {min_positives!r}")
    data = training_data(project, coder, codebook, include_facilitators=include_facilitators)
    tagger = MLTagger(random_state=seed, min_positives=min_positives).fit(data.texts, data.Y)
    return TrainedModel(save_model(tagger, output, model_manifest(tagger, data)), data)
