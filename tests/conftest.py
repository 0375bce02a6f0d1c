"""Shared fixtures.  Real-world files live in ../shared/ beside the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLE = REPO / "transcripts_sample"


def shared_path(*parts: str) -> Path:
    """A file under ../shared/, or skip the test saying where it was expected."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not found: real-world test data is expected in ../shared/ beside the repo")
    return path


@pytest.fixture
def write(tmp_path):
    """write(name, text, encoding='utf-8') -> Path of a new file in tmp_path."""

    def _write(name: str, text: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_bytes(text.encode(encoding))
        return path

    return _write
