"""The one rule for a person's coder name, whichever door it comes through: the workbench's
form, ``import-codings --coder``, ``import-taguette --coder`` and ``import-qdpx --coder-map``.

    >>> from qualcode.store.coders import person_coder_name
    >>> person_coder_name(project, "  José  O'Brien ")
    "José O'Brien"

A coder name is a person's name or initials as they write it: letters of any script,
digits, spaces and ``. _ - ' ’ ( ) @``, starting with a letter or a digit, up to
:data:`MAX_LENGTH` characters (runs of white space count as one space).  It may not be
``all`` (which pools every coder) nor the name of a machine tagger in the project, whose
codings would then mix with the person's.  Commas and ``=`` are left out because the
command line separates names with them (``--coders ana,bo``, ``--coder-map USER=CODER``).

A name the project already holds for a person is always accepted as it is, so projects
whose coders came in under an older rule keep working.
"""

from __future__ import annotations

import re
import unicodedata

from qualcode.core.errors import SelectionError
from qualcode.store.frames import coder_kinds
from qualcode.store.project import Project

MAX_LENGTH = 60
#: Names no person may take: ``all`` stands for every coder at once.
RESERVED_CODERS = ("all",)
_NAME = re.compile(r"[^\W_][\w .'\u2019()@-]*")


def person_coder_name(project: Project, name: str) -> str:
    """``name`` as a person's coder name (white space tidied), or :class:`SelectionError`
    saying why it cannot be one (see the module documentation)."""
    kinds = coder_kinds(project)
    name = (name or "").strip()
    if kinds.get(name) == "human":
        return name
    name = " ".join(unicodedata.normalize("NFC", name).split())
    if not _NAME.fullmatch(name) or len(name) > MAX_LENGTH or name.casefold() in RESERVED_CODERS:
        raise SelectionError(f"coder name {name!r} is not allowed: give a person's name or initials "
                             f"(letters, digits, spaces and . _ - ' ( ) @, starting with a letter or "
                             f"digit, up to {MAX_LENGTH} characters), not 'all'")
    if kinds.get(name) == "machine":
        raise SelectionError(f"{name!r} is the name of a machine tagger in this project: choose another name")
    return name

