"""A corrected transcript replaces the document of the same name (``qualcode ingest --replace``).

The document keeps its name, id and attributes (those given now are set on top); its
speakers keep their participant ids and roles, also those fixed with ``qualcode speakers
set`` (a speakers table given now wins).  Its turns are read again, and the old and new
turns are lined up by their text (:func:`match_turns`): a human coding on a turn whose text
is unchanged moves with it to the new offsets, and the turns its coder had read stay read.
Human codings on turns that changed or went away cannot follow; the replacement is refused,
listing them, unless ``force`` (then they are dropped and listed).  The taggers' codings of
the document are dropped: the next ``qualcode code`` codes the new text.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from qualcode.core.errors import InputError
from qualcode.core.models import Document
from qualcode.core.spelling import did_you_mean
from qualcode.store import edits
from qualcode.store.frames import coder_kinds
from qualcode.store.participants import SpeakerResolver
from qualcode.store.project import Project
from qualcode.store.queries import document_attributes, document_names
from qualcode.workflows.documents import StoredTurns, store_turns
from qualcode.workflows.edit import attribute_warnings, describe_codings


@dataclass
class Replacement:
    """What replacing one document did."""

    document: str
    turns_before: int
    turns_after: int
    unchanged_turns: int       # turns whose text is the same in both
    kept: int                  # human codings moved to the new text
    machine_dropped: int       # tagger codings dropped (the next `qualcode code` redoes them)
    lost: list[dict] = field(default_factory=list)  # human codings dropped (only with force)
    warnings: list[str] = field(default_factory=list)
    stored: StoredTurns | None = None  # the new speakers and turns
    report: object = None              # what the reader decided (set by ingest)

    @property
    def words(self) -> int:
        return self.stored.summary["words"] if self.stored else 0


def match_turns(old: list[str], new: list[str]) -> dict[int, int]:
    """Old turn index -> new turn index for the turns whose text is the same, in order (the
    longest common run of equal turns: a repeated "Yes." pairs with its own neighbours)."""
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    return {block.a + k: block.b + k for block in matcher.get_matching_blocks() for k in range(block.size)}


def replace_document(project: Project, resolver: SpeakerResolver, document: Document, path: Path,
                     attributes: dict[str, str], *, force: bool = False) -> Replacement:
    """Replace the project's document named like ``document`` with it (inside the caller's
    transaction); see the module documentation."""
    document_id = project.document_id(document.name)
    if document_id is None:
        raise InputError(f"no document {document.name!r} in the project to replace"
                         f"{did_you_mean(document.name, document_names(project))}; the new text must "
                         "have the name of the one it replaces (or ingest it without --replace)", path)
    old_text = project.document_text(document_id)
    old_turns = project.document_turns(document_id)
    codings = edits.document_codings(project, document_id)
    turn_map = match_turns([old_text[t["start"]:t["end"]] for t in old_turns],
                           [document.segment_text(seg) for seg in document.segments])
    kinds = coder_kinds(project)
    moved, lost = _move_codings([c for c in codings if c["coder_kind"] == "human"], old_text, old_turns,
                                document, turn_map)
    if lost and not force:
        raise InputError(f"the new text would drop {describe_codings(lost, documents=False)}, on turns "
                         f"that changed; {document.name} was not replaced (give --force to replace it "
                         "anyway)", path)
    coverage = [(coder, book, seg) for coder, book, seg in edits.document_coverage(project, document_id)
                if kinds.get(coder, "human") == "human"]
    result = Replacement(document.name, len(old_turns), len(document.segments), len(turn_map), len(moved),
                         sum(c["coder_kind"] == "machine" for c in codings), lost,
                         attribute_warnings(project, document.name, attributes, document_id))
    speakers = _old_speakers(project, document_id, attributes)
    edits.clear_document(project, document_id)
    edits.rewrite_document(project, document_id, document.text, document.format, document.sha256,
                           str(path), document.metadata)
    for key, value in attributes.items():
        edits.set_attribute(project, document_id, key, value)
    role = document_attributes(project).get(document_id, {}).get("role")
    result.stored = store_turns(project, resolver, document, document_id, role, speakers)
    new_ids = [t["segment_id"] for t in project.document_turns(document_id)]
    old_index = {t["segment_id"]: i for i, t in enumerate(old_turns)}
    edits.restore_codings(project, ({**c, "segment_id": None if c["segment_id"] is None else new_ids[j]}
                                    for c, j in moved))
    for (coder, book), segments in _group_coverage(coverage).items():
        project.add_coverage(coder, book, [new_ids[turn_map[old_index[s]]] for s in segments
                                           if old_index[s] in turn_map])
    return result


def _old_speakers(project: Project, document_id: int, attributes: dict[str, str]) -> dict[str, tuple]:
    """label (lower case) -> (participant row, role) of the document's speakers now; a role
    that came from the document's old ``role`` follows a new one given in ``attributes``."""
    before = document_attributes(project).get(document_id, {}).get("role")
    after = attributes.get("role", before)
    return {r["label"].casefold(): (r["participant_id"], after if r["role"] == before else r["role"])
            for r in edits.speaker_rows(project) if r["document_id"] == document_id}


def _move_codings(codings: list[dict], old_text: str, old_turns: list, document: Document,
                  turn_map: dict[int, int]) -> tuple[list[tuple[dict, int]], list[dict]]:
    """(coding at its new offsets, new turn index) for the codings whose turn kept its text
    (and whose whole coded text is the same at the new place), and the others, described
    for :func:`~qualcode.workflows.edit.describe_codings`."""
    starts = [t["start"] for t in old_turns]
    by_id = {t["segment_id"]: i for i, t in enumerate(old_turns)}
    moved, lost = [], []
    for coding in codings:
        i = by_id.get(coding["segment_id"], bisect_right(starts, coding["start"]) - 1)
        j = turn_map.get(i) if i >= 0 else None
        if j is not None:
            shift = document.segments[j].start - old_turns[i]["start"]
            start, end = coding["start"] + shift, coding["end"] + shift
            if start >= 0 and document.text[start:end] == old_text[coding["start"]:coding["end"]]:
                moved.append(({**coding, "start": start, "end": end}, j))
                continue
        lost.append({**coding, "document": document.name,
                     "turn": old_turns[i]["turn"] if i >= 0 else None})
    return moved, lost


def _group_coverage(rows: list[tuple[str, int, int]]) -> dict[tuple[str, int], list[int]]:
    grouped: dict[tuple[str, int], list[int]] = {}
    for coder, book, segment in rows:
        grouped.setdefault((coder, book), []).append(segment)
    return grouped
