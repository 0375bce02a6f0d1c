"""Codebooks as REFI-QDA codes: YAML <-> ``.qdc`` (and the ``<CodeBook>`` of a ``.qdpx``).

What carries over, and how (the ``.qdc`` schema has no extension point, so
everything must fit a code's ``name``, ``color`` and ``Description``):

- hierarchy: nested ``<Code>`` elements; name: the code's name;
- ``<Description>``: the definition, then one line per inclusion criterion
  (``Include: ...``), exclusion criterion (``Exclude: ...``) and example
  (``Example: ...``), and last ``Code id: theme.sub``.  Other QDA programs show
  this text to coders as the code's description; on import the lines are read
  back, so YAML -> .qdc -> YAML keeps ids, definitions and criteria.  A
  description without these lines (a code made in NVivo) is all definition, and
  the id is made from the name;
- color: the code's color in the project, or a fixed palette by theme
  (:data:`PALETTE`), so re-exports are identical;
- **rules are dropped**: ``Codebook.xsd`` allows no foreign elements, so an
  extension element would make the file invalid.  The YAML stays the place of
  the rules; :func:`write_qdc` returns how many rules it left out.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import yaml
from lxml import etree

from qualcode import __version__
from qualcode.codebook import CODE_ID_RE, Codebook, load_codebook_text
from qualcode.core.errors import FormatError, QualcodeError
from qualcode.core.files import atomic_output
from qualcode.exchange.refi.ids import code_guid
from qualcode.exchange.refi.model import RefiCode
from qualcode.exchange.refi.qde_reader import CODEBOOK_NS, children, local, parse_code, parse_xml
from qualcode.store.codebooks import StoredCodebook, find_codebook, load_stored_codebook

#: Default code colors, one per theme in codebook order (a subcode takes its theme's color).
PALETTE = ("#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B",
           "#E377C2", "#7F7F7F", "#BCBD22", "#17BECF", "#393B79", "#AD494A")
ORIGIN = f"qualcode {__version__}"
NO_DEFINITION = "No definition was given in the imported codebook."

_LINE = re.compile(r"^(Include|Exclude|Example|Code id): ?(.*)$")


@dataclass
class CodeEntry:
    """One code as both formats see it."""

    id: str
    name: str
    definition: str
    parent: str | None = None
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    color: str | None = None
    children: list["CodeEntry"] = field(default_factory=list)
    guid: str | None = None        # the GUID it had in the file it was read from

    def preorder(self) -> Iterable["CodeEntry"]:
        yield self
        for c in self.children:
            yield from c.preorder()


def entries_from_codebook(codebook: Codebook, colors: dict[str, str] | None = None) -> list[CodeEntry]:
    """The codebook's tree as entries; colors from ``colors`` (code id -> #RRGGBB) or the palette."""
    colors = colors or {}

    def convert(code, theme_index: int) -> CodeEntry:
        entry = CodeEntry(code.id, code.name, code.definition, code.parent, list(code.include),
                          list(code.exclude), list(code.examples),
                          colors.get(code.id) or PALETTE[theme_index % len(PALETTE)])
        entry.children = [convert(c, theme_index) for c in code.children]
        return entry

    return [convert(root, i) for i, root in enumerate(codebook.roots)]


def entries_from_rows(rows: Iterable[tuple]) -> list[CodeEntry]:
    """(code, parent, name, definition, color) rows in codebook order (a project's codes table)."""
    by_id: dict[str, CodeEntry] = {}
    roots: list[CodeEntry] = []
    text = lambda v: v if isinstance(v, str) and v else None  # noqa: E731  (NaN/None -> None)
    for code, parent, name, definition, color in rows:
        parent = text(parent)
        entry = CodeEntry(code, text(name) or code, text(definition) or "", parent, color=text(color))
        by_id[code] = entry
        if parent and parent in by_id:
            by_id[parent].children.append(entry)
        else:
            roots.append(entry)
    for i, root in enumerate(roots):
        fill = root.color or PALETTE[i % len(PALETTE)]
        for entry in root.preorder():
            entry.color = entry.color or fill
    return roots


def count_rules(codebook: Codebook) -> int:
    return sum(len(c.rules.all) + len(c.rules.exclude) for c in codebook.codes)


# ------------------------------------------------------------------ description text
def description_text(entry: CodeEntry) -> str:
    lines = [entry.definition.strip()] if entry.definition.strip() else []
    tail = ([f"Include: {t}" for t in entry.include] + [f"Exclude: {t}" for t in entry.exclude]
            + [f"Example: {t}" for t in entry.examples] + [f"Code id: {entry.id}"])
    return "\n\n".join(lines + ["\n".join(tail)])


