"""A project whose schema version record is missing or garbled is refused with a clear
message (found while checking migrations: it raised TypeError/ValueError)."""

from __future__ import annotations

import sqlite3

import pytest

from qualcode.core.errors import ProjectError
from qualcode.store.project import open_project


@pytest.mark.parametrize("damage", ["DELETE FROM meta WHERE key='schema_version'",
                                    "UPDATE meta SET value='two' WHERE key='schema_version'"])
def test_a_missing_or_garbled_schema_version(tmp_path, damage):
    path = tmp_path / "p.qcproj"
    open_project(path, create=True).close()
    conn = sqlite3.connect(path)
    conn.execute(damage)
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError) as info:
        open_project(path)
    assert str(info.value) == f"{path}: project file is damaged: it records no valid schema version"
