"""Fixing a project after ingest: who a speaker is and in what role, a document's attributes,
removing documents.  What the CLI (``qualcode speakers``, ``qualcode documents``), the
workbench and notebooks call; each call is one transaction (all or nothing).

    >>> from qualcode.workflows.edit import set_speakers
    >>> edit = set_speakers(project, "Zoom Host", role="facilitator")
    >>> edit.machine_removed, [c["code"] for c in edit.human_kept]

A speaker made ``facilitator`` leaves every count, as facilitators do, and loses the
taggers' codings on its turns (taggers do not code facilitators); human codings on its
turns are kept and listed.  A speaker that stops being a facilitator has turns no tagger
has read yet: the next ``qualcode code`` codes them.  Human codings are never removed
silently: removing a document that has some is refused unless ``force``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

import pandas as pd

from qualcode.core.errors import ParameterError, SelectionError
from qualcode.core.spelling import did_you_mean, near_miss
from qualcode.ingest.manifest import validate_attribute_name
from qualcode.ingest.speakers import ROLE_PREFIXES
from qualcode.store import edits
from qualcode.store.project import Project
from qualcode.store.queries import document_attributes, find_document
from qualcode.store.schema import FACILITATOR

#: Roles qualcode knows by name (a new role is allowed; one that looks like a slip of these
#: gets a warning).
KNOWN_ROLES = tuple(ROLE_PREFIXES)


@dataclass(frozen=True)
class SpeakerChange:
    document: str
    label: str
    participant_before: str
    participant_after: str
    role_before: str | None
    role_after: str | None


@dataclass
class SpeakerEdit:
    """What :func:`set_speakers` (or a document's new role) changed."""

    changed: list[SpeakerChange] = field(default_factory=list)
    machine_removed: int = 0          # tagger codings removed from turns that became facilitators'
    human_kept: list[dict] = field(default_factory=list)  # human codings on those turns (kept)
    uncoded_turns: int = 0            # turns that stopped being facilitators': no tagger read them
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- speakers
def list_speakers(project: Project, document: str | None = None) -> pd.DataFrame:
    """One row per speaker of each document (or of one): document, speaker (the label in
    the transcript), participant, role, turns, words, human_codings and machine_codings (on
    its turns)."""
    rows = edits.speaker_rows(project)
    if document is not None:
        name = find_document(project, document)
        rows = [r for r in rows if r["document"] == name]
    columns = ["document", "speaker", "participant", "role", "turns", "words", "human_codings",
               "machine_codings"]
    return pd.DataFrame([{**r, "speaker": r["label"], "human_codings": r["human"],
                          "machine_codings": r["machine"]} for r in rows], columns=columns)


def set_speakers(project: Project, label: str, *, document: str | None = None, role: str | None = None,
                 participant: str | None = None) -> SpeakerEdit:
    """Give the speakers called ``label`` (in ``document``, else in every document) a new
    ``role``, or make them ``participant`` (an existing pseudonym: the same person; a new
    one: a new participant), or both.  ``label`` may also be a participant id (``M04``):
    that participant's speakers."""
    if role is None and participant is None:
        raise ParameterError("give a new role, a participant id, or both")
    role = _role_value(role)
    participant = _participant_value(participant)
    with project.transaction():
        rows = _matching_speakers(project, label, find_document(project, document) if document else None)
        target = _participant(project, participant, role) if participant else None
        edit = SpeakerEdit(warnings=_role_warnings(project, role))
        _apply(project, rows, role, target, edit)
    return edit


def _role_value(role: str | None) -> str | None:
    if role is None:
        return None
    value = " ".join(role.split()).casefold()
    if not value:
        raise ParameterError("a role cannot be empty")
    return value


def _participant_value(participant: str | None) -> str | None:
    if participant is None:
        return None
    value = participant.strip()
    if not value or any(ch.isspace() for ch in value):
        raise ParameterError(f"participant id {participant!r} must be one word, e.g. M04")
    return value


def _matching_speakers(project: Project, label: str, document: str | None) -> list[dict]:
    """The speakers ``label`` names (by label, else by participant id), in ``document`` if given."""
    rows = [r for r in edits.speaker_rows(project) if document is None or r["document"] == document]
    wanted = " ".join(label.split()).casefold()
    found = [r for r in rows if r["label"].casefold() == wanted]
    found = found or [r for r in rows if r["participant"].casefold() == wanted]
    if not found:
        where = f" in {document}" if document else " in the project"
        choices = list(dict.fromkeys([r["label"] for r in rows] + [r["participant"] for r in rows]))
        raise SelectionError(f"no speaker {label!r}{where}{did_you_mean(label, choices)};"
                             " qualcode speakers list shows them")
    return found


def _participant(project: Project, pid: str, role: str | None) -> tuple[int, str]:
    """(row, pid) of the participant ``pid`` (any case), added if the project has none."""
    same = [p for p in project.pids_with_prefix(pid) if p.casefold() == pid.casefold()]
    if same:
        return project.participant_by_pid(same[0])[0], same[0]
    return project.add_participant(pid, f"id:{pid}", role), pid


def _role_warnings(project: Project, role: str | None) -> list[str]:
    if role is None:
        return []
    known = set(KNOWN_ROLES) | set(edits.speaker_roles(project)) | set(edits.attribute_values(project, "role"))
    meant = near_miss(role, known)
    return [f"role {role!r} is new in the project; did you mean {meant!r}?"] if meant else []


def _apply(project: Project, rows: list[dict], role: str | None, target: tuple[int, str] | None,
           edit: SpeakerEdit) -> None:
    """Give ``rows`` (speakers) ``role`` (None: keep theirs) and participant ``target`` (None:
    keep theirs), and move the taggers' work to match their new roles."""
    became, left = [], []
    for row in rows:
        new_role = row["role"] if role is None else role
        participant_row, pid = target if target else (row["participant_id"], row["participant"])
        if (new_role, participant_row) == (row["role"], row["participant_id"]):
            continue
        edits.set_speaker(project, row["speaker_id"], participant_row, new_role)
        edit.changed.append(SpeakerChange(row["document"], row["label"], row["participant"], pid,
                                          row["role"], new_role))
        if (new_role == FACILITATOR) != (row["role"] == FACILITATOR):
            (became if new_role == FACILITATOR else left).append(row["speaker_id"])
    if became:
        turns = edits.speaker_segments(project, became)
        edit.human_kept += edits.human_codings_on(project, turns)
        edit.machine_removed += edits.delete_machine_work_on(project, turns)
    if left:
        edit.uncoded_turns += len(edits.speaker_segments(project, left))


# -------------------------------------------------------------------------- documents
@dataclass
class DocumentEdit:
    """What :func:`set_document` changed: ``(key, before, after)`` per attribute (None: not
    set), warnings, and what a new role did to the document's speakers."""

    document: str
    changes: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    speakers: SpeakerEdit | None = None


def list_documents(project: Project) -> pd.DataFrame:
    """One row per document: document, format, turns, words, speakers, human_codings,
    machine_codings, then each attribute (empty where a document has none)."""
    rows = edits.document_rows(project)
    values = document_attributes(project)
    keys = sorted({key for attrs in values.values() for key in attrs})
    frame = pd.DataFrame([{**r, "human_codings": r["human"], "machine_codings": r["machine"],
                           **{k: values.get(r["document_id"], {}).get(k, "") for k in keys}} for r in rows],
                         columns=["document", "format", "turns", "words", "speakers", "human_codings",
                                  "machine_codings", *keys])
    return frame


def attribute_warnings(project: Project, document: str, attributes: Mapping[str, str],
                       document_id: int | None = None) -> list[str]:
    """A warning for each value in ``attributes`` that is new in the project and looks like a
    slip of a value other documents (not ``document_id``) already have (``mentors`` beside
    ``mentor``, ``Northfeld`` beside ``Northfield``; see :func:`~qualcode.core.spelling.near_miss`)."""
    warnings = []
    for key, value in attributes.items():
        existing = edits.attribute_values(project, key, except_document=document_id)
        known = set(existing)
        if key == "role":
            known |= set(KNOWN_ROLES) | set(edits.speaker_roles(project, except_document=document_id))
        meant = near_miss(value, known)
        if meant is not None:
            used = f" (in {existing[meant]} document{'s' if existing[meant] != 1 else ''})" \
                if meant in existing else ""
            warnings.append(f"{document}: {key} {value!r} is new in the project; did you mean "
                            f"{meant!r}{used}?")
    return warnings


def set_document(project: Project, name: str, attributes: Mapping[str, str] | None = None,
                 unset: Iterable[str] = ()) -> DocumentEdit:
    """Set attributes of the document ``name`` (any case, with or without its suffix) and
    remove those in ``unset``.  A new ``role`` also goes to the speakers that had the
    document's old role (the speakers whose role came from the document), as
    :func:`set_speakers` would give it."""
    attributes = {validate_attribute_name(k).casefold(): str(v) for k, v in (attributes or {}).items()}
    if "role" in attributes:
        attributes["role"] = _role_value(attributes["role"])
    unset = [key.casefold() for key in unset]
    if not attributes and not unset:
        raise ParameterError("give an attribute to set (KEY=VALUE) or to remove")
    both = sorted(set(attributes) & set(unset))
    if both:
        raise ParameterError(f"attribute {both[0]!r} is both set and removed")
    document = find_document(project, name)
    with project.transaction():
        document_id = project.document_id(document)
        current = document_attributes(project).get(document_id, {})
        for key in unset:
            if key not in current:
                raise SelectionError(f"{document} has no attribute {key!r}{did_you_mean(key, current)}")
        edit = DocumentEdit(document, warnings=attribute_warnings(project, document, attributes, document_id))
        for key, value in [*attributes.items(), *((key, None) for key in unset)]:
            if current.get(key) != value:
                edits.set_attribute(project, document_id, key, value)
                edit.changes.append((key, current.get(key), value))
        if any(key == "role" for key, _, _ in edit.changes):
            edit.speakers = _follow_document_role(project, document, current.get("role"),
                                                  attributes.get("role"))
    return edit


def _follow_document_role(project: Project, document: str, before: str | None,
                          after: str | None) -> SpeakerEdit:
    """Give the document's speakers whose role was the document's (``before``) the new role
    (a role removed from the document stays with its speakers)."""
    edit = SpeakerEdit()
    if after is not None:
        rows = [r for r in edits.speaker_rows(project) if r["document"] == document and r["role"] == before]
        _apply(project, rows, after, None, edit)
    return edit


@dataclass(frozen=True)
class RemovedDocument:
    document: str
    turns: int
    machine: int     # tagger codings removed with it
    human: list[dict]  # human codings removed with it (only with force)


def remove_documents(project: Project, names: Iterable[str], force: bool = False) -> list[RemovedDocument]:
    """Remove documents with their turns, speakers and codings, all or none.  A document with
    human codings is refused, listing them, unless ``force``."""
    wanted = list(dict.fromkeys(find_document(project, name) for name in names))
    if not wanted:
        raise ParameterError("name the documents to remove")
    with project.transaction():
        rows = {r["document"]: r for r in edits.document_rows(project)}
        ids = [rows[name]["document_id"] for name in wanted]
        human = edits.human_codings_of(project, ids)
        if human and not force:
            raise SelectionError(f"{describe_codings(human)} would be removed; nothing was removed "
                                 "(export them first, e.g. qualcode export qdpx, or give --force)")
        removed = []
        for name, document_id in zip(wanted, ids):
            removed.append(RemovedDocument(name, rows[name]["turns"], rows[name]["machine"],
                                           [c for c in human if c["document"] == name]))
            edits.delete_document(project, document_id)
    return removed


def describe_codings(codings: list[dict], limit: int = 5, documents: bool = True) -> str:
    """``3 human codings (alice 2, bob 1) in a.txt: alice turn 4 value.clarity, ...`` in one
    line (without `` in a.txt`` unless ``documents``)."""
    by_coder: dict[str, int] = {}
    for coding in codings:
        by_coder[coding["coder"]] = by_coder.get(coding["coder"], 0) + 1
    where = f" in {', '.join(dict.fromkeys(c['document'] for c in codings))}" if documents else ""
    shown = ", ".join(f"{c['coder']} {_where(c)} {c['code']}" for c in codings[:limit])
    more = f", and {len(codings) - limit} more" if len(codings) > limit else ""
    return (f"{len(codings)} human coding{'s' if len(codings) != 1 else ''} ("
            + ", ".join(f"{coder} {n}" for coder, n in by_coder.items()) + f"){where}: " + shown + more)


def _where(coding: dict) -> str:
    return f"turn {coding['turn']}" if coding.get("turn") is not None else \
        f"[{coding['start']}:{coding['end']}]"
