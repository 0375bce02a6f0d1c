"""Project-level jobs a notebook user or the CLI calls: ingest, summarise, list turns.

    >>> from qualcode.store.project import open_project
    >>> from qualcode.workflows.ingest import ingest
    >>> with open_project("study.qcproj", create=True) as project:
    ...     result = ingest(project, ["group1.docx"], attributes={"role": "scholar"})
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from qualcode.core.errors import InputError
from qualcode.ingest import read_document
from qualcode.ingest.manifest import read_manifest, read_speakers
from qualcode.core.pseudonyms import pseudonymize_speakers
from qualcode.store.participants import SpeakerResolver
from qualcode.store.frames import documents_frame, segments_frame, speakers_frame
from qualcode.store.project import Project, count_words


@dataclass
class IngestResult:
    added: list[dict] = field(default_factory=list)      # name, turns, speakers, words
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, name already in project)
    warnings: list[str] = field(default_factory=list)


def plan_files(paths: Iterable[str | Path], manifest: str | Path | None,
               attributes: dict[str, str] | None) -> list[tuple[Path, dict[str, str]]]:
    """Which files to read, each with its attributes (manifest values beat ``attributes``)."""
    common = dict(attributes or {})
    per_file: dict[Path, dict[str, str]] = {}
    order: list[Path] = []
    if manifest is not None:
        for entry in read_manifest(manifest):
            key = entry.path.resolve()
            per_file[key] = entry.attributes
            order.append(entry.path)
    given = [Path(p) for p in paths]
    files = given if given else order
    if not files:
        raise InputError("no files to ingest: give transcript files, a --manifest, or both")
    planned, seen = [], set()
    for path in files:
        key = path.resolve()
        if key in seen:
            continue
        seen.add(key)
        planned.append((path, {**common, **per_file.get(key, {})}))
    return planned


def ingest(project: Project, paths: Iterable[str | Path] = (), *, attributes: dict[str, str] | None = None,
           manifest: str | Path | None = None, speakers: str | Path | None = None,
           fmt: str | None = None, reader_options: dict | None = None,
           progress: Callable[[Path], None] | None = None) -> IngestResult:
    """Read transcripts into the project, all or nothing.

    A file whose normalized content is already in the project is skipped and
    reported, not duplicated.  Any error rolls back every file of this call.
    """
    planned = plan_files(paths, manifest, attributes)
    assignments = read_speakers(speakers) if speakers is not None else []
    resolver = SpeakerResolver(project, assignments, source=str(speakers) if speakers else None)
    result = IngestResult()
    labels_by_document: dict[str, set[str]] = {}
    with project.transaction():
        for path, attrs in planned:
            if progress is not None:
                progress(path)
            document = read_document(path, fmt, **(reader_options or {}))
            existing = project.document_by_hash(document.sha256)
            if existing is not None:
                result.skipped.append((str(path), existing))
                continue
            if project.document_id(document.name) is not None:
                raise InputError(f"a different document named {document.name!r} is already in the "
                                 "project; rename the file to ingest it too", path)
            doc_id = project.add_document(document.name, document.text, document.format,
                                          document.sha256, str(path), document.metadata, attrs)
            speaker_rows: dict[str, int] = {}
            for label in dict.fromkeys(seg.speaker for seg in document.segments):
                resolved = resolver.resolve(document.name, label, attrs.get("role"))
                speaker_rows[label] = project.add_speaker(doc_id, label, resolved.participant_row,
                                                          resolved.role)
            labels_by_document[document.name] = {label.casefold() for label in speaker_rows}
            words = 0
            rows = []
            for seg in document.segments:
                n = count_words(document.segment_text(seg))
                words += n
                rows.append((seg.index, speaker_rows[seg.speaker], seg.start, seg.end,
                             seg.time_start, seg.time_end, seg.line, n))
            project.add_segments(doc_id, rows)
            result.added.append({"name": document.name, "turns": len(rows),
                                 "speakers": len(speaker_rows), "words": words})
    for unused in resolver.unused_assignments(set(labels_by_document), labels_by_document):
        where = unused.document or "any ingested document"
        result.warnings.append(f"{speakers}, line {unused.line}: speaker {unused.label!r} "
                               f"not found in {where}")
    return result


@dataclass
class ProjectSummary:
    counts: dict[str, int]
    documents: pd.DataFrame
    roles: pd.DataFrame
    codebooks: pd.DataFrame


def summarize(project: Project) -> ProjectSummary:
    """Documents, speakers by role, turn and word counts."""
    speakers = speakers_frame(project)
    if speakers.empty:
        roles = pd.DataFrame(columns=["role", "participants", "turns", "words"])
    else:
        speakers = speakers.assign(role=speakers["role"].fillna("(none)"))
        roles = (speakers.groupby("role", sort=True)
                 .agg(participants=("participant", "nunique"), turns=("turns", "sum"),
                      words=("words", "sum"))
                 .reset_index())
    return ProjectSummary(project.counts(), documents_frame(project), roles, project.codebooks_frame())


def segments_table(project: Project, include_facilitators: bool = True,
                   real_names: bool = False) -> pd.DataFrame:
    """One row per turn, the columns researchers expect in a turn listing.  ``speaker`` is
    the participant id and role (``S01 (scholar)``) unless ``real_names``."""
    frame = segments_frame(project, include_facilitators=include_facilitators)
    frame = frame[["document", "turn", "speaker", "participant", "role", "start", "end",
                   "time_start", "time_end", "text"]]
    return pseudonymize_speakers(frame, real_names)
