"""How speakers are shown in everything qualcode writes: by pseudonym unless asked otherwise.

Every table, sheet and file qualcode exports shows a turn's speaker as the
participant's stable id and role, ``S03 (scholar)`` (``P02`` for a participant
with no role), never the label the transcript used (``Dr. Okafor``).  The real
label is shown only with ``real_names=True`` (``--real-names`` on the command line).

A coding sheet exported either way imports back: its ``speaker`` cell may hold
the pseudonym, the participant id alone or the real label (:func:`speaker_matches`).

    >>> speaker_pseudonym("S03", "scholar"), speaker_pseudonym("P02", None)
    ('S03 (scholar)', 'P02')

A document's text carries the labels too, at the start of each turn's line
(``Dr. Okafor: ...``): :func:`pseudonymize_label_lines` rewrites them for a
``.qdpx`` export and maps offsets both ways, so the file's positions fit its text
and a file that comes back lands on the stored text.  Names spoken *inside* a
turn's text are not touched here: ``qualcode redact`` replaces them in the project.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

import pandas as pd

from qualcode.core.models import LABEL_SEPARATOR
from qualcode.core.spans import OffsetMap, apply_replacements


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


# ------------------------------------------------------------------ label lines in a text

@dataclass(frozen=True)
class LabelLines:
    """A document's text with its ``Label: `` line starts written as pseudonyms, and the
    offset maps both ways (:class:`qualcode.core.spans.OffsetMap`)."""

    text: str
    forward: OffsetMap   # offsets in the stored text -> in ``text``
    backward: OffsetMap  # offsets in ``text`` -> in the stored text


def label_line_spans(text: str, turns: Iterable[tuple[int, str]]) -> list[tuple[int, int]]:
    """Where each turn's label stands in ``text``: ``turns`` gives ``(start, label)``, ``start``
    being where the turn's text begins.  Only a label as written, at a line start and followed
    by ``": "`` counts (a label already replaced by ``qualcode redact``, or a layout from
    another program, is not there)."""
    spans = set()
    for start, label in turns:
        label = str(label or "")
        head_end = int(start) - len(LABEL_SEPARATOR)
        head_start = head_end - len(label)
        if (label and head_start >= 0 and text[head_start:int(start)] == label + LABEL_SEPARATOR
                and (head_start == 0 or text[head_start - 1] == "\n")):
            spans.add((head_start, head_end))
    return sorted(spans)


def pseudonymize_label_lines(text: str, turns: Iterable[tuple[int, str, str]]) -> LabelLines:
    """Replace the label in front of each turn (see :func:`label_line_spans`): ``turns``
    gives ``(start, label, pseudonym)`` for every turn."""
    pseudonyms = {}
    for start, label, pseudonym in turns:
        for span in label_line_spans(text, [(start, label)]):
            pseudonyms[span] = pseudonym
    spans = [(s, e, p) for (s, e), p in sorted(pseudonyms.items()) if text[s:e] != p]
    new_text, forward = apply_replacements(text, spans)
    back = [(forward.new_starts[i], forward.new_ends[i], text[s:e]) for i, (s, e, _) in enumerate(spans)]
    _, backward = apply_replacements(new_text, back)
    return LabelLines(new_text, forward, backward)


def relabelled_offsets(stored: str, spans: list[tuple[int, int]], other: str) -> OffsetMap | None:
    """When ``other`` is ``stored`` with the labels at ``spans`` (:func:`label_line_spans`)
    written otherwise (each on its line, without ``": "``), whatever the pseudonyms were: the
    map from offsets in ``other`` to offsets in ``stored``.  None when ``other`` differs in
    anything else."""
    back = []
    pos_stored = pos_other = 0
    for start, end in spans:
        piece = stored[pos_stored:start]
        if other[pos_other:pos_other + len(piece)] != piece:
            return None
        pos_other += len(piece)
        label_end = other.find(LABEL_SEPARATOR, pos_other)
        written = other[pos_other:label_end] if label_end >= 0 else ""
        if not written or "\n" in written:
            return None
        if written != stored[start:end]:
            back.append((pos_other, label_end, stored[start:end]))
        pos_other, pos_stored = label_end, end
    if other[pos_other:] != stored[pos_stored:]:
        return None
    return apply_replacements(other, back)[1]
