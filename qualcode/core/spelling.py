""""Did you mean ...?" for a name the user mistyped: a code id, a codebook key, a document,
a token attribute.  One helper, so every message suggests the same way.

    >>> did_you_mean("Power", ["power", "tools"])
    " (did you mean 'power'?)"
    >>> did_you_mean("power_diff", ["power_differential", "power_differential.fear"])
    " (did you mean 'power_differential'?)"
    >>> did_you_mean("valeu", ["value", "tools"])
    " (did you mean 'value'?)"
    >>> did_you_mean("xyz", ["value", "tools"])
    ''

The closest choice is, in this order:

1. the same name in another case (``Power`` -> ``power``, ``lemma`` -> ``LEMMA``);
2. an abbreviation: the shortest choice the value begins, of at least
   :data:`MIN_PREFIX` characters, case ignored (``power`` -> ``power_differential``
   rather than ``power_differential.fear``);
3. a near spelling (:func:`difflib.get_close_matches`, case ignored, similarity at
   least :data:`CUTOFF`): ``defintion`` -> ``definition``, ``LEMA`` -> ``LEMMA``.
"""

from __future__ import annotations

import difflib
import re
from typing import Iterable

#: The shortest value taken as an abbreviation of a longer choice.
MIN_PREFIX = 2
#: How alike (difflib ratio, 0-1) a near spelling must be.
CUTOFF = 0.6


def closest_choice(value: str, choices: Iterable[str]) -> str | None:
    """The choice the user most likely meant by ``value``, or None."""
    options = [str(c) for c in choices]
    folded: dict[str, str] = {}
    for option in options:
        folded.setdefault(option.casefold(), option)
    wanted = str(value).casefold()
    if wanted in folded:
        return folded[wanted]
    if len(wanted) >= MIN_PREFIX:
        longer = [o for o in options if o.casefold().startswith(wanted)]
        if longer:
            return min(longer, key=len)
    close = difflib.get_close_matches(wanted, list(folded), n=1, cutoff=CUTOFF)
    return folded[close[0]] if close else None


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'choice'?)`` to append to an error message, or ``''``."""
    choice = closest_choice(value, choices)
    return f" (did you mean {choice!r}?)" if choice is not None else ""


# ------------------------------------------------------------ near misses among values
_WORDS = re.compile(r"[^\W_]+")


def _folded(value: str) -> str:
    """A value as a reader would say it: case, spaces, ``_`` and ``-`` ignored."""
    return "".join(ch for ch in str(value).casefold() if ch.isalnum())


def _edit_distance(a: str, b: str) -> int:
    """Insertions, deletions, substitutions and swaps of neighbours that turn ``a`` into ``b``
    (optimal string alignment)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, y in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def _allowed_edits(a: str, b: str) -> int:
    shorter = min(len(a), len(b))
    return 2 if shorter >= 8 else 1 if shorter >= 5 else 0


def _names_another_thing(a: str, b: str) -> bool:
    """True when two values differ in their numbers (``S1``, ``S2``; dates) or only in
    words of one or two characters (``Site A``, ``Site B``, ``NF-S1``, ``NF-M1``): a
    series, not a typo."""
    if [ch for ch in a if ch.isdigit()] != [ch for ch in b if ch.isdigit()]:
        return True
    words_a, words_b = _WORDS.findall(str(a).casefold()), _WORDS.findall(str(b).casefold())
    if len(words_a) != len(words_b) or len(words_a) < 2:
        return False
    differing = [(x, y) for x, y in zip(words_a, words_b) if x != y]
    return bool(differing) and all(len(x) <= 2 and len(y) <= 2 for x, y in differing)


def near_miss(value: str, existing: Iterable[str]) -> str | None:
    """The existing value that a new ``value`` is most likely a slip of, or None.

    A value already among ``existing`` is no slip.  A slip differs only in case, spaces or
    punctuation (``northfield``, ``North-field``), or by one edit (two for values of eight
    letters or more; none below five letters, where ``UCSF`` and ``UCSD`` are two places)
    such as a plural or a dropped letter (``mentors`` beside ``mentor``, ``Northfeld``
    beside ``Northfield``); never by its numbers (``S1``, ``S2``, dates) or by a one- or
    two-letter word (``Site A``, ``Site B``), which name other groups.

        >>> near_miss("mentors", ["mentor", "scholar"])
        'mentor'
        >>> near_miss("Cohort 2", ["Cohort 1"]) is None
        True
    """
    choices = [str(c) for c in existing]
    if str(value) in choices:
        return None
    wanted = _folded(value)
    best: tuple[int, str] | None = None
    for choice in choices:
        folded = _folded(choice)
        if folded == wanted:
            return choice
        if _names_another_thing(value, choice):
            continue
        distance = _edit_distance(wanted, folded)
        if distance <= _allowed_edits(wanted, folded) and (best is None or distance < best[0]):
            best = (distance, choice)
    return best[1] if best else None


# ----------------------------------------------------------------- names of files
def _without_suffix(name: str) -> str:
    """``P2.odt`` -> ``p2``; a dot that starts no file suffix (``Dr. Lee``) stays."""
    stem, dot, suffix = str(name).rpartition(".")
    if dot and stem and 1 <= len(suffix) <= 5 and suffix.isalnum() and not suffix.isdigit():
        return stem.casefold()
    return str(name).casefold()


def matching_names(value: str, names: Iterable[str]) -> list[str]:
    """The names ``value`` stands for, best first: the same name, else the same name in
    another case, else the names that are ``value`` with or without a file suffix on either
    side (``P2.odt`` and ``P2`` both find ``P2.txt``).  Several names mean ``value`` is
    ambiguous; none, that it names nothing (suggest with :func:`did_you_mean`)."""
    names = [str(n) for n in names]
    if value in names:
        return [value]
    folded = [n for n in names if n.casefold() == str(value).casefold()]
    if folded:
        return folded
    stem = _without_suffix(value)
    return [n for n in names if _without_suffix(n) == stem]
