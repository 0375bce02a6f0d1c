"""Tables written as CSV or Excel, within the limits Excel can open.

Every writer goes through :func:`qualcode.core.files.atomic_output`, so a failure never
leaves a half-written output behind.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from qualcode.core.errors import SelectionError
from qualcode.core.files import TABLE_SUFFIXES, atomic_output, table_format

EXCEL_MAX_ROWS = 1_048_576  # rows an Excel sheet holds, the header row included


def too_many_rows(sheet: str, path: str | Path | None) -> SelectionError:
    """The error for a sheet that would hold more rows than Excel opens."""
    return SelectionError(f"sheet {sheet!r} would hold more than {EXCEL_MAX_ROWS - 1:,} rows, the most "
                          "Excel opens: write .csv instead, or select fewer rows", path)


def write_table(frame: pd.DataFrame, path: str | Path, sheet_name: str = "data") -> Path:
    """Write one table as CSV (UTF-8 with BOM, so Excel reads accents) or XLSX."""
    suffix = table_format(path)
    if suffix == ".xlsx" and len(frame) >= EXCEL_MAX_ROWS:
        raise too_many_rows(sheet_name[:31], path)
    with atomic_output(path) as tmp:
        if suffix == ".csv":
            frame.to_csv(tmp, index=False, encoding="utf-8-sig")
        else:
            with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
                frame.to_excel(writer, index=False, sheet_name=sheet_name[:31])
                sheet = writer.sheets[sheet_name[:31]]
                sheet.freeze_panes = "A2"
                sheet.auto_filter.ref = sheet.dimensions
    return Path(path)
