"""Read a REFI-QDA project (``.qdpx``, or a bare ``.qde`` beside its ``sources/``) into a project.

What comes in:

- **text sources** (``TextSource``): the plain text file named by
  ``plainTextPath`` (``internal://...`` inside the archive, found case-insensitively
  under ``sources/``), or the inline ``PlainTextContent``, or, when a program
  shipped only Word files, the paragraphs of the ``.docx`` (python-docx).  The text
  is kept verbatim (only a UTF-8 byte-order mark is dropped) so that positions fit.
  PDF, picture, audio and video sources are skipped and counted.
- **turns**: when ``Case`` s point at selections (qualcode's own export does: one
  case per participant), those selections are the turns, the case is the
  participant and its ``role`` variable (``role_variable``) the role; otherwise
  turns are found in the text (:func:`qualcode.exchange.refi.turns.find_turns`).
- **codes**: the code tree becomes a codebook registered in the project (ids from
  the descriptions' ``Code id:`` lines or from the names; see
  :mod:`qualcode.exchange.refi.codebook_xml`), named ``codebook_name``, or as the project
  description's ``Codebook:`` line says (qualcode's exports), or after the project; a
  file qualcode exported with several codebooks gives them back one by one.  When the
  project already has a codebook with exactly these code ids and parents (the file went
  out of this project, was coded in NVivo and came back), the codings join that codebook,
  so they can be compared with the tagger's; ``codebook_name`` always makes a new one.
- **codings**: each ``Coding`` of a ``PlainTextSelection`` becomes a coding by its
  user, a human coder (renamed by ``coder_map``) unless qualcode exported the user
  as a machine tagger.  Positions are converted to code points (``units``:
  ``auto`` detects UTF-16 counting per source, see :mod:`qualcode.exchange.refi.positions`).
  Each coder's coverage is every turn of the documents they coded, so the codings
  are ready for agreement and training.
- **attributes**: a source's variable values, and those of cases that point at the
  whole source, become document attributes.

Everything is checked before anything is written: missing source files,
positions that do not fit the text, codings of unknown codes and malformed XML
raise one :class:`~qualcode.core.errors.FormatError` naming the file and elements, and
the project is left untouched.  A document already in the project (same text) is
reused (also when it came back with "\r\n" line ends, as NVivo writes them, or with
the pseudonyms qualcode's export writes on its label lines), and
re-importing the same file replaces those coders' codings in that codebook
(a machine tagger's codings that the project already has are kept, with their evidence).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.codebook import codebook_hash
from qualcode.core.errors import InputError
from qualcode.exchange.refi import positions
from qualcode.exchange.refi.archive import Archive, read_qdpx
from qualcode.exchange.refi.codebook_xml import entries_from_refi, entries_to_yaml, entry_rows
from qualcode.exchange.refi.documents import reserve_case_pseudonyms, write_document
from qualcode.exchange.refi.model import RefiProject
from qualcode.exchange.refi.project_export import MACHINE_USER_ID
from qualcode.exchange.refi.qde_reader import parse_project
from qualcode.exchange.refi.sources import PreparedSource, prepare_sources
from qualcode.exchange.refi.turns import document_spans, segment_for
from qualcode.store.codebooks import codebook_by_hash, codebook_by_id, codebook_with_codes
from qualcode.store.coders import person_coder_name
from qualcode.store.frames import coverage_frame
from qualcode.store.participants import SpeakerResolver
from qualcode.store.project import Project

__all__ = ["QdpxImport", "import_qdpx", "parse_coder_map", "read_qdpx"]


@dataclass
class QdpxImport:
    path: Path
    origin: str | None
    codebooks: dict[str, int] = field(default_factory=dict)    # codebook name -> codes
    codes: int = 0
    documents_added: list[str] = field(default_factory=list)
    documents_reused: list[str] = field(default_factory=list)
    turns: int = 0
    codings: dict[str, int] = field(default_factory=dict)      # coder -> codings
    replaced: int = 0
    units: dict[str, str] = field(default_factory=dict)        # document -> positions read as
    skipped: dict[str, int] = field(default_factory=dict)


def parse_coder_map(text: str | None) -> dict[str, str]:
    """``'NVivo user=ana, Other Name=bo'`` -> ``{'NVivo user': 'ana', 'Other Name': 'bo'}``."""
    out: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        user, sep, coder = part.partition("=")
        if not sep or not user.strip() or not coder.strip():
            raise InputError(f"--coder-map entry {part.strip()!r} is not 'USER=CODER'")
        out[user.strip()] = coder.strip()
    return out


def import_qdpx(project: Project, path: str | Path, *, coder_map: dict[str, str] | None = None,
                role_variable: str = "role", codebook_name: str | None = None,
                units: str = "auto") -> QdpxImport:
    """Import sources, codes and codings of a REFI-QDA project, all or nothing."""
    if units not in positions.UNITS:
        raise InputError(f"unknown position units {units!r}; use one of {', '.join(positions.UNITS)}")
    coder_map = {user: person_coder_name(project, coder) for user, coder in (coder_map or {}).items()}
    archive = Archive(path)
    try:
        refi = parse_project(archive.qde, archive.where)
        prepared = prepare_sources(archive, refi, role_variable, units, coder_map)
    finally:
        archive.close()
    return _write(project, Path(path), refi, prepared, coder_map, role_variable, codebook_name)


def _write(project: Project, path: Path, refi: RefiProject, prepared: list[PreparedSource],
           coder_map: dict[str, str], role_variable: str, codebook_name: str | None) -> QdpxImport:
    """Write the checked file into the project, in one transaction: codebooks, documents (new
    ones with their turns), then every coder's codings with their coverage."""
    result = QdpxImport(path, refi.origin, skipped=dict(refi.skipped))
    with project.transaction():
        guid_to_code, existed = _store_codebooks(project, path, refi, codebook_name, result)
        resolver = SpeakerResolver(project, [], source=str(path))
        reserve_case_pseudonyms(project, refi, resolver)
        codings = _Codings(refi, coder_map, guid_to_code)
        for item in prepared:
            result.units[item.name] = item.units
            doc_name, doc_id, turns = write_document(project, path, refi, item, resolver, role_variable)
            if turns is None:
                result.documents_reused.append(doc_name)
            else:
                result.turns += turns
                result.documents_added.append(doc_name)
            if guid_to_code:
                codings.add(item, doc_name, doc_id, document_spans(project, doc_name))
        _write_codings(project, codings, existed, result)
    return result


