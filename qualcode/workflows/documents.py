"""A read transcript's speakers and turns into the project: what ingest does for a new document
and a replacement (:mod:`qualcode.workflows.replace`) does for a corrected one."""

from __future__ import annotations

from dataclasses import dataclass

from qualcode.core.models import Document
from qualcode.core.roles import FACILITATOR
from qualcode.store.participants import SpeakerResolver
from qualcode.store.project import Project, count_words

#: A facilitator holding more of a document's words than this is reported (unlabelled talk?).
FACILITATOR_SHARE_WARNING = 0.6
#: ... in documents of at least this many words.
FACILITATOR_SHARE_MIN_WORDS = 100


@dataclass
class StoredTurns:
    summary: dict                # name, turns, speakers, words
    labels: list[str]            # the speakers' labels, in order of first turn
    share_warning: str | None    # the facilitator holds an implausible share of the words


def store_turns(project: Project, resolver: SpeakerResolver, document: Document, document_id: int,
                role: str | None, known: dict[str, tuple[int, str | None]] | None = None) -> StoredTurns:
    """Store the document's speakers, turns and turn attributes under ``document_id``.
    ``role``: the document's role; ``known``: label (lower case) -> (participant row, role)
    to keep for a speaker the document had before (unless the speakers table names it)."""
    known = known or {}
    speaker_rows: dict[str, int] = {}
    roles: dict[str, str | None] = {}
    for label in dict.fromkeys(seg.speaker for seg in document.segments):
        kept = known.get(label.casefold())
        if kept is None or resolver.has_assignment(document.name, label):
            resolved = resolver.resolve(document.name, label, role, document.roles.get(label))
            kept = (resolved.participant_row, resolved.role)
        speaker_rows[label] = project.add_speaker(document_id, label, *kept)
        roles[label] = kept[1]
    rows, attributes, words_by_role = [], [], {}
    for seg in document.segments:
        n = count_words(document.segment_text(seg))
        words_by_role[roles[seg.speaker]] = words_by_role.get(roles[seg.speaker], 0) + n
        rows.append((seg.index, speaker_rows[seg.speaker], seg.start, seg.end,
                     seg.time_start, seg.time_end, seg.line, n))
        attributes += [(seg.index, key, value) for key, value in (seg.attributes or {}).items()]
    project.add_segments(document_id, rows)
    if attributes:
        project.add_segment_attributes(document_id, attributes)
    summary = {"name": document.name, "turns": len(rows), "speakers": len(speaker_rows),
               "words": sum(words_by_role.values())}
    return StoredTurns(summary, list(speaker_rows), facilitator_share(document.name, roles, words_by_role))


def facilitator_share(name: str, roles: dict[str, str | None], words_by_role: dict) -> str | None:
    """A warning when the facilitator holds an implausible share of the document's words."""
    total = sum(words_by_role.values())
    said = words_by_role.get(FACILITATOR, 0)
    if total < FACILITATOR_SHARE_MIN_WORDS or said <= FACILITATOR_SHARE_WARNING * total:
        return None
    who = ", ".join(label for label, role in roles.items() if role == FACILITATOR)
    return (f"{name}: the facilitator ({who}) holds {round(100 * said / total)}% of the words; if "
            "participants' paragraphs carry no label, give them to a speaker (--unlabelled-speaker) "
            "or label them")
