"""RTF transcripts (WordPad, TextEdit, older transcription software): text by striprtf.

striprtf rather than a reader written here: RTF's text hides behind escapes (``\\'92`` in
the document's code page, ``\\u8217?`` with its fallback characters to skip, ``\\~``,
``\\line``) and destinations to leave out (font and colour tables, styles, pictures,
``{\\*...}``), which striprtf's maintained code handles.  Paragraphs (``\\par``) become
lines, read as a text file is (:mod:`qualcode.ingest.plaintext`).  Formatting is dropped:
a bold name alone on its line is no label in RTF (write ``Name:``).
"""

from __future__ import annotations

import re
from pathlib import Path

from qualcode.core.errors import FormatError

_CODEPAGE = re.compile(rb"\\ansicpg(\d{3,5})")


def looks_like_rtf(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf \r\n\t")[:5] == b"{\\rtf"


def rtf_text(data: bytes, path: Path) -> str:
    """The plain text of an RTF file's bytes, ``\\n`` between paragraphs."""
    from striprtf.striprtf import rtf_to_text

    if not looks_like_rtf(data):
        raise FormatError("not an RTF file: it does not start with '{\\rtf'", path, 1)
    m = _CODEPAGE.search(data[:4096])
    codepage = f"cp{m.group(1).decode()}" if m else "cp1252"
    try:
        "".encode(codepage)
    except LookupError:
        codepage = "cp1252"
    # RTF is 7-bit text; stray 8-bit bytes are read in the document's code page
    source = data.decode(codepage, errors="replace")
    try:
        text = rtf_to_text(source, encoding=codepage, errors="replace")
    except Exception as exc:  # a damaged file: striprtf raises what its regexes and codecs raise
        raise FormatError(f"damaged RTF file ({exc.__class__.__name__}: {exc})", path) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")
