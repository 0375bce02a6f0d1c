"""Word .docx transcripts (python-docx).

Paragraphs are read in document order, each a unit for the plain-text parser
(:mod:`qualcode.ingest.plaintext`), with the paragraph number as ``line``: a
label at the start of a paragraph (``Moderator: text``, a bold ``P1:`` run),
a label-only paragraph, or a fully bold short name with no colon
(``**Moderator**``) starts a turn; following paragraphs are paragraphs of the
same turn; paragraphs before the first label (title, date, site) are metadata.

A table whose header row names a speaker and a text column (see
:mod:`qualcode.ingest.tables`), or a plain two-column table of labels and
text, gives the turns instead; ``line`` is then the table row (header = 1).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from qualcode.core.errors import FormatError, InputError
from qualcode.core.models import Turn
from qualcode.core.office import check_office_zip
from qualcode.ingest.decisions import ReadOptions
from qualcode.ingest.labels import is_hard_stop, is_known_speaker_shape, is_name_shaped
from qualcode.ingest.plaintext import ParsedText, parse_units
from qualcode.ingest.tables import rows_to_turns
from qualcode.ingest.vocabulary import LabelWords


def _open(path: Path):
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    if not path.exists():
        raise InputError("file not found", path)
    if not zipfile.is_zipfile(path):
        raise FormatError("not a Word .docx file: it is not a zip archive (an old .doc, or "
                          "another file renamed?)", path)
    check_office_zip(path, ".docx")
    with zipfile.ZipFile(path) as zf:
        if "word/document.xml" not in zf.namelist():
            raise FormatError("a zip archive but not a Word document (no word/document.xml)", path)
    try:
        return docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise FormatError(f"cannot open the Word document: {exc}", path) from None
    except Exception as exc:  # lxml errors on a damaged document part
        raise FormatError(f"damaged Word document: {exc.__class__.__name__}: {exc}", path) from None


def paragraph_unit(text: str, all_bold: bool, words: LabelWords | None = None) -> str:
    """A paragraph's text as a parser unit: a short bold name alone on its paragraph
    (``**Moderator**``, ``**Dr. Okafor**``) is a label, so it gets its colon."""
    text = text.replace("\n", " ").replace("\t", " ")
    if ":" in text or not all_bold:
        return text
    bare = " ".join(text.split())
    if bare and len(bare) <= 40 and not is_hard_stop(bare, words) \
            and (is_known_speaker_shape(bare, words) or is_name_shaped(bare)):
        return bare + ":"  # a bold name alone on its line is a label
    return text


def table_turns(rows: list[tuple[int, list[str]]], path, speaker_column, text_column) -> list[Turn] | None:
    """Turns from a table's rows (a header naming speaker and text columns, or two columns of
    labels and text), or None when the table is no transcript."""
    if len(rows) < 2:
        return None
    turns = rows_to_turns(rows, path, speaker_column, text_column, required=False)
    if turns is not None:
        return turns
    if all(len(r) == 2 for _, r in rows) and all(len(r[0]) <= 40 for _, r in rows):
        return [Turn(r[0], r[1], None, None, n) for n, r in rows if r[1].strip()]
    return None


def paragraphs_or_table(paragraphs: list[tuple[str, bool]], tables: list[list[list[str]]], path,
                        speaker_column=None, text_column=None, options: ReadOptions | None = None) -> ParsedText:
    """A word-processor document: the first table that is a transcript gives the turns (the
    paragraphs are then its header), else the paragraphs do (``(text, all bold)`` each)."""
    options = options or ReadOptions()
    for table in tables:
        turns = table_turns([(n, row) for n, row in enumerate(table, start=1)], path,
                            speaker_column, text_column)
        if turns:
            header = [text.strip() for text, _ in paragraphs if text.strip()]
            parsed = ParsedText(turns, {"header": "\n".join(header)} if header else {}, "table")
            parsed.report.header_lines = header
            return parsed
    words = options.label_words
    units = [(n, paragraph_unit(text, bold, words)) for n, (text, bold) in enumerate(paragraphs, start=1)]
    return parse_units(units, path, style="text", paragraphs=True, options=options)


def read_docx(path: Path, speaker_column=None, text_column=None, options: ReadOptions | None = None) -> ParsedText:
    """The turns of a .docx file (see :func:`paragraphs_or_table`)."""
    document = _open(path)
    tables = [[[cell.text.strip() for cell in row.cells] for row in table.rows] for table in document.tables]
    paragraphs = [(p.text, _all_bold(p)) for p in document.paragraphs]
    return paragraphs_or_table(paragraphs, tables, path, speaker_column, text_column, options)


def docx_units(path: Path) -> list[tuple[int, str]]:
    """A .docx file's paragraphs as ``(number, text)`` units (for a discussion guide)."""
    document = _open(path)
    return [(n, p.text) for n, p in enumerate(document.paragraphs, start=1)]


def _all_bold(paragraph) -> bool:
    runs = [r for r in paragraph.runs if r.text.strip()]
    return bool(runs) and all(r.bold for r in runs)
