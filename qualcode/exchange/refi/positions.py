"""Character positions in REFI-QDA selections: code points versus UTF-16 code units.

The REFI-QDA standard counts *characters* of the plain text.  qualcode counts
Unicode code points (a Python ``str`` index; an emoji such as U+1F600 is one
character), writes code points on export, and stores code points.  Programs
built on .NET or Java count UTF-16 code units instead, where a character
outside the Basic Multilingual Plane (emoji, some CJK) counts *two*: NVivo 12
does (see ``tests/test_refi_samples.py``: its sample's 892 emoji shift every
later selection unless positions are read as UTF-16).  The two agree on any
text without such characters.

:func:`detect_units` decides, for one imported text source, which counting
makes the selections fall on word boundaries; :func:`to_codepoints` converts.
"""

from __future__ import annotations

import bisect
import re

CODEPOINTS = "codepoints"
UTF16 = "utf16"
UNITS = (CODEPOINTS, UTF16, "auto")
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def astral_positions(text: str) -> list[int]:
    """Code-point indexes of the characters that take two UTF-16 code units."""
    if not _ASTRAL.search(text):
        return []
    return [m.start() for m in _ASTRAL.finditer(text)]


class Utf16Map:
    """Converts UTF-16 code-unit positions of one text to code-point positions."""

    def __init__(self, text: str):
        self.length = len(text)
        astral = astral_positions(text)
        # the UTF-16 position where each astral character starts, ascending
        self._u16_starts = [cp + k for k, cp in enumerate(astral)]
        self.units = self.length + len(astral)

    def to_codepoints(self, position: int) -> int | None:
        """Code-point position, or None when ``position`` falls inside a surrogate pair."""
        k = bisect.bisect_left(self._u16_starts, position)
        # k astral characters start strictly before ``position``
        if k and self._u16_starts[k - 1] + 1 == position:
            return None
        return position - k


def to_codepoints(text: str, spans: list[tuple[int, int]], units: str) -> list[tuple[int, int] | None]:
    """Each (start, end) as code points, or None where it cannot be a span of ``text``."""
    if units == CODEPOINTS:
        return [(s, e) if 0 <= s <= e <= len(text) else None for s, e in spans]
    mapping = Utf16Map(text)
    out: list[tuple[int, int] | None] = []
    for s, e in spans:
        if not 0 <= s <= e <= mapping.units:
            out.append(None)
            continue
        cs, ce = mapping.to_codepoints(s), mapping.to_codepoints(e)
        out.append((cs, ce) if cs is not None and ce is not None else None)
    return out


def on_word_boundary(text: str, i: int) -> bool:
    return i <= 0 or i >= len(text) or not (text[i - 1].isalnum() and text[i].isalnum())


def _boundary_score(text: str, spans: list[tuple[int, int] | None]) -> int:
    """+1 for each selection edge between words, -2 for a span that does not fit at all."""
    score = 0
    for span in spans:
        if span is None:
            score -= 2
        else:
            score += on_word_boundary(text, span[0]) + on_word_boundary(text, span[1])
    return score


def detect_units(text: str, spans: list[tuple[int, int]]) -> str:
    """``utf16`` or ``codepoints``: which reading puts more selection edges on word boundaries.

    Texts without characters beyond U+FFFF read the same either way (``codepoints``)."""
    if not spans or not _ASTRAL.search(text):
        return CODEPOINTS
    as_cp = _boundary_score(text, to_codepoints(text, spans, CODEPOINTS))
    as_u16 = _boundary_score(text, to_codepoints(text, spans, UTF16))
    return UTF16 if as_u16 > as_cp else CODEPOINTS
