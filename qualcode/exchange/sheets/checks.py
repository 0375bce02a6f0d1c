"""Checking codings files row by row against a project: its documents, turns and codebook.

Problems are collected, never raised one at a time; :class:`CodingsFileError` reports
them all, row by row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qualcode.codebook import Codebook, load_codebook
from qualcode.core.tables import Table, read_table
from qualcode.core.errors import InputError
from qualcode.core.pseudonyms import expected_speaker, speaker_matches
from qualcode.core.spelling import did_you_mean
from qualcode.store.codebooks import (StoredCodebook, codebook_by_id, codebook_versions, find_codebook,
                                      register_codebook)
from qualcode.store.frames import documents_frame, segments_frame
from qualcode.store.project import Project

#: The sheet of a coding-sheet workbook that holds the turns (the first one is read otherwise).
CODING_SHEET = "coding"
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
class ImportPlan:
    codings: list[dict] = field(default_factory=list)
    covered: set[int] = field(default_factory=set)
    documents: dict[str, int] = field(default_factory=dict)   # name -> id, in file order
    statuses: dict[int, str] = field(default_factory=dict)     # machine coding id -> new status
    undecided: int = 0
    rows: int = 0


# ---------------------------------------------------------------------------- codebook
def resolve_codebook(project: Project, codebook: Codebook | str | Path | int | None) -> StoredCodebook:
    """The project codebook to import against.

    ``codebook`` is a loaded :class:`Codebook` or a YAML file (registered in the
    project if new), a codebook name (or id) already in the project, or None for the
    most recently added codebook (see :mod:`qualcode.store.codebooks`)."""
    if isinstance(codebook, (str, Path)) and (Path(codebook).suffix.lower() in (".yaml", ".yml")
                                              or Path(codebook).is_file()):
        codebook = load_codebook(codebook)
    if isinstance(codebook, Codebook):
        return codebook_by_id(project, register_codebook(project, codebook))
    return find_codebook(project, codebook, hint="give --codebook FILE.yaml")


def codebook_versions_of(project: Project, codebook_id: int) -> list[int]:
    """The ids of every version of this codebook (every codebook with its name)."""
    return codebook_versions(project, codebook_by_id(project, codebook_id).name)


def read_codings_table(path: str | Path) -> Table:
    """A codings file or coding sheet: CSV, TSV or .xlsx (its ``coding`` sheet, else the first)."""
    return read_table(path, what="codings", prefer_sheet=CODING_SHEET)


def split_codes(cell: str) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in cell.split(";") if part.strip()))


def squash(text: str) -> str:
    return " ".join(str(text).split())


def short(text: str, n: int = 40) -> str:
    text = squash(text)
    return text if len(text) <= n else text[: n - 3] + "..."


# -------------------------------------------------------------------------- row checks
class RowChecker:
    """Validates rows against the project's documents, turns and the codebook."""

    def __init__(self, project: Project, codebook_id: int, table: Table):
        self.table = table
        self.problems: list[tuple[int | None, str]] = []
        self.codes = project.codes_frame(codebook_id)["code"].tolist()
        self.code_set = set(self.codes)
        segments = segments_frame(project, include_facilitators=True)
        self.segments = segments
        docs = documents_frame(project)
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
        role = seg.role if isinstance(seg.role, str) else None
        if speaker and not speaker_matches(speaker, seg.speaker, seg.participant, role):
            expected = expected_speaker(speaker, seg.speaker, seg.participant, role)
            self.add(row, f"speaker {speaker!r} is not the speaker of turn {seg.turn} of {seg.document} "
                          f"({expected!r}): is the sheet from another transcript?")
        text = values.get("text", "")
        if text and squash(text) != squash(seg.text):
            self.add(row, f"text {short(text)!r} does not match turn {seg.turn} of {seg.document} "
                          f"({short(seg.text)!r})")

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


def turn_coding(seg, document_id: int, code: str, row: int, source: str) -> dict:
    return {"document_id": document_id, "segment_id": int(seg.segment_id), "code": code,
            "start": int(seg.start), "end": int(seg.end), "evidence": {"file": source, "row": row}}
