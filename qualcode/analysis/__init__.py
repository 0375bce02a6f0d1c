"""Counts, comparisons and quote tables: pure functions over pandas frames.

    >>> from qualcode.store import open_project
    >>> from qualcode.analysis import load_frames, counts_by, compare_groups, excerpts_table
    >>> with open_project("study.qcproj") as project:
    ...     frames = load_frames(project)
    >>> counts_by(frames, by="role")               # one row per code and role
    >>> compare_groups(frames, by="role")          # scholar vs mentor, Fisher + Holm
    >>> excerpts_table(frames, theme="power_differential", role="mentor")

Nothing here prints, writes files or exits; writers live in :mod:`qualcode.export`.
"""

from qualcode.analysis.compare import (benjamini_hochberg, compare_counts, compare_display,
                                       compare_groups, default_pair, fisher_p, holm,
                                       newcombe_interval, wilson_interval)
from qualcode.analysis.counts import counts_by, counts_display, counts_wide
from qualcode.analysis.excerpts import exemplar_quotes, excerpts_table, format_time, position_label
from qualcode.analysis.frames import CorpusFrames, load_frames
from qualcode.analysis.selection import CodeTree, Selection, select_codings

__all__ = [
    "CorpusFrames", "load_frames", "Selection", "select_codings", "CodeTree",
    "counts_by", "counts_wide", "counts_display",
    "compare_groups", "compare_counts", "compare_display", "default_pair",
    "wilson_interval", "newcombe_interval", "fisher_p", "holm", "benjamini_hochberg",
    "excerpts_table", "exemplar_quotes", "format_time", "position_label",
]
