"""What the machine learns from one reviewer, and how well the machine agrees with them.

    >>> from qualcode.workflows.review import reviewer
    >>> from qualcode.workflows.learning import tagger_agreement, train_and_refresh, next_uncertain_turn
    >>> who = reviewer(project, "alice")
    >>> tagger_agreement(project, who)            # each tagger vs alice, per theme and overall
    >>> run = train_and_refresh(project, who, "study.alice.qcmodel")
    >>> next_uncertain_turn(project, run.model)   # (document, turn) the model is least sure of

- **Agreement** (:func:`tagger_agreement`): for each machine tagger with suggestions in the
  reviewer's codebook, on the turns the reviewer has reviewed (and the tagger coded):
  precision, recall and F1 of the tagger against the reviewer, and Cohen's kappa, per theme
  and pooled over themes (``overall``).  The figures come from
  :mod:`qualcode.analysis.agreement` (``prepare_agreement``, ``agreement_table``,
  ``reference_table``), exactly as ``qualcode agreement --coders ALICE,TAGGER --reference
  ALICE --level theme`` prints them.  A tagger is judged on every suggestion it made, also
  those the reviewer rejected.
- **Training** (:func:`train_and_refresh`): the existing training
  (:func:`qualcode.workflows.train.train_model`) on the reviewer's decisions, then the new
  model's suggestions replace the tagger ``ml-<reviewer>``'s on the participant turns the
  reviewer has *not* reviewed; on reviewed turns nothing changes, so the agreement figures
  for the model only ever count turns it did not learn from.
- **Next most uncertain turn** (:func:`next_uncertain_turn`): the existing active learning
  (:func:`qualcode.tagging.ml.suggest.suggest_turns`) with ``n=1``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from qualcode import __version__
from qualcode.analysis.agreement import agreement_table, prepare_agreement, reference_table
from qualcode.core.errors import SelectionError
from qualcode.store import frames, queries, reviews
from qualcode.store.project import Project
from qualcode.tagging.ml.modelfile import ModelFile
from qualcode.workflows.review import Reviewer

AGREEMENT_COLUMNS = ["tagger", "code", "units", "tp", "fp", "fn", "precision", "recall", "f1", "kappa"]


def model_tagger(who: Reviewer) -> str:
    """The name under which the model trained on ``who``'s decisions suggests codes."""
    return f"ml-{who.coder}"


def machine_taggers(project: Project, who: Reviewer) -> list[str]:
    """Taggers with codings in the reviewer's codebook, by name."""
    kinds = frames.coder_kinds(project)
    summary = queries.coding_summary(project)
    used = summary[summary["codebook_id"].isin(list(who.codebook_ids))]["coder"]
    return sorted(c for c in set(used) if kinds.get(c) == "machine")


def tagger_agreement(project: Project, who: Reviewer, level: str = "theme") -> tuple[pd.DataFrame, list[str]]:
    """(one row per tagger and theme, then the tagger's ``overall``; notes): units (turns
    both read), tp, fp, fn, precision, recall, F1 of the tagger against the reviewer, kappa.
    A tagger with no turn in common with the reviewer is left out and named in a note."""
    taggers = machine_taggers(project, who)
    if not reviews.covered_segments(project, who.coder, who.codebook_ids):
        return pd.DataFrame(columns=AGREEMENT_COLUMNS), [f"{who.coder} has not reviewed a turn yet"]
    tables, notes = [], []
    for tagger in taggers:
        try:
            data = prepare_agreement(project, [who.coder, tagger], codebook=str(who.codebook_id))
        except SelectionError:
            notes.append(f"{tagger}: no turn that {who.coder} reviewed has been coded by it yet")
            continue
        kappa = agreement_table(data, level=level)[["code", "units", "kappa"]]
        scores = reference_table(data, who.coder, level=level)
        table = scores.merge(kappa, on="code", how="left").assign(tagger=tagger)
        tables.append(table[AGREEMENT_COLUMNS])
    if not tables:
        return pd.DataFrame(columns=AGREEMENT_COLUMNS), notes
    return pd.concat(tables, ignore_index=True), notes


@dataclass
class Refresh:
    """What :func:`train_and_refresh` did."""

    model: ModelFile
    tagger: str
    turns: int              # unreviewed participant turns given fresh suggestions
    suggestions: int        # suggestions written on them
    learned: list[str]
    trained_on: int         # turns the model learned from


def train_and_refresh(project: Project, who: Reviewer, model_path: str | Path, *, seed: int = 0) -> Refresh:
    """Train the model on the reviewer's decisions (saved to ``model_path``) and replace the
    suggestions of :func:`model_tagger` on every participant turn the reviewer has not
    reviewed, in one transaction."""
    from qualcode.tagging.combine import machine_codings
    from qualcode.workflows.train import train_model

    trained = train_model(project, who.coder, who.codebook, output=model_path, seed=seed, combination=False)
    model = trained.model
    if not trained.learned:
        raise SelectionError(f"the model learned no code from {who.coder}'s {len(trained.data.turns)} "
                             "reviewed turns: a code needs at least 5 coded (and 5 uncoded) turns")
    tagger = model_tagger(who)
    covered = reviews.covered_segments(project, who.coder, who.codebook_ids)
    turns = [((doc_id, seg_id), text, start) for batch in project.turn_batches(include_facilitators=False)
             for seg_id, doc_id, text, start in batch if seg_id not in covered]
    version = f"qualcode {__version__} ml model {model.info['content_sha256'][:16]}"
    rows = [(*c.segment_key, c.code, c.start, c.end, json.dumps(c.evidence, ensure_ascii=False), c.confidence)
            for c in machine_codings(model, turns)]
    with project.transaction():
        reviews.delete_machine_codings_on(project, tagger, who.codebook_ids, [k[1] for k, _, _ in turns])
        project.add_machine_codings(rows, who.codebook_id, tagger, version)
        project.add_coverage(tagger, who.codebook_id, [k[1] for k, _, _ in turns])
    return Refresh(model, tagger, len(turns), len(rows), trained.learned, len(trained.data.turns))


def next_uncertain_turn(project: Project, model: ModelFile) -> tuple[str, int]:
    """(document, turn) of the participant turn the model's coder has not reviewed on which
    the model is least sure."""
    from qualcode.tagging.ml.suggest import suggest_turns

    sheet = suggest_turns(project, model, n=1)
    return str(sheet["document"].iloc[0]), int(sheet["turn"].iloc[0])

