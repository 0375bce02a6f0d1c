"""A project as a REFI-QDA project file (``.qdpx``): a zip of ``project.qde`` and ``sources/``.

Design (what each qualcode object becomes):

- **Users**: one per coder that coded or covered turns; a machine tagger (``rules``)
  is a user whose ``id`` attribute is ``qualcode:machine`` (the importer reads it back).
- **CodeBook**: the codes of every codebook (or the one asked for) with hierarchy,
  colors (``codes.color`` or the theme palette) and the definition as description
  (see :mod:`qualcode.exchange.refi.codebook_xml`).  With several codebooks each one's codes
  sit under a non-codable code named after it.
- **Sources**: one ``TextSource`` per document, its plain text in
  ``sources/<guid>.txt`` (UTF-8, the stored text with each turn's ``Label: `` line
  start written as the pseudonym ``S01 (scholar): `` unless ``real_names``; every
  position is moved to fit) and the document attributes as ``VariableValue`` s.
- **Selections**: one ``PlainTextSelection`` per distinct span, holding one
  ``Coding`` (with ``CodeRef`` and ``creatingUser``) per code and coder on it.
  Every speaker turn is a selection too (named ``S01 (scholar): turn <n>``, or with
  ``real_names`` ``<speaker label>: turn <n>``), coded or not.
- **Cases**: one per participant (the pseudonym, e.g. ``S01``) with the variable
  ``role`` and a ``SelectionRef`` to each of the participant's turns: this is how
  who-said-what and "scholar vs mentor" survive in NVivo, ATLAS.ti or MAXQDA.
- **Positions** are Unicode code points of the stored text (an emoji is one
  character); see :mod:`qualcode.exchange.refi.positions`.
- **Project description**: "Exported by qualcode ... from <project>." and one
  ``Codebook: <name>`` line per codebook, so an import names the codebook as it was.
- **GUIDs** are uuid5 of a fixed namespace (:mod:`qualcode.exchange.refi.ids`), and no
  time stamps are written, so exporting the same data twice gives the same bytes.

Rejected codings are left out unless asked for.  The XML is streamed into the
zip entry (lxml ``xmlfile``) and the file is replaced atomically.
"""

from __future__ import annotations

import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from qualcode.core.files import QDPX_SUFFIXES, atomic_output, table_format
from qualcode.core.models import content_hash
from qualcode.core.pseudonyms import pseudonymize_label_lines, speaker_pseudonym
from qualcode.core.spans import OffsetMap
from qualcode.exchange.refi import ids
from qualcode.exchange.refi.codebook_xml import ORIGIN, stored_codebook_entries, write_code_elements
from qualcode.exchange.refi.qde_reader import PROJECT_NS
from qualcode.store.codebooks import codebook_by_id, find_codebooks
from qualcode.store.frames import attributes_frame, coder_kinds, coders_of, documents_frame
from qualcode.store.project import Project

MACHINE_USER_ID = "qualcode:machine"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
DEFAULT_STATUSES = ("suggested", "accepted")


@dataclass
class QdpxSummary:
    path: Path
    users: int
    codes: int
    sources: int
    selections: int
    codings: int
    cases: int


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _codebook_labels(codebooks) -> dict[int, str]:
    names = codebooks["name"].tolist()
    labels = {}
    for row in codebooks.itertuples():
        label = row.name
        if names.count(row.name) > 1:
            label = f"{row.name} (version {row.version})"
        labels[int(row.codebook_id)] = label
    if len(set(labels.values())) < len(labels):
        labels = {cid: f"{label} #{cid}" for cid, label in labels.items()}
    return labels


