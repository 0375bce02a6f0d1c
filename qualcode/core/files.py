"""Write files so that a failure never leaves a half-written output behind.

Everything is written to a temporary file beside the target and moved into
place only when complete (``os.replace`` is atomic on one file system).
"""

from __future__ import annotations

import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from qualcode.core.errors import InputError

TABLE_SUFFIXES = (".csv", ".xlsx")
#: What each kind of output can be written as; the writers check it, and the command line
#: checks it before any work is done.
EXCERPT_SUFFIXES = (*TABLE_SUFFIXES, ".docx")
ALIGNMENT_SUFFIXES = (*TABLE_SUFFIXES, ".docx")
FIGURE_SUFFIXES = (".png", ".svg")
REPORT_SUFFIXES = (".docx",)
QDPX_SUFFIXES = (".qdpx",)
MODEL_SUFFIXES = (".qcmodel",)


@contextmanager
def atomic_output(path: str | Path, suffixes: tuple[str, ...] | None = None) -> Iterator[Path]:
    """Yield a temporary path; on success it replaces ``path``, on failure it is removed.
    ``suffixes``: what the writer can write; any other suffix of ``path`` is refused
    (:func:`table_format`) before anything is written.

    The file ends up with the permissions an ordinary write would give it: those of the
    file it replaces, else what the user's umask allows (the temporary file itself is
    created readable by its owner only, so nobody reads a half-written output)."""
    path = Path(path)
    if suffixes is not None:
        table_format(path, suffixes)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError("output folder does not exist", parent)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=parent)
    except OSError as exc:
        raise InputError(f"cannot write in this folder ({exc.strerror or exc})", parent) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, _mode_for(path))
        _replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _replace(tmp: Path, path: Path) -> None:
    """Move the finished file into place.  Windows refuses while another program (Excel,
    Word) holds the file open: that is the user's to fix, so it is an error naming the file."""
    try:
        os.replace(tmp, path)
    except PermissionError as exc:
        raise InputError(f"cannot replace the file ({exc.strerror or exc}): if it is open in another "
                         "program, such as Excel or Word, close it and try again", path) from None


def _mode_for(path: Path) -> int:
    """The permission bits of the file at ``path``, or of a new file (0o666 less the umask)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)  # reading the umask means setting it: set it straight back
        os.umask(umask)
        return 0o666 & ~umask


def table_format(path: str | Path, allowed: tuple[str, ...] = TABLE_SUFFIXES) -> str:
    """The suffix of ``path`` (lower case) if it is one of ``allowed``; else an
    :class:`InputError` naming the file and the suffixes a writer can write."""
    suffix = Path(path).suffix.lower()
    if suffix not in allowed:
        raise InputError(f"cannot write {suffix or 'a file without suffix'}: use one of "
                         f"{', '.join(allowed)}", path)
    return suffix
