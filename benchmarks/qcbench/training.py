"""The model the benchmark's ML step predicts with, trained once per run outside the timed part.

There is no human coder in a synthetic corpus, so the rule tagger stands in for one:
a separate small corpus (its own seed, so no training turn is a turn the ML step later
codes) is ingested, coded with the mentoring codebook's rules, and an
:class:`~qualcode.tagging.ml.estimator.MLTagger` with its default settings learns those
codings through :func:`~qualcode.workflows.train.train_model`, as ``qualcode train`` does.
The model is saved as a ``.qcmodel`` file like any other.

    >>> from qcbench.training import train_stand_in_model
    >>> info = train_stand_in_model("work/corpus", "work/training.qcproj", "work/model.qcmodel",
    ...                             "codebooks/mentoring_expectations.yaml")
"""

from __future__ import annotations

import time
from pathlib import Path

#: The codebook the stand-in coder (the rule tagger) codes with, and the model learns.
ML_CODEBOOK = "mentoring_expectations.yaml"
#: Words of the training corpus: small, so training stays a few seconds at every size.
TRAINING_WORDS = 40_000
#: Added to the benchmark's seed for the training corpus, so its turns differ from the timed corpus.
TRAINING_SEED_OFFSET = 1000
STAND_IN_CODER = "rules"


def write_training_corpus(directory: str | Path, seed: int = 1, words: int = TRAINING_WORDS):
    """The synthetic corpus the stand-in model is trained on (see :func:`train_stand_in_model`)."""
    from qcbench.corpus import write_corpus

    return write_corpus(directory, words, seed=seed + TRAINING_SEED_OFFSET,
                        words_per_transcript=min(10_000, words // 2))


def train_stand_in_model(corpus: str | Path, project_path: str | Path, model_path: str | Path,
                         codebook_path: str | Path, *, seed: int = 0) -> dict:
    """Ingest ``corpus``, code it with the rules of ``codebook_path``, train a model on
    those codings as if a human had made them, and save it to ``model_path``.

    Returns what the results table reports about the training: turns, words, codes
    learned and seconds taken (ingest and rule coding included).
    """
    from qualcode.codebook import load_codebook
    from qualcode.store.project import open_project
    from qualcode.workflows.code import code_project
    from qualcode.workflows.ingest import ingest
    from qualcode.workflows.train import train_model

    t0 = time.perf_counter()
    book = load_codebook(codebook_path)
    with open_project(project_path, create=True) as project:
        ingest(project, manifest=Path(corpus) / "manifest.csv")
        code_project(project, book, workers=1)
        words = project.counts()["words"]
        labelled = time.perf_counter() - t0
        trained = train_model(project, STAND_IN_CODER, book.name, output=model_path, seed=seed)
    return {"turns": len(trained.data.turns), "words": words, "codebook": book.name,
            "codes": len(trained.codes), "learned": len(trained.learned),
            "labelling_seconds": labelled, "fit_seconds": time.perf_counter() - t0 - labelled}
