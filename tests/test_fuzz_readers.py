"""Fuzzed readers: whatever bytes arrive, a reader returns a consistent Document or raises
a clean InputError/FormatError naming the file -- never another exception.

Profiles (max examples, derandomized) are set in conftest.py.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from qualcode.core.errors import InputError
from qualcode.ingest import read_document
from qualcode.core.models import LABEL_SEPARATOR, TURN_SEPARATOR, normalize_turn_text

SUFFIXES = (".txt", ".vtt", ".srt", ".csv", ".tsv", ".md")
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252")
NEWLINES = ("\n", "\r\n", "\r")

# Text that looks like transcripts often enough to reach deep into the parsers.
_PIECES = st.sampled_from([
    "P1: ", "Moderator:", "Dr. Lee: ", "[00:01:23] ", "Speaker 1 (00:01:23):", "Jordan Kim  0:04",
    "[Ana Ruiz] 11:02:09", "WEBVTT", "WEBVTT - title", "NOTE x", "00:00:01.000 --> 00:00:04.000",
    "00:00:01,000 --> 00:00:04,000", "1", "<v Ana>", "</v>", "&amp;", "&#237;", "{\\an8}",
    "speaker,text", "name\ttext", '"', ",", ";", "\t", "Date: 2024", "Note: ", "https://x",
    "99:99:99.999 --> 00:00:00.000", "--> ", "**P1:** ", " ", "\n", "\n\n", "\u2028", "\x85",
    "\ufeff", "\x00", "\x0c", "é", "ß", "\u0301", "中文", "🙂", "(he/him)", ":", "::", "P1", "\r",
])
TRANSCRIPTISH = st.lists(st.one_of(_PIECES, st.text(max_size=12)), max_size=40).map("".join)


def check_document(doc, path: Path) -> None:
    """Every invariant a Document promises, whatever the input was."""
    assert doc.segments, "a Document always has at least one turn"
    pos = 0
    for i, seg in enumerate(doc.segments):
        assert seg.index == i
        assert pos <= seg.start < seg.end <= len(doc.text)
        text = doc.text[seg.start:seg.end]
        assert text == normalize_turn_text(text), "stored turn text is normalized"
        head = (seg.speaker + LABEL_SEPARATOR) if seg.speaker else ""
        sep = TURN_SEPARATOR if i else ""
        assert doc.text[pos:seg.start] == sep + head, "turns are laid out label: text, blank line"
        pos = seg.end
    assert pos == len(doc.text)
    assert doc.turns() == [(s.speaker, doc.text[s.start:s.end]) for s in doc.segments]


def read_or_clean_error(path: Path, fmt: str | None = None):
    try:
        doc = read_document(path, fmt)
    except InputError as exc:
        assert str(path) in str(exc), f"error does not name the file: {exc}"
        assert exc.message.strip(), "an error says what is wrong"
        return None
    check_document(doc, path)
    return doc


_DIR = tempfile.TemporaryDirectory(prefix="qc-fuzz-")


def _write(data: bytes, suffix: str) -> Path:
    path = Path(_DIR.name) / f"input{suffix}"
    path.write_bytes(data)
    return path


@given(data=st.binary(max_size=400), suffix=st.sampled_from(SUFFIXES))
def test_arbitrary_bytes(data, suffix):
    read_or_clean_error(_write(data, suffix))


@given(text=TRANSCRIPTISH, encoding=st.sampled_from(ENCODINGS), newline=st.sampled_from(NEWLINES),
       suffix=st.sampled_from(SUFFIXES))
def test_arbitrary_text_in_any_encoding(text, encoding, newline, suffix):
    text = text.replace("\n", newline)
    data = text.encode(encoding, errors="replace")
    read_or_clean_error(_write(data, suffix))


@given(text=TRANSCRIPTISH, fmt=st.sampled_from(["text", "rev", "otter", "zoom-text", "vtt", "srt",
                                               "csv", "tsv"]))
def test_forced_formats_on_arbitrary_text(text, fmt):
    read_or_clean_error(_write(text.encode("utf-8"), ".txt"), fmt)


def _docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _xlsx_bytes(rows: list[list]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


#: Writing Word and Excel files is slow: fewer examples for those (a third of the profile's).
OFFICE = settings(max_examples=max(10, settings.default.max_examples // 3))
_XML_SAFE = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)


def _xml_compatible(text: str) -> bool:
    return all(ch in "\t\n\r" or (ord(ch) >= 0x20 and ch not in "\ufffe\uffff") for ch in text)


@OFFICE
@given(paragraphs=st.lists(st.one_of(_PIECES.filter(_xml_compatible), _XML_SAFE), max_size=8))
def test_arbitrary_docx_paragraphs(paragraphs):
    read_or_clean_error(_write(_docx_bytes(paragraphs), ".docx"))


@OFFICE
@given(rows=st.lists(st.lists(st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), _XML_SAFE),
                              max_size=4), max_size=6))
def test_arbitrary_xlsx_cells(rows):
    read_or_clean_error(_write(_xlsx_bytes([["speaker", "text", "start"]] + rows), ".xlsx"))


_VALID_DOCX = _docx_bytes(["Moderator: Welcome.", "P1: Thank you."])
_VALID_XLSX = _xlsx_bytes([["speaker", "text"], ["P1", "Hello there."], ["P2", "Hi."]])


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
@given(data=st.data())
def test_damaged_office_files(kind, data):
    """Byte flips and truncations of a valid .docx/.xlsx: a clean error, never a traceback."""
    raw = bytearray(_VALID_DOCX if kind == "docx" else _VALID_XLSX)
    cut = data.draw(st.integers(len(raw) // 2, len(raw)), label="truncate at")
    raw = raw[:cut]
    for _ in range(data.draw(st.integers(0, 6), label="flips")):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.integers(0, 255))
    read_or_clean_error(_write(bytes(raw), "." + kind))


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
@given(part=st.binary(max_size=300))
def test_office_zip_with_garbage_parts(kind, part):
    """A zip with the right part names but garbage inside."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        if kind == "docx":
            zf.writestr("[Content_Types].xml", part)
            zf.writestr("word/document.xml", part)
        else:
            zf.writestr("[Content_Types].xml", part)
            zf.writestr("xl/workbook.xml", part)
    read_or_clean_error(_write(buffer.getvalue(), "." + kind))


def _normalize_by_character(text: str) -> str:
    """The definition normalize_turn_text implements with a translate table."""
    import unicodedata

    text = unicodedata.normalize("NFC", text)
    for old in ("\r\n", "\r", "\u2028", "\u2029"):
        text = text.replace(old, "\n")
    text = "".join(ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return "\n".join(p for p in (" ".join(line.split()) for line in text.split("\n")) if p)


@given(text=st.text(max_size=60))
def test_normalize_turn_text_matches_its_definition(text):
    assert normalize_turn_text(text) == _normalize_by_character(text)
