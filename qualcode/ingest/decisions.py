"""What a reader is told (:class:`ReadOptions`) and what it decided (:class:`ReadReport`).

The report says, per document, what a researcher should check before coding: lines kept
as header metadata, the participants legend used, scripted questions found without a
speaker label and who was given them, unlabelled paragraphs and where they went, and
warnings.  ``qualcode ingest`` prints it; a notebook reads it from
:func:`qualcode.ingest.read_transcript`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qualcode.ingest.legend import LegendEntry
from qualcode.ingest.questions import Guide
from qualcode.ingest.vocabulary import LabelWords, load_label_words

#: More header lines than this (or one long line) and the header is reported as suspect.
HEADER_LINES_WARNING = 5
#: A header line with more words than this reads like talk, not a title.
HEADER_LINE_WORDS_WARNING = 25


@dataclass(frozen=True)
class ReadOptions:
    """How to read transcripts beyond their format.

    ``words``: the label words (:func:`~qualcode.ingest.vocabulary.load_label_words`);
    ``guide``: the discussion guide (:func:`~qualcode.ingest.read_guide_file`);
    ``unlabelled_speaker``/``unlabelled_role``: who says the paragraphs that carry no
    label after a facilitator's turn (for example one interviewee), instead of the
    facilitator."""

    words: LabelWords | None = None
    guide: Guide | None = None
    unlabelled_speaker: str | None = None
    unlabelled_role: str | None = None

    @property
    def label_words(self) -> LabelWords:
        return self.words if self.words is not None else load_label_words()

    @property
    def unlabelled_label(self) -> str | None:
        """The speaker label unlabelled paragraphs get, or None to leave them where they are."""
        if self.unlabelled_speaker and self.unlabelled_speaker.strip():
            return " ".join(self.unlabelled_speaker.split())
        if self.unlabelled_role and self.unlabelled_role.strip():
            return self.unlabelled_role.strip().title()
        return None


@dataclass
class ReadReport:
    """What a reader decided about one document."""

    #: text lines before the first turn, kept as the ``header`` metadata
    header_lines: list[str] = field(default_factory=list)
    #: ``Key: value`` lines before the first turn, kept as metadata
    metadata_keys: list[str] = field(default_factory=list)
    #: legend entries that named a speaker of the document
    legend: list[LegendEntry] = field(default_factory=list)
    #: (line, question number or "") of lines with no label made facilitator turns
    questions: list[tuple[int, str]] = field(default_factory=list)
    #: who was given those lines
    question_speaker: str | None = None
    #: guide questions some facilitator turn asked, in guide order (``Q1``, ``Q3``)
    guide_asked: list[str] = field(default_factory=list)
    #: participant turns that record the question they answer
    answers: int = 0
    #: lines of paragraphs with no label given to the unlabelled speaker (when one is named)
    unlabelled: list[int] = field(default_factory=list)
    unlabelled_speaker: str | None = None
    warnings: list[str] = field(default_factory=list)

    def header_warning(self, name: str, first_turn_line: int | None) -> None:
        """Warn when the header holds more than a few short lines: probably talk."""
        lines = self.header_lines
        long = [t for t in lines if len(t.split()) > HEADER_LINE_WORDS_WARNING]
        if len(lines) > HEADER_LINES_WARNING or long:
            words = sum(len(t.split()) for t in lines)
            where = f" before the first turn (line {first_turn_line})" if first_turn_line else ""
            self.warnings.append(
                f"{name}: {len(lines)} header lines ({words} words) were kept as metadata{where}; "
                "if that is talk, label it, or give unlabelled paragraphs to a speaker "
                "(--unlabelled-speaker)")
