"""Human codings in and out: coding sheets (CSV/XLSX), their import, and review of machine codings.

    >>> from qualcode.store.project import open_project
    >>> from qualcode.exchange.sheets import import_codings, coding_sheet_frame, write_coding_sheet
    >>> with open_project("study.qcproj") as project:
    ...     result = import_codings(project, "alice.xlsx", coder="alice")
    >>> result.codings, result.turns_covered

Nothing here prints or exits: problems raise :class:`~qualcode.core.errors.QualcodeError`.
"""

from qualcode.exchange.sheets.importing import ImportResult, import_codings, read_codings
from qualcode.exchange.sheets.sheet import coding_sheet_frame, write_coding_sheet

__all__ = ["ImportResult", "import_codings", "read_codings", "coding_sheet_frame",
           "write_coding_sheet"]