def export_qdpx(project: Project, path: str | Path, *, codebook: str | None = None,
                statuses: tuple[str, ...] = DEFAULT_STATUSES,
                schema: str | Path | None = None, real_names: bool = False) -> QdpxSummary:
    """Write ``path`` (.qdpx).  ``codebook`` limits codes and codings to one codebook (by
    name); ``schema`` (Project-mrt2019.xsd) validates project.qde before the file is kept.
    Unless ``real_names``, speakers appear by pseudonym: turn selections are named
    ``S01 (scholar): turn 3`` and each turn's ``Label: `` line start in the sources' text
    reads ``S01 (scholar): `` (positions follow; see :func:`written_source`).

    Documents are read one at a time and their codings are never all in memory: what
    the export holds beyond one document is a selection reference per turn (for the
    cases) and a content hash per document."""
    path = Path(path)
    table_format(path, QDPX_SUFFIXES)  # before the project is read
    codebooks = project.codebooks_frame()
    if codebook is not None:
        chosen = [book.id for book in find_codebooks(project, codebook)]
        codebooks = codebooks[codebooks["codebook_id"].isin(chosen)]
    labels = _codebook_labels(codebooks)
    code_rows = project.codes_frame()
    n_codes = int(code_rows["codebook_id"].isin(list(labels)).sum())
    documents = documents_frame(project)
    attributes = attributes_frame(project)

    # users: every coder with codings or coverage here, with its kind (a coder who covered
    # turns but never coded anything is a person)
    kinds = coder_kinds(project)
    users = sorted(coders_of(project, labels, statuses))
    for coder in users:
        kinds.setdefault(coder, "human")

    trees = []
    for cb_id, label in labels.items():
        entries, _ = stored_codebook_entries(project, codebook_by_id(project, cb_id))
        if entries:
            trees.append((cb_id, label, entries))

    # variables: role and every document attribute
    attr_keys = sorted(set(attributes["key"]))
    variable_names = ["role"] + [k for k in attr_keys if k != "role"]
    attrs_by_doc: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for doc_id, key, value in zip(attributes["document_id"], attributes["key"], attributes["value"]):
        attrs_by_doc[int(doc_id)].append((key, value))

    doc_ids = [int(d) for d in documents["document_id"]]
    hashes, participant_turns, participant_role = _sources_and_cases(project, doc_ids, real_names)
    counts = {"selections": 0, "codings": 0}
    selections = _document_selections(project, doc_ids, labels, statuses, real_names, counts)
    with atomic_output(path, QDPX_SUFFIXES) as tmp:
        with zipfile.ZipFile(tmp, "w") as zf:
            with zf.open(_zip_info("project.qde"), "w") as out:
                with etree.xmlfile(out, encoding="utf-8") as xf:
                    xf.write_declaration()
                    _write_project(xf, project.path.stem, users, kinds, trees, {}, variable_names,
                                   participant_turns, participant_role, documents, hashes,
                                   attrs_by_doc, selections)
            for doc_id in doc_ids:
                text, _ = written_source(project.document_text(doc_id), project.document_turns(doc_id),
                                         real_names)
                zf.writestr(_zip_info(f"sources/{ids.source_guid(hashes[doc_id])}.txt"), text.encode("utf-8"))
        if schema is not None:
            from qualcode.exchange.refi.validate import validate_qdpx
            validate_qdpx(tmp, schema, shown_as=path)
    return QdpxSummary(path, len(users), n_codes, len(doc_ids), counts["selections"], counts["codings"],
                       len(participant_turns))


def _sources_and_cases(project: Project, doc_ids: list[int], real_names: bool):
    """The first pass, a document at a time: each source's content hash, and per participant
    their turns' selection GUIDs and their role, which the cases (written before the
    sources) need."""
    hashes: dict[int, str] = {}
    participant_turns: dict[str, list[str]] = defaultdict(list)
    participant_role: dict[str, str | None] = {}
    for doc_id in doc_ids:
        turns = project.document_turns(doc_id)
        text, moved = written_source(project.document_text(doc_id), turns, real_names)
        hashes[doc_id] = sha = content_hash(text)
        for turn in turns:
            span = _moved(moved, turn["start"], turn["end"])
            participant_turns[turn["participant"]].append(ids.selection_guid(sha, *span))
            participant_role.setdefault(turn["participant"], turn["role"])
    return hashes, participant_turns, participant_role


def written_source(text: str, turns, real_names: bool) -> tuple[str, OffsetMap | None]:
    """A document's text as the .qdpx holds it, and the map of offsets into it (None: the
    stored text as it is).  Unless ``real_names``, each turn's ``Label: `` line start is
    written as the speaker's pseudonym.  ``turns``: the document's turns, as
    :meth:`~qualcode.store.project.Project.document_turns` gives them."""
    if real_names:
        return text, None
    lines = pseudonymize_label_lines(text, [(int(t["start"]), t["speaker"],
                                             speaker_pseudonym(t["participant"], t["role"])) for t in turns])
    if lines.text == text:
        return text, None
    return lines.text, lines.forward


