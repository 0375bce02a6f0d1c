"""Scholar-mentor pairs: read a pairs file and resolve each side to one person's turns.

A pairs file (CSV, TSV or XLSX, read by :func:`qualcode.core.tables.read_table`) has one row
per pair::

    pair,scholar,mentor
    P1,S01,M01
    P2,scholar_interview_02.txt,mentor_interview_02

Each side is a participant id (as ``qualcode export segments`` shows it: every turn of that
person, in any document) or a document name, with or without its suffix (a whole interview
with one person: the turns of its one participant who is not a facilitator).

Every row is checked before anything is computed, and every problem is reported at once
(:class:`~qualcode.core.errors.ProblemsError`, one line per problem naming the file and
row): a missing pair name or side, a pair named twice or repeating another pair, an
unknown participant or document (with the closest name), a document with more or fewer
than one participant, a person whose role in the project is not the column's, and a
person named as a scholar on one row and as a mentor on another.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from qualcode.core.errors import ProblemsError
from qualcode.core.pseudonyms import speaker_pseudonym
from qualcode.core.roles import FACILITATOR
from qualcode.core.spelling import did_you_mean
from qualcode.core.tables import read_table
from qualcode.store.frames import speakers_frame

SIDES = ("scholar", "mentor")
COLUMNS = ("pair", *SIDES)


@dataclass(frozen=True)
class Side:
    """One side of a pair: whose turns, in which documents."""

    role: str                      # the column it was named in: scholar or mentor
    given: str                     # as written in the pairs file
    participant: str               # the participant id
    documents: tuple[str, ...]     # the documents whose turns by ``participant`` count
    label: str                     # the speaker's label in the first of them (the real name)

    def speaker(self, real_names: bool = False) -> str:
        """How outputs name this side: ``S01 (scholar)``, or the label with ``real_names``."""
        return self.label if real_names else speaker_pseudonym(self.participant, self.role)


@dataclass(frozen=True)
class Pair:
    name: str
    row: int                        # spreadsheet row of the pairs file
    scholar: Side
    mentor: Side

    def side(self, role: str) -> Side:
        return self.scholar if role == "scholar" else self.mentor


class _People:
    """Who speaks in the project: per participant and per document, from its speakers."""

    def __init__(self, speakers: pd.DataFrame):
        speakers = speakers[speakers["turns"] > 0]
        self.turns: dict[tuple[str, str], tuple[str, str | None]] = {}  # (pid, doc) -> (label, role)
        self.documents: dict[str, list[str]] = {}                       # doc -> speaking pids
        self.by_pid: dict[str, list[str]] = {}                          # pid -> its documents
        for row in speakers.itertuples(index=False):
            role = row.role if isinstance(row.role, str) and row.role else None
            self.turns.setdefault((row.participant, row.document), (row.speaker, role))
            people = self.documents.setdefault(row.document, [])
            if row.participant not in people:
                people.append(row.participant)
            docs = self.by_pid.setdefault(row.participant, [])
            if row.document not in docs:
                docs.append(row.document)
        self.pid_folded = {p.casefold(): p for p in self.by_pid}
        self.doc_folded = {d.casefold(): d for d in self.documents}
        stems: dict[str, list[str]] = {}
        for doc in self.documents:
            stems.setdefault(Path(doc).stem.casefold(), []).append(doc)
        self.doc_stems = stems

    def roles(self, pid: str, documents) -> set[str]:
        return {self.turns[(pid, d)][1] for d in documents if self.turns[(pid, d)][1]}

    def resolve(self, role: str, given: str) -> Side | str:
        """The side ``given`` names, or what is wrong with it."""
        folded = given.casefold()
        if folded in self.pid_folded:
            pid = self.pid_folded[folded]
            documents = tuple(d for d in self.by_pid[pid] if self.turns[(pid, d)][1] != FACILITATOR)
            documents = documents or tuple(self.by_pid[pid])
            return Side(role, given, pid, documents, self.turns[(pid, documents[0])][0])
        matches = ([self.doc_folded[folded]] if folded in self.doc_folded
                   else self.doc_stems.get(folded, []))
        if len(matches) > 1:
            return f"{role} {given!r} could be any of the documents {', '.join(matches)}: write its suffix"
        if not matches:
            choices = [*self.by_pid, *self.documents]
            return (f"unknown {role} {given!r}: no participant id or document of the project has "
                    f"that name{did_you_mean(given, choices)}")
        document = matches[0]
        people = [p for p in self.documents[document] if self.turns[(p, document)][1] != FACILITATOR]
        if len(people) != 1:
            who = f"{len(people)} participants ({', '.join(people)})" if people else "no participant"
            return (f"{role} {given!r}: document {document} has {who} besides the facilitator, not "
                    "one: name the person by participant id")
        return Side(role, given, people[0], (document,), self.turns[(people[0], document)][0])


def read_pairs(path: str | Path, project) -> list[Pair]:
    """The pairs of ``path``, each side resolved against an open project.

    Raises :class:`~qualcode.core.errors.ProblemsError` listing every problem (see the
    module documentation); returns the pairs in file order otherwise."""
    path = Path(path)
    table = read_table(path, what="pairs")
    missing = [c for c in COLUMNS if not table.has(c)]
    if missing:
        raise ProblemsError([f"{path}, row 1: no column {', '.join(repr(c) for c in missing)} "
                             f"(a pairs file has the columns pair, scholar, mentor; found "
                             f"{', '.join(table.columns) or 'none'})"], path)
    people = _People(speakers_frame(project))
    problems: list[str] = []
    pairs: list[Pair] = []
    names: dict[str, int] = {}
    named_as: dict[str, tuple[str, int]] = {}          # pid -> (column, first row)
    seen_pairs: dict[tuple, Pair] = {}                 # whose turns on each side -> pair
    for row, cells in table.rows:
        found = _check_row(path, row, cells, people, names, named_as, problems)
        if found is None:
            continue
        name, scholar, mentor = found
        pair = Pair(name, row, scholar, mentor)
        key = (scholar.participant, scholar.documents, mentor.participant, mentor.documents)
        earlier = seen_pairs.get(key)
        if earlier is not None:
            problems.append(f"{path}, row {row}: pair {name!r} repeats pair {earlier.name!r} of row "
                            f"{earlier.row} (the same scholar and mentor)")
            continue
        seen_pairs[key] = pair
        pairs.append(pair)
    if not problems and not pairs:
        problems.append(f"{path}: no pairs (one row per pair under the header pair, scholar, mentor)")
    if problems:
        raise ProblemsError(problems, path)
    return pairs


def _check_row(path: Path, row: int, cells: dict[str, str], people: _People, names: dict[str, int],
               named_as: dict[str, tuple[str, int]], problems: list[str]):
    """(name, scholar, mentor) of one row, or None after adding its problems to ``problems``."""
    before = len(problems)

    def problem(message: str) -> None:
        problems.append(f"{path}, row {row}: {message}")

    name = cells.get("pair", "")
    if not name:
        problem("no pair name")
    elif name.casefold() in names:
        problem(f"pair {name!r} is named twice (first on row {names[name.casefold()]})")
    else:
        names[name.casefold()] = row
    label = f"pair {name!r}" if name else "the pair"
    sides: dict[str, Side] = {}
    for role in SIDES:
        given = cells.get(role, "")
        if not given:
            problem(f"{label} has no {role}: every pair needs a scholar and a mentor")
            continue
        side = people.resolve(role, given)
        if isinstance(side, str):
            problem(side)
            continue
        other_roles = people.roles(side.participant, side.documents) - {role}
        if other_roles:
            who = "" if given.casefold() == side.participant.casefold() else f" ({side.participant})"
            problem(f"{role} {given!r}{who} is a {' and '.join(sorted(other_roles))} in the project, "
                    f"not a {role}")
            continue
        sides[role] = side
    if len(sides) == 2 and sides["scholar"].participant == sides["mentor"].participant:
        problem(f"{label} names {sides['scholar'].participant} as both its scholar and its mentor")
        return None
    for role, side in sides.items():
        column, first = named_as.setdefault(side.participant, (role, row))
        if column != role:
            problem(f"{side.participant} is named as {role} here and as {column} on row {first}: a "
                    "person is on one side of every pair")
    if len(problems) > before:
        return None
    return name, sides["scholar"], sides["mentor"]