def _codebook_groups(refi: RefiProject, codebook_name: str | None, path: Path):
    """[(codebook name, entries)]: one per group when the file holds qualcode's grouping codes
    (several codebooks exported together), else one for the whole code tree."""
    roots = refi.codes
    if len(roots) > 1 and all(not r.codable and r.description == f"Codebook {r.name}" for r in roots):
        return [(r.name, entries_from_refi(r.children)) for r in roots]
    entries = entries_from_refi(roots)
    named = re.findall(r"^Codebook: (.+)$", refi.description, re.M)
    name = codebook_name or (named[0].strip() if len(named) == 1 else None) or refi.name or path.stem
    return [(name, entries)] if entries else []


def _store_codebooks(project: Project, path: Path, refi: RefiProject, codebook_name: str | None,
                     result: QdpxImport) -> tuple[dict[str, tuple[int, str]], set[int]]:
    """Register the file's codebooks: ``{code guid: (codebook id, code id)}`` and the ids of
    the codebooks the project had already.  Codings coded elsewhere with a codebook qualcode
    exported join that codebook (the newest one with exactly these codes)."""
    guid_to_code: dict[str, tuple[int, str]] = {}
    existed: set[int] = set()
    for name, entries in _codebook_groups(refi, codebook_name, path):
        text = entries_to_yaml(entries, name, "refi", f"Imported from {path.name}"
                               + (f" (written by {refi.origin})" if refi.origin else "") + ".")
        hash_ = codebook_hash(text)
        rows = entry_rows(entries)
        codebook_id = codebook_with_codes(project, {(code, parent) for code, parent, *_ in rows}) \
            if codebook_name is None else None
        if codebook_id is not None:
            existed.add(codebook_id)
            name = codebook_by_id(project, codebook_id).name
        else:
            known = codebook_by_hash(project, hash_) is not None
            codebook_id = project.add_codebook(name, "refi", hash_, str(path), text, rows)
            if known:
                existed.add(codebook_id)
        codes = {e.guid: (codebook_id, e.id) for r in entries for e in r.preorder()}
        guid_to_code.update(codes)
        result.codebooks[name] = len(codes)
    result.codes = len(guid_to_code)
    return guid_to_code, existed


class _Codings:
    """The file's codings as coding rows, by (coder, codebook id), each once."""

    def __init__(self, refi: RefiProject, coder_map: dict[str, str], guid_to_code: dict[str, tuple[int, str]]):
        self.refi, self.coder_map, self.guid_to_code = refi, coder_map, guid_to_code
        self.rows: dict[tuple[str, int], list[dict]] = defaultdict(list)
        self.documents: dict[tuple[str, int], set[str]] = defaultdict(set)
        self.seen: set[tuple] = set()

    def add(self, item: PreparedSource, doc_name: str, doc_id: int, segs) -> None:
        """The codings of one document's selections (``segs``: its turns' spans)."""
        for selection in item.source.selections:
            if not selection.codings or selection.guid not in item.spans:
                continue
            start, end = item.spans[selection.guid]
            segment_id = segment_for(segs, start, end)
            for coding in selection.codings:
                user = self.refi.users.get(coding.user) if coding.user else None
                user_name = user.name if user else (coding.user or "unknown")
                coder = self.coder_map.get(user_name, user_name)
                machine = user is not None and user.id == MACHINE_USER_ID
                codebook_id, code = self.guid_to_code[coding.code]
                key = (coder, doc_id, start, end, codebook_id, code)
                if key in self.seen:
                    continue
                self.seen.add(key)
                self.rows[(coder, codebook_id)].append({
                    "document_id": doc_id, "segment_id": segment_id, "codebook_id": codebook_id,
                    "code": code, "start": start, "end": end, "coder": coder,
                    "coder_kind": "machine" if machine else "human",
                    "status": "suggested" if machine else "accepted"})
                self.documents[(coder, codebook_id)].add(doc_name)


def _write_codings(project: Project, codings: _Codings, existed: set[int], result: QdpxImport) -> None:
    """Store each coder's codings, replacing their earlier ones in a codebook that came back,
    and cover every turn of the documents they coded."""
    coverage = coverage_frame(project)
    covered = set(zip(coverage["coder"], coverage["codebook_id"]))
    for (coder, codebook_id), rows in codings.rows.items():
        if rows[0]["coder_kind"] == "machine" and (coder, codebook_id) in covered:
            # the tagger's own codings are already here, with their evidence: keep those
            key = f"codings of tagger {coder!r} already in the project"
            result.skipped[key] = result.skipped.get(key, 0) + len(rows)
            continue
        if codebook_id in existed:
            result.replaced += project.delete_coder_codings(coder, [codebook_id])
            project.delete_coverage(coder, [codebook_id])
        project.add_codings(rows)
        result.codings[coder] = result.codings.get(coder, 0) + len(rows)
        for doc_name in sorted(codings.documents[(coder, codebook_id)]):
            project.add_coverage(coder, codebook_id, [s for s, _, _ in document_spans(project, doc_name)])
