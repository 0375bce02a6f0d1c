"""Reading back what an export wrote, as plain text, to look for participants' names."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

from qualcode.store.names import personal_name

SAMPLE = Path(__file__).resolve().parents[1] / "transcripts_sample"


def sample_labels() -> list[str]:
    """Every speaker label in the sample's speakers table."""
    with open(SAMPLE / "speakers.csv", newline="", encoding="utf-8") as fh:
        return [row["label"] for row in csv.DictReader(fh)]


def name_words() -> set[str]:
    """Every word of every personal name in the sample's speakers table."""
    words = set()
    for label in sample_labels():
        name = personal_name(label)
        if name:
            words.update(w for w in re.split(r"[\s-]+", name) if len(w) > 1)
    return words


def found_names(text: str) -> set[str]:
    """The sample's name words that occur in ``text`` (whole words, any case)."""
    return {w for w in name_words() if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text, re.I)}


def docx_text(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    props = document.core_properties
    parts += [props.title or "", props.author or "", props.subject or ""]
    return "\n".join(parts)


def xlsx_text(path: Path) -> str:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    return "\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                     for v in row if v is not None)


def zip_text(path: Path) -> str:
    """Every entry of a zip (a .qdpx: project.qde and the sources), decoded as UTF-8."""
    with zipfile.ZipFile(path) as zf:
        return "\n".join(zf.read(name).decode("utf-8") for name in zf.namelist())


def file_text(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return docx_text(path)
    if suffix == ".xlsx":
        return xlsx_text(path)
    if suffix == ".qdpx":
        return zip_text(path)
    return path.read_text(encoding="utf-8-sig")


def csv_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))
