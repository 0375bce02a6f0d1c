"""Stable REFI-QDA GUIDs: uuid5 of one fixed namespace and what the object *is*.

The same code, document, selection or coding gets the same GUID in every export,
so a QDA program that imports a re-export updates its objects instead of
duplicating them.  Each kind has its own prefix, so a code and a user with the
same name never share a GUID.
"""

from __future__ import annotations

import hashlib
import uuid

#: Fixed namespace of every GUID qualcode writes (itself uuid5 of the DNS namespace and
#: "qualcode.refi"; never change it, or re-exports stop matching earlier ones).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "qualcode.refi")


_NAMESPACE_SHA1 = hashlib.sha1(NAMESPACE.bytes)  # uuid5 hashes the namespace's bytes first


def make_guid(kind: str, *parts: object) -> str:
    """``uuid5(NAMESPACE, "kind:part1\\x1fpart2...")`` as the lowercase 8-4-4-4-12 text.

    Computed as :func:`uuid.uuid5` defines it (SHA-1 of the namespace and the name, its
    first 16 bytes with the version 5 and RFC 4122 variant bits set), without building
    UUID objects: an export of a large project makes hundreds of thousands (a test
    compares with :func:`uuid.uuid5`)."""
    name = kind + ":" + "\x1f".join(map(str, parts))
    digest = _NAMESPACE_SHA1.copy()
    digest.update(name.encode("utf-8"))
    b = bytearray(digest.digest()[:16])
    b[6] = (b[6] & 0x0F) | 0x50
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def code_guid(codebook: str, code_path: str) -> str:
    """A code by its codebook's name and its id (the id holds the path: ``theme.sub``)."""
    return make_guid("code", codebook, code_path)


def codebook_group_guid(codebook: str) -> str:
    """The non-codable code that groups one codebook's codes when a project has several."""
    return make_guid("codebook", codebook)


def user_guid(name: str) -> str:
    return make_guid("user", name)


def source_guid(sha256: str) -> str:
    """A document by the hash of its plain text (the same conversation is the same source)."""
    return make_guid("source", sha256)


def selection_guid(sha256: str, start: int, end: int) -> str:
    return make_guid("selection", sha256, start, end)


def coding_guid(sha256: str, start: int, end: int, codebook: str, code: str, coder: str) -> str:
    return make_guid("coding", sha256, start, end, codebook, code, coder)


def variable_guid(name: str) -> str:
    return make_guid("variable", name)


def case_guid(participant: str) -> str:
    return make_guid("case", participant)
