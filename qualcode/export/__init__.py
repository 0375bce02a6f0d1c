"""Writers: build rows (pandas frames) first, then format them into files."""

from qualcode.export.files import atomic_output, write_table

__all__ = ["atomic_output", "write_table"]
