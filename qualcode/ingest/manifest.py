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

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from qualcode.core.errors import InputError
from qualcode.core.encoding import read_text_file

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


def _rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    text = read_text_file(path)
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("empty file, expected a header row", path) from None
    header = [h.strip() for h in header]
    if not any(header):
        raise InputError("empty header row", path, 1)
    rows = []
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header):
            raise InputError(f"{len(record)} fields but the header has {len(header)}", path, line)
        rows.append((line, {h.casefold(): (record[i].strip() if i < len(record) else "")
                            for i, h in enumerate(header)}))
    return header, rows


def _pick(header: list[str], names: tuple[str, ...]) -> str | None:
    folded = {h.casefold(): h for h in header}
    for name in names:
        if name in folded:
            return name
    return None


def validate_attribute_name(name: str, path: Path | None = None, line: int | None = None) -> str:
    if not ATTRIBUTE_NAME.match(name):
        raise InputError(f"attribute name {name!r} must start with a letter and use letters, digits, "
                         "'_', '-' or '.'", path, line)
    return name


def read_manifest(path: str | Path) -> list[ManifestEntry]:
    """Read a manifest CSV: one row per file, every other column an attribute."""
    path = Path(path)
    header, rows = _rows(path)
    file_col = _pick(header, FILE_COLUMNS)
    if file_col is None:
        raise InputError(f"no file column (expected one of {', '.join(FILE_COLUMNS)}; "
                         f"found {', '.join(header)})", path, 1)
    attr_cols = [h.casefold() for h in header if h and h.casefold() != file_col]
    for col in attr_cols:
        validate_attribute_name(col, path, 1)
    entries: list[ManifestEntry] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        name = row[file_col]
        if not name:
            raise InputError(f"empty {file_col!r}", path, line)
        if name in seen:
            raise InputError(f"{name!r} is listed twice (first on line {seen[name]})", path, line)
        seen[name] = line
        file_path = Path(name) if Path(name).is_absolute() else path.parent / name
        attrs = {col: row[col] for col in attr_cols if row.get(col)}
        if "role" in attrs:
            attrs["role"] = attrs["role"].casefold()
        entries.append(ManifestEntry(file_path, attrs, line))
    return entries


def read_speakers(path: str | Path) -> list[SpeakerAssignment]:
    """Read a speakers CSV: (document, label) -> participant id and/or role."""
    path = Path(path)
    header, rows = _rows(path)
    label_col = _pick(header, LABEL_COLUMNS)
    if label_col is None:
        raise InputError(f"no label column (expected one of {', '.join(LABEL_COLUMNS)}; "
                         f"found {', '.join(header)})", path, 1)
    part_col = _pick(header, PARTICIPANT_COLUMNS)
    role_col = _pick(header, ("role",))
    doc_col = _pick(header, ("document", "file", "filename"))
    if part_col is None and role_col is None:
        raise InputError("needs a participant column, a role column, or both", path, 1)
    out: list[SpeakerAssignment] = []
    seen: dict[tuple[str | None, str], int] = {}
    for line, row in rows:
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
