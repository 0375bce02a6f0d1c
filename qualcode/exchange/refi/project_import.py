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

import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.codebook import codebook_hash
from qualcode.core.errors import FormatError, InputError
from qualcode.ingest.manifest import SpeakerAssignment
from qualcode.core.models import content_hash
from qualcode.core.pseudonyms import label_line_spans, relabelled_offsets
from qualcode.core.spans import OffsetMap
from qualcode.exchange.refi import positions
from qualcode.exchange.refi.codebook_xml import entries_from_refi, entries_to_yaml, entry_rows
from qualcode.exchange.refi.model import RefiProject, RefiSource
from qualcode.exchange.refi.project_export import MACHINE_USER_ID
from qualcode.exchange.refi.qde_reader import parse_project
from qualcode.exchange.refi.turns import FoundTurn, document_spans, find_turns, label_before, segment_for
from qualcode.store.codebooks import codebook_by_hash, codebook_by_id, codebook_with_codes
from qualcode.store.coders import person_coder_name
from qualcode.store.participants import SpeakerResolver
from qualcode.store.frames import coverage_frame, segments_frame
from qualcode.store.project import Project, count_words

MAX_LISTED = 5
_PSEUDONYM = re.compile(r"^[A-Z]{1,3}\d{1,4}$")


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


class Archive:
    """The ``project.qde`` and source files of a .qdpx (zip) or of a bare .qde file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.is_file():
            raise InputError("file not found", self.path)
        self.zip: zipfile.ZipFile | None = None
        if zipfile.is_zipfile(self.path):
            try:
                self.zip = zipfile.ZipFile(self.path)
            except zipfile.BadZipFile as exc:
                raise FormatError(f"damaged .qdpx (zip) file: {exc}", self.path) from None
            self.names = {n.lower(): n for n in self.zip.namelist()}
            top = [n for n in self.zip.namelist() if "/" not in n and n.lower().endswith(".qde")]
            preferred = [n for n in top if n.lower() == "project.qde"]
            if not (preferred or top):
                raise FormatError("no project.qde in the .qdpx archive", self.path)
            self.qde_name = (preferred or top)[0]
            self.where = f"{self.path}:{self.qde_name}"
            self.qde = self.zip.read(self.qde_name)
        else:
            self.qde_name = self.path.name
            self.where = str(self.path)
            self.qde = self.path.read_bytes()

    def describe(self, ref: str) -> str:
        name = ref.split("://", 1)[-1]
        return f"sources/{name}"

    def read(self, ref: str) -> bytes | None:
        """Bytes of an ``internal://NAME`` source, or None when absent."""
        scheme, sep, name = ref.partition("://")
        if not sep or scheme.lower() != "internal" or not name or ".." in name:
            return None
        if self.zip is not None:
            real = self.names.get(f"sources/{name}".lower())
            return self.zip.read(real) if real else None
        for folder in ("sources", "Sources"):
            candidate = self.path.parent / folder / name
            if candidate.is_file():
                return candidate.read_bytes()
        return None

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


def _docx_text(data: bytes) -> str:
    import docx

    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def source_text(archive: Archive, source: RefiSource) -> tuple[str | None, str]:
    """(text or None, what was looked for)."""
    if source.content is not None and not source.plain_path:
        return source.content, "PlainTextContent"
    if source.plain_path:
        data = archive.read(source.plain_path)
        if data is not None:
            try:
                return data.decode("utf-8-sig"), archive.describe(source.plain_path)
            except UnicodeDecodeError as exc:
                raise FormatError(f"source text of {source.name!r} is not UTF-8 (byte {exc.start})",
                                  f"{archive.path}:{archive.describe(source.plain_path)}") from None
        if source.content is not None:
            return source.content, "PlainTextContent"
        return None, archive.describe(source.plain_path)
    if source.rich_path:
        data = archive.read(source.rich_path)
        if data is not None and source.rich_path.lower().endswith(".docx"):
            return _docx_text(data), archive.describe(source.rich_path)
        return None, archive.describe(source.rich_path)
    return None, "a plainTextPath, richTextPath or PlainTextContent"


def lf_position(text: str, position: int) -> int:
    """``position`` in ``text`` as it falls once every "\r\n" of ``text`` is "\n"."""
    return position - text.count("\r\n", 0, position) - (text[position - 1:position + 1] == "\r\n")


def _way_back(project: Project, doc_id: int, name: str, text: str) -> OffsetMap | None:
    """When ``text`` is the stored text of document ``name`` as a qualcode export writes it,
    with "\n" or "\r\n" line ends and the turns' labels as written or as pseudonyms (from
    whichever project exported it): the map from its ("\n") offsets to the stored text's."""
    text = text.replace("\r\n", "\n")
    stored = project.document_text(doc_id)
    if text == stored:
        return OffsetMap()
    segments = segments_frame(project, document=name, text=False)
    spans = label_line_spans(stored, zip(segments["start"], segments["speaker"]))
    return relabelled_offsets(stored, spans, text)


