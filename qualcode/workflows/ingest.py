"""Ingest: transcripts into the project, all or nothing (names replaced by pseudonyms if asked).

    >>> from qualcode.store.project import open_project
    >>> from qualcode.workflows.ingest import ingest
    >>> with open_project("study.qcproj", create=True) as project:
    ...     result = ingest(project, ["group1.docx"], attributes={"role": "scholar"}, redact=True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from qualcode.core.errors import InputError, ParameterError
from qualcode.ingest import ReadOptions, load_label_words, read_guide_file, read_transcript
from qualcode.ingest.manifest import read_manifest, read_speakers
from qualcode.store.participants import SpeakerResolver
from qualcode.core.models import Document
from qualcode.store.names import NameEntry
from qualcode.store.project import Project
from qualcode.workflows.documents import StoredTurns, store_turns
from qualcode.workflows.edit import attribute_warnings
from qualcode.workflows.redact import RedactionPlan, redact_project
from qualcode.workflows.replace import Replacement, replace_document


@dataclass
class IngestResult:
    added: list[dict] = field(default_factory=list)      # name, turns, speakers, words, report
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, name already in project)
    repeated: list[str] = field(default_factory=list)    # files named more than once in this call
    warnings: list[str] = field(default_factory=list)
    replaced: list[Replacement] = field(default_factory=list)  # with replace=True
    redaction: RedactionPlan | None = None  # with redact=True: what the redaction changed


def plan_files(paths: Iterable[str | Path], manifest: str | Path | None,
               attributes: dict[str, str] | None) -> list[tuple[Path, dict[str, str]]]:
    """Which files to read, each with its attributes (manifest values beat ``attributes``);
    a file named twice is read once (:func:`repeated_files` names them)."""
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


def repeated_files(paths: Iterable[str | Path]) -> list[str]:
    """The files named more than once (each once, as first written), which are read once."""
    seen, repeated = set(), []
    for path in map(Path, paths):
        key = path.resolve()
        if key in seen and str(path) not in repeated:
            repeated.append(str(path))
        seen.add(key)
    return repeated


def reading_options(labels: Iterable[str | Path] = (), guide: str | Path | None = None,
                    unlabelled_speaker: str | None = None, unlabelled_role: str | None = None) -> ReadOptions:
    """How to read the transcripts: label words (the shipped ones, ``$QUALCODE_LABELS`` and
    ``labels``), a discussion guide, and who says unlabelled paragraphs."""
    words = load_label_words(labels)
    return ReadOptions(words=words, guide=read_guide_file(guide, words) if guide is not None else None,
                       unlabelled_speaker=unlabelled_speaker,
                       unlabelled_role=unlabelled_role.casefold() if unlabelled_role else None)


def ingest(project: Project, paths: Iterable[str | Path] = (), *, attributes: dict[str, str] | None = None,
           manifest: str | Path | None = None, speakers: str | Path | None = None,
           fmt: str | None = None, reader_options: dict | None = None,
           reading: ReadOptions | None = None, replace: bool = False, force: bool = False,
           redact: bool = False, names: Iterable[NameEntry] = (),
           progress: Callable[[int, int, Path], None] | None = None) -> IngestResult:
    """Read transcripts into the project, all or nothing.

    A file whose normalized content is already in the project is skipped and
    reported, not duplicated; a file named twice is read once and reported.  Any error
    rolls back every file of this call.  ``reading``: :func:`reading_options`.  Each added
    document comes with its reader's report (``report``: what was taken as header, legend,
    questions, unlabelled paragraphs).  An attribute value that looks like a slip of one
    the project has (``mentors`` beside ``mentor``) is stored, with a warning.  With
    ``replace``, each file replaces the document of the same name
    (:func:`~qualcode.workflows.replace.replace_document`; ``force`` lets it drop human
    codings on turns that changed).  With ``redact``, participants' names in the new and
    replaced documents (and ``names``, from :func:`~qualcode.store.names.read_names`) become
    their pseudonyms, as :func:`~qualcode.workflows.redact.redact_project` does, in the same
    transaction.  ``progress(number, total, path)`` is called before each file is read
    (numbers from 1).
    """
    paths, names = list(paths), list(names)
    if names and not redact:
        raise ParameterError("names to replace are used only when redacting (redact=True)")
    planned = plan_files(paths, manifest, attributes)
    assignments = read_speakers(speakers) if speakers is not None else []
    resolver = SpeakerResolver(project, assignments, source=str(speakers) if speakers else None)
    result = IngestResult(repeated=repeated_files(paths))
    labels_by_document: dict[str, set[str]] = {}
    with project.transaction():
        for number, (path, attrs) in enumerate(planned, start=1):
            if progress is not None:
                progress(number, len(planned), path)
            read = read_transcript(path, fmt, options=reading, **(reader_options or {}))
            existing = project.document_by_hash(read.document.sha256)
            if existing is not None:
                result.skipped.append((str(path), existing))
                continue
            if replace:
                replaced = replace_document(project, resolver, read.document, path, attrs, force=force)
                stored, replaced.report = replaced.stored, read.report
                result.replaced.append(replaced)
                result.warnings += replaced.warnings
            else:
                result.warnings += attribute_warnings(project, read.document.name, attrs)
                stored = _add_document(project, resolver, read.document, path, attrs)
                result.added.append({**stored.summary, "report": read.report})
            labels_by_document[read.document.name] = {label.casefold() for label in stored.labels}
            if stored.share_warning is not None:
                read.report.warnings.append(stored.share_warning)
            result.warnings += read.report.warnings
        if redact:
            documents = [item["name"] for item in result.added] + [item.document for item in result.replaced]
            result.redaction = redact_project(project, names, documents=documents)
    for unused in resolver.unused_assignments(set(labels_by_document), labels_by_document):
        where = unused.document or "any ingested document"
        result.warnings.append(f"{speakers}, line {unused.line}: speaker {unused.label!r} "
                               f"not found in {where}")
    return result


def _add_document(project: Project, resolver: SpeakerResolver, document: Document, path: Path,
                  attrs: dict) -> StoredTurns:
    """Store one read document with its speakers, turns and turn attributes."""
    if project.document_id(document.name) is not None:
        raise InputError(f"a different document named {document.name!r} is already in the "
                         "project; rename the file to ingest it too (or give --replace to replace it)",
                         path)
    doc_id = project.add_document(document.name, document.text, document.format,
                                  document.sha256, str(path), document.metadata, attrs)
    return store_turns(project, resolver, document, doc_id, attrs.get("role"))
