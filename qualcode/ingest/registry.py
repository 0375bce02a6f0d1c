"""Which reader reads a file: by ``fmt``, else by suffix, else by sniffing the content.

* ``.vtt`` -> ``vtt``, ``.srt`` -> ``srt``, ``.docx`` -> ``docx``, ``.csv`` -> ``csv``,
  ``.tsv``/``.tab`` -> ``tsv``, ``.xlsx``/``.xlsm`` -> ``xlsx``;
* ``.txt`` (and any other suffix) is sniffed: ``WEBVTT`` first line -> ``vtt``; a
  cue number then an SRT timing line -> ``srt``; a zip holding ``word/document.xml``
  -> ``docx`` or ``xl/workbook.xml`` -> ``xlsx``; otherwise a plain-text style --
  ``zoom-text`` (``[Name] 11:02:09``), ``otter`` (``Name  1:05``), ``rev``
  (``Name (01:23):``) or ``text`` (``Name: text``).

A forced ``fmt`` is obeyed: a ``.vtt`` without its header, or ``fmt="vtt"`` on
some other text, is a FormatError rather than being read as something else.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from qualcode.core.errors import InputError
from qualcode.ingest.captions import looks_like_srt, looks_like_vtt
from qualcode.ingest.plaintext import detect_style

#: Every format name ``read_document(fmt=...)`` accepts.
FORMATS = ("text", "rev", "otter", "zoom-text", "vtt", "srt", "docx", "csv", "tsv", "xlsx")

SUFFIXES = {
    ".vtt": "vtt", ".webvtt": "vtt", ".srt": "srt", ".docx": "docx", ".csv": "csv",
    ".tsv": "tsv", ".tab": "tsv", ".xlsx": "xlsx", ".xlsm": "xlsx",
}

ALIASES = {
    "txt": "text", "plain": "text", "plaintext": "text", "webvtt": "vtt", "word": "docx",
    "excel": "xlsx", "zoom": "zoom-text", "zoom-txt": "zoom-text", "zoom_text": "zoom-text",
}

UNSUPPORTED = {
    ".doc": "old Word .doc files cannot be read: save the file as .docx",
    ".xls": "old Excel .xls files cannot be read: save the file as .xlsx",
    ".pdf": "PDF files cannot be read: export the transcript as .docx or .txt",
    ".rtf": "RTF files cannot be read: save the file as .docx or .txt",
}


def normalize_format(fmt: str | None, path=None) -> str | None:
    if fmt is None:
        return None
    name = ALIASES.get(str(fmt).strip().lower(), str(fmt).strip().lower())
    if name not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}", path)
    return name


def zip_kind(path: Path) -> str | None:
    """``docx``/``xlsx`` for an Office zip, ``zip`` for another zip, ``None`` if not a zip."""
    if not zipfile.is_zipfile(path):
        return None
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile:
        return "zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return "zip"


def format_for_suffix(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in UNSUPPORTED:
        raise InputError(UNSUPPORTED[suffix], path)
    return SUFFIXES.get(suffix)


def sniff_text(text: str) -> str:
    """The format of a decoded text whose suffix says nothing precise."""
    if looks_like_vtt(text):
        return "vtt"
    if looks_like_srt(text):
        return "srt"
    return detect_style(list(enumerate(text.split("\n"), start=1)))
