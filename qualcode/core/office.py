"""Office files (.docx, .xlsx) are zip archives: the guard every reader runs before a
library (python-docx, openpyxl) unpacks one, so a zip bomb is refused unopened."""

from __future__ import annotations

import zipfile
from pathlib import Path

from qualcode.core.errors import FormatError, InputError

#: Most bytes the parts of a .docx/.xlsx may unpack to, summed from the zip's directory
#: before python-docx/openpyxl open it.  A Word file holding 800 hours of transcript
#: unpacks to well under this; a zip bomb (a few kB that unpack to gigabytes) is refused.
MAX_OFFICE_UNPACKED_BYTES = 200_000_000
#: Most parts (files) in a .docx/.xlsx zip.
MAX_OFFICE_PARTS = 10_000


def check_office_zip(path: str | Path, kind: str) -> None:
    """InputError if the zip's directory says it unpacks past the limits above (``kind``:
    ``.docx`` or ``.xlsx``, for the message); FormatError if it is a damaged zip.

    The sizes in the directory bound what Python's zipfile will ever unpack (it stops
    at the declared size and reports a damaged file), so checking them is enough."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FormatError(f"not a valid {kind} file (a damaged zip archive: {exc})", path) from None
    if len(infos) > MAX_OFFICE_PARTS:
        raise InputError(f"the {kind} archive has {len(infos):,} parts, more than the limit of "
                         f"{MAX_OFFICE_PARTS:,}: refused as a possible zip bomb", path)
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_OFFICE_UNPACKED_BYTES:
        raise InputError(f"the {kind} archive would unpack to {unpacked:,} bytes, more than the limit "
                         f"of {MAX_OFFICE_UNPACKED_BYTES:,}: refused as a possible zip bomb", path)
