"""A REFI-QDA project file as it is read: the ``project.qde`` and the source texts of a
``.qdpx`` (zip) or of a bare ``.qde`` beside its ``sources/`` folder."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from qualcode.core.errors import FormatError, InputError
from qualcode.exchange.refi.model import RefiProject, RefiSource
from qualcode.exchange.refi.qde_reader import parse_project


class Archive:
    """The ``project.qde`` and source files of a .qdpx (zip) or of a bare .qde file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.is_file():
            raise InputError("file not found", self.path)
        self.zip: zipfile.ZipFile | None = None
        if zipfile.is_zipfile(self.path):
            try:
                self.zip = zipfile.ZipFile(self.path)
            except zipfile.BadZipFile as exc:
                raise FormatError(f"damaged .qdpx (zip) file: {exc}", self.path) from None
            self.names = {n.lower(): n for n in self.zip.namelist()}
            top = [n for n in self.zip.namelist() if "/" not in n and n.lower().endswith(".qde")]
            preferred = [n for n in top if n.lower() == "project.qde"]
            if not (preferred or top):
                raise FormatError("no project.qde in the .qdpx archive", self.path)
            self.qde_name = (preferred or top)[0]
            self.where = f"{self.path}:{self.qde_name}"
            self.qde = self.zip.read(self.qde_name)
        else:
            self.qde_name = self.path.name
            self.where = str(self.path)
            self.qde = self.path.read_bytes()

    def describe(self, ref: str) -> str:
        name = ref.split("://", 1)[-1]
        return f"sources/{name}"

    def read(self, ref: str) -> bytes | None:
        """Bytes of an ``internal://NAME`` source, or None when absent."""
        scheme, sep, name = ref.partition("://")
        if not sep or scheme.lower() != "internal" or not name or ".." in name:
            return None
        if self.zip is not None:
            real = self.names.get(f"sources/{name}".lower())
            return self.zip.read(real) if real else None
        for folder in ("sources", "Sources"):
            candidate = self.path.parent / folder / name
            if candidate.is_file():
                return candidate.read_bytes()
        return None

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


def docx_text(data: bytes) -> str:
    import docx

    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def source_text(archive: Archive, source: RefiSource) -> tuple[str | None, str]:
    """(text or None, what was looked for)."""
    if source.content is not None and not source.plain_path:
        return source.content, "PlainTextContent"
    if source.plain_path:
        data = archive.read(source.plain_path)
        if data is not None:
            try:
                return data.decode("utf-8-sig"), archive.describe(source.plain_path)
            except UnicodeDecodeError as exc:
                raise FormatError(f"source text of {source.name!r} is not UTF-8 (byte {exc.start})",
                                  f"{archive.path}:{archive.describe(source.plain_path)}") from None
        if source.content is not None:
            return source.content, "PlainTextContent"
        return None, archive.describe(source.plain_path)
    if source.rich_path:
        data = archive.read(source.rich_path)
        if data is not None and source.rich_path.lower().endswith(".docx"):
            return docx_text(data), archive.describe(source.rich_path)
        return None, archive.describe(source.rich_path)
    return None, "a plainTextPath, richTextPath or PlainTextContent"


def read_qdpx(path: str | Path) -> RefiProject:
    """Parse the project of a .qdpx/.qde without touching any project (for inspection)."""
    archive = Archive(path)
    try:
        return parse_project(archive.qde, archive.where)
    finally:
        archive.close()
