"""How speakers are shown in everything qualcode writes: by pseudonym unless asked otherwise.

Every table, sheet and file qualcode exports shows a turn's speaker as the
participant's stable id and role, ``S03 (scholar)`` (``P02`` for a participant
with no role), never the label the transcript used (``Dr. Okafor``).  The real
label is shown only with ``real_names=True`` (``--real-names`` on the command line).

A coding sheet exported either way imports back: its ``speaker`` cell may hold
the pseudonym, the participant id alone or the real label (:func:`speaker_matches`).

    >>> speaker_pseudonym("S03", "scholar"), speaker_pseudonym("P02", None)
    ('S03 (scholar)', 'P02')

Names spoken *inside* a turn's text are not touched here: ``qualcode redact``
replaces them in the project itself.
"""

from __future__ import annotations

import re

import pandas as pd


def _present(value) -> bool:
    return isinstance(value, str) and value.strip() != ""


def speaker_pseudonym(participant, role=None) -> str:
    """``S03 (scholar)``; just the id when the participant has no role."""
    pid = str(participant) if participant is not None and not pd.isna(participant) else ""
    return f"{pid} ({role})" if _present(role) else pid


def pseudonymize_speakers(frame: pd.DataFrame, real_names: bool = False) -> pd.DataFrame:
    """``frame`` with its ``speaker`` column replaced by :func:`speaker_pseudonym` of its
    ``participant`` and ``role`` columns (a copy; ``frame`` itself is left alone).  With
    ``real_names`` it comes back unchanged."""
    if real_names or "speaker" not in frame.columns:
        return frame
    out = frame.copy()
    roles = out["role"] if "role" in out.columns else pd.Series([None] * len(out), index=out.index)
    out["speaker"] = [speaker_pseudonym(p, r) for p, r in zip(out["participant"], roles)]
    out.attrs.update(frame.attrs)
    return out


def _squash(text) -> str:
    return " ".join(str(text).split()).casefold()


def speaker_matches(given: str, label: str, participant, role=None) -> bool:
    """True when a sheet's ``speaker`` cell names this turn's speaker: the real label, the
    participant id or the pseudonym ``S03 (scholar)`` (case and spacing ignored)."""
    wanted = _squash(given)
    return wanted in {_squash(label), _squash(participant), _squash(speaker_pseudonym(participant, role))}


_PSEUDONYM_SHAPE = re.compile(r"^(?:[A-Za-z]{1,3}\d{1,4}|\S+ \([^()]+\))$")


def expected_speaker(given: str, label: str, participant, role=None) -> str:
    """The turn's speaker written the way a sheet's cell was: the pseudonym when the cell
    looks like one (``S02 (scholar)``, ``S02``), else the label (for error messages)."""
    if _PSEUDONYM_SHAPE.match(" ".join(str(given).split())):
        return speaker_pseudonym(participant, role)
    return " ".join(str(label).split())
