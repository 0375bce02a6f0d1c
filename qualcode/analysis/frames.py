"""The frames every analysis can work on, bundled.

Counts, comparisons, quote tables and the report take either an open project (read
with SQL aggregates and streams: what the exports use) or these frames, so a notebook
user can filter or edit them (or build them by hand) and call the same functions.
Loading them holds every coding and turn in memory.

    >>> from qualcode.store.project import open_project
    >>> from qualcode.analysis import load_frames, counts_by
    >>> with open_project("study.qcproj") as project:
    ...     frames = load_frames(project)
    >>> counts_by(frames, by="role")
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from qualcode.store.frames import (SEGMENT_COLUMNS, coding_decisions_frame, codings_frame, documents_frame,
                                   segments_frame)
from qualcode.store.queries import attribute_keys

#: Columns of ``documents_frame(Project)`` that are not document attributes.
DOCUMENT_COLUMNS = ("document_id", "document", "format", "source", "ingested_at", "turns", "words")


@dataclass
class CorpusFrames:
    """The project as frames (see :class:`qualcode.store.project.Project` for their columns).

    codings:   ``codings_frame(Project)`` - one row per coding
    segments:  ``segments_frame(Project)`` - one row per turn, facilitators included
    documents: ``documents_frame(Project)`` - one row per document, attributes as columns
    codes:     ``Project.codes_frame()`` - every codebook's codes with parent and theme
    codebooks: ``Project.codebooks_frame()``
    """

    codings: pd.DataFrame
    segments: pd.DataFrame
    documents: pd.DataFrame
    codes: pd.DataFrame
    codebooks: pd.DataFrame
    name: str = ""

    @property
    def attribute_names(self) -> list[str]:
        """Attribute columns of documents (site, group, role...) and of turns (question), sorted
        as :func:`project_attributes` gives them."""
        return sorted({*self.document_attribute_names, *self.turn_attribute_names})

    @property
    def document_attribute_names(self) -> list[str]:
        return [c for c in self.documents.columns if c not in DOCUMENT_COLUMNS]

    @property
    def turn_attribute_names(self) -> list[str]:
        """Turn attribute columns of the segments (``question``)."""
        return [c for c in self.segments.columns if c not in SEGMENT_COLUMNS]


def project_attributes(project) -> list[str]:
    """A project's attribute names (of documents and of turns), in the order
    :attr:`CorpusFrames.attribute_names` gives them, read without loading any frame."""
    return [k for k in attribute_keys(project) if k not in DOCUMENT_COLUMNS]


def is_frames(source) -> bool:
    """True for :class:`CorpusFrames`; anything else is taken for an open project."""
    return isinstance(source, CorpusFrames)


def load_frames(project, *, excerpts: bool = True) -> CorpusFrames:
    """Read everything the analyses need from an open :class:`~qualcode.store.project.Project`.

    ``excerpts=False`` reads the codings without their excerpt text and evidence
    (``coding_decisions_frame(Project)``): enough for agreement, and much smaller."""
    return CorpusFrames(
        codings=codings_frame(project) if excerpts else coding_decisions_frame(project),
        segments=segments_frame(project, include_facilitators=True),
        documents=documents_frame(project),
        codes=project.codes_frame(),
        codebooks=project.codebooks_frame(),
        name=getattr(project, "path", None).name if getattr(project, "path", None) else "",
    )
