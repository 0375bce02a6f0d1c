"""What a researcher sees from the shipped sample, as text: the golden outputs.

``produce(workdir)`` runs a fixed list of commands through the CLI on the shipped
sample (ingest, both codebooks, the hand coding, every export, agreement, the
report, REFI-QDA) and returns ``{name: text}``: CSV as written, Excel as its cell
values sheet by sheet, Word as its paragraphs and table cells, a .qdpx as its
members, and what each command printed.  ``tests/golden/sample/`` holds the same
from a known-good version; ``test_golden_outputs.py`` compares the two.

When an output changes on purpose, regenerate the golden files and say why in
the commit::

    python tests/golden_outputs.py --write
"""

from __future__ import annotations

import csv
import io
import shutil
import sys
import zipfile
from datetime import date
from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
SAMPLE = REPO / "transcripts_sample"
CODEBOOKS = REPO / "codebooks"
GOLDEN = TESTS / "golden" / "sample"

P = "sample.qcproj"
MENTORING = str(CODEBOOKS / "mentoring_expectations.yaml")
DOMAINS = str(CODEBOOKS / "expectation_domains.yaml")

# (name of the printed output or None, argv); {out} is the output folder.
COMMANDS: list[tuple[str | None, list[str]]] = [
    ("ingest.out", ["ingest", P, "--manifest", str(SAMPLE / "manifest.csv"),
                    "--speakers", str(SAMPLE / "speakers.csv")]),
    ("info.out", ["info", P]),
    ("code.out", ["code", P, "--codebook", MENTORING]),
    ("codebook_show.out", ["codebook", "show", MENTORING]),
    ("explain.out", ["explain", P, "--codebook", MENTORING,
                     "--segment", "scholars_lakeshore_otter.txt:12"]),
    (None, ["export", "segments", P, "-o", "{out}/turns.csv"]),
    (None, ["export", "excerpts", P, "-o", "{out}/excerpts.csv"]),
    (None, ["export", "excerpts", P, "-o", "{out}/excerpts.xlsx"]),
    (None, ["export", "excerpts", P, "-o", "{out}/excerpts.docx"]),
    (None, ["export", "excerpts", P, "--theme", "independence", "--role", "scholar",
            "-o", "{out}/excerpts_independence_scholars.csv"]),
    (None, ["export", "counts", P, "--by", "role", "-o", "{out}/counts_by_role.csv"]),
    (None, ["export", "counts", P, "--by", "site", "-o", "{out}/counts_by_site.xlsx"]),
    ("compare.out", ["compare", P, "--by", "role", "--a", "scholar", "--b", "mentor"]),
    (None, ["compare", P, "--by", "role", "--a", "scholar", "--b", "mentor",
            "-o", "{out}/compare_scholar_mentor.csv"]),
    (None, ["compare", P, "--by", "role", "--a", "scholar", "--b", "mentor", "--unit", "participants",
            "-o", "{out}/compare_participants.xlsx"]),
    (None, ["report", P, "-o", "{out}/report.docx"]),
    (None, ["export", "qdpx", P, "-o", "{out}/sample.qdpx"]),
    (None, ["export", "qdc", MENTORING, "-o", "{out}/mentoring.qdc"]),
    (None, ["export", "coding-sheet", P, "-o", "{out}/sheet.xlsx"]),
    (None, ["export", "coding-sheet", P, "--suggestions", "rules", "-o", "{out}/review.csv"]),
    ("import_tuning.out", ["import-codings", P, str(SAMPLE / "gold_tuning.csv"), "--coder", "gold"]),
    ("import_heldout.out", ["import-codings", P, str(SAMPLE / "gold_heldout.csv"), "--coder", "gold"]),
    ("agreement.out", ["agreement", P, "--coders", "gold,rules", "--reference", "gold",
                       "--level", "theme"]),
    (None, ["agreement", P, "--coders", "gold,rules", "--reference", "gold",
            "-o", "{out}/disagreements.xlsx"]),
    (None, ["export", "excerpts", P, "--coder", "gold", "-o", "{out}/excerpts_gold.csv"]),
    (None, ["export", "counts", P, "--coder", "gold", "--by", "role", "-o", "{out}/counts_gold.csv"]),
    ("code_domains.out", ["code", P, "--codebook", DOMAINS]),
    (None, ["export", "counts", P, "--by", "role", "-o", "{out}/counts_domains.csv"]),
    (None, ["export", "excerpts", P, "-o", "{out}/excerpts_domains.csv"]),
    ("redact.out", ["redact", P, "--dry-run"]),
]


def xlsx_text(path: Path) -> str:
    from openpyxl import load_workbook
    book = load_workbook(path, read_only=True)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for sheet in book.worksheets:
        out.write(f"## sheet {sheet.title}\n")
        for row in sheet.iter_rows(values_only=True):
            writer.writerow(["" if v is None else v for v in row])
    book.close()
    return out.getvalue()


def docx_text(path: Path) -> str:
    import docx
    document = docx.Document(str(path))
    body = document.element.body
    lines = []
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            table = docx.table.Table(child, document)
            for row in table.rows:
                lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines) + "\n"


def zip_text(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {f"{path.name}/{info.filename}": archive.read(info).decode("utf-8")
                for info in archive.infolist()}


def file_texts(path: Path) -> dict[str, str]:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return {path.name + ".txt": xlsx_text(path)}
    if suffix == ".docx":
        return {path.name + ".txt": docx_text(path)}
    if suffix == ".qdpx":
        return zip_text(path)
    return {path.name: path.read_text(encoding="utf-8")}


def run_commands(workdir: Path, commands: list[tuple[str | None, list[str]]]) -> dict[str, str]:
    """Run ``commands`` (as in COMMANDS) through the CLI in ``workdir``, writing into
    ``workdir/out``; return what the named ones printed."""
    import os

    from click.testing import CliRunner

    from qualcode.cli import cli

    out = workdir / "out"
    out.mkdir(parents=True, exist_ok=True)
    texts: dict[str, str] = {}
    runner = CliRunner()
    old = os.getcwd()
    os.chdir(workdir)
    try:
        for name, argv in commands:
            args = [a.replace("{out}", str(out)) for a in argv]
            result = runner.invoke(cli, args, catch_exceptions=False)
            if result.exit_code != 0:
                raise AssertionError(f"qualcode {' '.join(args)} exited {result.exit_code}:\n{result.output}")
            if name:
                texts[name] = result.output.replace(str(workdir), "<work>").replace(str(REPO), "<repo>")
    finally:
        os.chdir(old)
    return texts


def produce(workdir: Path) -> dict[str, str]:
    """Run COMMANDS in ``workdir`` and return every output as text."""
    texts = run_commands(workdir, COMMANDS)
    out = workdir / "out"
    for path in sorted(out.iterdir()):
        texts.update(file_texts(path))
    today = date.today().isoformat()   # the report is dated: compare it whatever the day
    return {name: text.replace(today, "<today>") for name, text in texts.items()}


def write_golden(texts: dict[str, str]) -> None:
    if GOLDEN.exists():
        shutil.rmtree(GOLDEN)
    for name, text in texts.items():
        target = GOLDEN / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))


def read_golden() -> dict[str, str]:
    return {str(p.relative_to(GOLDEN)): p.read_bytes().decode("utf-8")
            for p in sorted(GOLDEN.rglob("*")) if p.is_file()}


if __name__ == "__main__":
    import tempfile
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/golden_outputs.py --write")
    with tempfile.TemporaryDirectory() as tmp:
        write_golden(produce(Path(tmp)))
    print(f"wrote {len(read_golden())} files under {GOLDEN.relative_to(REPO)}")
