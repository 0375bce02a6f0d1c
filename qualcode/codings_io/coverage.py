"""Read what the agreement statistics need from a project: the analysis frames plus the
coverage table (which turns each coder read with which codebook)."""

from __future__ import annotations

import pandas as pd

from qualcode.analysis.frames import CorpusFrames, load_frames
from qualcode.store import Project


def load_agreement_frames(project: Project) -> tuple[CorpusFrames, pd.DataFrame]:
    """(frames, coverage) for :func:`qualcode.analysis.agreement.prepare_agreement`."""
    return load_frames(project), project.coverage_frame()
