"""What the corpus holds: documents, speakers by role, turns and words.

    >>> from qualcode.store.project import open_project
    >>> from qualcode.analysis.corpus import summarize, segments_table
    >>> with open_project("study.qcproj") as project:
    ...     summary = summarize(project)           # what `qualcode info` prints
    ...     turns = segments_table(project)        # what `qualcode export segments` writes
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from qualcode.analysis.selection import NO_VALUE
from qualcode.core.pseudonyms import pseudonymize_speakers
from qualcode.store.frames import DOCUMENT_COLUMNS, SEGMENT_COLUMNS, documents_frame, segments_frame
from qualcode.store.project import Project
from qualcode.store.queries import participants_by_document, role_rank, turns_by_role
from qualcode.core.roles import FACILITATOR


@dataclass
class ProjectSummary:
    """counts: documents, participants, turns, words, codings; documents:
    :func:`~qualcode.store.frames.documents_frame`; roles:
    :func:`~qualcode.store.queries.turns_by_role`;
    codebooks: ``Project.codebooks_frame()``."""

    counts: dict[str, int]
    documents: pd.DataFrame
    roles: pd.DataFrame
    codebooks: pd.DataFrame


def summarize(project: Project) -> ProjectSummary:
    """Documents, speakers by role, turn and word counts, codebooks."""
    return ProjectSummary(project.counts(), documents_frame(project), turns_by_role(project, NO_VALUE),
                          project.codebooks_frame())


def segments_table(project: Project, include_facilitators: bool = True,
                   real_names: bool = False) -> pd.DataFrame:
    """One row per turn, the columns researchers expect in a turn listing.  ``speaker`` is
    the participant id and role (``S01 (scholar)``) unless ``real_names``."""
    frame = segments_frame(project, include_facilitators=include_facilitators)
    turn_attributes = [c for c in frame.columns if c not in SEGMENT_COLUMNS]
    frame = frame[["document", "turn", "speaker", "participant", "role", *turn_attributes, "start", "end",
                   "time_start", "time_end", "text"]]
    return pseudonymize_speakers(frame, real_names)


def corpus_tables(project: Project) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(documents, roles), aggregated in SQL without reading the turns.

    documents: per document its own attributes, participants (facilitators left out), turns,
    words; roles: per role (in :data:`~qualcode.store.queries.ROLE_ORDER`) the
    participants, turns and words."""
    documents = documents_frame(project)
    attrs = [c for c in documents.columns if c not in DOCUMENT_COLUMNS]   # not the turns' own
    documents = documents[["document", *attrs, "turns", "words"]].merge(
        participants_by_document(project, FACILITATOR), on="document", how="left")
    documents["participants"] = documents["participants"].fillna(0).astype(int)
    documents = documents[["document", *attrs, "participants", "turns", "words"]]
    roles = turns_by_role(project, NO_VALUE)
    roles = roles.sort_values("role", key=lambda s: s.map(role_rank))
    return documents.fillna(""), roles.reset_index(drop=True)
