"""Parse ``project.qde`` (REFI-QDA project XML) into :mod:`qualcode.exchange.refi.model` records.

Lenient where real programs differ (GUIDs in upper or lower case, with or
without braces; the namespace present or not) and strict where data would be
wrong: a missing required attribute or a position that is not a whole number is
a :class:`~qualcode.core.errors.FormatError` naming the file, line and element.
External entities and network access are disabled in the XML parser.
"""

from __future__ import annotations

import re

from lxml import etree

from qualcode.core.errors import FormatError
from qualcode.exchange.refi.model import (RefiCase, RefiCode, RefiCoding, RefiProject, RefiSelection,
                                 RefiSource, RefiUser)

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
NON_TEXT_SOURCES = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")
VALUE_ELEMENTS = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue",
                  "DateTimeValue")


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True,
                           huge_tree=False)


def parse_xml(data: bytes, where: str) -> etree._Element:
    """The root element, or a FormatError with the line where the XML breaks."""
    try:
        return etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        message = re.sub(r", line \d+, column (\d+)$", r" (column \1)", exc.msg)
        raise FormatError(f"malformed XML: {message}", where, line) from None


def local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if local(c) == name]


def child(element: etree._Element, name: str) -> etree._Element | None:
    found = children(element, name)
    return found[0] if found else None


def norm_guid(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip().strip("{}").lower() or None


def required(element: etree._Element, attr: str, where: str) -> str:
    value = element.get(attr)
    if value is None or not value.strip():
        raise FormatError(f"<{local(element)}> has no {attr!r} attribute", where, element.sourceline)
    return value


def integer(element: etree._Element, attr: str, where: str) -> int:
    value = required(element, attr, where)
    try:
        return int(value.strip())
    except ValueError:
        raise FormatError(f"<{local(element)}> {attr}={value!r} is not a whole number",
                          where, element.sourceline) from None


def text_of(element: etree._Element | None) -> str:
    return "" if element is None else (element.text or "")


def parse_code(element: etree._Element, parent: str | None, where: str) -> RefiCode:
    guid = norm_guid(required(element, "guid", where))
    code = RefiCode(guid=guid, name=element.get("name", "").strip() or guid,
                    description=text_of(child(element, "Description")).strip(),
                    color=element.get("color"),
                    codable=element.get("isCodable", "true").strip().lower() in ("true", "1"),
                    parent=parent, line=element.sourceline)
    code.children = [parse_code(c, guid, where) for c in children(element, "Code")]
    return code


def variable_values(element: etree._Element, names: dict[str, str], where: str) -> dict[str, str]:
    out = {}
    for vv in children(element, "VariableValue"):
        ref = child(vv, "VariableRef")
        if ref is None:
            raise FormatError("<VariableValue> has no <VariableRef>", where, vv.sourceline)
        target = norm_guid(required(ref, "targetGUID", where))
        if target not in names:
            raise FormatError(f"<VariableRef> refers to unknown variable {target}", where, ref.sourceline)
        value = next((text_of(c) for c in vv if local(c) in VALUE_ELEMENTS), "")
        out[names[target]] = value.strip()
    return out


def parse_selection(element: etree._Element, where: str) -> RefiSelection:
    selection = RefiSelection(guid=norm_guid(required(element, "guid", where)),
                              start=integer(element, "startPosition", where),
                              end=integer(element, "endPosition", where),
                              user=norm_guid(element.get("creatingUser")),
                              name=element.get("name", ""), line=element.sourceline)
    for coding in children(element, "Coding"):
        ref = child(coding, "CodeRef")
        if ref is None:
            raise FormatError("<Coding> has no <CodeRef>", where, coding.sourceline)
        selection.codings.append(RefiCoding(
            guid=norm_guid(required(coding, "guid", where)),
            code=norm_guid(required(ref, "targetGUID", where)),
            user=norm_guid(coding.get("creatingUser")) or selection.user,
            created=coding.get("creationDateTime"), line=ref.sourceline))
    return selection


def parse_project(data: bytes, where: str) -> RefiProject:
    """Read a ``project.qde``; ``where`` names it in errors (e.g. ``study.qdpx:project.qde``)."""
    root = parse_xml(data, where)
    if local(root) != "Project":
        raise FormatError(f"root element is <{local(root)}>, not a REFI-QDA <Project>", where,
                          root.sourceline)
    users = {}
    users_el = child(root, "Users")
    for element in children(users_el, "User") if users_el is not None else []:
        guid = norm_guid(required(element, "guid", where))
        users[guid] = RefiUser(guid, (element.get("name") or element.get("id") or guid).strip(),
                               element.get("id"))
    codes: list[RefiCode] = []
    book = child(root, "CodeBook")
    if book is not None:
        codes_el = child(book, "Codes")
        if codes_el is not None:
            codes = [parse_code(c, None, where) for c in children(codes_el, "Code")]
    variables: dict[str, str] = {}
    variables_el = child(root, "Variables")
    if variables_el is not None:
        for element in children(variables_el, "Variable"):
            variables[norm_guid(required(element, "guid", where))] = required(element, "name", where).strip()
    project = RefiProject(name=root.get("name", ""), origin=root.get("origin"), users=users,
                          codes=codes, sources=[], cases=[],
                          creating_user=norm_guid(root.get("creatingUserGUID")),
                          description=text_of(child(root, "Description")).strip())
    cases_el = child(root, "Cases")
    if cases_el is not None:
        for element in children(cases_el, "Case"):
            guid = norm_guid(required(element, "guid", where))
            project.cases.append(RefiCase(
                guid=guid, name=(element.get("name") or guid).strip(),
                variables=variable_values(element, variables, where),
                sources=[norm_guid(required(r, "targetGUID", where)) for r in children(element, "SourceRef")],
                selections=[norm_guid(required(r, "targetGUID", where))
                            for r in children(element, "SelectionRef")],
                line=element.sourceline))
    sources_el = child(root, "Sources")
    if sources_el is not None:
        for element in sources_el:
            kind = local(element)
            if kind in NON_TEXT_SOURCES:
                project.skipped[kind] = project.skipped.get(kind, 0) + 1
                continue
            if kind != "TextSource":
                continue
            guid = norm_guid(required(element, "guid", where))
            content = child(element, "PlainTextContent")
            source = RefiSource(guid=guid, name=(element.get("name") or guid).strip(),
                                plain_path=element.get("plainTextPath"),
                                rich_path=element.get("richTextPath"),
                                content=content.text or "" if content is not None else None,
                                variables=variable_values(element, variables, where),
                                line=element.sourceline)
            source.selections = [parse_selection(s, where) for s in children(element, "PlainTextSelection")]
            whole = children(element, "Coding")
            if whole:
                key = "source-level Coding"
                project.skipped[key] = project.skipped.get(key, 0) + len(whole)
            project.sources.append(source)
    return project
