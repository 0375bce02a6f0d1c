"""Plain-text transcripts: ``Label: text`` lines, Rev, Otter and Zoom "save transcript".

One parser reads all of them, and the paragraphs of Word, OpenDocument, PDF, RTF and
Markdown files.  A document is a list of *units* (a text line, or a paragraph) with their
1-based line number.  A unit starts a turn when it is

* a speaker label line (``P1: text``, ``[00:01:23] Dr. Lee: text``, ``P - text``,
  ``RP = text``, ``Speaker 1 (00:01:23):`` -- Rev -- or a label alone), judged by
  :class:`~qualcode.ingest.labels.SpeakerJudge`;
* in Otter style, a heading ``Name  1:05`` / ``Name 01:02:03`` preceded by a
  blank line (or the start) and followed by text;
* in Zoom bracket style, a heading ``[Name] 11:02:09``;
* a scripted question with no label (``Question 3. ...``, ``Q3: ...``, ``3. ...?``, or a
  line of the discussion guide): the facilitator's turn (see :mod:`qualcode.ingest.questions`);
* with an unlabelled speaker given (:class:`~qualcode.ingest.decisions.ReadOptions`), a
  paragraph with no label after a facilitator's turn: that speaker's turn.

Any other unit continues the current turn: in text files a wrapped line is
joined with a space and a blank line inside a turn starts a new paragraph
(``\\n``); in Word every paragraph is a paragraph.  Units before the first turn
are the header: ``Key: value`` lines with a known key (``Date``, ``Site``,
``Title``, ``Group``...) become ``metadata[Key]``, the other lines
``metadata["header"]`` (joined with ``\\n``); a participants legend there
(:mod:`qualcode.ingest.legend`) names the speakers.  A document with no turn at all
is a :class:`~qualcode.core.errors.FormatError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qualcode.core.errors import FormatError
from qualcode.core.models import Turn
from qualcode.core.roles import FACILITATOR
from qualcode.ingest.attribution import QUESTION_SPEAKER, attribute_turns
from qualcode.ingest.decisions import HEADER_LINE_WORDS_WARNING, ReadOptions, ReadReport
from qualcode.ingest.labels import (TIMESTAMP, SpeakerJudge, is_metadata_key, is_name_shaped,
                                    label_candidates, match_label_line, parse_timestamp)
from qualcode.ingest.legend import find_legend, legend_entries
from qualcode.ingest.questions import scripted_number, strip_number
from qualcode.ingest.vocabulary import LabelWords, fold

#: Style names this module reads (also format names).
STYLES = ("text", "rev", "otter", "zoom-text")

_OTTER_HEADING = re.compile(rf"^(?P<name>[^\W\d_][^:\n]{{0,58}}?)[ \t]+(?P<ts>{TIMESTAMP})\s*$")
_BRACKET_HEADING = re.compile(rf"^\s*\[(?P<name>[^\]\n]{{1,60}})\]\s+(?P<ts>{TIMESTAMP})\s*$")


@dataclass
class ParsedText:
    turns: list[Turn]
    metadata: dict[str, str]
    style: str
    #: label -> role the reader decided (facilitator and unidentified words, the legend,
    #: the unlabelled speaker's role)
    roles: dict[str, str] = field(default_factory=dict)
    report: ReadReport = field(default_factory=ReadReport)


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


def detect_style(units: list[tuple[int, str]], words: LabelWords | None = None) -> str:
    """Guess ``zoom-text``, ``otter``, ``rev`` or ``text`` from the lines."""
    content = [t for _, t in units if t.strip()]
    if not content:
        return "text"
    if _BRACKET_HEADING.match(content[0]) or sum(bool(_BRACKET_HEADING.match(t)) for t in content) >= 2:
        return "zoom-text"
    # (label, attached time) only: keeping whole LabelLine objects would copy every line's text
    labels = [(m.label, m.attached_time) for m in map(match_label_line, content) if m]
    judge = SpeakerJudge([label for label, _ in labels], words=words)
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
    return (judge.words.is_facilitator(m.label) and not judge.recurs(m.label) and m.time is None
            and not said and is_name_shaped(rest.rstrip(".")) and len(rest.split()) <= 4)


_TAKEN = ()  # a unit the header took
_BRACKETED = re.compile(r"^[\[(][^\[\]()]*[\])]$")


class _Parser:
    """One pass over the units; see the module docstring."""

    def __init__(self, style: str, paragraphs: bool, options: ReadOptions, judge: SpeakerJudge,
                 legend: dict):
        self.style, self.paragraphs, self.options, self.judge = style, paragraphs, options, judge
        self.words = judge.words
        self.legend = legend
        self.unlabelled = options.unlabelled_label
        self.turns: list[Turn] = []
        self.header: list[str] = []
        self.metadata: dict[str, str] = {}
        self.current: _Open | None = None
        self.report = ReadReport(unlabelled_speaker=self.unlabelled)

    def feed(self, line: int, text: str, blank_before: bool, nxt: str | None) -> None:
        if not text.strip():
            if self.current is not None:
                self.current.new_paragraph = True
            return
        start = self._start(line, text, blank_before, nxt)
        if start is _TAKEN:
            return
        if start is None:
            self._continue(line, text, blank_before)
            return
        if self.current is not None:
            self.turns.append(self.current.turn())
        self.current = _Open(start[0], start[1], line)
        self.current.add(start[2], paragraph=True)

    def _start(self, line: int, text: str, blank_before: bool, nxt: str | None):
        """``(speaker, time, text)`` when this unit starts a turn, :data:`_TAKEN` when it was
        taken as header metadata, else None."""
        if self.style in ("otter", "zoom-text"):
            head = _heading(text, self.style, blank_before, nxt)
            if head:
                return head[0], head[1], ""
        number = scripted_number(text, self.words)
        if number is not None:
            self.report.questions.append((line, number))
            return QUESTION_SPEAKER, None, text
        before_first = self.current is None
        if before_first and self._header_line(text):
            return _TAKEN
        m = self.judge.speaker_line(text)
        if m is not None:
            return m.label, m.time, m.rest
        guide = self.options.guide
        if guide is not None and guide.match_line(text) is not None:
            self.report.questions.append((line, ""))
            return QUESTION_SPEAKER, None, text
        if self.unlabelled and self._unlabelled_paragraph(text, blank_before):
            self.report.unlabelled.append(line)
            return self.unlabelled, None, text
        return None

    def _header_line(self, text: str) -> bool:
        """Before the first turn: a header credit, a legend line or a ``Key: value`` line is
        header metadata (True), never a turn."""
        m = match_label_line(text)
        if m is not None and _is_header_credit(m, self.judge):
            self.metadata.setdefault(m.label, m.rest)
            self.report.metadata_keys.append(m.label)
            return True
        if m is not None and m.rest and is_metadata_key(m.label, self.words) \
                and not self.judge.is_speaker(m.label, m.attached_time):
            self.metadata.setdefault(m.label, m.rest)
            self.report.metadata_keys.append(m.label)
            return True
        if self.legend and match_label_line(text) is None and legend_entries(text, 0, self.words):
            self.header.append(text.strip())
            return True
        return False

    def _unlabelled_paragraph(self, text: str, blank_before: bool) -> bool:
        """A paragraph with no label that the unlabelled speaker says: after a break that
        follows a facilitator's turn (or, before any turn, one that reads like talk)."""
        current = self.current
        if self._stage_direction(text):
            return False
        if current is None:
            return len(text.split()) > HEADER_LINE_WORDS_WARNING
        if not current.paragraphs or not (blank_before or self.paragraphs or current.new_paragraph):
            return False  # a label alone on its line takes the next paragraph as its text
        if current.speaker == QUESTION_SPEAKER:
            heading_only = all(not strip_number(p, self.words).strip() for p in current.paragraphs)
            return not heading_only
        return self._is_facilitator(current.speaker)

    def _stage_direction(self, text: str) -> bool:
        """``[laughter]``, ``(pause)``, ``SHOWS PICTURE``: a transcriber's note, said by nobody."""
        text = text.strip()
        return bool(_BRACKETED.match(text)) or (text.isupper() and self.words.first_word_in("stage_directions", text))

    def _is_facilitator(self, label: str) -> bool:
        entry = self.legend.get(fold(label))
        if entry is not None:
            return entry.role == FACILITATOR
        return label == QUESTION_SPEAKER or self.words.is_facilitator(label)

    def _continue(self, line: int, text: str, blank_before: bool) -> None:
        current = self.current
        if current is None:
            self.header.append(text.strip())
            return
        if self.unlabelled and current.speaker == self.unlabelled and \
                (blank_before or self.paragraphs or current.new_paragraph):
            self.report.unlabelled.append(line)
        current.add(text, paragraph=self.paragraphs)

    def finish(self) -> list[Turn]:
        if self.current is not None:
            self.turns.append(self.current.turn())
            self.current = None
        return [t for t in self.turns if t.text.strip()]


def parse_units(units: list[tuple[int, str]], path, *, style: str | None = None,
                paragraphs: bool = False, options: ReadOptions | None = None) -> ParsedText:
    """Turns and header metadata from ``(line, text)`` units; see the module docstring."""
    options = options or ReadOptions()
    words = options.label_words
    style = style or detect_style(units, words)
    candidates = [c.label for _, t in units for c in label_candidates(t)]
    legend = find_legend(units, words)
    judge = SpeakerJudge(candidates, words=words, legend=set(legend))
    del candidates
    parser = _Parser(style, paragraphs, options, judge, legend)
    for (line, text), (blank_before, nxt) in zip(units, _neighbours(units)):
        parser.feed(line, text, blank_before, nxt)
    turns = parser.finish()
    if not turns:
        raise FormatError("no speaker turns found: expected lines like 'P1: text' or "
                          "'Moderator:' followed by text", path)
    metadata, report = parser.metadata, parser.report
    if parser.header:
        metadata["header"] = "\n".join(parser.header)
        report.header_lines = list(parser.header)
    turns, roles = attribute_turns(turns, legend, options, report)
    return ParsedText(turns, metadata, style, roles, report)

