"""Read what the agreement statistics need from a project: the analysis frames plus the
coverage table (which turns each coder read with which codebook)."""

from __future__ import annotations

import pandas as pd

from qualcode.analysis.frames import CorpusFrames, load_frames
from qualcode.store.frames import coverage_frame
from qualcode.store.project import Project


def load_agreement_frames(project: Project) -> tuple[CorpusFrames, pd.DataFrame]:
    """(frames, coverage) for :func:`qualcode.analysis.agreement.prepare_agreement`.

    The frames' codings are :meth:`~qualcode.store.project.Project.coding_decisions_frame`: no
    excerpt text, no evidence (most of a large project's codings frame), which agreement
    never reads; the turns keep their text, for the disagreement listing."""
    return load_frames(project, excerpts=False), coverage_frame(project)
