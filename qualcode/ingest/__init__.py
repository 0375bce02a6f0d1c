"""Transcript readers: every supported file -> one :class:`~qualcode.core.models.Document`.

    >>> from qualcode.ingest import read_document, read_transcript
    >>> doc = read_document("group1.docx")            # doctest: +SKIP
    >>> doc.turns()[:1]                                # doctest: +SKIP
    [('Moderator', 'Welcome, everyone.')]
    >>> read_transcript("group1.pdf").report.questions  # doctest: +SKIP
    [(12, '3')]

Formats (``FORMATS``): ``text`` (``Label: text`` lines), ``rev``, ``otter``,
``zoom-text`` (Zoom "save transcript" ``[Name] 11:02:09``), ``vtt`` (Zoom,
Teams, plain captions), ``srt``, ``docx``, ``odt``, ``pdf``, ``rtf``, ``markdown``,
``csv``, ``tsv``, ``xlsx``.  See :mod:`qualcode.ingest.registry` for how a format is
chosen and each reader's module for its conventions.  Every problem is an
:class:`~qualcode.core.errors.InputError` (or its subclass
:class:`~qualcode.core.errors.FormatError`) naming the file and, where known, the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qualcode.core import encoding
from qualcode.core.encoding import decode_bytes, read_bytes
from qualcode.core.errors import FormatError, InputError
from qualcode.core.models import Document, build_document
from qualcode.ingest.attribution import label_roles
from qualcode.ingest.captions import parse_srt, parse_vtt
from qualcode.ingest.decisions import ReadOptions, ReadReport
from qualcode.ingest.plaintext import ParsedText, parse_units
from qualcode.ingest.questions import Guide, read_guide
from qualcode.ingest.registry import (FORMATS, UNIT_FORMATS, format_for_suffix, normalize_format, sniff_bytes,
                                      sniff_text)
from qualcode.ingest.vocabulary import LabelWords, load_label_words

__all__ = ["read_document", "read_transcript", "read_units", "read_guide_file", "Transcript",
           "ReadOptions", "ReadReport", "FORMATS", "load_label_words"]

_BINARY = ("docx", "xlsx", "odt", "pdf")


@dataclass
class Transcript:
    """A document and what the reader decided about it (:class:`ReadReport`)."""

    document: Document
    report: ReadReport


def read_document(path: str | Path, fmt: str | None = None, *, name: str | None = None,
                  speaker_column: str | None = None, text_column: str | None = None,
                  sheet: str | int | None = None, options: ReadOptions | None = None) -> Document:
    """Read one transcript file into a Document (see :func:`read_transcript`)."""
    return read_transcript(path, fmt, name=name, speaker_column=speaker_column,
                           text_column=text_column, sheet=sheet, options=options).document


def read_transcript(path: str | Path, fmt: str | None = None, *, name: str | None = None,
                    speaker_column: str | None = None, text_column: str | None = None,
                    sheet: str | int | None = None, options: ReadOptions | None = None) -> Transcript:
    """Read one transcript file: its Document and the reader's report.

    ``fmt`` forces a format (one of :data:`FORMATS`); otherwise the suffix and
    the content decide.  ``name`` defaults to the file name with its suffix.
    ``speaker_column``/``text_column`` name table columns (CSV/TSV/XLSX, Word and
    OpenDocument tables); ``sheet`` picks an Excel sheet by name or 0-based number.
    ``options``: label words, discussion guide, unlabelled speaker (:class:`ReadOptions`).
    """
    path = Path(path)
    options = options or ReadOptions()
    fmt, sniff = _choose_format(path, fmt)
    parsed, fmt = _parse(path, fmt, sniff, options, (speaker_column, text_column, sheet))
    name = name or path.name
    roles = {**label_roles([t.speaker for t in parsed.turns], options.label_words), **parsed.roles}
    document = build_document(name, parsed.turns, fmt, parsed.metadata, str(path), roles)
    if not document.segments:
        raise FormatError("no speaker turns with text found", path)
    first = document.segments[0].line
    parsed.report.header_warning(name, first if fmt in UNIT_FORMATS else None)
    return Transcript(document, parsed.report)


def _choose_format(path: Path, fmt: str | None) -> tuple[str | None, bool]:
    """``(format, sniff)``: the format to read, or None with ``sniff`` when only the decoded
    text can tell."""
    fmt = normalize_format(fmt, path)
    if fmt is not None:
        return fmt, False
    fmt = format_for_suffix(path) or sniff_bytes(path)
    return fmt, fmt is None


def _parse(path: Path, fmt: str | None, sniff: bool, options: ReadOptions, table: tuple) -> tuple[ParsedText, str]:
    speaker_column, text_column, sheet = table
    if fmt in _BINARY:
        _check_not_empty(path)
    if fmt == "docx":
        from qualcode.ingest.word import read_docx
        return read_docx(path, speaker_column, text_column, options), fmt
    if fmt == "odt":
        from qualcode.ingest.odt import read_odt
        return read_odt(path, speaker_column, text_column, options), fmt
    if fmt == "pdf":
        return _read_pdf(path, options), fmt
    if fmt == "xlsx":
        from qualcode.ingest.tables import read_xlsx
        return ParsedText(read_xlsx(path, speaker_column, text_column, sheet), {}, fmt), fmt
    text = _read_text(path, fmt)
    if not text or text.isspace():
        raise InputError("empty file: no transcript to read", path)
    if sniff:
        fmt = sniff_text(text, options.label_words)
    return _parse_text(text, path, fmt, options, speaker_column, text_column), fmt


def _check_not_empty(path: Path) -> None:
    try:
        empty = path.stat().st_size == 0
    except OSError:
        return  # the reader reports a missing or unreadable file
    if empty:
        raise InputError("empty file: no transcript to read", path)


def _read_text(path: Path, fmt: str | None) -> str:
    """The text of a text file (decoded) or of an RTF file; the bytes are let go on return."""
    data = _read_data(path, fmt)
    if fmt == "rtf":
        from qualcode.ingest.rtf import rtf_text
        return rtf_text(bytes(data), path)
    return decode_bytes(data, path)


def _read_data(path: Path, fmt: str | None) -> bytes | bytearray:
    # text is read checking line lengths (an absurd single line is refused early); RTF is not
    data = read_bytes(path, None if fmt == "rtf" else encoding.MAX_LINE_BYTES)
    if not data or data.isspace():  # (strip() would copy a large file)
        raise InputError("empty file: no transcript to read", path)
    return data


def _parse_text(text: str, path: Path, fmt: str, options: ReadOptions, speaker_column, text_column) -> ParsedText:
    if fmt == "vtt":
        return ParsedText(*parse_vtt(text, path), fmt)
    if fmt == "srt":
        return ParsedText(*parse_srt(text, path), fmt)
    if fmt in ("csv", "tsv"):
        from qualcode.ingest.tables import read_delimited
        turns = read_delimited(text, path, "\t" if fmt == "tsv" else None, speaker_column, text_column)
        return ParsedText(turns, {}, fmt)
    if fmt == "markdown":
        from qualcode.ingest.markdown import markdown_units
        units, front = markdown_units(text, options.label_words)
        parsed = parse_units(units, path, style="text", options=options)
        parsed.metadata = {**front, **parsed.metadata}
        return parsed
    units = list(enumerate(text.split("\n"), start=1))
    del text  # the lines are all that is needed: one copy of the transcript, not two
    return parse_units(units, path, style=None if fmt in ("rtf", None) else fmt, options=options)


def _read_pdf(path: Path, options: ReadOptions) -> ParsedText:
    from qualcode.ingest.pdf import read_pdf_units
    from qualcode.ingest.word import paragraph_unit

    words = options.label_words
    units = [(line, paragraph_unit(text, bold, words) if bold else text)
             for line, text, bold in read_pdf_units(path)]
    return parse_units(units, path, style="text", options=options)


def read_units(path: str | Path, fmt: str | None = None) -> list[tuple[int, str]]:
    """A file's lines or paragraphs as ``(line, text)``, read as its format is (text,
    Markdown, Word, OpenDocument, PDF, RTF), for documents that are no transcript (a
    discussion guide)."""
    path = Path(path)
    fmt, _ = _choose_format(path, fmt)
    if fmt == "docx":
        from qualcode.ingest.word import docx_units
        return docx_units(path)
    if fmt == "odt":
        from qualcode.ingest.odt import odt_units
        return odt_units(path)
    if fmt == "pdf":
        from qualcode.ingest.pdf import read_pdf_units
        return [(line, text) for line, text, _ in read_pdf_units(path)]
    if fmt in ("vtt", "srt", "csv", "tsv", "xlsx"):
        raise InputError(f"a {fmt} file cannot be read as lines: use a text, Markdown, Word, "
                         "OpenDocument, PDF or RTF file", path)
    text = _read_text(path, fmt)
    if fmt == "markdown":
        from qualcode.ingest.markdown import markdown_units
        return markdown_units(text, load_label_words())[0]
    return list(enumerate(text.split("\n"), start=1))


def read_guide_file(path: str | Path, words: LabelWords | None = None) -> Guide:
    """A discussion guide: one question per line, or a numbered list with probes
    (:func:`qualcode.ingest.questions.read_guide`), from any file :func:`read_units` reads."""
    return read_guide(read_units(path), Path(path), words or load_label_words())
