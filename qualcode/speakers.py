"""Who spoke, in what role, under which stable pseudonym.

A speaker's role comes from, in order: the speakers table, a facilitator label
(Moderator, Facilitator, Interviewer 1, ...), a label that names nobody
("Unknown Speaker", "Unidentified", "Multiple speakers", "Audience": role
``unidentified``, so a voice from the hallway is never counted as a scholar), the
document's ``role`` attribute (scholar groups and mentor groups meet separately),
else none.

A participant keeps one pseudonymous id (``S01``, ``M03``, ``F01``, ``P02``)
across documents:
- an id given in the speakers table is used as it is;
- a personal name ("Dr. Lee", "Maria") is the same person wherever it appears;
- a generic label ("P1", "Speaker 2", "Moderator") only names someone within
  its own document, so it gets its own participant per document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qualcode.errors import InputError
from qualcode.ingest.labels import is_facilitator_label
from qualcode.manifest import SpeakerAssignment
from qualcode.store import Project

UNIDENTIFIED = "unidentified"
ROLE_PREFIXES = {"scholar": "S", "mentor": "M", "facilitator": "F", UNIDENTIFIED: "U"}
DEFAULT_PREFIX = "P"

_GENERIC = re.compile(
    r"^(?:p|s|m|f|r|q|a|participant|speaker|respondent|person|interviewee|unknown|unknown speaker|"
    r"unidentified|guest|voice|student|scholar|mentor|mentee|trainee|moderator|facilitator|"
    r"interviewer|host|co-host|mod|fac|note ?taker|audience|group|multiple|several|all)"
    r"[\s#._-]*\d*$", re.IGNORECASE)


_UNIDENTIFIED = re.compile(
    r"^(?:unknown|unknown speaker|unidentified|unidentified speaker|unidentified (?:male|female)|"
    r"inaudible|multiple|multiple speakers|several|several speakers|crosstalk|cross-talk|"
    r"audience|audience member|group|all|everyone|voices)[\s#._-]*\d*$", re.IGNORECASE)


def is_unidentified_label(label: str) -> bool:
    """True for labels a transcriber uses when nobody in particular is speaking or known."""
    return bool(_UNIDENTIFIED.match(label.strip()))


def is_generic_label(label: str) -> bool:
    """True for labels that do not identify a person beyond one transcript."""
    return not label or bool(_GENERIC.match(label.strip()))


def participant_identity(document: str, label: str) -> str:
    if is_generic_label(label):
        return f"doc:{document}#{label.casefold()}"
    return "name:" + " ".join(label.casefold().split())


@dataclass(frozen=True)
class ResolvedSpeaker:
    label: str
    participant_row: int
    pid: str
    role: str | None


class SpeakerResolver:
    """Assigns roles and pseudonyms within one project transaction."""

    def __init__(self, project: Project, assignments: list[SpeakerAssignment] | None = None,
                 source: str | None = None):
        self.project = project
        self.assignments = list(assignments or [])
        self.source = source
        # ids named in the speakers table are reserved, so automatic numbering never takes them
        self.reserved = {a.participant for a in self.assignments if a.participant}
        self._used: dict[str, set[str]] = {}  # prefix -> participant ids taken
        self._next: dict[str, int] = {}  # prefix -> lowest number that may be free

    def _assignment(self, document: str, label: str) -> SpeakerAssignment | None:
        folded = label.casefold()
        specific = [a for a in self.assignments if a.document == document and a.label.casefold() == folded]
        if specific:
            return specific[0]
        general = [a for a in self.assignments if a.document is None and a.label.casefold() == folded]
        return general[0] if general else None

    def _next_pid(self, role: str | None) -> str:
        """The lowest free number for the role's prefix.  The ids in use are read once per
        prefix and the search resumes where it stopped: within one ingest, participants are
        only added, so the lowest free number never goes down (reading them all again for
        every new speaker made ingest quadratic in the number of participants)."""
        prefix = ROLE_PREFIXES.get(role or "", DEFAULT_PREFIX)
        if prefix not in self._used:
            self._used[prefix] = set(self.project.pids_with_prefix(prefix)) | self.reserved
            self._next[prefix] = 1
        used, n = self._used[prefix], self._next[prefix]
        while f"{prefix}{n:02d}" in used:
            n += 1
        pid = f"{prefix}{n:02d}"
        used.add(pid)
        self._next[prefix] = n + 1
        return pid

    def resolve(self, document: str, label: str, document_role: str | None) -> ResolvedSpeaker:
        assignment = self._assignment(document, label)
        if assignment and assignment.role:
            role = assignment.role
        elif is_facilitator_label(label):
            role = "facilitator"
        elif is_unidentified_label(label):
            role = UNIDENTIFIED
        else:
            role = document_role
        if assignment and assignment.participant:
            pid = assignment.participant
            identity = f"id:{pid}"
            found = self.project.participant_by_pid(pid)
            if found:
                row, found_identity, _ = found
                if found_identity != identity:
                    raise InputError(f"participant id {pid!r} is already used in the project for an "
                                     f"automatically numbered speaker; choose another id",
                                     self.source, assignment.line)
                return ResolvedSpeaker(label, row, pid, role)
            return ResolvedSpeaker(label, self.project.add_participant(pid, identity, role), pid, role)
        identity = participant_identity(document, label)
        found = self.project.participant_by_identity(identity)
        if found:
            row, pid, _ = found
            return ResolvedSpeaker(label, row, pid, role)
        pid = self._next_pid(role)
        return ResolvedSpeaker(label, self.project.add_participant(pid, identity, role), pid, role)

    def unused_assignments(self, documents: set[str], labels_by_document: dict[str, set[str]]) -> list[SpeakerAssignment]:
        """Rows of the speakers table that matched no speaker (usually a typo)."""
        unused = []
        for a in self.assignments:
            docs = [a.document] if a.document else list(labels_by_document)
            if not any(a.label.casefold() in labels_by_document.get(d, set()) for d in docs):
                if a.document is None or a.document in documents:
                    unused.append(a)
        return unused
