"""Taguette's highlights export (CSV or XLSX: ``id, document, tag, content``) as a human coder's codings.

Documents match the project's by name, in any case, with or without a file suffix on either
side: Taguette names a document by the file it was given (``P2.odt``) while the project
holds the text qualcode read from it, maybe from another file (``P2.txt``).

Taguette exports each highlight's *text*, not its position, so the importer
finds it in the project's document: the same words in the same order (any
whitespace between them), searching onwards from the previous highlight of that
document (Taguette lists highlights in text order) and then from the start.
Tags are matched to the codes of a codebook registered in the project, by code
id (qualcode's CSV codebook gives Taguette the ids as tag names) or by code name.
A row with an empty tag (a highlight without tags) is skipped and counted.

Every problem (unknown document, unknown tag, text not found) is reported with
its row, and nothing is written unless every row fits.  Importing again replaces
that coder's codings in the codebook.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.core.errors import FormatError, InputError
from qualcode.core.spelling import did_you_mean, matching_names
from qualcode.core.tables import read_table
from qualcode.exchange.refi.turns import document_spans, segment_for
from qualcode.store.codebooks import find_codebook
from qualcode.store.coders import person_coder_name
from qualcode.store.frames import documents_frame
from qualcode.store.project import Project

COLUMNS = ("document", "tag", "content")
MAX_LISTED = 5


@dataclass
class HighlightImport:
    coder: str
    codebook: str
    codings: int = 0
    replaced: int = 0
    untagged: int = 0
    by_code: dict[str, int] = field(default_factory=dict)


def read_highlights(path: str | Path) -> list[tuple[int, str, str, str]]:
    """(row number as a spreadsheet shows it, document, tag, content) for each data row."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise InputError("highlights must be a Taguette .csv or .xlsx export", path)
    table = read_table(path, what="highlights")
    missing = [c for c in COLUMNS if not table.has(c)]
    if missing:
        raise FormatError(f"missing column(s) {', '.join(missing)}: a Taguette highlights export has "
                          "columns id, document, tag, content", path, 1)
    return [(number, row["document"], row["tag"], row["content"]) for number, row in table.rows]


def _find(text: str, content: str, start: int) -> tuple[int, int] | None:
    words = content.split()
    if not words:
        return None
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    m = pattern.search(text, start) or pattern.search(text)
    return (m.start(), m.end()) if m else None


def import_highlights(project: Project, path: str | Path, coder: str, *,
                      codebook: str | None = None) -> HighlightImport:
    """Import a Taguette highlights export as ``coder``'s (human) codings with ``codebook``
    (a codebook name in the project; default: the most recently added one)."""
    coder = person_coder_name(project, coder)
    rows = read_highlights(path)
    book = find_codebook(project, codebook, hint="add one (e.g. qualcode codebook import, or code the "
                                                 "project) before importing highlights")
    codebook_id = book.id
    codes = project.codes_frame(codebook_id)
    by_tag = {c: c for c in codes["code"]}
    by_name = {str(n).casefold(): c for n, c in zip(codes["name"], codes["code"]) if n}
    documents = documents_frame(project)["document"].tolist()
    result = HighlightImport(coder, book.name)
    problems: list[str] = []
    texts: dict[str, str] = {}
    cursor: dict[str, int] = defaultdict(int)
    planned = []
    for number, document, tag, content in rows:
        if not tag:
            result.untagged += 1
            continue
        found = matching_names(document, documents)
        code = by_tag.get(tag) or by_name.get(tag.casefold())
        if len(found) != 1:
            problems.append(f"row {number}: document {document!r} " + (
                f"matches {len(found)} documents ({', '.join(found)})" if found else
                f"is not in the project{did_you_mean(document, documents)}"))
            continue
        doc = found[0]
        if code is None:
            problems.append(f"row {number}: tag {tag!r} is not a code of codebook {result.codebook!r}")
            continue
        if doc not in texts:
            texts[doc] = project.document_text(project.document_id(doc))
        span = _find(texts[doc], content, cursor[doc])
        if span is None:
            problems.append(f"row {number}: highlighted text not found in {doc}: {content[:60]!r}")
            continue
        cursor[doc] = span[0]
        planned.append((doc, code, span))
    if problems:
        more = f"; and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
        head = f"{len(problems)} problems: " if len(problems) > 1 else ""
        raise FormatError(head + "; ".join(problems[:MAX_LISTED]) + more, path)
    segments = {doc: document_spans(project, doc) for doc in texts}
    with project.transaction():
        result.replaced = project.delete_coder_codings(coder, [codebook_id])
        project.delete_coverage(coder, [codebook_id])
        rows_out, seen = [], set()
        for doc, code, (start, end) in planned:
            if (doc, code, start, end) in seen:
                continue
            seen.add((doc, code, start, end))
            rows_out.append({"document_id": project.document_id(doc),
                             "segment_id": segment_for(segments[doc], start, end),
                             "codebook_id": codebook_id, "code": code, "start": start, "end": end,
                             "coder": coder, "coder_kind": "human", "status": "accepted"})
            result.by_code[code] = result.by_code.get(code, 0) + 1
        project.add_codings(rows_out)
        for doc in sorted({d for d, _, _ in planned}):
            project.add_coverage(coder, codebook_id, [s for s, _, _ in segments[doc]])
        result.codings = len(rows_out)
    return result
