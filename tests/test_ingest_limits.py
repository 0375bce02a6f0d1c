"""Limits that protect the user: an absurd input gets a clear error quickly, a large one is
read with memory bounded by the document."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest

from qualcode.core.errors import InputError
from qualcode.core import encoding, office
from qualcode.ingest import read_document
from qualcode.core.models import TURN_SEPARATOR


def test_a_1_gb_single_line_is_refused_after_reading_its_first_megabytes(tmp_path):
    path = tmp_path / "one_line.txt"
    with open(path, "wb") as fh:  # a sparse 1 GB file: no disk used, no line break in it
        fh.write(b"P1: ")
        fh.truncate(1 << 30)
    with pytest.raises(InputError) as info:
        read_document(path)
    assert str(info.value) == (f"{path}: a line is longer than 4,000,000 bytes (the limit for one "
                               "line of a text transcript): is this really a transcript?")


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_the_line_limit_counts_each_line_across_read_chunks(tmp_path, monkeypatch, newline):
    monkeypatch.setattr(encoding, "MAX_LINE_BYTES", 100)
    monkeypatch.setattr(encoding, "READ_CHUNK_BYTES", 7)
    ok = newline.join([b"P1: " + b"a" * 96, b"P2: " + b"b" * 96, b""])
    path = tmp_path / "ok.txt"
    path.write_bytes(ok)
    assert [len(text) for _, text in read_document(path).turns()] == [96, 96]
    path.write_bytes(ok + b"P1: " + b"c" * 97 + newline)
    with pytest.raises(InputError, match=r"ok.txt: a line is longer than 100 bytes"):
        read_document(path)


def test_the_line_limit_applies_to_every_text_format(tmp_path, monkeypatch):
    monkeypatch.setattr(encoding, "MAX_LINE_BYTES", 50)
    for name, text in [("a.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n" + "x" * 60 + "\n"),
                       ("a.srt", "1\n00:00:01,000 --> 00:00:02,000\n" + "x" * 60 + "\n"),
                       ("a.csv", "speaker,text\nP1," + "x" * 60 + "\n")]:
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(InputError, match=rf"{name}: a line is longer than 50 bytes"):
            read_document(path)


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    """A zip whose one part unpacks to 210 MiB of zeros (about 200 kB on disk)."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.zip"
    zeros = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as part:
            for _ in range(210):
                part.write(zeros)
    return path.read_bytes()


@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path, monkeypatch, bomb, suffix):
    path = tmp_path / f"bomb{suffix}"
    path.write_bytes(bomb)
    assert path.stat().st_size < 2_000_000

    def never(*args, **kwargs):
        raise AssertionError("the office library was asked to open a zip bomb")

    import docx
    import openpyxl
    monkeypatch.setattr(docx, "Document", never)
    monkeypatch.setattr(openpyxl, "load_workbook", never)
    with pytest.raises(InputError) as info:
        read_document(path)
    assert str(info.value) == (f"{path}: the {suffix} archive would unpack to 220,200,968 bytes, more "
                               "than the limit of 200,000,000: refused as a possible zip bomb")


def test_a_zip_bomb_named_txt_is_sniffed_and_refused(tmp_path, bomb):
    path = tmp_path / "bomb.txt"
    path.write_bytes(bomb)
    with pytest.raises(InputError, match=r"bomb.txt: the .docx archive would unpack to 220,200,968 bytes"):
        read_document(path)


def test_an_office_zip_with_too_many_parts(tmp_path, monkeypatch):
    monkeypatch.setattr(office, "MAX_OFFICE_PARTS", 3)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for i in range(4):
            zf.writestr(f"word/part{i}.xml", "<x/>")
    path = tmp_path / "many.docx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(InputError) as info:
        read_document(path)
    assert str(info.value) == (f"{path}: the .docx archive has 4 parts, more than the limit of 3: "
                               "refused as a possible zip bomb")


def test_a_large_transcript_is_read_with_memory_bounded_by_the_document(tmp_path):
    """Not rejected for its size, and reading it never needs more than a small multiple of
    the Document it returns (its text and turns): no copies upon copies of the file."""
    line = "P{n}: we set clear expectations early and met every week to talk about goals.\n"
    text = "".join(line.format(n=i % 7 + 1) for i in range(3000))
    path = tmp_path / "large.txt"
    path.write_text(text)
    tracemalloc.start()
    try:
        document = read_document(path)
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert document.text == text.rstrip("\n").replace("\n", TURN_SEPARATOR)
    assert peak < 3 * kept, f"peak {peak:,} bytes to build a document of {kept:,} bytes"
