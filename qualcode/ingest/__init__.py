"""Transcript readers: every supported file -> one :class:`~qualcode.core.models.Document`.

    >>> from qualcode.ingest import read_document
    >>> doc = read_document("group1.docx")            # doctest: +SKIP
    >>> doc.turns()[:1]                                # doctest: +SKIP
    [('Moderator', 'Welcome, everyone.')]

Formats (``FORMATS``): ``text`` (``Label: text`` lines), ``rev``, ``otter``,
``zoom-text`` (Zoom "save transcript" ``[Name] 11:02:09``), ``vtt`` (Zoom,
Teams, plain captions), ``srt``, ``docx``, ``csv``, ``tsv``, ``xlsx``.  See
:mod:`qualcode.ingest.registry` for how a format is chosen and each reader's
module for its conventions.  Every problem is an
:class:`~qualcode.core.errors.InputError` (or its subclass
:class:`~qualcode.core.errors.FormatError`) naming the file and, where known, the line.
"""

from __future__ import annotations

from pathlib import Path

from qualcode.core.errors import FormatError, InputError
from qualcode.ingest.captions import parse_srt, parse_vtt
from qualcode.core import encoding
from qualcode.core.encoding import decode_bytes, read_bytes
from qualcode.ingest.plaintext import parse_units
from qualcode.ingest.registry import FORMATS, format_for_suffix, normalize_format, sniff_text, zip_kind
from qualcode.core.models import Document, build_document

__all__ = ["read_document", "FORMATS"]


def read_document(path: str | Path, fmt: str | None = None, *, name: str | None = None,
                  speaker_column: str | None = None, text_column: str | None = None,
                  sheet: str | int | None = None) -> Document:
    """Read one transcript file into a Document.

    ``fmt`` forces a format (one of :data:`FORMATS`); otherwise the suffix and
    the content decide.  ``name`` defaults to the file name with its suffix.
    ``speaker_column``/``text_column`` name table columns (CSV/TSV/XLSX, Word
    tables); ``sheet`` picks an Excel sheet by name or 0-based number.
    """
    path = Path(path)
    fmt = normalize_format(fmt, path)
    sniff = fmt is None
    if sniff:
        fmt = format_for_suffix(path)
        sniff = fmt is None  # .txt and unknown suffixes: look at the content
        if sniff and _starts_with(path, b"PK"):
            kind = zip_kind(path)
            if kind in ("docx", "xlsx"):
                fmt, sniff = kind, False
    # text is read checking line lengths (an absurd single line is refused early); zips are not text
    office = fmt in ("docx", "xlsx") or _starts_with(path, b"PK")
    data = read_bytes(path, None if office else encoding.MAX_LINE_BYTES)
    if not data or data.isspace():  # (strip() would copy a large file)
        raise InputError("empty file: no transcript to read", path)
    metadata: dict[str, str] = {}
    if fmt == "docx":
        from qualcode.ingest.word import read_docx
        turns, metadata = read_docx(path, speaker_column, text_column)
    elif fmt == "xlsx":
        from qualcode.ingest.tables import read_xlsx
        turns = read_xlsx(path, speaker_column, text_column, sheet)
    else:
        text = decode_bytes(data, path)
        del data  # the decoded text is all that is needed from here on
        if not text or text.isspace():
            raise InputError("empty file: no transcript to read", path)
        if sniff:
            fmt = sniff_text(text)
        if fmt == "vtt":
            turns, metadata = parse_vtt(text, path)
        elif fmt == "srt":
            turns, metadata = parse_srt(text, path)
        elif fmt in ("csv", "tsv"):
            from qualcode.ingest.tables import read_delimited
            turns = read_delimited(text, path, "\t" if fmt == "tsv" else None, speaker_column, text_column)
        else:
            units = list(enumerate(text.split("\n"), start=1))
            del text  # the lines are all that is needed: one copy of the transcript, not two
            parsed = parse_units(units, path, style=fmt)
            del units
            turns, metadata = parsed.turns, parsed.metadata
    document = build_document(name or path.name, turns, fmt, metadata, str(path))
    if not document.segments:
        raise FormatError("no speaker turns with text found", path)
    return document


def _starts_with(path: Path, magic: bytes) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(magic)) == magic
    except OSError:
        return False  # read_bytes reports the problem with its usual message
