"""Small value types shared by every stage of the pipeline.

Offsets are *character* offsets into :attr:`Document.text` (REFI-QDA counts
characters too), half-open: ``document.text[segment.start:segment.end]`` is
exactly the turn's text.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field

#: What separates two turns in a document's normalized plain text.
TURN_SEPARATOR = "\n\n"
#: What stands between a speaker label and the turn's text.
LABEL_SEPARATOR = ": "


@dataclass(frozen=True)
class Turn:
    """One speaker turn as a reader found it, before it is placed in a Document.

    ``text`` may contain ``\\n`` between paragraphs; :func:`normalize_turn_text`
    is applied when the Document is built, so readers need not normalize.
    ``line`` is the 1-based line (or paragraph/row/cue number) where the turn
    starts in the source, for error messages and for finding it again.
    ``attributes`` are the turn's own (``{"question": "Q3"}``: the guide question it answers).
    """

    speaker: str
    text: str
    time_start: float | None = None
    time_end: float | None = None
    line: int | None = None
    attributes: dict[str, str] | None = None


@dataclass(frozen=True)
class Segment:
    """A turn placed in a document: speaker label plus character span."""

    index: int
    speaker: str
    start: int
    end: int
    time_start: float | None = None
    time_end: float | None = None
    line: int | None = None
    attributes: dict[str, str] | None = None


@dataclass
class Document:
    """A transcript in one normalized plain text with its ordered turns."""

    name: str
    text: str
    segments: list[Segment]
    format: str
    metadata: dict[str, str] = field(default_factory=dict)
    source: str | None = None
    #: speaker label -> role the reader decided from the label (``facilitator`` for
    #: ``Moderadora``, ``unidentified`` for ``TODOS``, a legend's role); the speakers table
    #: and the document's role attribute decide the rest
    roles: dict[str, str] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        """Hash of the normalized content: the same conversation is the same document."""
        return content_hash(self.text)

    def segment_text(self, segment: Segment) -> str:
        return self.text[segment.start:segment.end]

    def turns(self) -> list[tuple[str, str]]:
        """``(speaker, text)`` pairs, handy for comparing two readings."""
        return [(s.speaker, self.segment_text(s)) for s in self.segments]


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _ControlsToSpace(dict):
    """``str.translate`` table: control/format/unassigned characters (category C) except
    ``\\n`` and ``\\t`` become a space.  Filled lazily, so translating runs at C speed
    (a per-character Python loop took minutes on a 200 MB transcript)."""

    def __missing__(self, code: int):
        ch = chr(code)
        value = 0x20 if ch not in "\n\t" and unicodedata.category(ch)[0] == "C" else code
        self[code] = value
        return value


_CONTROLS_TO_SPACE = _ControlsToSpace()


def normalize_turn_text(text: str) -> str:
    """NFC, no control characters, single spaces, one ``\\n`` between paragraphs.

    A blank line (or several) inside a turn becomes one paragraph break; a
    soft-wrapped line is joined to the previous one with a space is the
    *reader's* decision (it passes ``\\n`` only where it means a paragraph).
    """
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    if not text.replace("\n", "").replace("\t", "").isprintable():  # else no category C character
        text = text.translate(_CONTROLS_TO_SPACE)
    paragraphs = []
    for para in text.split("\n"):
        para = " ".join(para.split())
        if para:
            paragraphs.append(para)
    return "\n".join(paragraphs)


def normalize_label(label: str) -> str:
    label = unicodedata.normalize("NFC", label)
    return " ".join(label.replace("\u00a0", " ").split()).strip()


def build_document(name: str, turns: list[Turn], fmt: str, metadata: dict[str, str] | None = None,
                   source: str | None = None, roles: dict[str, str] | None = None) -> Document:
    """Lay turns out in one plain text: ``Speaker: text`` blocks separated by a blank line.

    Turns whose text is empty after normalization are dropped; consecutive turns
    of the same speaker are *not* merged here (readers decide, e.g. caption cues).
    """
    parts: list[str] = []
    segments: list[Segment] = []
    pos = 0
    for turn in turns:
        text = normalize_turn_text(turn.text)
        speaker = normalize_label(turn.speaker)
        if not text:
            continue
        if parts:
            parts.append(TURN_SEPARATOR)
            pos += len(TURN_SEPARATOR)
        head = speaker + LABEL_SEPARATOR if speaker else ""
        parts.append(head)
        pos += len(head)
        start = pos
        parts.append(text)
        pos += len(text)
        segments.append(Segment(len(segments), speaker, start, pos,
                                turn.time_start, turn.time_end, turn.line, turn.attributes or None))
    return Document(name=name, text="".join(parts), segments=segments, format=fmt,
                    metadata=dict(metadata or {}), source=source,
                    roles={normalize_label(k): v for k, v in (roles or {}).items()})
