"""Import a person's codings from CSV/XLSX, and apply a review of machine suggestions.

Accepted layouts (column names are case-insensitive; other columns are ignored):

coding sheet (wide), one row per turn the coder read::

    document,turn,speaker,codes,text
    group1.docx,3,S01 (scholar),value.clarity; tools,We wrote it all down...

  ``codes`` holds code ids separated by ``;``; an empty cell means "read, no code
  applies".  ``speaker`` (the pseudonym ``S01 (scholar)``, the participant id or the label)
  and ``text``, when present, must match the project's turn.

one row per coding (long), every participant turn of each named document counts
as read by the coder::

    document,turn,code               (the whole turn; speaker and text checked if given)
    document,start,end,code[,text]   (character span; ``text`` must equal the span)
    document,code,text               (a quote, found in the document; must occur once)

reviewed coding sheet (has a ``decision`` column; see :mod:`qualcode.exchange.sheets.sheet`):
machine suggestions are accepted or rejected, and the reviewer's own coding of the
turn (accepted suggestions plus the ``codes`` column) is stored as theirs.  A row
with undecided suggestions and no codes is not (fully) reviewed: the decisions it
does give are applied, but the turn does not count as read by the reviewer.

Every problem is collected and reported at once, row by row, in one
:class:`CodingsFileError`; nothing is written unless the whole file is good.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.codebook import Codebook
from qualcode.core.roles import FACILITATOR
from qualcode.exchange.sheets.checks import (CodingsFileError, ImportPlan, RowChecker,
                                        codebook_versions_of, read_codings_table, resolve_codebook, short,
                                        split_codes, turn_coding)
from qualcode.exchange.sheets.review import plan_review, suggester_codebook
from qualcode.core.tables import Table
from qualcode.core.errors import InputError
from qualcode.store.codebooks import codebook_versions
from qualcode.store.coders import person_coder_name
from qualcode.store.project import Project

@dataclass
class ImportResult:
    path: str
    coder: str
    codebook: str
    layout: str                       # sheet, turns, spans, quotes or review
    rows: int = 0
    codings: int = 0
    turns_covered: int = 0
    documents: list[str] = field(default_factory=list)
    replaced_codings: int = 0
    replaced_turns: int = 0
    by_code: dict[str, int] = field(default_factory=dict)
    suggester: str | None = None
    accepted: int = 0
    rejected: int = 0
    undecided_turns: int = 0


def _layout(table: Table) -> str:
    if table.has("decision"):
        return "review"
    if table.has("codes"):
        return "sheet"
    if table.has("code"):
        if table.has("start") or table.has("end"):
            return "spans"
        if table.has("turn"):
            return "turns"
        if table.has("text"):
            return "quotes"
    raise InputError("cannot tell the layout: expected columns document,turn,codes (coding sheet), "
                     "or one coding per row: document,turn,code / document,start,end,code / "
                     "document,code,text (a quote)", table.path)


def _require(table: Table, layout: str) -> None:
    needed = {"review": ("document", "turn", "codes", "decision"), "sheet": ("document", "turn"),
              "spans": ("document", "start", "end", "code"), "turns": ("document", "turn", "code"),
              "quotes": ("document", "code", "text")}[layout]
    missing = [c for c in needed if not table.has(c)]
    if missing:
        raise InputError(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                         f"(found: {', '.join(table.columns)})", table.path, 1)

def _plan_sheet(check: RowChecker, plan: ImportPlan, source: str) -> None:
    first_row: dict[tuple[str, int], int] = {}
    for row, values in check.table.rows:
        document = check.document(row, values)
        seg = check.turn(row, document, values)
        codes = check.code_list(row, values.get("codes", ""))
        if seg is None:
            continue
        key = (seg.document, int(seg.turn))
        if key in first_row:
            check.add(row, f"turn {seg.turn} of {seg.document} is listed again (first in row {first_row[key]})")
            continue
        first_row[key] = row
        check.matches_turn(row, seg, values)
        plan.documents.setdefault(seg.document, check.doc_ids[seg.document])
        plan.covered.add(int(seg.segment_id))
        for code in codes:
            plan.codings.append(turn_coding(seg, check.doc_ids[seg.document], code, row, source))


def _int_cell(check: RowChecker, row: int, values: dict, column: str) -> int | None:
    raw = values.get(column, "")
    try:
        number = float(raw)
        if number.is_integer() and number >= 0:
            return int(number)
    except ValueError:
        pass
    check.add(row, f"{column} {raw!r} is not a character offset (0 or more)" if raw else f"no {column}")
    return None


def _find_quote(text: str, quote: str) -> list[tuple[int, int]]:
    found = [(m.start(), m.start() + len(quote)) for m in re.finditer(re.escape(quote), text)]
    if not found:  # spreadsheets re-wrap text: let any run of white space match any other
        pattern = r"\s+".join(re.escape(word) for word in quote.split())
        found = [(m.start(), m.end()) for m in re.finditer(pattern, text)]
    return found


def _plan_long(check: RowChecker, plan: ImportPlan, layout: str, source: str) -> None:
    for row, values in check.table.rows:
        document = check.document(row, values)
        code_cell = values.get("code", "")
        codes = check.code_list(row, code_cell)
        if len(split_codes(code_cell)) > 1:
            check.add(row, "one code per row in this layout (several found: use a row for each)")
            continue
        if layout == "turns":
            seg = check.turn(row, document, values)
            if seg is None:
                continue
            check.matches_turn(row, seg, values)
            if document is not None:
                plan.documents.setdefault(document, check.doc_ids[document])
            if codes:
                plan.codings.append(turn_coding(seg, check.doc_ids[document], codes[0], row, source))
            continue
        if not code_cell:
            check.add(row, "no code")
        if layout == "spans":
            start = _int_cell(check, row, values, "start")
            end = _int_cell(check, row, values, "end")
            if document is None or start is None or end is None:
                continue
            text = check.text(document)
            if start >= end:
                check.add(row, f"span {start}-{end} is empty (start must be before end)")
                continue
            if end > len(text):
                check.add(row, f"span {start}-{end} lies outside {document} ({len(text)} characters)")
                continue
            given = values.get("text", "")
            if given and given != text[start:end].strip():
                check.add(row, f"text {short(given)!r} is not the text at {start}-{end} of {document} "
                               f"({short(text[start:end])!r})")
                continue
        else:  # quotes
            quote = values.get("text", "")
            if not quote:
                check.add(row, "no quote in the text column")
                continue
            if document is None:
                continue
            found = _find_quote(check.text(document), quote)
            if not found:
                check.add(row, f"quote {short(quote)!r} not found in {document}")
                continue
            if len(found) > 1:
                where = ", ".join(str(s) for s, _ in found[:5])
                check.add(row, f"quote {short(quote)!r} occurs {len(found)} times in {document} "
                               f"(at characters {where}): give a longer quote or start,end")
                continue
            start, end = found[0]
        seg_id = check.segment_for_span(document, start, end)
        if seg_id is None:
            check.add(row, f"span {start}-{end} of {document} lies in no turn (only labels or blank lines)")
            continue
        plan.documents.setdefault(document, check.doc_ids[document])
        if codes:
            plan.codings.append({"document_id": check.doc_ids[document], "segment_id": seg_id,
                                 "code": codes[0], "start": start, "end": end,
                                 "evidence": {"file": source, "row": row}})
    # every participant turn of each named document is covered
    segs = check.segments[check.segments["document"].isin(list(plan.documents))]
    segs = segs[segs["role"].fillna("") != FACILITATOR]
    plan.covered.update(int(s) for s in segs["segment_id"])

def read_codings(project: Project, path: str | Path | Table, codebook_id: int, *,
                 suggester: str | None = None) -> tuple[str, ImportPlan, str | None]:
    """Check a codings file against the project; raise :class:`CodingsFileError` listing every
    bad row.  Returns (layout, plan, suggester); writes nothing."""
    table = path if isinstance(path, Table) else read_codings_table(path)
    path = table.path
    layout = "review" if suggester is not None else _layout(table)
    _require(table, layout)
    if not table.rows:
        raise InputError("no rows below the header: nothing to import", path)
    check = RowChecker(project, codebook_id, table)
    plan = ImportPlan(rows=len(table.rows))
    source = Path(path).name
    if layout == "sheet":
        _plan_sheet(check, plan, source)
    elif layout == "review":
        suggester = plan_review(check, plan, source, suggester,
                                 codebook_versions_of(project, codebook_id))
    else:
        _plan_long(check, plan, layout, source)
    if check.problems:
        hint = _other_codebook_hint(project, codebook_id, check.problems)
        raise CodingsFileError(path, check.problems + ([(None, hint)] if hint else []))
    return layout, plan, suggester


def _other_codebook_hint(project: Project, codebook_id: int, problems) -> str | None:
    """When the unknown codes all belong to another codebook of the project, say which."""
    unknown = {m.group(1) for _, msg in problems if (m := re.match(r"unknown code '(.+?)'", msg))}
    if not unknown:
        return None
    codes = project.codes_frame()
    codes = codes[codes["codebook_id"] != codebook_id]
    for _, group in codes.groupby("codebook_id", sort=False):
        if unknown <= set(group["code"]):
            name = group["codebook"].iloc[0]
            return f"the unknown codes are in codebook {name!r}: give --codebook {name!r}"
    return None

# ---------------------------------------------------------------------------- writing
def import_codings(project: Project, path: str | Path, coder: str, *,
                   codebook: Codebook | str | Path | None = None,
                   suggestions: str | None = None) -> ImportResult:
    """Import a person's codings (all or nothing); see the module documentation for layouts.

    Re-importing for the same coder and codebook replaces that coder's earlier codings
    and coverage in the documents the file covers; other coders are never touched.
    ``suggestions`` names the tagger whose suggestions a reviewed sheet decides on
    (default: the sheet's ``suggested_by`` column); a reviewed sheet is checked against
    the codebook that tagger last coded with unless ``codebook`` is given."""
    coder = person_coder_name(project, coder)
    table = read_codings_table(path)
    if codebook is None and (suggestions is not None or table.has("decision")):
        codebook = suggester_codebook(project, table, suggestions)
    with project.transaction():
        book = resolve_codebook(project, codebook)
        codebook_id, label = book.id, book.label
        layout, plan, suggester = read_codings(project, table, codebook_id, suggester=suggestions)
        earlier = codebook_versions(project, book.name)
        replaced_codings, replaced_turns = project.delete_coder_documents(coder, earlier,
                                                                          plan.documents.values())
        project.add_codings({**c, "codebook_id": codebook_id, "coder": coder, "coder_kind": "human",
                             "status": "accepted"} for c in plan.codings)
        project.add_coverage(coder, codebook_id, sorted(plan.covered))
        for status in ("accepted", "rejected"):
            project.update_coding_status([i for i, s in plan.statuses.items() if s == status], status)
    codes = project.codes_frame(codebook_id)["code"].tolist()
    counts = Counter(c["code"] for c in plan.codings)
    return ImportResult(
        path=str(path), coder=coder, codebook=label, layout=layout, rows=plan.rows,
        codings=len(plan.codings), turns_covered=len(plan.covered), documents=list(plan.documents),
        replaced_codings=replaced_codings, replaced_turns=replaced_turns,
        by_code={c: counts.get(c, 0) for c in codes}, suggester=suggester,
        accepted=sum(s == "accepted" for s in plan.statuses.values()),
        rejected=sum(s == "rejected" for s in plan.statuses.values()),
        undecided_turns=plan.undecided)

