"""Shared fixtures.  Real-world files live in ../shared/ beside the repository."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
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


# Property-based tests (hypothesis): one reproducible profile for every run, so a failure
# in CI is the same failure on a laptop.  HYPOTHESIS_PROFILE=fuzz explores more, randomly.
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "qualcode", max_examples=40, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
settings.register_profile(
    "fuzz", max_examples=1000, deadline=None, derandomize=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "qualcode"))



@contextmanager
def whole_tables_refused(*names: str):
    """Inside this block, reading one of these :mod:`qualcode.store.frames` tables (e.g.
    ``codings_frame``) fails the test, wherever the function was imported."""
    from qualcode.store import frames

    with pytest.MonkeyPatch.context() as patched:
        for name in names:
            original = getattr(frames, name)

            def refuse(*args, _name=name, **kwargs):
                raise AssertionError(f"read the whole table: {_name}")

            for module in list(sys.modules.values()):
                if getattr(module, name, None) is original:
                    patched.setattr(module, name, refuse)
        yield
