"""Counts, comparisons, quote tables, agreement and the report's numbers, from an open project.

    >>> from qualcode.store.project import open_project
    >>> from qualcode.analysis import counts_by, compare_groups, excerpts_table
    >>> with open_project("study.qcproj") as project:
    ...     counts_by(project, by="role")               # one row per code and role
    ...     compare_groups(project, by="role")          # scholar vs mentor, Fisher + Holm
    ...     excerpts_table(project, theme="power_differential", role="mentor")

One engine: every function reads the project through :mod:`qualcode.store.queries`.
Counts are aggregated by SQLite and quotes streamed from one sorted query
(:func:`qualcode.analysis.excerpts.iter_excerpts`), so memory does not grow with the
number of codings.  Whole tables, to explore in pandas, are in :mod:`qualcode.store.frames`.

Nothing here prints, writes files or exits; writers live in :mod:`qualcode.export`.
"""

import importlib

#: Where each public name lives; imported on first use, so ``qualcode info`` (which needs
#: only the corpus summary) does not load SciPy for the comparisons.
_HOMES = {
    "qualcode.analysis.compare": ["compare_groups", "compare_counts", "compare_display", "default_pair",
                                  "wilson_interval", "newcombe_interval", "fisher_p", "holm",
                                  "benjamini_hochberg"],
    "qualcode.analysis.corpus": ["summarize", "segments_table", "corpus_tables"],
    "qualcode.analysis.counts": ["counts_by", "counts_wide", "counts_display"],
    "qualcode.analysis.excerpts": ["excerpts_table", "iter_excerpts", "ExcerptRows", "exemplar_rows",
                                   "format_time", "position_label"],
    "qualcode.analysis.report": ["ReportData", "report_data"],
    "qualcode.analysis.selection": ["Selection", "select_codings", "CodeTree"],
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}
__all__ = list(_HOME)


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module 'qualcode.analysis' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOME[name]), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
