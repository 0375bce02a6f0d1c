"""A REFI-QDA file's text sources checked before anything is written: each source's text,
its selections' positions in code points, its attributes, and every problem found (missing
texts, positions that do not fit, codings of unknown codes) raised together."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from qualcode.core.errors import FormatError
from qualcode.exchange.refi import positions
from qualcode.exchange.refi.archive import Archive, source_text
from qualcode.exchange.refi.model import RefiProject, RefiSource

MAX_LISTED = 5


@dataclass
class PreparedSource:
    source: RefiSource
    name: str
    text: str
    spans: dict[str, tuple[int, int]]          # selection guid -> code-point span
    units: str
    attributes: dict[str, str]


def prepare_sources(archive: Archive, refi: RefiProject, role_variable: str, units: str,
             coder_map: dict[str, str]) -> list[PreparedSource]:
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
    prepared: list[PreparedSource] = []
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
                attr = attribute_name(key)
                attributes[attr] = value.casefold() if attr == attribute_name(role_variable) else value
        prepared.append(PreparedSource(source, name, text, spans, chosen, attributes))
    if problems:
        raise problem_error(problems, where)
    return prepared


def attribute_name(name: str) -> str:
    key = re.sub(r"[^A-Za-z0-9_.-]+", "_", name.strip()).strip("_").casefold()
    if not key or not key[0].isalpha():
        key = "v_" + key
    return key


def problem_error(problems: list[tuple[int | None, str]], where: str) -> FormatError:
    if len(problems) == 1:
        line, message = problems[0]
        return FormatError(message, where, line)
    shown = "; ".join((f"line {line}: " if line else "") + msg for line, msg in problems[:MAX_LISTED])
    more = f"; and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
    return FormatError(f"{len(problems)} problems: {shown}{more}", where)