def parse_description(text: str) -> tuple[str, list[str], list[str], list[str], str | None]:
    """definition, include, exclude, examples, code id (None if absent) of a description."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    tail: list[tuple[str, str]] = []
    while lines and (m := _LINE.match(lines[-1].strip())):
        tail.insert(0, (m.group(1), m.group(2).strip()))
        lines.pop()
    definition = "\n".join(lines).strip()
    pick = lambda key: [v for k, v in tail if k == key and v]  # noqa: E731
    ids = pick("Code id")
    return definition, pick("Include"), pick("Exclude"), pick("Example"), ids[-1] if ids else None


# ------------------------------------------------------------------ writing XML
def write_code_elements(xf, entries: list[CodeEntry], codebook_name: str,
                        guids: dict[str, str] | None = None) -> None:
    """Stream ``<Code>`` elements (the same in ``.qdc`` and ``.qde``) into an lxml xmlfile."""
    for entry in entries:
        attrs = {"guid": code_guid(codebook_name, entry.id), "name": entry.name, "isCodable": "true"}
        if guids is not None:
            guids[entry.id] = attrs["guid"]
        if entry.color:
            attrs["color"] = entry.color
        with xf.element("Code", attrs):
            with xf.element("Description"):
                xf.write(description_text(entry))
            write_code_elements(xf, entry.children, codebook_name, guids)


def write_qdc(codebook: Codebook, path: str | Path, colors: dict[str, str] | None = None) -> int:
    """Write a REFI-QDA codebook (``.qdc``) atomically; returns how many rules were dropped."""
    write_qdc_entries(entries_from_codebook(codebook, colors), codebook.name, path)
    return count_rules(codebook)


# ------------------------------------------------------------------ reading codes
def read_qdc(path: str | Path) -> tuple[list[RefiCode], str | None]:
    """The codes of a ``.qdc`` file (roots with children) and its ``origin``."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FormatError(f"cannot read codebook: {exc.strerror or exc}", path) from None
    root = parse_xml(data, str(path))
    if local(root) != "CodeBook":
        raise FormatError(f"root element is <{local(root)}>, not a REFI-QDA <CodeBook>", path,
                          root.sourceline)
    codes_el = [c for c in root if local(c) == "Codes"]
    if not codes_el:
        raise FormatError("<CodeBook> has no <Codes>", path, root.sourceline)
    codes = [parse_code(c, None, str(path)) for c in children(codes_el[0], "Code")]
    if not codes:
        raise FormatError("<Codes> holds no <Code>", path, codes_el[0].sourceline)
    return codes, root.get("origin")


