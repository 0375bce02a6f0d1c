"""A participants legend in a transcript's header: initials -> person and role.

Transcripts that label turns with initials often say who is who before the first turn::

    SAM LEE, MODERATOR (P)
    Participants: Jane Doe (JD), Tom Li, mentor (TL)
    Moderator: Ana Ruiz (AR)

Each entry is a name, perhaps a role after a comma or a dash, and the label in brackets; a
``Key:`` before the entries (``Moderator:``) is the role of entries that name none.  A line
``P = Sam Lee, moderator`` (a name of two words or more) is an entry too.  A
turn whose label an entry names takes the entry's name as its speaker (so ``--real-names``
shows ``Sam Lee``, and the same person is one participant across documents) and the
entry's role: a facilitator word gives ``facilitator``, a word for several or unknown
voices ``unidentified``, another one-word role (``mentor``) itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qualcode.core.roles import FACILITATOR, UNIDENTIFIED
from qualcode.ingest.labels import is_name_shaped
from qualcode.ingest.vocabulary import LabelWords, fold

_ENTRY = re.compile(
    r"(?P<name>[^\W\d_][\w.'\u2019 -]{0,50}?)"
    r"(?:\s*[,\u2013\u2014]\s*(?P<role>[^\W\d_][\w'\u2019 -]{0,30}?)|\s+-\s+(?P<role2>[^\W\d_][\w'\u2019 -]{0,30}?))?"
    r"\s*\((?P<code>[^\W\d_][^\W_]{0,3})\)")
#: The bracketed label every entry ends with: a line without one holds no entry, and
#: :data:`_ENTRY` (whose name may start anywhere) is not tried on it.
_CODE = re.compile(r"\([^\W\d_][^\W_]{0,3}\)")
_KEY = re.compile(r"^\s*(?P<key>[^\W\d_][\w ]{0,30}?)\s*:\s*(?=\S)")
_EQUALS = re.compile(r"^\s*(?P<code>[^\W\d_][^\W_]{0,3})\s*=\s*(?P<name>[^,(]+?)"
                        r"(?:\s*[,(]\s*(?P<role>[^\W\d_][\w' -]{0,30}?)\)?)?\s*$")


#: Words that say someone takes part, not in which role: the document's role applies.
_NO_ROLE = frozenset("participant participante participants speaker respondent person member attendee "
                     "teilnehmer teilnehmerin deelnemer partecipante".split())


@dataclass(frozen=True)
class LegendEntry:
    label: str           # as the turns write it: "P", "JD"
    name: str            # "Sam Lee"
    role: str | None     # "facilitator", "unidentified", "mentor" or None
    line: int


def legend_role(word: str | None, words: LabelWords) -> str | None:
    """The role a legend's role word gives (see the module docstring)."""
    if not word or not word.strip():
        return None
    if words.is_facilitator(word):
        return FACILITATOR
    if words.is_unidentified(word):
        return UNIDENTIFIED
    folded = fold(word)
    if not folded.isalpha() or folded in _NO_ROLE:
        return None
    return folded


def display_name(name: str) -> str:
    """``SAM LEE`` -> ``Sam Lee``; a name in mixed case stays as written."""
    name = " ".join(name.split())
    return name.title() if name.isupper() else name


def _entry(name: str, role_word: str | None, code: str, line: int, words: LabelWords) -> LegendEntry | None:
    name = display_name(name.strip(" -,;"))
    if not is_name_shaped(name) or words.is_role_word(name):
        return None
    return LegendEntry(code, name, legend_role(role_word, words), line)


def legend_entries(text: str, line: int, words: LabelWords) -> list[LegendEntry]:
    """The legend entries one header line holds (none for a line that is no legend)."""
    key = _KEY.match(text)
    default_role = key.group("key") if key and legend_role(key.group("key"), words) else None
    body = text[key.end():] if key else text
    found = []
    for m in _ENTRY.finditer(body) if _CODE.search(body) else ():
        entry = _entry(m.group("name"), m.group("role") or m.group("role2") or default_role,
                       m.group("code"), line, words)
        if entry is not None:
            found.append(entry)
    if not found and not key:
        m = _EQUALS.match(text)  # "P = Sam Lee, moderator": a name of two words or more
        if m and m.group("code").isupper() and len(m.group("name").split()) >= 2:
            entry = _entry(m.group("name"), m.group("role"), m.group("code"), line, words)
            if entry is not None:
                found.append(entry)
    return found


def find_legend(units: list[tuple[int, str]], words: LabelWords, limit: int = 60) -> dict[str, LegendEntry]:
    """Legend entries in the first ``limit`` lines, by folded label (the first entry wins)."""
    legend: dict[str, LegendEntry] = {}
    for line, text in units[:limit]:
        if text.strip():
            for entry in legend_entries(text, line, words):
                legend.setdefault(fold(entry.label), entry)
    return legend
