"""Active learning: the uncoded turns whose coding would teach the model most.

    >>> from qualcode.tagging.ml.modelfile import load_model
    >>> from qualcode.tagging.ml.suggest import suggest_turns
    >>> sheet = suggest_turns(project, load_model("model.qcmodel"), n=20)

Uncertainty sampling: for each turn the coder (the model's coder) has not
covered with the model's codebook, and for each code the model learned, the
distance between the model's probability and that code's threshold; a turn's
**margin** is the smallest of these (the code it is least sure about, named in
``nearest_code``).  The ``n`` turns with the smallest margin come first (ties in
document order).  A human coding exactly these turns resolves the model's
closest calls.

The sheet has the coding-sheet columns ``document,turn,speaker,participant,role,
text,codes`` with ``codes`` empty for the coder to fill in (``;`` between code
ids; left empty it means "read, no code applies"), so it imports back with
``qualcode import-codings``; ``model_codes`` (the model's current guess, most
specific codes) and ``nearest_code``/``margin`` are extra columns the import ignores.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from qualcode.core.errors import ModelError, SelectionError
from qualcode.core.pseudonyms import pseudonymize_speakers
from qualcode.store.codebooks import codebook_by_hash
from qualcode.store.project import Project
from qualcode.tagging.combine import model_codes, most_specific
from qualcode.tagging.ml.modelfile import ModelFile
from qualcode.store.frames import coding_decisions_frame, coverage_frame, segments_frame
from qualcode.core.roles import FACILITATOR

SHEET_COLUMNS = ["document", "turn", "speaker", "participant", "role", "text", "codes",
                 "model_codes", "nearest_code", "margin"]


def suggest_turns(project: Project, model: ModelFile, n: int = 20, *,
                  include_facilitators: bool = False, real_names: bool = False) -> pd.DataFrame:
    """The ``n`` uncoded turns the model is least sure about, as a coding sheet (speakers
    by pseudonym unless ``real_names``)."""
    if n < 1:
        raise SelectionError(f"-n must be at least 1, not {n}")
    book = codebook_by_hash(project, model.codebook["hash"])
    if book is None:
        raise ModelError(f"the project has no codebook {model.codebook['name']!r} version "
                         f"{model.codebook['version']} (hash {model.codebook['hash'][:12]}) that the "
                         "model was trained with", model.path)
    tagger = model.tagger
    if not tagger.learned_.any():
        raise ModelError("the model learned no code (too few coded turns); code more turns and retrain",
                         model.path)
    coder = model.coder
    segments = segments_frame(project, include_facilitators=True)
    if not include_facilitators:
        segments = segments[segments["role"].fillna("") != FACILITATOR]
    coverage = coverage_frame(project)
    codings = coding_decisions_frame(project)
    seen = set(coverage.loc[(coverage["coder"] == coder) & (coverage["codebook_id"] == book.id),
                            "segment_id"].astype(int))
    seen |= set(codings.loc[(codings["coder"] == coder) & (codings["codebook_id"] == book.id),
                            "segment_id"].dropna().astype(int))
    pool = segments[~segments["segment_id"].isin(seen)].reset_index(drop=True)
    if pool.empty:
        raise SelectionError(f"coder {coder!r} has already covered every turn with {book.label}",
                             project.path)
    predicted, proba = model_codes(model, pool["text"].tolist())
    codes = np.array([str(c) for c in tagger.classes_], dtype=object)
    distance = np.abs(proba - tagger.thresholds_)
    distance[:, ~tagger.learned_] = np.inf
    nearest = distance.argmin(axis=1)
    margin = distance[np.arange(len(pool)), nearest]
    order = np.argsort(margin, kind="stable")[:n]
    parents = model.info["parents"]
    rows = []
    for i in order:
        row = pool.iloc[i]
        guess = most_specific({codes[j] for j in np.flatnonzero(predicted[i])}, parents)
        guess.sort(key=lambda c: list(codes).index(c))
        rows.append({"document": row["document"], "turn": int(row["turn"]), "speaker": row["speaker"],
                     "participant": row["participant"], "role": row["role"] if isinstance(row["role"], str) else "",
                     "text": row["text"], "codes": "", "model_codes": "; ".join(guess),
                     "nearest_code": codes[nearest[i]], "margin": round(float(margin[i]), 4)})
    return pseudonymize_speakers(pd.DataFrame(rows, columns=SHEET_COLUMNS), real_names)
