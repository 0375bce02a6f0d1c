"""The documents of a REFI-QDA file in a project: a document the project already holds (the
same text, also with "\r\n" line ends or pseudonyms on its label lines) is reused with its
selections moved onto the stored text; a new one is added with its turns (from the file's
cases when they point at selections, else found in the text) and its speakers."""

from __future__ import annotations

import re
from pathlib import Path

from qualcode.core.errors import InputError
from qualcode.core.models import content_hash
from qualcode.core.pseudonyms import label_line_spans, relabelled_offsets
from qualcode.core.spans import OffsetMap
from qualcode.exchange.refi.model import RefiProject
from qualcode.exchange.refi.sources import PreparedSource, attribute_name
from qualcode.exchange.refi.turns import FoundTurn, find_turns, label_before
from qualcode.ingest.manifest import SpeakerAssignment
from qualcode.store.frames import segments_frame
from qualcode.store.participants import SpeakerResolver
from qualcode.store.project import Project, count_words

_PSEUDONYM = re.compile(r"^[A-Z]{1,3}\d{1,4}$")


def reserve_case_pseudonyms(project: Project, refi: RefiProject, resolver: SpeakerResolver) -> None:
    """Every case's pseudonym is reserved before any document is read, so a speaker without a
    case in an earlier document is never numbered with an id a later document's case holds."""
    for case in refi.cases:
        found = project.participant_by_pid(case.name)
        if _PSEUDONYM.match(case.name) and (found is None or found[1] == f"id:{case.name}"):
            resolver.reserved.add(case.name)


def write_document(project: Project, path: Path, refi: RefiProject, item: PreparedSource,
                   resolver: SpeakerResolver, role_variable: str) -> tuple[str, int, int | None]:
    """The document of ``item`` as (name, id, turns added): the project's own when it has the
    same text (its selections' positions moved onto the stored text if needed; no turns
    added: None), else added with its turns."""
    sha = content_hash(item.text)
    existing = project.document_by_hash(sha)
    same_name = project.document_id(item.name)
    if existing is None and same_name is not None:
        back = way_back(project, same_name, item.name, item.text)
        if back is not None:
            # the document went out with "\n" line ends and came back with "\r\n" (NVivo),
            # or went out with pseudonyms on its label lines: the same text, so its
            # positions are moved onto the stored text
            existing = item.name
            item.spans = {g: back.span(lf_position(item.text, a), lf_position(item.text, b))
                          for g, (a, b) in item.spans.items()}
    if existing is not None:
        return existing, project.document_id(existing), None
    if same_name is not None:
        raise InputError(f"a different document named {item.name!r} is already in the project "
                         "(its text differs); import the file into another project", path)
    doc_id = project.add_document(item.name, item.text, "refi", sha, f"{path.name}:{item.name}",
                                  {}, item.attributes)
    turns = add_turns(project, resolver, refi, item, doc_id, role_variable,
                      item.attributes.get(attribute_name(role_variable)))
    return item.name, doc_id, turns


def turns_from_cases(refi: RefiProject, item: PreparedSource):
    """[(FoundTurn, case)] from cases' SelectionRefs into this source, in text order."""
    by_selection = {}
    for case in refi.cases:
        for sel in case.selections:
            by_selection[sel] = case
    chosen = []
    for selection in item.source.selections:
        case = by_selection.get(selection.guid)
        if case is not None and selection.guid in item.spans:
            start, end = item.spans[selection.guid]
            chosen.append((start, end, case, selection.line))
    chosen.sort(key=lambda c: (c[0], c[1]))
    out, last_end = [], -1
    for start, end, case, line in chosen:
        if start < last_end:
            continue  # overlapping turn selections: keep the first
        label = label_before(item.text, start) or case.name
        out.append((FoundTurn(label, start, end, item.text.count("\n", 0, start) + 1), case))
        last_end = end
    return out


def add_turns(project: Project, resolver: SpeakerResolver, refi: RefiProject, item: PreparedSource,
               doc_id: int, role_variable: str, document_role: str | None) -> int:
    from_cases = turns_from_cases(refi, item)
    assignments = resolver.assignments
    if from_cases:
        turns = [t for t, _ in from_cases]
        for turn, case in from_cases:
            role = next((v for k, v in case.variables.items() if k.casefold() == role_variable.casefold()),
                        None)
            found = project.participant_by_pid(case.name)
            free = found is None or found[1] == f"id:{case.name}"
            pid = case.name if _PSEUDONYM.match(case.name) and free else None
            label = turn.speaker.casefold()
            if any(a.document == item.name and a.label.casefold() == label for a in assignments):
                continue
            assignments.append(SpeakerAssignment(item.name, turn.speaker, pid,
                                                 role.casefold() if role else None, case.line or 0))
            if pid:
                resolver.reserved.add(pid)
    else:
        turns = find_turns(item.text)
    speakers: dict[str, int] = {}
    rows = []
    for index, turn in enumerate(turns):
        if turn.speaker not in speakers:
            resolved = resolver.resolve(item.name, turn.speaker, document_role)
            speakers[turn.speaker] = project.add_speaker(doc_id, turn.speaker, resolved.participant_row,
                                                         resolved.role)
        rows.append((index, speakers[turn.speaker], turn.start, turn.end, None, None, turn.line,
                     count_words(item.text[turn.start:turn.end])))
    project.add_segments(doc_id, rows)
    return len(rows)


def lf_position(text: str, position: int) -> int:
    """``position`` in ``text`` as it falls once every "\r\n" of ``text`` is "\n"."""
    return position - text.count("\r\n", 0, position) - (text[position - 1:position + 1] == "\r\n")


def way_back(project: Project, doc_id: int, name: str, text: str) -> OffsetMap | None:
    """When ``text`` is the stored text of document ``name`` as a qualcode export writes it,
    with "\n" or "\r\n" line ends and the turns' labels as written or as pseudonyms (from
    whichever project exported it): the map from its ("\n") offsets to the stored text's."""
    text = text.replace("\r\n", "\n")
    stored = project.document_text(doc_id)
    if text == stored:
        return OffsetMap()
    segments = segments_frame(project, document=name, text=False)
    spans = label_line_spans(stored, zip(segments["start"], segments["speaker"]))
    return relabelled_offsets(stored, spans, text)