def _attribute_name(name: str) -> str:
    key = re.sub(r"[^A-Za-z0-9_.-]+", "_", name.strip()).strip("_").casefold()
    if not key or not key[0].isalpha():
        key = "v_" + key
    return key


def _problem_error(problems: list[tuple[int | None, str]], where: str) -> FormatError:
    if len(problems) == 1:
        line, message = problems[0]
        return FormatError(message, where, line)
    shown = "; ".join((f"line {line}: " if line else "") + msg for line, msg in problems[:MAX_LISTED])
    more = f"; and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
    return FormatError(f"{len(problems)} problems: {shown}{more}", where)


@dataclass
class _Prepared:
    source: RefiSource
    name: str
    text: str
    spans: dict[str, tuple[int, int]]          # selection guid -> code-point span
    units: str
    attributes: dict[str, str]


def read_qdpx(path: str | Path) -> RefiProject:
    """Parse the project of a .qdpx/.qde without touching any project (for inspection)."""
    archive = Archive(path)
    try:
        return parse_project(archive.qde, archive.where)
    finally:
        archive.close()


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
        prepared = _prepare(archive, refi, role_variable, units, coder_map)
    finally:
        archive.close()
    return _write(project, Path(path), refi, prepared, coder_map, role_variable, codebook_name)


def _prepare(archive: Archive, refi: RefiProject, role_variable: str, units: str,
             coder_map: dict[str, str]) -> list[_Prepared]:
    where = archive.where
    problems: list[tuple[int | None, str]] = []
    user_names = {u.name for u in refi.users.values()}
    for user in coder_map:
        if user not in user_names:
            problems.append((None, f"--coder-map names user {user!r}, who is not in the file "
                                   f"(users: {', '.join(sorted(user_names)) or 'none'})"))
    code_guids = {c.guid for c in refi.all_codes()}
    case_attrs: dict[str, dict[str, str]] = defaultdict(dict)
    for case in refi.cases:
        for src in case.sources:
            case_attrs[src].update(case.variables)
    prepared: list[_Prepared] = []
    names_used: set[str] = set()
    for source in refi.sources:
        text, looked_for = source_text(archive, source)
        if text is None:
            problems.append((source.line, f"source text of <TextSource name={source.name!r}> is missing: "
                                          f"{looked_for} is not in {archive.path.name}"))
            continue
        raw = [(s.start, s.end) for s in source.selections]
        chosen = positions.detect_units(text, raw) if units == "auto" else units
        converted = positions.to_codepoints(text, raw, chosen)
        spans = {}
        for selection, span in zip(source.selections, converted):
            if span is None or (span[0] >= span[1] and selection.codings):
                problems.append((selection.line, f"<PlainTextSelection guid={selection.guid}> in source "
                                 f"{source.name!r}: positions {selection.start}-{selection.end} do not fit "
                                 f"its text of {len(text)} characters"))
                continue
            spans[selection.guid] = span
            for coding in selection.codings:
                if coding.code not in code_guids:
                    problems.append((coding.line, f"<Coding guid={coding.guid}> refers to unknown code "
                                                  f"{coding.code}"))
        name = source.name
        n = 2
        while name in names_used:
            name = f"{source.name} ({n})"
            n += 1
        names_used.add(name)
        attributes = {}
        for key, value in {**case_attrs.get(source.guid, {}), **source.variables}.items():
            if value:
                attr = _attribute_name(key)
                attributes[attr] = value.casefold() if attr == _attribute_name(role_variable) else value
        prepared.append(_Prepared(source, name, text, spans, chosen, attributes))
    if problems:
        raise _problem_error(problems, where)
    return prepared


def _turns_from_cases(refi: RefiProject, item: _Prepared):
    """[(FoundTurn, case)] from cases' SelectionRefs into this source, in text order."""
    by_selection = {}
    for case in refi.cases:
        for sel in case.selections:
            by_selection[sel] = case
    chosen = []
    for selection in item.source.selections:
        case = by_selection.get(selection.guid)
        if case is not None and selection.guid in item.spans:
            start, end = item.spans[selection.guid]
            chosen.append((start, end, case, selection.line))
    chosen.sort(key=lambda c: (c[0], c[1]))
    out, last_end = [], -1
    for start, end, case, line in chosen:
        if start < last_end:
            continue  # overlapping turn selections: keep the first
        label = label_before(item.text, start) or case.name
        out.append((FoundTurn(label, start, end, item.text.count("\n", 0, start) + 1), case))
        last_end = end
    return out


