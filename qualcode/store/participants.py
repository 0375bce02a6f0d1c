"""Speakers to participants: roles and stable pseudonymous ids, within one project.

How a role and an id are chosen is told in :mod:`qualcode.ingest.speakers`; this
resolver applies it against the participants already in the project.
"""

from __future__ import annotations

from dataclasses import dataclass

from qualcode.core.errors import InputError
from qualcode.core.roles import FACILITATOR, UNIDENTIFIED
from qualcode.ingest.labels import is_facilitator_label
from qualcode.ingest.manifest import SpeakerAssignment
from qualcode.ingest.speakers import (DEFAULT_PREFIX, ROLE_PREFIXES, is_unidentified_label,
                                      participant_identity)
from qualcode.store.project import Project


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

    def has_assignment(self, document: str, label: str) -> bool:
        """True when the speakers table names this label (in this document or in all)."""
        return self._assignment(document, label) is not None

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

    def resolve(self, document: str, label: str, document_role: str | None,
                label_role: str | None = None) -> ResolvedSpeaker:
        """The speaker's participant and role: the speakers table's role, else ``label_role``
        (what the reader found: a legend's role, a facilitator word of the user's label
        words), else the label's own words, else the document's role."""
        assignment = self._assignment(document, label)
        if assignment and assignment.role:
            role = assignment.role
        elif label_role:
            role = label_role
        elif is_facilitator_label(label):
            role = FACILITATOR
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
