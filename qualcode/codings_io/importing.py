"""Import a person's codings from CSV/XLSX, and apply a review of machine suggestions.

Accepted layouts (column names are case-insensitive; other columns are ignored):

coding sheet (wide), one row per turn the coder read::

    document,turn,speaker,codes,text
    group1.docx,3,Dr. Okafor,value.clarity; tools,We wrote it all down...

  ``codes`` holds code ids separated by ``;``; an empty cell means "read, no code
  applies".  ``speaker`` (the label, or the participant id) and ``text``, when present,
  must match the project's turn.

one row per coding (long), every participant turn of each named document counts
as read by the coder::

    document,turn,code               (the whole turn; speaker and text checked if given)
    document,start,end,code[,text]   (character span; ``text`` must equal the span)
    document,code,text               (a quote, found in the document; must occur once)

reviewed coding sheet (has a ``decision`` column; see :mod:`qualcode.codings_io.sheet`):
machine suggestions are accepted or rejected, and the reviewer's own coding of the
turn (accepted suggestions plus the ``codes`` column) is stored as theirs.  A row
with undecided suggestions and no codes is not (fully) reviewed: the decisions it
does give are applied, but the turn does not count as read by the reviewer.

Every problem is collected and reported at once, row by row, in one
:class:`CodingsFileError`; nothing is written unless the whole file is good.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qualcode.codebook import Codebook, load_codebook
from qualcode.codings_io.tables import Table, read_table
from qualcode.errors import InputError, SelectionError
from qualcode.store import Project

FACILITATOR = "facilitator"
RESERVED_CODERS = ("all",)
DECISIONS = ("accept", "reject")
MAX_LISTED = 200


class CodingsFileError(InputError):
    """A codings file has bad rows.  ``problems`` is the list of (row, message)."""

    def __init__(self, path, problems: list[tuple[int | None, str]]):
        self.problems = sorted(problems, key=lambda p: (p[0] is None, p[0] or 0))
        n = len(self.problems)
        lines = [f"row {row}: {msg}" if row else msg for row, msg in self.problems[:MAX_LISTED]]
        if n > MAX_LISTED:
            lines.append(f"... and {n - MAX_LISTED} more")
        head = f"{n} problem{'s' if n != 1 else ''}, nothing imported:"
        super().__init__(head + "".join("\n  " + line for line in lines), path)


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


@dataclass
class _Plan:
    codings: list[dict] = field(default_factory=list)
    covered: set[int] = field(default_factory=set)
    documents: dict[str, int] = field(default_factory=dict)   # name -> id, in file order
    statuses: dict[int, str] = field(default_factory=dict)     # machine coding id -> new status
    undecided: int = 0
    rows: int = 0


# ---------------------------------------------------------------------------- codebook
def resolve_codebook(project: Project, codebook: Codebook | str | Path | None) -> tuple[int, str]:
    """The project codebook id to import against, and its label.

    ``codebook`` is a loaded :class:`Codebook` or a YAML file (registered in the
    project if new), a codebook name (or id) already in the project, or None for the
    most recently added codebook."""
    from qualcode.coding import register_codebook

    if isinstance(codebook, Codebook):
        return register_codebook(project, codebook), f"{codebook.name} {codebook.version}"
    if isinstance(codebook, (str, Path)) and (Path(codebook).suffix.lower() in (".yaml", ".yml")
                                 or Path(codebook).is_file()):
        book = load_codebook(codebook)
        return register_codebook(project, book), f"{book.name} {book.version}"
    books = project.codebooks_frame()
    if books.empty:
        raise SelectionError("the project has no codebook: give --codebook FILE.yaml", project.path)
    if codebook is None:
        row = books.iloc[-1]
    elif isinstance(codebook, int):
        row = books[books["codebook_id"] == codebook].iloc[0]
    else:
        wanted = str(codebook).casefold()
        match = books[[wanted in (str(n).casefold(), f"{n} {v}".casefold())
                       for n, v in zip(books["name"], books["version"])]]
        if match.empty:
            names = ", ".join(sorted(set(books["name"])))
            raise SelectionError(f"no codebook {codebook!r} in the project (codebooks: {names}); "
                                 "give the YAML file to add it", project.path)
        row = match.iloc[-1]
    version = row["version"] if isinstance(row["version"], str) and row["version"] else ""
    return int(row["codebook_id"]), f"{row['name']} {version}".strip()


def codebook_name(project: Project, codebook_id: int) -> str:
    books = project.codebooks_frame()
    return str(books.loc[books["codebook_id"] == codebook_id, "name"].iloc[0])


def did_you_mean(value: str, choices) -> str:
    choices = list(choices)
    folded = {c.casefold(): c for c in choices}
    if value.casefold() in folded:
        return f" (did you mean {folded[value.casefold()]!r}?)"
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    if not close:  # an abbreviation: 'power' for 'power_differential'
        close = [c for c in choices if c.casefold().startswith(value.casefold())][:1]
    return f" (did you mean {close[0]!r}?)" if close else ""


def split_codes(cell: str) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in cell.split(";") if part.strip()))


def _squash(text: str) -> str:
    return " ".join(str(text).split())


def _short(text: str, n: int = 40) -> str:
    text = _squash(text)
    return text if len(text) <= n else text[: n - 3] + "..."


# ----------------------------------------------------------------------------- reading
class _Checker:
    """Validates rows against the project's documents, turns and the codebook."""

    def __init__(self, project: Project, codebook_id: int, table: Table):
        self.table = table
        self.problems: list[tuple[int | None, str]] = []
        self.codes = project.codes_frame(codebook_id)["code"].tolist()
        self.code_set = set(self.codes)
        segments = project.segments_frame(include_facilitators=True)
        self.segments = segments
        docs = project.documents_frame()
        self.doc_ids = dict(zip(docs["document"], docs["document_id"].astype(int)))
        self.turns = {(r.document, int(r.turn)): r for r in segments.itertuples(index=False)}
        self.turn_range = segments.groupby("document")["turn"].agg(["min", "max"]).to_dict("index")
        self._texts: dict[str, str] = {}
        self._spans: dict[str, tuple] = {}
        self.project = project

    def text(self, document: str) -> str:
        if document not in self._texts:
            self._texts[document] = self.project.document_text(self.doc_ids[document])
        return self._texts[document]

    def add(self, row: int | None, message: str) -> None:
        self.problems.append((row, message))

    def document(self, row: int, values: dict) -> str | None:
        name = values.get("document", "")
        if not name:
            self.add(row, "no document")
            return None
        if name not in self.doc_ids:
            self.add(row, f"unknown document {name!r}{did_you_mean(name, self.doc_ids)}")
            return None
        return name

    def turn(self, row: int, document: str | None, values: dict):
        raw = values.get("turn", "")
        try:
            number = float(raw)
            if not number.is_integer():
                raise ValueError
            number = int(number)
        except ValueError:
            self.add(row, f"turn {raw!r} is not a turn number" if raw else "no turn")
            return None
        if document is None:
            return None
        seg = self.turns.get((document, number))
        if seg is None:
            span = self.turn_range.get(document)
            where = f" (turns {span['min']}-{span['max']})" if span else " (it has no turns)"
            self.add(row, f"no turn {number} in {document}{where}")
        return seg

    def code_list(self, row: int, cell: str) -> list[str]:
        good = []
        for code in split_codes(cell):
            if code in self.code_set:
                good.append(code)
            elif "," in code:
                self.add(row, f"unknown code {code!r}: separate codes with ';'")
            else:
                self.add(row, f"unknown code {code!r}{did_you_mean(code, self.codes)}")
        return good

    def matches_turn(self, row: int, seg, values: dict) -> None:
        speaker = values.get("speaker", "")
        known = {_squash(seg.speaker).casefold(), str(seg.participant).casefold()}
        if speaker and _squash(speaker).casefold() not in known:
            self.add(row, f"speaker {speaker!r} is not the speaker of turn {seg.turn} of {seg.document} "
                          f"({seg.speaker!r}): is the sheet from another transcript?")
        text = values.get("text", "")
        if text and _squash(text) != _squash(seg.text):
            self.add(row, f"text {_short(text)!r} does not match turn {seg.turn} of {seg.document} "
                          f"({_short(seg.text)!r})")

    def segment_for_span(self, document: str, start: int, end: int) -> int | None:
        """The id of the turn that overlaps the span most (None: it overlaps no turn)."""
        if document not in self._spans:
            rows = self.segments[self.segments["document"] == document]
            self._spans[document] = (rows["start"].to_numpy(), rows["end"].to_numpy(),
                                     rows["segment_id"].to_numpy())
        starts, ends, ids = self._spans[document]
        overlap = np.minimum(ends, end) - np.maximum(starts, start)
        if overlap.size == 0 or overlap.max() <= 0:
            return None
        return int(ids[int(np.argmax(overlap))])


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


