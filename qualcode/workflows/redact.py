"""Replace participants' names inside the transcripts with their pseudonyms.

    >>> from qualcode.store.project import open_project
    >>> from qualcode.workflows.redact import redact_project, read_names
    >>> with open_project("study.qcproj") as project:
    ...     plan = redact_project(project, read_names("names.txt"), dry_run=True)
    ...     [(c.document, c.turn, c.original, c.replacement) for c in plan.changes][:1]
    [('group1.docx', 4, 'Okafor', '[S01]')]

What is replaced, case-insensitively and on word boundaries, everywhere in a document's
stored text (the turns and the ``Speaker:`` line starts):

* every participant's personal name, taken from their speaker labels: the full name
  (``Ruth Abernathy``), each of its words alone (``Ruth``, ``Abernathy``), and the family
  name after a title (``Dr. Abernathy``, ``Dr Abernathy``, ``Prof. Okafor``), and the
  name with an initial (``R. Abernathy``, ``R Abernathy``, ``Ruth A.``); a label
  with a title (``Dr. Okafor``) gives ``Okafor``.  Generic labels (``P1``, ``Speaker 2``,
  ``Moderator``) are not names.  Each becomes the participant's pseudonym in brackets,
  ``[S01]``; a word shared by several participants becomes ``[S01/S03]``.
* every name in a names list (:func:`read_names`): one name a line, optionally
  ``name,replacement``; without a replacement a participant's name gets their pseudonym
  and any other name ``[name]``.

A single name word that is also a common English word (``Will``, ``May``) is *not*
replaced on its own (``will`` is everywhere); the plan lists it in ``skipped`` so it can
be given in a names list, where every entry is replaced as written.

The text changes length, so every turn's and every coding's offsets are recomputed
(:func:`apply_replacements` and :class:`OffsetMap`) and still slice the same words; a
coding that started or ended inside a replaced name now covers the whole pseudonym.
All documents change in one transaction.  Speaker labels in the project (used by
``--real-names`` and the speakers table) are kept; share exports, not the project file.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from contextlib import ExitStack
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from qualcode.core.errors import InputError
from qualcode.core.spans import OffsetMap, apply_replacements
from qualcode.core.encoding import read_text_file
from qualcode.ingest.labels import (NAME_PARTICLES, TITLE_RE, is_known_speaker_shape, is_name_shaped,
                                    without_parenthetical)
from qualcode.ingest.speakers import is_generic_label
from qualcode.store.frames import speakers_frame
from qualcode.store.project import Project, count_words

#: Titles that may stand before a family name in the text: abbreviations with or without
#: a full stop (``Dr. Lee``, ``Dr Lee``), then words.
TITLES = ("Dr", "Prof", "Mr", "Mrs", "Ms", "Mx")
TITLE_WORDS = ("Doctor", "Professor", "Miss", "Dean")
#: What a name from a names list becomes when it is nobody's label: ``[name]``.
DEFAULT_REPLACEMENT = "[name]"


# ------------------------------------------------------------------ names

@dataclass(frozen=True)
class NameEntry:
    """A name to replace, from a names list: ``replacement`` None means 'the pseudonym'."""

    name: str
    replacement: str | None = None
    line: int | None = None


def read_names(path: str | Path) -> list[NameEntry]:
    """A names list: one name a line, or ``name,replacement``; blank lines and ``#`` comments
    are skipped."""
    entries = []
    for number, line in enumerate(read_text_file(path).split("\n"), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, replacement = line.partition(",")
        name = " ".join(name.split())
        if not name or not re.search(r"\w", name):
            raise InputError(f"not a name: {line!r}", path, number)
        entries.append(NameEntry(name, replacement.strip() or None, number))
    return entries


def personal_name(label: str) -> str | None:
    """The person's name in a speaker label, or None for generic and role labels.

    ``Dr. Okafor`` -> ``Okafor``; ``Hal Brennan (he/him)`` -> ``Hal Brennan``; a Teams
    ``Reyes, Nadia`` -> ``Nadia Reyes``; ``P1``, ``Speaker 2``, ``Moderator``,
    ``Participant 4`` -> None."""
    bare = without_parenthetical(" ".join(str(label).split()))
    if not bare or is_generic_label(bare):
        return None
    family, comma, given = bare.partition(",")
    if comma and "," not in given:  # "Family, Given" as Teams and Zoom directories write it
        family, given = family.strip(), given.strip()
        if family and given and is_name_shaped(family) and is_name_shaped(given):
            swapped = f"{given} {family}"
            return swapped if is_name_shaped(swapped) else None
    if TITLE_RE.match(bare) and is_name_shaped(bare):
        return bare.split(None, 1)[1]
    if is_known_speaker_shape(bare) or not is_name_shaped(bare):
        return None
    return bare


def _common_word(word: str) -> bool:
    from spacy.lang.en.stop_words import STOP_WORDS

    return word.casefold() in STOP_WORDS


def _name_words(name: str) -> list[str]:
    return [w for w in re.split(r"[\s]+", name)
            if len(w.strip(".")) >= 2 and w.casefold() not in NAME_PARTICLES]


@dataclass
class NameTable:
    """Every form of every name, with what it becomes."""

    forms: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # casefolded form -> replacements
    shown: dict[str, str] = field(default_factory=dict)  # casefolded form -> as first written
    skipped: list[str] = field(default_factory=list)

    def add(self, form: str, replacement: str) -> None:
        key = form_key(form)
        self.forms[key].add(replacement)
        self.shown.setdefault(key, form)

    def replacement(self, key: str) -> str:
        values = sorted(self.forms[key])
        if len(values) == 1:
            return values[0]
        pids = [v[1:-1] if v.startswith("[") and v.endswith("]") else v for v in values]
        return "[" + "/".join(pids) + "]"

    def pattern(self) -> re.Pattern | None:
        if not self.forms:
            return None
        forms = sorted(self.shown.values(), key=lambda f: (-len(f), f.casefold()))
        body = "|".join("".join(re.escape(word) + ("" if i == len(words) - 1 else
                                                   r"[ \t]*" if word.endswith(".") else r"[ \t]+")
                                for i, word in enumerate(words))
                        for words in (form.split() for form in forms))
        return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


def form_key(text: str) -> str:
    """How a name form is looked up: case and spacing folded, and a word after a period
    as if a space stood between them (``J.Pike`` is ``J. Pike``)."""
    return re.sub(r"\.(?=\S)", ". ", " ".join(text.split())).casefold()


def name_table(project: Project, names: Iterable[NameEntry] = ()) -> NameTable:
    """Name forms from the project's speaker labels and from a names list."""
    table = NameTable()
    speakers = speakers_frame(project)
    pid_of_name: dict[str, str] = {}
    for label, pid in zip(speakers["speaker"], speakers["participant"]):
        name = personal_name(label)
        if name is None:
            continue
        pseudonym = f"[{pid}]"
        pid_of_name.setdefault(name.casefold(), pseudonym)
        pid_of_name.setdefault(str(label).casefold(), pseudonym)
        table.add(name, pseudonym)
        written = without_parenthetical(" ".join(str(label).split()))
        if written.casefold() != name.casefold() and not TITLE_RE.match(written):
            table.add(written, pseudonym)  # "Reyes, Nadia" as the label line writes it
        words = _name_words(name)
        for word in words:
            if len(words) > 1 or name != word:
                if _common_word(word):
                    if word not in table.skipped:
                        table.skipped.append(word)
                    continue
                table.add(word, pseudonym)
        if len(words) > 1:  # initials: "J. Pike", "J Pike", "Jordan P."
            given, last = words[0], words[-1]
            table.add(f"{given[0]}. {last}", pseudonym)
            if given[0].casefold() not in ("a", "i"):  # "a Baker" is an article, not "A. Baker"
                table.add(f"{given[0]} {last}", pseudonym)
            table.add(f"{given} {last[0]}.", pseudonym)
        family = words[-1] if words else None
        if family:
            for title in TITLES:
                table.add(f"{title}. {family}", pseudonym)
            for title in TITLES + TITLE_WORDS:
                table.add(f"{title} {family}", pseudonym)
    for entry in names:
        replacement = entry.replacement or pid_of_name.get(entry.name.casefold()) or DEFAULT_REPLACEMENT
        table.add(entry.name, replacement)
    return table


