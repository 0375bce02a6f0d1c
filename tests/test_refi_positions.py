"""Stable GUIDs and character counting (code points vs UTF-16 code units)."""

from __future__ import annotations

import uuid

from qualcode.exchange.refi import ids, positions


def test_guids_are_uuid5_of_the_fixed_namespace_and_differ_by_kind():
    assert ids.NAMESPACE == uuid.uuid5(uuid.NAMESPACE_DNS, "qualcode.refi")
    assert ids.code_guid("Book", "value") == str(uuid.uuid5(ids.NAMESPACE, "code:Book\x1fvalue"))
    assert ids.code_guid("Book", "value") == ids.code_guid("Book", "value")
    assert ids.code_guid("Book", "value") != ids.code_guid("Other", "value")
    assert ids.user_guid("value") != ids.variable_guid("value")
    assert uuid.UUID(ids.coding_guid("ab", 1, 5, "Book", "value", "ana")).version == 5


def test_utf16_positions_map_to_code_points():
    text = "a😀b🎯c"
    # code units: a=0, 😀=1-2, b=3, 🎯=4-5, c=6
    assert positions.to_codepoints(text, [(0, 1), (3, 4), (6, 7), (1, 3)], positions.UTF16) == [
        (0, 1), (2, 3), (4, 5), (1, 2)]
    assert positions.to_codepoints(text, [(2, 3)], positions.UTF16) == [None]   # inside a pair
    assert positions.to_codepoints(text, [(0, 8)], positions.UTF16) == [None]   # beyond the end
    assert positions.to_codepoints(text, [(0, 5), (4, 6)], positions.CODEPOINTS) == [(0, 5), None]


def test_detection_picks_the_counting_that_lands_on_word_edges():
    text = "Yes 😀 we agree 🎯 on goals and 👍 deadlines."
    words = ["agree", "goals", "deadlines"]
    cp = [(text.index(w), text.index(w) + len(w)) for w in words]
    units = lambda i: len(text[:i].encode("utf-16-le")) // 2  # noqa: E731
    u16 = [(units(s), units(e)) for s, e in cp]
    assert positions.detect_units(text, cp) == positions.CODEPOINTS
    assert positions.detect_units(text, u16) == positions.UTF16
    assert positions.detect_units("no emoji here", [(0, 2)]) == positions.CODEPOINTS
