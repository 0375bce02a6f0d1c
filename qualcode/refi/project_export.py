"""A project as a REFI-QDA project file (``.qdpx``): a zip of ``project.qde`` and ``sources/``.

Design (what each qualcode object becomes):

- **Users**: one per coder that coded or covered turns; a machine tagger (``rules``)
  is a user whose ``id`` attribute is ``qualcode:machine`` (the importer reads it back).
- **CodeBook**: the codes of every codebook (or the one asked for) with hierarchy,
  colors (``codes.color`` or the theme palette) and the definition as description
  (see :mod:`qualcode.refi.codebook_xml`).  With several codebooks each one's codes
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
  character); see :mod:`qualcode.refi.positions`.
- **Project description**: "Exported by qualcode ... from <project>." and one
  ``Codebook: <name>`` line per codebook, so an import names the codebook as it was.
- **GUIDs** are uuid5 of a fixed namespace (:mod:`qualcode.refi.ids`), and no
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

from qualcode.errors import SelectionError
from qualcode.export.files import atomic_output
from qualcode.models import content_hash
from qualcode.pseudonyms import LabelLines, pseudonymize_label_lines, speaker_pseudonym
from qualcode.refi import ids
from qualcode.refi.codebook_xml import ORIGIN, stored_codebook_entries, write_code_elements
from qualcode.refi.qde_reader import PROJECT_NS
from qualcode.store import Project

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
    reads ``S01 (scholar): `` (positions follow; see :func:`pseudonymized_sources`)."""
    path = Path(path)
    codebooks = project.codebooks_frame()
    if codebook is not None:
        codebooks = codebooks[codebooks["name"] == codebook]
        if codebooks.empty:
            raise SelectionError(f"no codebook named {codebook!r} in the project", project.path)
    labels = _codebook_labels(codebooks)
    code_rows = project.codes_frame()
    code_rows = code_rows[code_rows["codebook_id"].isin(list(labels))]
    documents = project.documents_frame()
    attributes = project.attributes_frame()
    segments = project.segments_frame(text=False)
    all_codings = project.codings_frame()
    codings = all_codings[all_codings["codebook_id"].isin(list(labels))
                          & all_codings["status"].isin(list(statuses))]
    coverage = project.coverage_frame()
    coverage = coverage[coverage["codebook_id"].isin(list(labels))]

    # users: every coder, with its kind
    kinds: dict[str, str] = {}
    for coder, kind in zip(all_codings["coder"], all_codings["coder_kind"]):
        kinds.setdefault(coder, kind)
    users = sorted(set(codings["coder"]) | set(coverage["coder"]))
    for coder in users:  # a coder who covered turns but never coded anything: a person
        kinds.setdefault(coder, "human")

    # codes per codebook, and their guids
    code_guids: dict[tuple[int, str], str] = {}
    trees = []
    for cb_id, label in labels.items():
        entries, _ = stored_codebook_entries(project, cb_id, label)
        if entries:
            trees.append((cb_id, label, entries))
    n_codes = len(code_rows)

    # variables: role and every document attribute
    attr_keys = sorted(set(attributes["key"]))
    variable_names = ["role"] + [k for k in attr_keys if k != "role"]
    attrs_by_doc: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for doc_id, key, value in zip(attributes["document_id"], attributes["key"], attributes["value"]):
        attrs_by_doc[int(doc_id)].append((key, value))

    texts = {int(d): project.document_text(int(d)) for d in documents["document_id"]}
    doc_ids = {name: int(d) for name, d in zip(documents["document"], documents["document_id"])}
    moved = {}  # document id -> offsets in the stored text -> offsets in the written text
    if not real_names:
        for doc_id, lines in pseudonymized_sources(segments, doc_ids, texts).items():
            texts[doc_id], moved[doc_id] = lines.text, lines.forward
    hashes = {d: content_hash(t) for d, t in texts.items()}

    # selections per document: span -> (name, [(label, code, coder)])
    spans: dict[int, dict[tuple[int, int], dict]] = defaultdict(dict)
    participant_turns: dict[str, list[str]] = defaultdict(list)
    participant_role: dict[str, str | None] = {}
    for row in segments.itertuples(index=False):
        doc = doc_ids[row.document]
        span = _moved(moved, doc, row.start, row.end)
        entry = spans[doc].setdefault(span, {"name": "", "codings": []})
        role = row.role if isinstance(row.role, str) else None
        speaker = row.speaker if real_names else speaker_pseudonym(row.participant, role)
        entry["name"] = f"{speaker}: turn {int(row.turn)}" if row.speaker else f"turn {int(row.turn)}"
        participant_turns[row.participant].append(ids.selection_guid(hashes[doc], *span))
        participant_role.setdefault(row.participant, row.role if isinstance(row.role, str) else None)
    n_codings = 0
    for row in codings.itertuples(index=False):
        doc = int(row.document_id)
        span = _moved(moved, doc, row.start, row.end)
        entry = spans[doc].setdefault(span, {"name": "", "codings": []})
        item = (labels[int(row.codebook_id)], row.code, row.coder, int(row.codebook_id))
        if item not in entry["codings"]:
            entry["codings"].append(item)
            n_codings += 1

    summary = QdpxSummary(path, len(users), n_codes, len(texts), sum(len(s) for s in spans.values()),
                          n_codings, len(participant_turns))
    with atomic_output(path) as tmp:
        with zipfile.ZipFile(tmp, "w") as zf:
            with zf.open(_zip_info("project.qde"), "w") as out:
                with etree.xmlfile(out, encoding="utf-8") as xf:
                    xf.write_declaration()
                    _write_project(xf, project.path.stem, users, kinds, trees, code_guids,
                                   variable_names, participant_turns, participant_role, documents,
                                   texts, hashes, attrs_by_doc, spans)
            for doc_id in texts:
                guid = ids.source_guid(hashes[doc_id])
                zf.writestr(_zip_info(f"sources/{guid}.txt"), texts[doc_id].encode("utf-8"))
        if schema is not None:
            from qualcode.refi.validate import validate_qdpx
            validate_qdpx(tmp, schema, shown_as=path)
    return summary


