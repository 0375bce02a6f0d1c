"""Which reader reads a file: by ``fmt``, else by suffix, else by sniffing the content.

* ``.vtt`` -> ``vtt``, ``.srt`` -> ``srt``, ``.docx`` -> ``docx``, ``.odt`` -> ``odt``,
  ``.pdf`` -> ``pdf``, ``.rtf`` -> ``rtf``, ``.md``/``.markdown`` -> ``markdown``,
  ``.csv`` -> ``csv``, ``.tsv``/``.tab`` -> ``tsv``, ``.xlsx``/``.xlsm`` -> ``xlsx``;
* ``.txt`` (and any other suffix) is sniffed: ``%PDF`` -> ``pdf``; ``{\\rtf`` -> ``rtf``;
  a zip holding ``word/document.xml`` -> ``docx``, ``xl/workbook.xml`` -> ``xlsx``, or an
  OpenDocument text's ``content.xml`` -> ``odt``; ``WEBVTT`` first line -> ``vtt``; a cue
  number then an SRT timing line -> ``srt``; ``**Name:**`` labels -> ``markdown``;
  otherwise a plain-text style -- ``zoom-text`` (``[Name] 11:02:09``), ``otter``
  (``Name  1:05``), ``rev`` (``Name (01:23):``) or ``text`` (``Name: text``).

A forced ``fmt`` is obeyed: a ``.vtt`` without its header, or ``fmt="vtt"`` on
some other text, is a FormatError rather than being read as something else.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from qualcode.core.errors import InputError
from qualcode.ingest.captions import looks_like_srt, looks_like_vtt
from qualcode.ingest.markdown import looks_like_markdown
from qualcode.ingest.plaintext import detect_style
from qualcode.ingest.rtf import looks_like_rtf

#: Every format name ``read_document(fmt=...)`` accepts.
FORMATS = ("text", "rev", "otter", "zoom-text", "vtt", "srt", "docx", "odt", "pdf", "rtf", "markdown",
           "csv", "tsv", "xlsx")
#: Formats read from paragraphs or lines (the rest are captions and tables).
UNIT_FORMATS = ("text", "rev", "otter", "zoom-text", "docx", "odt", "pdf", "rtf", "markdown")

SUFFIXES = {
    ".vtt": "vtt", ".webvtt": "vtt", ".srt": "srt", ".docx": "docx", ".odt": "odt", ".pdf": "pdf",
    ".rtf": "rtf", ".md": "markdown", ".markdown": "markdown", ".csv": "csv",
    ".tsv": "tsv", ".tab": "tsv", ".xlsx": "xlsx", ".xlsm": "xlsx",
}

ALIASES = {
    "txt": "text", "plain": "text", "plaintext": "text", "webvtt": "vtt", "word": "docx",
    "excel": "xlsx", "zoom": "zoom-text", "zoom-txt": "zoom-text", "zoom_text": "zoom-text",
    "md": "markdown", "opendocument": "odt", "libreoffice": "odt",
}

UNSUPPORTED = {
    ".doc": "old Word .doc files cannot be read: save the file as .docx",
    ".xls": "old Excel .xls files cannot be read: save the file as .xlsx",
    ".ods": "OpenDocument spreadsheets cannot be read: save the sheet as .xlsx or .csv",
    ".pages": "Apple Pages files cannot be read: export the transcript as .docx",
}


def normalize_format(fmt: str | None, path=None) -> str | None:
    if fmt is None:
        return None
    name = ALIASES.get(str(fmt).strip().lower(), str(fmt).strip().lower())
    if name not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}", path)
    return name


def zip_kind(path: Path) -> str | None:
    """``docx``/``xlsx``/``odt`` for an office zip, ``zip`` for another zip, ``None`` if not a zip."""
    if not zipfile.is_zipfile(path):
        return None
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            mimetype = b""
            if "mimetype" in names:
                with zf.open("mimetype") as fh:
                    mimetype = fh.read(100)
    except (zipfile.BadZipFile, OSError, KeyError):
        return "zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "content.xml" in names and mimetype.strip() in (b"", b"application/vnd.oasis.opendocument.text"):
        return "odt"
    return "zip"


def format_for_suffix(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in UNSUPPORTED:
        raise InputError(UNSUPPORTED[suffix], path)
    return SUFFIXES.get(suffix)


def sniff_bytes(path: Path) -> str | None:
    """``pdf``, ``rtf``, ``docx``/``xlsx``/``odt`` from a file's first bytes, else None."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError:
        return None  # read_bytes reports the problem with its usual message
    if head.startswith(b"%PDF-"):
        return "pdf"
    if looks_like_rtf(head):
        return "rtf"
    if head.startswith(b"PK"):
        kind = zip_kind(path)
        return kind if kind in ("docx", "xlsx", "odt") else None
    return None


def sniff_text(text: str, words=None) -> str:
    """The format of a decoded text whose suffix says nothing precise."""
    if looks_like_vtt(text):
        return "vtt"
    if looks_like_srt(text):
        return "srt"
    if looks_like_markdown(text):
        return "markdown"
    return detect_style(list(enumerate(text.split("\n"), start=1)), words)