# ------------------------------------------------------------------ the project

@dataclass(frozen=True)
class Change:
    """One name found in a document: where, what, and what it becomes."""

    document: str
    turn: int | None  # None: in a "Speaker:" line start, outside every turn
    start: int
    end: int
    original: str
    replacement: str


@dataclass
class RedactionPlan:
    changes: list[Change] = field(default_factory=list)
    documents: int = 0  # documents that change
    turns: int = 0      # turns that change
    codings: int = 0    # codings whose offsets move
    skipped: list[str] = field(default_factory=list)  # common-word name parts not replaced alone
    dry_run: bool = False


def find_names(text: str, table: NameTable) -> list[tuple[int, int, str, str]]:
    """``(start, end, original, replacement)`` for every name form in ``text``."""
    pattern = table.pattern()
    if pattern is None:
        return []
    out = []
    for m in pattern.finditer(text):
        replacement = table.replacement(form_key(m.group(0)))
        if m.group(0) != replacement:
            out.append((m.start(), m.end(), m.group(0), replacement))
    return out


def redact_project(project: Project, names: Iterable[NameEntry] = (), *,
                   documents: Iterable[str] | None = None, dry_run: bool = False) -> RedactionPlan:
    """Replace names in every document (or only ``documents``, by name); see the module doc.

    With ``dry_run`` nothing is written and the plan lists what would change.  Documents
    are read and rewritten one at a time, all in one transaction (nothing is changed if
    any fails), so memory holds one document and its codings, not the corpus."""
    table = name_table(project, list(names))
    plan = RedactionPlan(skipped=list(table.skipped), dry_run=dry_run)
    wanted = None if documents is None else set(documents)
    with ExitStack() as writing:  # the transaction begins with the first document to rewrite
        for doc_id, doc_name in project.document_ids_and_names():
            if wanted is not None and doc_name not in wanted:
                continue
            text = project.document_text(doc_id)
            found = find_names(text, table)
            if not found:
                continue
            turns = [(t["segment_id"], t["turn"], t["start"], t["end"]) for t in project.document_turns(doc_id)]
            turn_starts = [start for _, _, start, _ in turns]
            for start, end, original, replacement in found:
                i = bisect_right(turn_starts, start) - 1
                inside = i >= 0 and start < turns[i][3]
                plan.changes.append(Change(doc_name, turns[i][1] if inside else None, start, end,
                                           original, replacement))
            new_text, offsets = apply_replacements(text, ((s, e, r) for s, e, _, r in found))
            seg_rows = []
            for seg_id, _, start, end in turns:
                new_start, new_end = offsets.span(start, end)
                changed = text[start:end] != new_text[new_start:new_end]
                plan.turns += changed
                if changed or (new_start, new_end) != (start, end):
                    seg_rows.append((new_start, new_end, count_words(new_text[new_start:new_end]), seg_id))
            coding_rows = []
            for coding_id, start, end, *_, evidence in project.document_codings(doc_id):
                new_start, new_end = offsets.span(start, end)
                new_evidence = _moved_evidence(evidence, offsets)
                if (new_start, new_end) != (start, end) or new_evidence != evidence:
                    coding_rows.append((new_start, new_end, new_evidence, coding_id))
            plan.codings += len(coding_rows)
            plan.documents += 1
            if not dry_run:
                if plan.documents == 1:
                    writing.enter_context(project.transaction())
                project.replace_document_text(doc_id, new_text, seg_rows, coding_rows)
    return plan


def _moved_evidence(evidence: str | None, offsets: OffsetMap) -> str | None:
    """Rule hits in a coding's evidence carry offsets too: move them the same way."""
    if not evidence:
        return evidence
    try:
        data = json.loads(evidence)
    except ValueError:
        return evidence
    hits = data.get("hits") if isinstance(data, dict) else None
    if not isinstance(hits, list):
        return evidence
    moved = False
    for hit in hits:
        if isinstance(hit, dict) and isinstance(hit.get("start"), int) and isinstance(hit.get("end"), int):
            span = offsets.span(hit["start"], hit["end"])
            if span != (hit["start"], hit["end"]):
                hit["start"], hit["end"] = span
                moved = True
    return json.dumps(data, ensure_ascii=False) if moved else evidence
