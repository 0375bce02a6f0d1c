"""Every user-facing output on the shipped sample matches its golden copy.

The golden files under tests/golden/sample/ were written by a known-good version
(``python tests/golden_outputs.py --write``); a change that alters an output on
purpose regenerates them and says why in its commit.
"""

from __future__ import annotations

import difflib

import pytest

from golden_outputs import produce, read_golden


@pytest.fixture(scope="module")
def produced(tmp_path_factory):
    return produce(tmp_path_factory.mktemp("golden"))


def test_the_same_outputs_are_written(produced):
    assert sorted(produced) == sorted(read_golden())


@pytest.mark.parametrize("name", sorted(read_golden()))
def test_output_matches_golden(produced, name):
    expected = read_golden()[name]
    got = produced.get(name)
    assert got is not None, f"{name} was not written"
    if got != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), got.splitlines(True),
                                            "golden/" + name, "now/" + name, n=1))
        pytest.fail(f"{name} differs from its golden copy:\n{diff[:4000]}")
