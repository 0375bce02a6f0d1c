"""Character spans of a text, trimmed (:func:`trim_span`), and how they move when parts of
the text are replaced.

:func:`apply_replacements` rewrites a text and returns an :class:`OffsetMap`, which moves
every offset of the old text (a turn's bounds, a coding's span) onto the new one.
Redaction and the REFI-QDA label lines both use it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Iterable


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """``start:end`` of ``text`` without the white space at its ends (empty: ``start == end``)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@dataclass(frozen=True)
class OffsetMap:
    """Maps offsets in a text to offsets in the text after :func:`apply_replacements`.

    Offsets outside every replaced span shift by the change in length before them; an
    offset inside a replaced span moves to the replacement's start (:meth:`start`) or end
    (:meth:`end`), so a span cutting into a name grows to cover its whole pseudonym.
    """

    old_starts: tuple[int, ...] = ()
    old_ends: tuple[int, ...] = ()
    new_starts: tuple[int, ...] = ()
    new_ends: tuple[int, ...] = ()

    def start(self, old: int) -> int:
        """New offset for a span's start (inclusive)."""
        i = bisect_right(self.old_starts, old) - 1
        if i < 0:
            return old
        if old < self.old_ends[i]:
            return self.new_starts[i]
        return old + self.new_ends[i] - self.old_ends[i]

    def end(self, old: int) -> int:
        """New offset for a span's end (exclusive)."""
        i = bisect_left(self.old_starts, old) - 1
        if i < 0:
            return old
        if old <= self.old_ends[i]:
            return self.new_ends[i]
        return old + self.new_ends[i] - self.old_ends[i]

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.start(start), max(self.start(start), self.end(end))


def apply_replacements(text: str, replacements: Iterable[tuple[int, int, str]]) -> tuple[str, OffsetMap]:
    """``text`` with each ``(start, end, new)`` span replaced, and the map of old offsets
    to new ones.  Spans must be non-empty and must not overlap (ValueError otherwise)."""
    spans = sorted(replacements)
    parts: list[str] = []
    old_starts, old_ends, new_starts, new_ends = [], [], [], []
    pos = 0
    new_pos = 0
    for start, end, new in spans:
        if start < pos or end <= start or end > len(text):
            raise ValueError(f"replacement ({start}, {end}) is empty, overlaps another or lies "
                             "outside the text")
        parts.append(text[pos:start])
        new_pos += start - pos
        old_starts.append(start)
        old_ends.append(end)
        new_starts.append(new_pos)
        parts.append(new)
        new_pos += len(new)
        new_ends.append(new_pos)
        pos = end
    parts.append(text[pos:])
    return "".join(parts), OffsetMap(tuple(old_starts), tuple(old_ends), tuple(new_starts), tuple(new_ends))