def slug(name: str) -> str:
    """A code-id part from a name: ASCII lowercase words joined by '_' ("2. Értékek" -> "c2_ertekek")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_name.lower())
    part = "_".join(words) or "code"
    return part if part[0].isalpha() else "c" + part


def entries_from_refi(codes: list[RefiCode]) -> list[CodeEntry]:
    """Code entries with valid, unique qualcode ids from REFI codes.

    The id is the ``Code id:`` line of the description when valid; else the name
    when it already is an id (Taguette writes tag paths such as
    ``independence.ownership`` as flat codes: they are nested under the code
    whose id is their prefix); else the parent's id, a dot and a slug of the name.
    """
    used: set[str] = set()

    def unique(candidate: str) -> str:
        out, n = candidate, 2
        while out in used:
            out = f"{candidate}_{n}"
            n += 1
        used.add(out)
        return out

    def convert(code: RefiCode, parent: str | None) -> CodeEntry:
        definition, include, exclude, examples, given = parse_description(code.description)
        if given and CODE_ID_RE.match(given) and given not in used:
            code_id = unique(given)
        elif CODE_ID_RE.match(code.name) and (parent is None or code.name.startswith(parent + ".")):
            code_id = unique(code.name)
        else:
            code_id = unique(f"{parent}.{slug(code.name)}" if parent else slug(code.name))
        entry = CodeEntry(code_id, code.name, definition or NO_DEFINITION, parent, include, exclude,
                          examples, code.color, guid=code.guid)
        entry.children = [convert(c, code_id) for c in code.children]
        return entry

    roots = [convert(c, None) for c in codes]
    # flat dotted ids (Taguette): move "a.b" under "a" when "a" exists
    by_id = {e.id: e for r in roots for e in r.preorder()}
    nested: list[CodeEntry] = []
    for entry in roots:
        parent_id = entry.id.rsplit(".", 1)[0] if "." in entry.id else None
        if parent_id and parent_id in by_id and parent_id != entry.id:
            entry.parent = parent_id
            by_id[parent_id].children.append(entry)
        else:
            nested.append(entry)
    return nested


# ------------------------------------------------------------------ YAML
def _code_yaml(entry: CodeEntry) -> dict:
    out: dict = {"id": entry.id, "name": entry.name, "definition": entry.definition}
    for key in ("include", "exclude", "examples"):
        if getattr(entry, key):
            out[key] = list(getattr(entry, key))
    if entry.children:
        out["children"] = [_code_yaml(c) for c in entry.children]
    return out


def entries_to_yaml(entries: list[CodeEntry], name: str, version: str, description: str = "") -> str:
    """A qualcode codebook YAML text (no rules) for the entries."""
    doc: dict = {"name": name, "version": str(version)}
    if description:
        doc["description"] = description
    doc["codes"] = [_code_yaml(e) for e in entries]
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def entry_rows(entries: list[CodeEntry]) -> list[tuple]:
    """(code, parent, theme, name, definition, color) rows for ``Project.add_codebook``."""
    rows = []
    for root in entries:
        for e in root.preorder():
            rows.append((e.id, e.parent, root.id, e.name, e.definition, e.color))
    return rows


def qdc_to_yaml(path: str | Path, name: str | None = None, version: str = "1.0") -> tuple[str, int]:
    """YAML text for a ``.qdc`` file, and its number of codes."""
    codes, origin = read_qdc(path)
    entries = entries_from_refi(codes)
    description = f"Imported from {Path(path).name}" + (f" (written by {origin})" if origin else "") + "."
    text = entries_to_yaml(entries, name or Path(path).stem, version, description)
    return text, sum(1 for r in entries for _ in r.preorder())


# ------------------------------------------------------------------ CSV (Taguette)
def write_codebook_csv(codebook: Codebook, path: str | Path) -> int:
    """``tag,description`` rows (UTF-8 with BOM), the CSV codebook Taguette imports.

    The tag is the code id (Taguette's tag paths use '.' for hierarchy, like qualcode ids);
    the description is the definition.  Returns the number of codes written."""
    return write_csv_entries(entries_from_codebook(codebook), path)


def write_qdc_entries(entries: list[CodeEntry], codebook_name: str, path: str | Path) -> None:
    """Write a ``.qdc`` from code entries (e.g. a project's stored codes), atomically."""
    with atomic_output(path, (".qdc",)) as tmp:
        with etree.xmlfile(str(tmp), encoding="utf-8") as xf:
            xf.write_declaration()
            with xf.element("CodeBook", {"origin": ORIGIN}, nsmap={None: CODEBOOK_NS}):
                with xf.element("Codes"):
                    write_code_elements(xf, entries, codebook_name)


def write_csv_entries(entries: list[CodeEntry], path: str | Path) -> int:
    """``tag,description`` CSV (see :func:`write_codebook_csv`) from code entries."""
    rows = [(e.id, e.definition) for r in entries for e in r.preorder()]
    with atomic_output(path, (".csv",)) as tmp:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["tag", "description"])
            writer.writerows(rows)
    return len(rows)


def stored_codebook_entries(project, book: StoredCodebook):
    """(entries, Codebook or None) for a codebook stored in a project: from its YAML text when
    the project kept it (criteria, examples and rules included), else from the codes table;
    colors from the codes table."""
    codes = project.codes_frame(book.id)
    colors = {c: col for c, col in zip(codes["code"], codes["color"]) if isinstance(col, str) and col}
    try:
        full = load_stored_codebook(project, book)
    except QualcodeError:  # stored text no longer valid: fall back to the stored codes
        full = None
    if full is not None and set(full.ids) == set(codes["code"]):
        return entries_from_codebook(full, colors), full
    return entries_from_rows(zip(codes["code"], codes["parent"], codes["name"], codes["definition"],
                                 codes["color"])), None


def project_codebook(project, name: str | None = None):
    """(codebook name, entries, Codebook or None) for a codebook stored in a project, the
    most recently added one unless ``name`` is given (found as :mod:`qualcode.store.codebooks` says)."""
    book = find_codebook(project, name)
    entries, full = stored_codebook_entries(project, book)
    return book.name, entries, full


YAML_SUFFIXES = (".yaml", ".yml")


def codebook_source(path: str | Path, codebook_name: str | None = None):
    """(name, entries, Codebook or None) from a YAML codebook or a project file (its latest
    codebook, or the one named ``codebook_name``)."""
    path = Path(path)
    if path.suffix.lower() in YAML_SUFFIXES:
        from qualcode.codebook import load_codebook
        book = load_codebook(path)
        return book.name, entries_from_codebook(book), book
    from qualcode.store.project import open_project
    with open_project(path) as project:
        return project_codebook(project, codebook_name)


def write_codebook_as(path: str | Path, name: str, entries: list[CodeEntry], book=None) -> tuple[int, int]:
    """Write ``.qdc`` or ``.csv`` by the suffix of ``path``; returns (codes written, rules dropped)."""
    from qualcode.core.errors import InputError

    suffix = Path(path).suffix.lower()
    if suffix == ".qdc":
        write_qdc_entries(entries, name, path)
    elif suffix == ".csv":
        write_csv_entries(entries, path)
    else:
        raise InputError(f"cannot write a codebook as {suffix or 'a file without suffix'}: use .qdc or .csv",
                         path)
    return sum(1 for r in entries for _ in r.preorder()), count_rules(book) if book is not None else 0


def convert_qdc_to_yaml(source: str | Path, output: str | Path, name: str | None = None) -> int:
    """Write the YAML codebook for a ``.qdc`` (checked to load as a codebook); returns its codes."""
    from qualcode.core.errors import InputError

    if Path(output).suffix.lower() not in YAML_SUFFIXES:
        raise InputError("a .qdc converts to a YAML codebook: name the output .yaml", output)
    text, n = qdc_to_yaml(source, name)
    load_codebook_text(text, output)
    with atomic_output(output, YAML_SUFFIXES) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return n
