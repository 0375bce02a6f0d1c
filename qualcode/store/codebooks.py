"""The codebooks a project keeps: find one, register one, read one back from its stored text.

Every command that takes a codebook by name (``--codebook``) finds it here, by one rule:

- nothing given: the most recently added codebook;
- a number (``int``): the codebook with that id;
- text: the codebooks named exactly so; if none, those whose name, or name and version
  (``"Mentoring expectations 1.1"``), is the text with case ignored; if none and the text
  is a number, the codebook with that id.  Of several matches (versions of one name) the
  most recently added wins.

When nothing matches, the error lists the project's codebooks and suggests the closest
name.  A codebook is registered once per content (its hash); the project keeps its YAML,
so the full codebook, rules included, loads again from the project alone.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Iterable

from qualcode.codebook import Codebook, load_codebook_text
from qualcode.core.errors import SelectionError
from qualcode.core.spelling import did_you_mean
from qualcode.store.project import Project

Wanted = str | int | None


@dataclass(frozen=True)
class StoredCodebook:
    """One codebook as the project registered it."""

    id: int
    name: str
    version: str  # "" when it has none
    hash: str
    source: str | None  # the file it was registered from, if any

    @property
    def label(self) -> str:
        """``name version``, or the name alone."""
        return f"{self.name} {self.version}" if self.version else self.name


_COLUMNS = "id, name, version, hash, source"


def _stored(row: sqlite3.Row | tuple) -> StoredCodebook:
    cb_id, name, version, hash_, source = row
    return StoredCodebook(int(cb_id), str(name), version if isinstance(version, str) else "", hash_, source)


def stored_codebooks(project: Project) -> list[StoredCodebook]:
    """Every codebook in the project, in the order they were added."""
    return [_stored(row) for row in project.conn.execute(f"SELECT {_COLUMNS} FROM codebooks ORDER BY id")]


def matching_ids(books: Iterable[tuple[int, str, str | None]], wanted: str | int) -> list[int]:
    """The ids of ``(id, name, version)`` codebooks that ``wanted`` names (the rule in the
    module's documentation), in the order given; the caller picks the most recent."""
    books = [(int(i), str(n), v if isinstance(v, str) else "") for i, n, v in books]
    if not isinstance(wanted, str):
        return [i for i, _, _ in books if i == int(wanted)]
    exact = [i for i, name, _ in books if name == wanted]
    if exact:
        return exact
    folded = wanted.casefold()
    loose = [i for i, name, version in books
             if folded in (name.casefold(), f"{name} {version}".casefold())]
    if loose or not wanted.strip().isdigit():
        return loose
    return [i for i, _, _ in books if i == int(wanted)]


def find_codebook(project: Project, wanted: Wanted = None, *, hint: str = "") -> StoredCodebook:
    """The codebook ``wanted`` names (None: the most recently added one); a
    :class:`~qualcode.core.errors.SelectionError` when the project has none (``hint`` says
    what to do) or none matches (listing them, with the closest name)."""
    return find_codebooks(project, wanted, hint=hint)[-1]


def find_codebooks(project: Project, wanted: Wanted = None, *, hint: str = "") -> list[StoredCodebook]:
    """Every codebook ``wanted`` names, oldest first (e.g. each version of a name); errors
    as :func:`find_codebook`."""
    books = stored_codebooks(project)
    if not books:
        raise SelectionError("the project has no codebook" + (f": {hint}" if hint else ""), project.path)
    if wanted is None:
        return books[-1:]
    ids = set(matching_ids(((b.id, b.name, b.version) for b in books), wanted))
    if not ids:
        raise codebook_not_found(wanted, [b.name for b in books], project.path)
    return [b for b in books if b.id in ids]


def codebook_not_found(wanted: Wanted, names: Iterable[str], path=None) -> SelectionError:
    """The error for a codebook name that matches none of ``names``."""
    names = sorted(set(names))
    return SelectionError(f"no codebook {wanted!r} in the project{did_you_mean(str(wanted), names)}; "
                          f"codebooks: {', '.join(names) or 'none'}", path)


def codebook_by_id(project: Project, codebook_id: int) -> StoredCodebook:
    row = project.conn.execute(f"SELECT {_COLUMNS} FROM codebooks WHERE id=?", (int(codebook_id),)).fetchone()
    if row is None:
        raise SelectionError(f"no codebook with id {codebook_id} in the project", project.path)
    return _stored(row)


def codebook_by_hash(project: Project, hash_: str) -> StoredCodebook | None:
    """The codebook registered with exactly this content (see :func:`~qualcode.codebook.codebook_hash`)."""
    row = project.conn.execute(f"SELECT {_COLUMNS} FROM codebooks WHERE hash=?", (hash_,)).fetchone()
    return None if row is None else _stored(row)


def codebook_versions(project: Project, name: str) -> list[int]:
    """The ids of every codebook named ``name`` (its versions), oldest first."""
    return [r[0] for r in project.conn.execute("SELECT id FROM codebooks WHERE name=? ORDER BY id", (name,))]


def codebook_with_codes(project: Project, codes: set[tuple[str, str | None]]) -> int | None:
    """The most recently added codebook whose codes are exactly these ``(code, parent)`` pairs."""
    have: dict[int, set[tuple[str, str | None]]] = {b.id: set() for b in stored_codebooks(project)}
    for cb_id, code, parent in project.conn.execute("SELECT codebook_id, code, parent FROM codes"):
        have[cb_id].add((code, parent if isinstance(parent, str) else None))
    return next((cb_id for cb_id in sorted(have, reverse=True) if have[cb_id] == codes), None)


def stored_text(project: Project, codebook_id: int) -> str | None:
    """The codebook's YAML text as registered (None if the project does not keep it)."""
    row = project.conn.execute("SELECT content FROM codebooks WHERE id=?", (int(codebook_id),)).fetchone()
    return row["content"] if row else None


def load_stored_codebook(project: Project, book: StoredCodebook) -> Codebook | None:
    """The full codebook, rules included, read from the YAML the project keeps (None when it
    keeps none, e.g. a codebook imported from REFI-QDA codes); a
    :class:`~qualcode.core.errors.CodebookError` if that text is no longer a valid codebook."""
    text = stored_text(project, book.id)
    if not text:
        return None
    return load_codebook_text(text, f"{project.path}: codebook {book.label}")


def register_codebook(project: Project, codebook: Codebook) -> int:
    """Store a loaded codebook, with its YAML text, (idempotent by content hash); its id."""
    codes = [(c.id, c.parent, codebook.theme_of(c.id), c.name, c.definition) for c in codebook.codes]
    with project.transaction():
        return project.add_codebook(codebook.name, codebook.version, codebook.hash, codebook.path,
                                    codebook.text, codes)
