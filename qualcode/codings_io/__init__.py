"""Human codings in and out: coding sheets (CSV/XLSX), their import, and review of machine codings.

    >>> from qualcode.store import open_project
    >>> from qualcode.codings_io import import_codings, coding_sheet_frame, write_coding_sheet
    >>> with open_project("study.qcproj") as project:
    ...     result = import_codings(project, "alice.xlsx", coder="alice")
    >>> result.codings, result.turns_covered

Nothing here prints or exits: problems raise :class:`~qualcode.errors.QualcodeError`.
"""

from qualcode.codings_io.importing import ImportResult, import_codings, read_codings
from qualcode.codings_io.sheet import coding_sheet_frame, write_coding_sheet

__all__ = ["ImportResult", "import_codings", "read_codings", "coding_sheet_frame",
           "write_coding_sheet"]
