"""Turn-text normalization and binary sniffing: the printable-text shortcut changes nothing."""

from __future__ import annotations

import unicodedata

import pytest

from qualcode.core.encoding import _looks_binary
from qualcode.core.models import normalize_turn_text


def _by_character(text: str) -> str:
    """The per-character rule, applied to every text (no shortcut)."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    text = "".join(ch if ch == "\n" or unicodedata.category(ch)[0] != "C" or ch == "\t" else " "
                   for ch in text)
    return "\n".join(p for p in (" ".join(para.split()) for para in text.split("\n")) if p)


@pytest.mark.parametrize("text,expected", [
    ("plain words, nothing odd", "plain words, nothing odd"),
    ("a\x07b\u200bc  d\u00a0e\n\n\tf\x0cg", "a b c d e\nf g"),
    ("caf\u0065\u0301 \ufeffau lait\r\nnext", "caf\u00e9 au lait\nnext"),
    ("tab\tinside\u2028line", "tab inside\nline"),
])
def test_normalize_turn_text(text, expected):
    assert normalize_turn_text(text) == expected == _by_character(text)


def test_looks_binary_counts_only_control_characters():
    assert _looks_binary("words\n\twords\x0c\x0b") is False
    assert _looks_binary("a\x01b\x02c\x03d") is True
    assert _looks_binary("\u00a0" * 50) is False  # not printable, yet no control character
    assert _looks_binary("") is False
