"""A codebook's hierarchy applied to 0/1 codes (turns x codes): a subcode implies its theme,
and a model's subcode stands only where the theme's own model agrees.  Numpy only, so the
rule tagger and the combination of taggers use it without loading scikit-learn."""

from __future__ import annotations

from typing import Sequence

import numpy as np


def close_upward(Y: np.ndarray, codes: Sequence[str], parents: dict[str, str | None]) -> np.ndarray:
    """Set each code's ancestors wherever the code is set (a child implies its parent)."""
    Y = np.array(Y, dtype=int, copy=True)
    index = {c: i for i, c in enumerate(codes)}
    # Deepest first, so a grandchild reaches the theme through its parent.
    depth = {c: _depth(c, parents) for c in codes}
    for code in sorted(codes, key=lambda c: -depth[c]):
        parent = parents.get(code)
        if parent is not None and parent in index:
            Y[:, index[parent]] |= Y[:, index[code]]
    return Y


def gate_by_parents(predicted: np.ndarray, learned: Sequence[bool], codes: Sequence[str],
                    parents: dict[str, str | None]) -> np.ndarray:
    """Keep a code's prediction only where its parent's own model predicts the parent too.

    A subcode's model, trained on a handful of turns, fires on many turns of other
    themes; the parent's model has seen every turn of the theme and is the steadier
    judge of whether the theme is there at all.  A parent that was not learned
    (too few turns) gates nothing.  Top-down, so a grandchild needs its (gated)
    parent.  Apply :func:`close_upward` afterwards to imply parents from children.
    """
    P = np.array(predicted, dtype=int, copy=True)
    index = {c: i for i, c in enumerate(codes)}
    depth = {c: _depth(c, parents) for c in codes}
    for code in sorted(codes, key=lambda c: depth[c]):
        parent = parents.get(code)
        if parent is not None and parent in index and learned[index[parent]]:
            P[:, index[code]] &= P[:, index[parent]]
    return P


def hierarchical_predictions(predicted: np.ndarray, learned: Sequence[bool], codes: Sequence[str],
                             parents: dict[str, str | None]) -> np.ndarray:
    """The model's 0/1 codes made consistent with the codebook's hierarchy:
    :func:`gate_by_parents`, then :func:`close_upward`."""
    return close_upward(gate_by_parents(predicted, learned, codes, parents), codes, parents)


def _depth(code: str, parents: dict[str, str | None]) -> int:
    d = 0
    while parents.get(code) is not None and d < 100:
        code, d = parents[code], d + 1
    return d
