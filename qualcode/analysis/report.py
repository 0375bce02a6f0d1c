"""The numbers and tables of the committee report, without any of its Word.

    >>> from qualcode.store.project import open_project
    >>> from qualcode.analysis.report import report_data
    >>> with open_project("study.qcproj") as project:
    ...     data = report_data(project, by="role", coder="rules")
    >>> data.comparison          # the table compare prints, or None (see data.notes)

:func:`qualcode.export.report.write_report` renders the same data as a Word document.
Everything is aggregated in SQL and the exemplar quotes are picked from a stream, so
memory holds what the report shows, not the codings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from qualcode.analysis.alignment import Alignment, pairs_alignment
from qualcode.analysis.compare import compare_counts, default_pair
from qualcode.analysis.corpus import corpus_tables
from qualcode.analysis.counts import TOTAL, counts_by
from qualcode.analysis.excerpts import exemplar_rows, iter_excerpts
from qualcode.analysis.quotes import QuoteContext
from qualcode.analysis.selection import CodeTree, Selection, left_out, select_codings
from qualcode.core.errors import SelectionError
from qualcode.store.project import Project
from qualcode.store.queries import speaking_participants


@dataclass
class ReportData:
    """What the report shows, section by section."""

    project: str                       # the project file's name
    selection: Selection               # the codings every section uses
    tree: CodeTree                     # the codebook section
    documents: pd.DataFrame            # corpus: see corpus_tables
    roles: pd.DataFrame
    participants: int                  # distinct participants with a turn
    by: str                            # the grouping of counts and comparison
    counts: pd.DataFrame               # counts_by(..., total=True)
    comparison: pd.DataFrame | None    # compare_counts of the two groups; None: see no_comparison
    no_comparison: str | None          # why there is no comparison
    exemplars: pd.DataFrame            # exemplar_rows: a few quotes per code
    excerpts: int                      # how many quotes the exemplars were picked from
    per_code: int                      # quotes per code asked for
    notes: list[str] = field(default_factory=list)  # what was left out, and why
    alignment: Alignment | None = None  # within scholar-mentor pairs, when a pairs file is given
    left_out: str = "facilitators and unidentified voices"  # whose turns no count includes


def report_data(project: Project, *, by: str = "role", a: str | None = None, b: str | None = None,
                codebook: str | int | None = None, coder: str | None = None,
                status: tuple[str, ...] | None = None, exemplars: int = 3, real_names: bool = False,
                pairs: str | Path | None = None, include_unidentified: bool = False,
                context: QuoteContext | None = None) -> ReportData:
    """Every figure and table of the report, with the CLI's selection rules.

    ``a``/``b``: the groups compared (default with ``by="role"``: scholar and mentor);
    a comparison that cannot be made is left out with a note, not an error.
    ``exemplars``: quotes per code; ``real_names`` names speakers by their labels;
    ``context``: how much of a turn a quote shows (:class:`~qualcode.analysis.quotes.QuoteContext`).
    Facilitators, and voices that name nobody unless ``include_unidentified``, are in no count.
    ``pairs``: a pairs file, for the alignment within scholar-mentor pairs
    (:mod:`qualcode.analysis.alignment`)."""
    choice = dict(codebook=codebook, coder=coder, status=status)
    selection = select_codings(project, **choice)
    tree = CodeTree.for_selection(project, selection)
    counts = counts_by(project, by, total=True, include_unidentified=include_unidentified, **choice)
    alignment = None if pairs is None else pairs_alignment(project, pairs, real_names=real_names, **choice)
    documents, roles = corpus_tables(project)
    comparison, missing, notes = None, None, []
    try:
        pair = default_pair([g for g in counts["group"].unique() if g != TOTAL], by, a, b)
    except SelectionError as exc:
        missing = str(exc)
        notes.append(f"comparison left out: {exc}")
    else:
        comparison = compare_counts(counts[counts["group"] != TOTAL], *pair)
    chosen, quoted = exemplar_rows(iter_excerpts(project, real_names=real_names, context=context,
                                                 include_unidentified=include_unidentified, **choice),
                                   per_code=exemplars)
    return ReportData(project.path.name, selection, tree, documents, roles, speaking_participants(project),
                      by, counts, comparison, missing, chosen, quoted, exemplars, notes, alignment,
                      left_out(False, include_unidentified))