def _turn_coding(seg, document_id: int, code: str, row: int, source: str) -> dict:
    return {"document_id": document_id, "segment_id": int(seg.segment_id), "code": code,
            "start": int(seg.start), "end": int(seg.end), "evidence": {"file": source, "row": row}}


def _plan_sheet(check: _Checker, plan: _Plan, source: str) -> None:
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
            plan.codings.append(_turn_coding(seg, check.doc_ids[seg.document], code, row, source))


def _int_cell(check: _Checker, row: int, values: dict, column: str) -> int | None:
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


def _plan_long(check: _Checker, plan: _Plan, layout: str, source: str) -> None:
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
                plan.codings.append(_turn_coding(seg, check.doc_ids[document], codes[0], row, source))
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
                check.add(row, f"text {_short(given)!r} is not the text at {start}-{end} of {document} "
                               f"({_short(text[start:end])!r})")
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
                check.add(row, f"quote {_short(quote)!r} not found in {document}")
                continue
            if len(found) > 1:
                where = ", ".join(str(s) for s, _ in found[:5])
                check.add(row, f"quote {_short(quote)!r} occurs {len(found)} times in {document} "
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


def parse_decision(cell: str, suggested: list[str]) -> tuple[dict[str, str], list[str]]:
    """``accept`` / ``reject`` for every suggestion, ``code:accept`` / ``code:reject`` for one,
    both mixed (``accept; tools:reject``).  Returns ({code: accepted|rejected}, problems)."""
    default, per_code, problems = None, {}, []
    for token in re.split(r"[;,]", cell):
        token = token.strip()
        if not token:
            continue
        code, sep, verdict = token.rpartition(":")
        verdict = verdict.strip().casefold()
        if verdict not in DECISIONS:
            problems.append(f"cannot read decision {token!r}: write accept, reject, CODE:accept or "
                            "CODE:reject")
            continue
        if not sep:
            default = verdict
            continue
        code = code.strip()
        if code not in suggested:
            problems.append(f"decision for {code!r}, which is not suggested for this turn"
                            + (f" (suggested: {'; '.join(suggested)})" if suggested else ""))
            continue
        per_code[code] = verdict
    status = {"accept": "accepted", "reject": "rejected"}
    decided = {}
    for code in suggested:
        verdict = per_code.get(code, default)
        if verdict is not None:
            decided[code] = status[verdict]
    return decided, problems


def _plan_review(check: _Checker, plan: _Plan, source: str, suggester: str | None,
                 codebook_ids: list[int]) -> str:
    table = check.table
    names = {v.get("suggested_by", "") for _, v in table.rows} - {""}
    if suggester is None:
        if len(names) > 1:
            raise InputError(f"suggestions by several coders ({', '.join(sorted(names))}): "
                             "review one tagger's suggestions per sheet", table.path)
        if not names:
            raise InputError("a reviewed sheet needs a suggested_by column (or give the "
                             "tagger's name, e.g. --suggestions rules)", table.path)
        suggester = names.pop()
    machine = check.project.codings_frame()
    machine = machine[(machine["coder"] == suggester) & (machine["coder_kind"] == "machine")
                      & machine["codebook_id"].isin(codebook_ids)]
    if machine.empty:
        raise InputError(f"no machine codings by {suggester!r} in this codebook to review", table.path)
    by_segment = {int(k): g for k, g in machine.groupby("segment_id")}
    first_row: dict[int, int] = {}
    for row, values in table.rows:
        document = check.document(row, values)
        seg = check.turn(row, document, values)
        own = check.code_list(row, values.get("codes", ""))
        if seg is None:
            continue
        seg_id = int(seg.segment_id)
        if seg_id in first_row:
            check.add(row, f"turn {seg.turn} of {seg.document} is listed again (first in row {first_row[seg_id]})")
            continue
        first_row[seg_id] = row
        check.matches_turn(row, seg, values)
        group = by_segment.get(seg_id)
        suggested = list(dict.fromkeys(group["code"])) if group is not None else []
        listed = split_codes(values.get("suggested", ""))
        if table.has("suggested") and set(listed) != set(suggested):
            check.add(row, f"the sheet shows suggestions {'; '.join(listed) or '(none)'!r} but {suggester} "
                           f"now suggests {'; '.join(suggested) or '(none)'!r} for turn {seg.turn} of "
                           f"{seg.document}: export a fresh sheet")
            continue
        cell = values.get("decision", "")
        decided, problems = parse_decision(cell, suggested)
        for problem in problems:
            check.add(row, problem)
        if problems:
            continue
        if not suggested and cell:
            check.add(row, f"decision {cell!r} but nothing is suggested for this turn")
            continue
        undecided = [c for c in suggested if c not in decided]
        if undecided and values.get("codes", ""):
            check.add(row, f"no decision for {'; '.join(undecided)}: write accept or reject (all "
                           "suggestions) or CODE:accept / CODE:reject for each")
            continue
        for code, status in decided.items():
            for coding_id in group.loc[group["code"] == code, "coding_id"]:
                plan.statuses[int(coding_id)] = status
        if undecided:            # not (fully) reviewed yet: decisions given apply, turn not read
            plan.undecided += 1
            continue
        accepted = [c for c in suggested if decided[c] == "accepted"]
        plan.documents.setdefault(seg.document, check.doc_ids[seg.document])
        plan.covered.add(seg_id)
        for code in dict.fromkeys(accepted + own):
            plan.codings.append(_turn_coding(seg, check.doc_ids[seg.document], code, row, source))
    return suggester


def read_codings(project: Project, path: str | Path | Table, codebook_id: int, *,
                 suggester: str | None = None) -> tuple[str, _Plan, str | None]:
    """Check a codings file against the project; raise :class:`CodingsFileError` listing every
    bad row.  Returns (layout, plan, suggester); writes nothing."""
    table = path if isinstance(path, Table) else read_table(path)
    path = table.path
    layout = "review" if suggester is not None else _layout(table)
    _require(table, layout)
    if not table.rows:
        raise InputError("no rows below the header: nothing to import", path)
    check = _Checker(project, codebook_id, table)
    plan = _Plan(rows=len(table.rows))
    source = Path(path).name
    if layout == "sheet":
        _plan_sheet(check, plan, source)
    elif layout == "review":
        suggester = _plan_review(check, plan, source, suggester,
                                 project.codebook_ids_named(codebook_name(project, codebook_id)))
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


def _suggester_codebook(project: Project, table: Table, suggester: str | None) -> int | None:
    """For a reviewed sheet: the most recent codebook the suggesting tagger coded with."""
    names = {v.get("suggested_by", "") for _, v in table.rows} - {""}
    name = suggester or (names.pop() if len(names) == 1 else None)
    codings = project.codings_frame()
    ids = codings.loc[(codings["coder"] == name) & (codings["coder_kind"] == "machine"), "codebook_id"]
    ids = ids.dropna()
    return int(ids.max()) if not ids.empty else None


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
    coder = (coder or "").strip()
    if not coder or coder.casefold() in RESERVED_CODERS:
        raise SelectionError(f"coder name {coder!r} is not allowed: give a person's name or initials")
    codings = project.codings_frame()
    if ((codings["coder"] == coder) & (codings["coder_kind"] == "machine")).any():
        raise SelectionError(f"{coder!r} is the name of a machine tagger in this project: "
                             "give the human coder another name")
    table = read_table(path)
    if codebook is None and (suggestions is not None or table.has("decision")):
        codebook = _suggester_codebook(project, table, suggestions)
    with project.transaction():
        codebook_id, label = resolve_codebook(project, codebook)
        layout, plan, suggester = read_codings(project, table, codebook_id, suggester=suggestions)
        earlier = project.codebook_ids_named(codebook_name(project, codebook_id))
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

