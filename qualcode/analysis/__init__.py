"""Counts, comparisons and quote tables, from an open project or from pandas frames.

    >>> from qualcode.store.project import open_project
    >>> from qualcode.analysis import load_frames, counts_by, compare_groups, excerpts_table
    >>> with open_project("study.qcproj") as project:
    ...     counts_by(project, by="role")               # one row per code and role
    ...     compare_groups(project, by="role")          # scholar vs mentor, Fisher + Holm
    ...     excerpts_table(project, theme="power_differential", role="mentor")
    ...     frames = load_frames(project)               # everything as frames, to edit
    >>> counts_by(frames, by="role")                    # the same table from the frames

Given a project, counts are aggregated by SQLite and quotes streamed from one sorted
query (:func:`qualcode.analysis.excerpts.iter_excerpts`), so memory does not grow with
the number of codings; given :class:`CorpusFrames`, the same functions work on the
frames (a notebook user may filter or edit them first) and give the same tables.

Nothing here prints, writes files or exits; writers live in :mod:`qualcode.export`.
"""

from qualcode.analysis.compare import (benjamini_hochberg, compare_counts, compare_display,
                                       compare_groups, default_pair, fisher_p, holm,
                                       newcombe_interval, wilson_interval)
from qualcode.analysis.counts import counts_by, counts_display, counts_wide
from qualcode.analysis.excerpts import (ExcerptRows, exemplar_quotes, exemplar_rows, excerpts_table,
                                        format_time, iter_excerpts, position_label)
from qualcode.analysis.frames import CorpusFrames, load_frames
from qualcode.analysis.selection import CodeTree, Selection, select_codings, select_from_project

__all__ = [
    "CorpusFrames", "load_frames", "Selection", "select_codings", "select_from_project", "CodeTree",
    "counts_by", "counts_wide", "counts_display",
    "compare_groups", "compare_counts", "compare_display", "default_pair",
    "wilson_interval", "newcombe_interval", "fisher_p", "holm", "benjamini_hochberg",
    "excerpts_table", "iter_excerpts", "ExcerptRows", "exemplar_quotes", "exemplar_rows",
    "format_time", "position_label",
]