def _add_turns(project: Project, resolver: SpeakerResolver, refi: RefiProject, item: _Prepared,
               doc_id: int, role_variable: str, document_role: str | None) -> int:
    from_cases = _turns_from_cases(refi, item)
    assignments = resolver.assignments
    if from_cases:
        turns = [t for t, _ in from_cases]
        for turn, case in from_cases:
            role = next((v for k, v in case.variables.items() if k.casefold() == role_variable.casefold()),
                        None)
            found = project.participant_by_pid(case.name)
            free = found is None or found[1] == f"id:{case.name}"
            pid = case.name if _PSEUDONYM.match(case.name) and free else None
            label = turn.speaker.casefold()
            if any(a.document == item.name and a.label.casefold() == label for a in assignments):
                continue
            assignments.append(SpeakerAssignment(item.name, turn.speaker, pid,
                                                 role.casefold() if role else None, case.line or 0))
            if pid:
                resolver.reserved.add(pid)
    else:
        turns = find_turns(item.text)
    speakers: dict[str, int] = {}
    rows = []
    for index, turn in enumerate(turns):
        if turn.speaker not in speakers:
            resolved = resolver.resolve(item.name, turn.speaker, document_role)
            speakers[turn.speaker] = project.add_speaker(doc_id, turn.speaker, resolved.participant_row,
                                                         resolved.role)
        rows.append((index, speakers[turn.speaker], turn.start, turn.end, None, None, turn.line,
                     count_words(item.text[turn.start:turn.end])))
    project.add_segments(doc_id, rows)
    return len(rows)


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


def _write(project: Project, path: Path, refi: RefiProject, prepared: list[_Prepared],
           coder_map: dict[str, str], role_variable: str, codebook_name: str | None) -> QdpxImport:
    """Write the checked file into the project, in one transaction: codebooks, documents (new
    ones with their turns), then every coder's codings with their coverage."""
    result = QdpxImport(path, refi.origin, skipped=dict(refi.skipped))
    with project.transaction():
        guid_to_code, existed = _store_codebooks(project, path, refi, codebook_name, result)
        resolver = SpeakerResolver(project, [], source=str(path))
        _reserve_case_pseudonyms(project, refi, resolver)
        codings = _Codings(refi, coder_map, guid_to_code)
        for item in prepared:
            doc_name, doc_id = _write_document(project, path, refi, item, resolver, role_variable, result)
            if guid_to_code:
                codings.add(item, doc_name, doc_id, document_spans(project, doc_name))
        _write_codings(project, codings, existed, result)
    return result


def _reserve_case_pseudonyms(project: Project, refi: RefiProject, resolver: SpeakerResolver) -> None:
    """Every case's pseudonym is reserved before any document is read, so a speaker without a
    case in an earlier document is never numbered with an id a later document's case holds."""
    for case in refi.cases:
        found = project.participant_by_pid(case.name)
        if _PSEUDONYM.match(case.name) and (found is None or found[1] == f"id:{case.name}"):
            resolver.reserved.add(case.name)


def _write_document(project: Project, path: Path, refi: RefiProject, item: _Prepared,
                    resolver: SpeakerResolver, role_variable: str, result: QdpxImport) -> tuple[str, int]:
    """The document of ``item``: the project's own when it has the same text (its selections'
    positions moved onto the stored text if needed), else added with its turns."""
    sha = content_hash(item.text)
    result.units[item.name] = item.units
    existing = project.document_by_hash(sha)
    same_name = project.document_id(item.name)
    if existing is None and same_name is not None:
        back = _way_back(project, same_name, item.name, item.text)
        if back is not None:
            # the document went out with "\n" line ends and came back with "\r\n" (NVivo),
            # or went out with pseudonyms on its label lines: the same text, so its
            # positions are moved onto the stored text
            existing = item.name
            item.spans = {g: back.span(lf_position(item.text, a), lf_position(item.text, b))
                          for g, (a, b) in item.spans.items()}
    if existing is not None:
        result.documents_reused.append(existing)
        return existing, project.document_id(existing)
    if same_name is not None:
        raise InputError(f"a different document named {item.name!r} is already in the project "
                         "(its text differs); import the file into another project", path)
    doc_id = project.add_document(item.name, item.text, "refi", sha, f"{path.name}:{item.name}",
                                  {}, item.attributes)
    result.turns += _add_turns(project, resolver, refi, item, doc_id, role_variable,
                               item.attributes.get(_attribute_name(role_variable)))
    result.documents_added.append(item.name)
    return item.name, doc_id


class _Codings:
    """The file's codings as coding rows, by (coder, codebook id), each once."""

    def __init__(self, refi: RefiProject, coder_map: dict[str, str], guid_to_code: dict[str, tuple[int, str]]):
        self.refi, self.coder_map, self.guid_to_code = refi, coder_map, guid_to_code
        self.rows: dict[tuple[str, int], list[dict]] = defaultdict(list)
        self.documents: dict[tuple[str, int], set[str]] = defaultdict(set)
        self.seen: set[tuple] = set()

    def add(self, item: _Prepared, doc_name: str, doc_id: int, segs) -> None:
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