def pseudonymized_sources(segments, doc_ids: dict[str, int], texts: dict[int, str]) -> dict[int, LabelLines]:
    """Each document's text with its turns' label lines written as pseudonyms (documents
    whose text has no label line to replace are left out).  ``segments`` is the project's
    segments frame (document, start, speaker, participant, role)."""
    turns: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for row in segments.itertuples(index=False):
        role = row.role if isinstance(row.role, str) else None
        turns[doc_ids[row.document]].append((int(row.start), row.speaker,
                                            speaker_pseudonym(row.participant, role)))
    out = {}
    for doc_id, doc_turns in turns.items():
        lines = pseudonymize_label_lines(texts[doc_id], doc_turns)
        if lines.text != texts[doc_id]:
            out[doc_id] = lines
    return out


def _moved(moved: dict, doc: int, start, end) -> tuple[int, int]:
    start, end = int(start), int(end)
    return moved[doc].span(start, end) if doc in moved else (start, end)


def _write_project(xf, name, users, kinds, trees, code_guids, variable_names, participant_turns,
                   participant_role, documents, texts, hashes, attrs_by_doc, spans) -> None:
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
        if texts:
            with xf.element("Sources"):
                for row in documents.itertuples(index=False):
                    doc_id = int(row.document_id)
                    sha = hashes[doc_id]
                    guid = ids.source_guid(sha)
                    with xf.element("TextSource", {"guid": guid, "name": row.document,
                                                   "plainTextPath": f"internal://{guid}.txt"}):
                        for (start, end), entry in sorted(spans.get(doc_id, {}).items()):
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
