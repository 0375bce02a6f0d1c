"""Bytes -> text for transcript files, whatever encoding they arrived in.

Order of detection:

1. a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE);
2. BOM-less UTF-16: many NUL bytes all on odd (LE) or all on even (BE) positions;
3. strict UTF-8;
4. Windows-1252, with Latin-1 for the five bytes cp1252 leaves undefined.

Known binary formats (PDF, ZIP/Office, images, old OLE Office files) and text
that still holds NULs or many control characters after decoding are refused
with an :class:`~qualcode.core.errors.InputError` naming the file.  Line endings
(CRLF, old-Mac CR, Unicode line separators) become ``\\n``.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from qualcode.core.errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

#: Magic numbers of binary files people hand in by mistake, with a readable name.
BINARY_MAGIC = (
    (b"%PDF", "a PDF file"),
    (b"PK\x03\x04", "a zip archive (e.g. .docx or .xlsx)"),
    (b"PK\x05\x06", "a zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office file (.doc/.xls)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"{\\rtf", "an RTF document (save it as .docx or .txt)"),
)


def _latin1_fallback(err: UnicodeDecodeError):
    return err.object[err.start:err.end].decode("latin-1"), err.end


codecs.register_error("qualcode-latin1", _latin1_fallback)


def binary_kind(data: bytes) -> str | None:
    """A readable name for a known binary format, or ``None``."""
    for magic, kind in BINARY_MAGIC:
        if data.startswith(magic):
            return kind
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even = sample[0::2]
    odd = sample[1::2]
    even_nul = even.count(0) / len(even)
    odd_nul = odd.count(0) / len(odd)
    if odd_nul > 0.3 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def detect_encoding(data: bytes) -> tuple[str, int]:
    """``(codec, bom_length)`` for these bytes; see the module docstring."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, len(bom)
    utf16 = _utf16_without_bom(data)
    if utf16:
        return utf16, 0
    try:
        data.decode("utf-8")
        return "utf-8", 0
    except UnicodeDecodeError:
        return "cp1252", 0


def normalize_newlines(text: str) -> str:
    return (text.replace("\r\n", "\n").replace("\r", "\n")
            .replace("\u2028", "\n").replace("\u2029", "\n").replace("\x85", "\n"))


#: Control characters (category Cc) other than tab, newline, vertical tab and form feed.
_CONTROLS = re.compile("[\x00-\x08\x0d-\x1f\x7f-\x9f]")


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    if not text or text.replace("\n", "").replace("\t", "").isprintable():  # no Cc character
        return False
    controls = sum(1 for _ in _CONTROLS.finditer(text))
    return controls > 2 and controls / len(text) > 0.02


def decode_bytes(data: bytes, path: str | Path | None = None) -> str:
    """Decode a text file's bytes; newlines normalized, BOM removed."""
    kind = binary_kind(data)
    if kind:
        raise InputError(f"not a text file: it looks like {kind}", path)
    codec, skip = detect_encoding(data)
    errors = "qualcode-latin1" if codec == "cp1252" else "strict"
    try:
        text = codecs.decode(memoryview(data)[skip:] if skip else data, codec, errors)
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot decode the file as {codec}: {exc.reason} at byte {exc.start + skip}",
                         path) from None
    text = normalize_newlines(text)
    if _looks_binary(text):
        raise InputError("not a text file: it holds binary data (NUL or control bytes)", path)
    return text


#: Longest line (bytes between line breaks) a text transcript may have.  Real transcripts
#: have lines of a few kB; a whole one-hour focus group on one line is about 60 kB.  A file
#: with a longer line is refused while it is read (a 1 GB file on one line is stopped after
#: its first 4 MB instead of being parsed for minutes).  Files with many lines are never
#: refused for their size.
MAX_LINE_BYTES = 4_000_000
#: How much of a file is read at a time while its line lengths are checked.
READ_CHUNK_BYTES = 1 << 20


def _read_checking_lines(fh, path, max_line: int) -> bytearray:
    """Read the whole file, raising as soon as a line grows past ``max_line`` bytes.

    Chunks are appended to one growing buffer (no list of chunks joined at the end), so
    memory is about the file's size, not twice it; an absurd line stops the reading early."""
    buf = bytearray()
    chunk_size = max(1, min(READ_CHUNK_BYTES, max_line))  # a too-long line spans >= 2 chunks
    run = 0  # bytes since the last line break, across chunks
    while chunk := fh.read(chunk_size):
        pos = len(buf)
        buf += chunk
        end = len(buf)
        breaks = [i for i in (buf.find(b"\n", pos, end), buf.find(b"\r", pos, end)) if i >= 0]
        if not breaks:
            run += end - pos
        elif run + min(breaks) - pos > max_line:
            run += min(breaks) - pos
        else:
            run = end - 1 - max(buf.rfind(b"\n", pos, end), buf.rfind(b"\r", pos, end))
        if run > max_line:
            raise InputError(f"a line is longer than {max_line:,} bytes (the limit for one line of "
                             "a text transcript): is this really a transcript?", path)
    return buf


def read_bytes(path: str | Path, max_line: int | None = None) -> bytes | bytearray:
    """A file's bytes, or InputError 'file not found' / 'cannot read'.

    With ``max_line``, an InputError as soon as a line is longer than that many bytes."""
    p = Path(path)
    try:
        if max_line is None:
            return p.read_bytes()
        with open(p, "rb") as fh:
            return _read_checking_lines(fh, path, max_line)
    except FileNotFoundError:
        raise InputError("file not found", path) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", path) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path) from None


def read_text_file(path: str | Path) -> str:
    """Read and decode a text file (see :func:`decode_bytes`); an empty file gives ``""``."""
    return decode_bytes(read_bytes(path, MAX_LINE_BYTES), path)
