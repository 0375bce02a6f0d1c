"""Markdown transcripts (``.md``: Obsidian, Notion, transcription tools' exports).

Read line by line as a text file is (:mod:`qualcode.ingest.plaintext`) once the markup
is taken off, so line numbers stay those of the file:

* labels in bold or italics: ``**Name:** text``, ``**Name**: text``, ``*Name:* text``,
  ``__Name:__``; list bullets and quote marks before a line (``- ``, ``> ``) are dropped;
* headings (``# Focus group 3``) are metadata, never a turn's words: the first is
  ``metadata["title"]``, the others are kept in ``metadata["headings"]`` (one a line), and a
  heading ends the paragraph before it; a heading that is a scripted question
  (``## Question 3. Do you ...?``) is the facilitator's turn;
* a front matter block (``---`` lines around ``key: value``) at the top is metadata;
* in the text, emphasis marks, ``[link](url)`` forms and backslash escapes are taken off;
  horizontal rules are blank lines.
"""

from __future__ import annotations

import re

from qualcode.ingest.questions import scripted_number
from qualcode.ingest.vocabulary import LabelWords

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_RULE = re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$")
_BULLET = re.compile(r"^\s{0,3}(?:>\s?)+|^\s{0,3}[-*+]\s+(?=\S)")
_LABEL_MARKUP = re.compile(r"^(\s*)(\*\*|__|\*|_)([^*_\n]{1,60}?)(:?)\2(:?)(?=\s|$)")
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?!\w)")
_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|])")


def looks_like_markdown(text: str) -> bool:
    """Two or more ``**Label:**``-style lines, or a ``#`` heading first and one such line."""
    head = text[:20000].split("\n")
    bold_labels = sum(1 for line in head if _LABEL_MARKUP.match(line) and ":" in line[:70])
    first = next((line for line in head if line.strip()), "")
    return bold_labels >= 2 or (bool(_HEADING.match(first)) and bold_labels >= 1)


def _clean(line: str) -> str:
    line = _BULLET.sub("", line, count=1)
    m = _LABEL_MARKUP.match(line)
    if m and (m.group(4) or m.group(5)):  # **Name:** or **Name**: -> Name:
        line = f"{m.group(1)}{m.group(3).strip()}:{line[m.end():]}"
    line = _LINK.sub(r"\1", line)
    line = _EMPHASIS.sub(lambda e: e.group(2) or e.group(3), line)
    return _ESCAPE.sub(r"\1", line)


def markdown_units(text: str, words: LabelWords) -> tuple[list[tuple[int, str]], dict[str, str]]:
    """``(units, metadata)`` of a Markdown transcript (see the module docstring)."""
    lines = text.split("\n")
    metadata: dict[str, str] = {}
    units: list[tuple[int, str]] = []
    start = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        if end is not None:
            for raw in lines[1:end]:
                key, sep, value = raw.partition(":")
                if sep and key.strip() and value.strip():
                    metadata[key.strip()] = value.strip().strip("'\"")
            units += [(n, "") for n in range(1, end + 2)]
            start = end + 1
    headings = []
    for number, raw in enumerate(lines[start:], start=start + 1):
        heading = _HEADING.match(raw)
        if heading and scripted_number(heading.group(2), words) is None:
            headings.append(_clean(heading.group(2)))
            units.append((number, ""))
        elif _RULE.match(raw):
            units.append((number, ""))
        else:
            units.append((number, _clean(heading.group(2) if heading else raw)))
    if headings:
        metadata.setdefault("title", headings[0])
        if len(headings) > 1:
            metadata["headings"] = "\n".join(headings[1:])
    return units, metadata
