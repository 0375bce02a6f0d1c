"""Writers: build rows (pandas frames) first, then format them into files."""

from qualcode.core.files import atomic_output
from qualcode.export.files import write_table

__all__ = ["atomic_output", "write_table"]
