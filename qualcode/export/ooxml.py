"""Office files (.docx, .xlsx) whose long part is streamed.

python-docx and openpyxl build a whole document or sheet out of Python objects, a few
microseconds per cell or run: minutes and hundreds of MB for a quote table of 10^6 words.
Here the library writes a small *template* package (styles, page set-up, title, header
rows, column widths), and :func:`write_package` copies it into the output zip, streaming
the long part (a Word body, a sheet's rows) as XML text into its member, so memory holds
one row at a time.  The XML text is escaped with :func:`xml_text`.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Callable, Iterable

#: Characters XML 1.0 does not allow (control characters but tab and line breaks,
#: lone surrogates, U+FFFE and U+FFFF): python-docx and openpyxl refuse them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: What :func:`xml_text` changes: those, markup, and the carriage return.
_SPECIAL = re.compile("[&<>\r]|" + _NOT_XML.pattern)
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
#: Bytes gathered before they go to the compressor.
_CHUNK = 1 << 16


def xml_text(text: str) -> str:
    """``text`` as XML character data: ``&``, ``<`` and ``>`` escaped (as lxml writes them),
    a carriage return as a character reference (so that a reader keeps it), characters
    XML 1.0 forbids dropped."""
    if not _SPECIAL.search(text):   # most text: nothing to change
        return text
    return _NOT_XML.sub("", text).translate(_ESCAPES)


#: A member's new content, from its text in the template: str or bytes chunks (str in UTF-8).
Streamed = Callable[[str], Iterable["str | bytes"]]


def write_package(template: bytes, path: str | Path, streamed: dict[str, Streamed]) -> None:
    """Write the zip ``template`` to ``path``, member by member in its order; a member named
    in ``streamed`` gets the chunks its function yields from the template's text of it."""
    with zipfile.ZipFile(io.BytesIO(template)) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            make = streamed.get(info.filename)
            if make is None:
                target.writestr(info.filename, source.read(info))
                continue
            streamed_info = zipfile.ZipInfo(info.filename, info.date_time)
            streamed_info.compress_type = zipfile.ZIP_DEFLATED
            with target.open(streamed_info, "w") as member:
                _write_chunks(member, make(source.read(info).decode("utf-8")))


def _write_chunks(member, chunks: Iterable[str | bytes]) -> None:
    """Write ``chunks`` in blocks of about :data:`_CHUNK` bytes (the compressor's cost is per call)."""
    block: list[bytes] = []
    size = 0
    for chunk in chunks:
        data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
        block.append(data)
        size += len(data)
        if size >= _CHUNK:
            member.write(b"".join(block))
            block, size = [], 0
    member.write(b"".join(block))