def _document_selections(project: Project, doc_ids: list[int], labels: dict[int, str],
                         statuses: tuple[str, ...], real_names: bool, counts: dict):
    """Per document, in turn: ``(doc_id, {span: {"name", "codings"}})``, every turn and
    every span coded, each coding ``(codebook label, code, coder, codebook id)`` once."""
    for doc_id in doc_ids:
        turns = project.document_turns(doc_id)
        _, moved = written_source(project.document_text(doc_id), turns, real_names)
        spans: dict[tuple[int, int], dict] = {}
        for turn in turns:
            entry = spans.setdefault(_moved(moved, turn["start"], turn["end"]), {"name": "", "codings": []})
            speaker = (turn["speaker"] if real_names
                       else speaker_pseudonym(turn["participant"], turn["role"]))
            entry["name"] = f"{speaker}: turn {turn['turn']}" if turn["speaker"] else f"turn {turn['turn']}"
        for _, start, end, cb_id, code, coder, _ in project.document_codings(doc_id, labels, statuses):
            entry = spans.setdefault(_moved(moved, start, end), {"name": "", "codings": []})
            item = (labels[cb_id], code, coder, cb_id)
            if item not in entry["codings"]:
                entry["codings"].append(item)
                counts["codings"] += 1
        counts["selections"] += len(spans)
        yield doc_id, spans


def _moved(moved: OffsetMap | None, start, end) -> tuple[int, int]:
    start, end = int(start), int(end)
    return moved.span(start, end) if moved is not None else (start, end)


def _write_project(xf, name, users, kinds, trees, code_guids, variable_names, participant_turns,
                   participant_role, documents, hashes, attrs_by_doc, selections) -> None:
    user_ids = {u: ids.user_guid(u) for u in users}
    with xf.element("Project", {"name": name, "origin": ORIGIN}, nsmap={None: PROJECT_NS}):
        if users:
            with xf.element("Users"):
                for u in users:
                    attrs = {"guid": user_ids[u], "name": u}
                    if kinds[u] == "machine":
                        attrs["id"] = MACHINE_USER_ID
                    xf.write(etree.Element("User", attrs))
        if trees:
            with xf.element("CodeBook"):
                with xf.element("Codes"):
                    for cb_id, label, entries in trees:
                        guids: dict[str, str] = {}
                        if len(trees) == 1:
                            write_code_elements(xf, entries, label, guids)
                        else:
                            with xf.element("Code", {"guid": ids.codebook_group_guid(label), "name": label,
                                                     "isCodable": "false"}):
                                with xf.element("Description"):
                                    xf.write(f"Codebook {label}")
                                write_code_elements(xf, entries, label, guids)
                        for code, guid in guids.items():
                            code_guids[(cb_id, code)] = guid
        with xf.element("Variables"):
            for var in variable_names:
                xf.write(etree.Element("Variable", {"guid": ids.variable_guid(var), "name": var,
                                                    "typeOfVariable": "Text"}))
        if participant_turns:
            with xf.element("Cases"):
                for pid in sorted(participant_turns):
                    with xf.element("Case", {"guid": ids.case_guid(pid), "name": pid}):
                        if participant_role.get(pid):
                            _write_value(xf, "role", participant_role[pid])
                        for sel in participant_turns[pid]:
                            xf.write(etree.Element("SelectionRef", {"targetGUID": sel}))
        if hashes:
            names = dict(zip(documents["document_id"].astype(int), documents["document"]))
            with xf.element("Sources"):
                for doc_id, spans in selections:
                    sha = hashes[doc_id]
                    guid = ids.source_guid(sha)
                    with xf.element("TextSource", {"guid": guid, "name": names[doc_id],
                                                   "plainTextPath": f"internal://{guid}.txt"}):
                        for (start, end), entry in sorted(spans.items()):
                            attrs = {"guid": ids.selection_guid(sha, start, end), "name": entry["name"],
                                     "startPosition": str(start), "endPosition": str(end)}
                            ordered = sorted(entry["codings"], key=lambda c: (c[0], c[1], c[2]))
                            if ordered:
                                attrs["creatingUser"] = user_ids[ordered[0][2]]
                            with xf.element("PlainTextSelection", attrs):
                                for label, code, coder, cb_id in ordered:
                                    with xf.element("Coding", {
                                            "guid": ids.coding_guid(sha, start, end, label, code, coder),
                                            "creatingUser": user_ids[coder]}):
                                        xf.write(etree.Element("CodeRef",
                                                               {"targetGUID": code_guids[(cb_id, code)]}))
                        for key, value in sorted(attrs_by_doc.get(doc_id, [])):
                            _write_value(xf, key, value)
        # Project/Description comes after Sources; the importer reads the codebook name from it
        with xf.element("Description"):
            xf.write(f"Exported by {ORIGIN} from {name}."
                     + "".join(f"\nCodebook: {label}" for _, label, _ in trees))


def _write_value(xf, variable: str, value: str) -> None:
    with xf.element("VariableValue"):
        xf.write(etree.Element("VariableRef", {"targetGUID": ids.variable_guid(variable)}))
        with xf.element("TextValue"):
            xf.write(value)
