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
from qualcode.core.office import check_office_zip
from qualcode.ingest.labels import is_hard_stop, is_known_speaker_shape, is_name_shaped
from qualcode.ingest.plaintext import parse_units
from qualcode.ingest.tables import rows_to_turns
from qualcode.core.models import Turn


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


def _paragraph_text(paragraph) -> str:
    text = paragraph.text.replace("\n", " ").replace("\t", " ")
    if ":" in text:
        return text
    runs = [r for r in paragraph.runs if r.text.strip()]
    bare = " ".join(text.split())
    if runs and all(r.bold for r in runs) and bare and len(bare) <= 40 and not is_hard_stop(bare) \
            and (is_known_speaker_shape(bare) or is_name_shaped(bare)):
        return bare + ":"  # a bold name alone on its line is a label
    return text


def _table_turns(table, path, speaker_column, text_column) -> list[Turn] | None:
    rows = []
    for n, row in enumerate(table.rows, start=1):
        rows.append((n, [cell.text.strip() for cell in row.cells]))
    if len(rows) < 2:
        return None
    turns = rows_to_turns(rows, path, speaker_column, text_column, required=False)
    if turns is not None:
        return turns
    if all(len(r) == 2 for _, r in rows) and all(len(r[0]) <= 40 for _, r in rows):
        return [Turn(r[0], r[1], None, None, n) for n, r in rows if r[1].strip()]
    return None


def read_docx(path: Path, speaker_column=None, text_column=None):
    """``(turns, metadata)`` from a .docx file."""
    document = _open(path)
    for table in document.tables:
        turns = _table_turns(table, path, speaker_column, text_column)
        if turns:
            header = [p.text.strip() for p in document.paragraphs if p.text.strip()]
            return turns, ({"header": "\n".join(header)} if header else {})
    units = [(n, _paragraph_text(p)) for n, p in enumerate(document.paragraphs, start=1)]
    parsed = parse_units(units, path, style="text", paragraphs=True)
    return parsed.turns, parsed.metadata
