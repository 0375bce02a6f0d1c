"""Who said each turn, once a document's turns are found: the legend's names, the roles
labels give, the facilitator who asked the scripted questions, and which guide question
each participant turn answers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from qualcode.core.models import Turn
from qualcode.core.roles import FACILITATOR, UNIDENTIFIED
from qualcode.ingest.decisions import ReadOptions, ReadReport
from qualcode.ingest.legend import LegendEntry
from qualcode.ingest.questions import QUESTION_ATTRIBUTE, scripted_number
from qualcode.ingest.vocabulary import LabelWords, fold

#: The speaker of scripted-question lines in a document whose facilitator has no label.
DEFAULT_FACILITATOR = "Facilitator"
#: The speaker of a scripted-question line until the document's facilitator is known.
QUESTION_SPEAKER = "\x00question"


def attribute_turns(turns: list[Turn], legend: dict[str, LegendEntry], options: ReadOptions,
                    report: ReadReport) -> tuple[list[Turn], dict[str, str]]:
    """``(turns, roles)``: turns with the legend's names, the question speaker and the
    ``question`` attribute; ``roles`` maps labels to the role they give."""
    words = options.label_words
    turns, legend_roles = _apply_legend(turns, legend, report)
    roles = {label: role for label in dict.fromkeys(t.speaker for t in turns)
             if (role := _label_role(label, words, legend_roles, options))}
    if any(t.speaker == QUESTION_SPEAKER for t in turns):
        asker = _question_speaker(turns, roles)
        roles.pop(QUESTION_SPEAKER, None)
        roles[asker] = FACILITATOR
        report.question_speaker = asker
        turns = [replace(t, speaker=asker) if t.speaker == QUESTION_SPEAKER else t for t in turns]
    return _answers(turns, roles, words, options, report), roles


def _apply_legend(turns: list[Turn], legend: dict[str, LegendEntry],
                  report: ReadReport) -> tuple[list[Turn], dict[str, str | None]]:
    if not legend:
        return turns, {}
    used: dict[str, LegendEntry] = {}
    out = []
    for turn in turns:
        entry = legend.get(fold(turn.speaker)) if turn.speaker != QUESTION_SPEAKER else None
        if entry is not None:
            used.setdefault(entry.label, entry)
            turn = replace(turn, speaker=entry.name)
        out.append(turn)
    report.legend = list(used.values())
    return out, {entry.name: entry.role for entry in used.values()}


def _label_role(label: str, words: LabelWords, legend_roles: dict[str, str | None],
                options: ReadOptions) -> str | None:
    if label == QUESTION_SPEAKER:
        return FACILITATOR
    if legend_roles.get(label):
        return legend_roles[label]
    if label == options.unlabelled_label and options.unlabelled_role:
        return options.unlabelled_role.strip().casefold()
    return label_roles([label], words).get(label)


def _question_speaker(turns: list[Turn], roles: dict[str, str]) -> str:
    """The facilitator label with the most turns (the first such on a tie), else a new one."""
    counts = Counter(t.speaker for t in turns if roles.get(t.speaker) == FACILITATOR
                     and t.speaker != QUESTION_SPEAKER)
    return counts.most_common(1)[0][0] if counts else DEFAULT_FACILITATOR


def _answers(turns: list[Turn], roles: dict[str, str], words: LabelWords, options: ReadOptions,
             report: ReadReport) -> list[Turn]:
    """Each participant turn records the question last asked (a guide question or a scripted
    number) in its ``question`` attribute."""
    guide = options.guide
    asked: dict[str, None] = {}
    current = None
    out = []
    for turn in turns:
        role = roles.get(turn.speaker)
        if role == FACILITATOR:
            found = guide.match_turn(turn.text) if guide is not None else None
            number = scripted_number(turn.text, words) if found is None else None
            if found is not None or number:
                current = found.value if found is not None else f"Q{number}"
                asked.setdefault(current)
        elif current is not None:
            turn = replace(turn, attributes={**(turn.attributes or {}), QUESTION_ATTRIBUTE: current})
            report.answers += 1
        out.append(turn)
    order = [q.value for q in guide.questions] if guide is not None else []
    report.guide_asked = [q for q in order if q in asked] + [q for q in asked if q not in order]
    return out


def label_roles(labels, words: LabelWords) -> dict[str, str]:
    """The role each label gives by its words alone: ``facilitator`` or ``unidentified``."""
    roles = {}
    for label in dict.fromkeys(labels):
        if words.is_facilitator(label):
            roles[label] = FACILITATOR
        elif words.is_unidentified(label):
            roles[label] = UNIDENTIFIED
    return roles
