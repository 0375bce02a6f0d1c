"""Participants' names as they may be written inside the talk, and what each becomes.

One name table serves everything that must keep names out of what it writes or sends:
``qualcode redact`` rewrites the project's texts with it
(:mod:`qualcode.workflows.redact`), and the LLM tagger replaces names in each turn before it
leaves the machine (:mod:`qualcode.tagging.llm.prompt`).

    >>> from qualcode.store.names import name_table, redact_text
    >>> table = name_table(project)
    >>> redact_text("Dr. Okafor said Ruth was right.", table).text
    '[M01] said [S01] was right.'

The forms of a name (full name, each word, titled, with an initial), the common words
that are not replaced alone and the names list format are described in
:mod:`qualcode.workflows.redact`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from qualcode.core.encoding import read_text_file
from qualcode.core.errors import InputError
from qualcode.core.spans import OffsetMap, apply_replacements
from qualcode.ingest.labels import (NAME_PARTICLES, TITLE_RE, is_known_speaker_shape, is_name_shaped,
                                    without_parenthetical)
from qualcode.ingest.speakers import is_generic_label
from qualcode.store.frames import speakers_frame
from qualcode.store.project import Project

#: Titles that may stand before a family name in the text: abbreviations with or without
#: a full stop (``Dr. Lee``, ``Dr Lee``), then words.
TITLES = ("Dr", "Prof", "Mr", "Mrs", "Ms", "Mx")
TITLE_WORDS = ("Doctor", "Professor", "Miss", "Dean")
#: What a name from a names list becomes when it is nobody's label: ``[name]``.
DEFAULT_REPLACEMENT = "[name]"


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


@dataclass(frozen=True)
class RedactedText:
    """A text with its names replaced, and the map from its offsets back to the original's."""

    text: str
    backward: OffsetMap  # offsets in ``text`` -> offsets in the original


def redact_text(text: str, table: NameTable) -> RedactedText:
    """``text`` with every name form of ``table`` replaced (:func:`find_names`)."""
    found = find_names(text, table)
    new_text, forward = apply_replacements(text, ((s, e, r) for s, e, _, r in found))
    back = [(forward.new_starts[i], forward.new_ends[i], original)
            for i, (_, _, original, _) in enumerate(found)]
    return RedactedText(new_text, apply_replacements(new_text, back)[1])
