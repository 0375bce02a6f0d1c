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
