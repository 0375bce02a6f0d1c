"""The researcher's side tables: a manifest of files with their attributes, and a
speakers table giving each speaker label a participant id and a role.

manifest.csv::

    file,role,site,group
    scholars_northfield.docx,scholar,Northfield,1

speakers.csv (``document`` blank = every document; ``participant`` and ``role``
each optional, at least one given)::

    document,label,participant,role
    scholars_northfield.docx,Dr. Okafor,M03,mentor
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

from qualcode.core.errors import InputError
from qualcode.core.tables import Table, read_table

FILE_COLUMNS = ("file", "filename", "path", "document")
LABEL_COLUMNS = ("label", "speaker", "name")
PARTICIPANT_COLUMNS = ("participant", "participant_id", "pid", "id")
ATTRIBUTE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class ManifestEntry:
    path: Path
    attributes: dict[str, str]
    line: int


@dataclass(frozen=True)
class SpeakerAssignment:
    document: str | None
    label: str
    participant: str | None
    role: str | None
    line: int


def _pick(table: Table, names: tuple[str, ...]) -> str | None:
    return next((name for name in names if table.has(name)), None)


def _required(table: Table, names: tuple[str, ...], what: str) -> str:
    """The first of ``names`` the table has as a column, or an error listing them."""
    column = _pick(table, names)
    if column is None:
        raise InputError(f"no {what} column (expected one of {', '.join(names)}; "
                         f"found {', '.join(table.header)})", table.path, 1)
    return column


def validate_attribute_name(name: str, path: Path | None = None, line: int | None = None) -> str:
    if not ATTRIBUTE_NAME.match(name):
        raise InputError(f"attribute name {name!r} must start with a letter and use letters, digits, "
                         "'_', '-' or '.'", path, line)
    return name


def _listed_path(name: str, folder: Path) -> Path:
    """A file a manifest names, relative to the manifest's folder unless absolute.  Folders
    may be separated by ``\\`` as well as ``/`` (a manifest written on Windows, read
    elsewhere)."""
    if "\\" in name and os.sep == "/" and not PureWindowsPath(name).drive:
        name = PureWindowsPath(name).as_posix()
    listed = Path(name)
    return listed if listed.is_absolute() else folder / listed


def read_manifest(path: str | Path) -> list[ManifestEntry]:
    """Read a manifest (CSV, TSV or .xlsx; see :mod:`qualcode.core.tables`): one row per
    file, every other column an attribute."""
    path = Path(path)
    table = read_table(path, what="manifest")
    file_col = _required(table, FILE_COLUMNS, "file")
    attr_cols = [h for h in table.columns if h != file_col]
    for col in attr_cols:
        validate_attribute_name(col, path, 1)
    entries: list[ManifestEntry] = []
    seen: dict[str, int] = {}
    for line, row in table.rows:
        name = row[file_col]
        if not name:
            raise InputError(f"empty {file_col!r}", path, line)
        if name in seen:
            raise InputError(f"{name!r} is listed twice (first on line {seen[name]})", path, line)
        seen[name] = line
        file_path = _listed_path(name, path.parent)
        attrs = {col: row[col] for col in attr_cols if row.get(col)}
        if "role" in attrs:
            attrs["role"] = attrs["role"].casefold()
        entries.append(ManifestEntry(file_path, attrs, line))
    return entries


def read_speakers(path: str | Path) -> list[SpeakerAssignment]:
    """Read a speakers table (CSV, TSV or .xlsx): (document, label) -> participant id and/or role."""
    path = Path(path)
    table = read_table(path, what="speakers table")
    label_col = _required(table, LABEL_COLUMNS, "label")
    part_col = _pick(table, PARTICIPANT_COLUMNS)
    role_col = _pick(table, ("role",))
    doc_col = _pick(table, ("document", "file", "filename"))
    if part_col is None and role_col is None:
        raise InputError("needs a participant column, a role column, or both", path, 1)
    out: list[SpeakerAssignment] = []
    seen: dict[tuple[str | None, str], int] = {}
    for line, row in table.rows:
        label = " ".join(row[label_col].split())
        if not label:
            raise InputError(f"empty {label_col!r}", path, line)
        document = row.get(doc_col) or None if doc_col else None
        participant = (row.get(part_col) or None) if part_col else None
        role = (row.get(role_col) or "").casefold() or None if role_col else None
        if participant is None and role is None:
            raise InputError(f"speaker {label!r} has neither a participant id nor a role", path, line)
        key = (document, label.casefold())
        if key in seen:
            raise InputError(f"speaker {label!r} is listed twice for "
                             f"{document or 'all documents'} (first on line {seen[key]})", path, line)
        seen[key] = line
        out.append(SpeakerAssignment(document, label, participant, role, line))
    return out
