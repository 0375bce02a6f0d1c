"""Plain-text transcripts: ``Label: text`` lines, Rev, Otter and Zoom "save transcript".

One parser reads all of them.  A document is a list of *units* (a text line, or
a Word paragraph) with their 1-based line number.  A unit starts a turn when it
is

* a speaker label line (``P1: text``, ``[00:01:23] Dr. Lee: text``,
  ``Speaker 1 (00:01:23):`` -- Rev -- or a label alone), judged by
  :class:`~qualcode.ingest.labels.SpeakerJudge`;
* in Otter style, a heading ``Name  1:05`` / ``Name 01:02:03`` preceded by a
  blank line (or the start) and followed by text;
* in Zoom bracket style, a heading ``[Name] 11:02:09``.

Any other unit continues the current turn: in text files a wrapped line is
joined with a space and a blank line inside a turn starts a new paragraph
(``\\n``); in Word every paragraph is a paragraph.  Units before the first turn
are the header: ``Key: value`` lines with a known key (``Date``, ``Site``,
``Title``, ``Group``...) become ``metadata[Key]``, the other lines
``metadata["header"]`` (joined with ``\\n``).  A document with no turn at all
is a :class:`~qualcode.core.errors.FormatError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qualcode.core.errors import FormatError
from qualcode.ingest.labels import (TIMESTAMP, SpeakerJudge, is_facilitator_label, is_metadata_key,
                                    is_name_shaped, match_label_line,
                                    parse_timestamp)
from qualcode.core.models import Turn

#: Style names this module reads (also format names).
STYLES = ("text", "rev", "otter", "zoom-text")

_OTTER_HEADING = re.compile(rf"^(?P<name>[^\W\d_][^:\n]{{0,58}}?)[ \t]+(?P<ts>{TIMESTAMP})\s*$")
_BRACKET_HEADING = re.compile(rf"^\s*\[(?P<name>[^\]\n]{{1,60}})\]\s+(?P<ts>{TIMESTAMP})\s*$")


@dataclass
class ParsedText:
    turns: list[Turn]
    metadata: dict[str, str]
    style: str


@dataclass
class _Open:
    speaker: str
    time: float | None
    line: int
    paragraphs: list[str] = field(default_factory=list)
    new_paragraph: bool = False

    def add(self, text: str, paragraph: bool) -> None:
        text = text.strip()
        if not text:
            return
        if self.paragraphs and not paragraph and not self.new_paragraph:
            self.paragraphs[-1] += " " + text
        else:
            self.paragraphs.append(text)
        self.new_paragraph = False

    def turn(self) -> Turn:
        return Turn(self.speaker, "\n".join(self.paragraphs), self.time, None, self.line)


def _heading(text: str, style: str, blank_before: bool, next_text: str | None):
    """``(name, seconds)`` when the unit is an Otter/Zoom-bracket heading in this style."""
    if style == "zoom-text":
        m = _BRACKET_HEADING.match(text)
        if m and parse_timestamp(m.group("ts")) is not None:
            return m.group("name").strip(), parse_timestamp(m.group("ts"))
    if style == "otter" and blank_before and next_text:
        m = _OTTER_HEADING.match(text.strip())
        if m and len(m.group("name").split()) <= 6 and parse_timestamp(m.group("ts")) is not None:
            name = m.group("name").strip()
            if not name.endswith((".", ",", "!", "?", ";")):
                return name, parse_timestamp(m.group("ts"))
    return None


def _neighbours(units: list[tuple[int, str]]):
    """Per unit: (blank line before it, next non-blank text), generated (a list of them
    would cost a tuple per line of a large transcript)."""
    for i in range(len(units)):
        blank_before = i == 0 or not units[i - 1][1].strip()
        nxt = units[i + 1][1] if i + 1 < len(units) and units[i + 1][1].strip() else None
        yield blank_before, nxt


def detect_style(units: list[tuple[int, str]]) -> str:
    """Guess ``zoom-text``, ``otter``, ``rev`` or ``text`` from the lines."""
    content = [t for _, t in units if t.strip()]
    if not content:
        return "text"
    if _BRACKET_HEADING.match(content[0]) or sum(bool(_BRACKET_HEADING.match(t)) for t in content) >= 2:
        return "zoom-text"
    # (label, attached time) only: keeping whole LabelLine objects would copy every line's text
    labels = [(m.label, m.attached_time) for m in map(match_label_line, content) if m]
    judge = SpeakerJudge([label for label, _ in labels])
    speakers = [attached for label, attached in labels if judge.is_speaker(label, attached)]
    otter = sum(1 for (_, t), (blank, nxt) in zip(units, _neighbours(units))
                if t.strip() and _heading(t, "otter", blank, nxt))
    first_is_otter = bool(_heading(content[0], "otter", True, "x"))
    if (otter >= 2 or first_is_otter) and otter >= len(speakers):
        return "otter"
    if speakers and sum(speakers) * 2 > len(speakers):
        return "rev"
    return "text"


def _is_header_credit(m, judge: SpeakerJudge) -> bool:
    """``Facilitator: J. Pike`` in a header names the facilitator; it is not a turn.

    Only before the first turn, only for a facilitator label that never labels a
    line again, and only when what follows is a bare name."""
    rest = m.rest.strip()
    said = rest[-1:] in ("!", "?") or (rest.endswith(".") and len(rest.split()[-1]) > 2)
    return (is_facilitator_label(m.label) and not judge.recurs(m.label) and m.time is None
            and not said and is_name_shaped(rest.rstrip(".")) and len(rest.split()) <= 4)


def parse_units(units: list[tuple[int, str]], path, *, style: str | None = None,
                paragraphs: bool = False) -> ParsedText:
    """Turns and header metadata from ``(line, text)`` units; see the module docstring."""
    style = style or detect_style(units)
    judge = SpeakerJudge([m.label for m in (match_label_line(t) for _, t in units) if m])
    neighbours = _neighbours(units)
    turns: list[Turn] = []
    header: list[str] = []
    metadata: dict[str, str] = {}
    current: _Open | None = None
    for (line, text), (blank_before, nxt) in zip(units, neighbours):
        if not text.strip():
            if current is not None:
                current.new_paragraph = True
            continue
        head = _heading(text, style, blank_before, nxt) if style in ("otter", "zoom-text") else None
        start = None
        if head:
            start = (head[0], head[1], "")
        else:
            m = match_label_line(text)
            if m and current is None and _is_header_credit(m, judge):
                metadata.setdefault(m.label, m.rest)
                continue
            if m and judge.is_speaker(m.label, m.attached_time):
                start = (m.label, m.time, m.rest)
            elif m and current is None and m.rest and is_metadata_key(m.label):
                metadata.setdefault(m.label, m.rest)
                continue
        if start is not None:
            if current is not None:
                turns.append(current.turn())
            current = _Open(start[0], start[1], line)
            current.add(start[2], paragraph=True)
        elif current is None:
            header.append(text.strip())
        else:
            current.add(text, paragraph=paragraphs)
    if current is not None:
        turns.append(current.turn())
    turns = [t for t in turns if t.text.strip()]
    if header:
        metadata["header"] = "\n".join(header)
    if not turns:
        raise FormatError("no speaker turns found: expected lines like 'P1: text' or "
                          "'Moderator:' followed by text", path)
    return ParsedText(turns, metadata, style)


def parse_text(text: str, path, style: str | None = None) -> ParsedText:
    """Parse a decoded plain-text transcript (newlines already ``\\n``)."""
    units = list(enumerate(text.split("\n"), start=1))
    return parse_units(units, path, style=style)
