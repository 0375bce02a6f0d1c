"""Speaker turns inside a text that came from another program, without changing the text.

Imported text is kept verbatim (the selections' positions point into it), so
turns are *found* in it rather than rebuilt: where lines start with a speaker
label (``Ana: ...``, judged like the transcript readers do, see
:mod:`qualcode.ingest.labels`) -- at least :data:`LABEL_SHARE` of the non-blank
lines -- a turn runs from after the label to the end of
the last non-blank line before the next label; otherwise every non-blank line
(paragraph) is a turn with no speaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qualcode.core.spans import trim_span
from qualcode.ingest.labels import SpeakerJudge, match_label_line
from qualcode.store.frames import segments_frame

_LINE = re.compile(r"[^\n]*\n?")
#: Labels must start at least this share of the non-blank lines for the text to be read as
#: speaker turns (a transcript's turns rarely run to five paragraphs; a list of comments
#: where a few lines happen to start "Title: ..." is not a transcript).
LABEL_SHARE = 0.2


@dataclass(frozen=True)
class FoundTurn:
    speaker: str
    start: int
    end: int
    line: int          # 1-based line where the turn starts


def _lines(text: str) -> list[tuple[int, str]]:
    """(offset, content without line end) for each line."""
    out = []
    for m in _LINE.finditer(text):
        if m.start() == len(text) and not m.group():
            break
        out.append((m.start(), m.group().rstrip("\n").rstrip("\r")))
    return out


def find_turns(text: str) -> list[FoundTurn]:
    lines = _lines(text)
    candidates = []
    for i, (offset, line) in enumerate(lines):
        found = match_label_line(line)
        if found is not None:
            candidates.append((i, offset, line, found))
    judge = SpeakerJudge([c[3].label for c in candidates])
    heads = [c for c in candidates if judge.is_speaker(c[3].label, c[3].attached_time)]
    turns: list[FoundTurn] = []
    nonblank = sum(1 for _, line in lines if line.strip())
    if len(heads) >= 2 and len(heads) >= LABEL_SHARE * nonblank:
        for k, (i, offset, line, found) in enumerate(heads):
            stripped = line.rstrip()
            start = offset + (len(stripped) - len(found.rest) if found.rest else len(line))
            end = heads[k + 1][1] if k + 1 < len(heads) else len(text)
            start, end = trim_span(text, start, end)
            if end > start:
                turns.append(FoundTurn(found.label, start, end, i + 1))
        return turns
    for i, (offset, line) in enumerate(lines):
        start, end = trim_span(text, offset, offset + len(line))
        if end > start:
            turns.append(FoundTurn("", start, end, i + 1))
    return turns


def label_before(text: str, start: int) -> str | None:
    """The ``Label`` of ``Label: `` just before ``start`` on its line, if there is one."""
    line_start = text.rfind("\n", 0, start) + 1
    prefix = text[line_start:start].rstrip()
    if prefix.endswith(":") and len(prefix) > 1:
        found = match_label_line(prefix + " x")
        if found is not None:
            return found.label
    return None


def segment_for(segs: list[tuple[int, int, int]], start: int, end: int) -> int | None:
    """The turn holding ``start``, else the one overlapping the span most, else None."""
    best, best_overlap = None, 0
    for seg_id, s, e in segs:
        if s <= start < e:
            return seg_id
        overlap = min(e, end) - max(s, start)
        if overlap > best_overlap:
            best, best_overlap = seg_id, overlap
    return best


def document_spans(project, document: str) -> list[tuple[int, int, int]]:
    """(segment id, start, end) of a document's turns, by start."""
    frame = segments_frame(project, document=document, text=False)
    return sorted(zip(frame["segment_id"].astype(int), frame["start"].astype(int), frame["end"].astype(int)),
                  key=lambda r: r[1])
