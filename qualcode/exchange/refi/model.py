"""What qualcode reads from a REFI-QDA project (``project.qde``): plain records.

Only what qualcode can use is kept: users, the code tree, variables, cases and
*text* sources with their plain-text selections and codings.  Picture, PDF,
audio and video sources are counted in :attr:`RefiProject.skipped` so the
importer can say what it left out.  Every record keeps the XML line it came
from, for error messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RefiUser:
    guid: str
    name: str
    id: str | None = None


@dataclass
class RefiCode:
    guid: str
    name: str
    description: str = ""
    color: str | None = None
    codable: bool = True
    parent: str | None = None          # the parent's guid
    children: list["RefiCode"] = field(default_factory=list)
    line: int | None = None


@dataclass
class RefiCoding:
    guid: str
    code: str                          # the CodeRef's target guid
    user: str | None
    created: str | None = None
    line: int | None = None


@dataclass
class RefiSelection:
    guid: str
    start: int
    end: int
    user: str | None
    codings: list[RefiCoding] = field(default_factory=list)
    name: str = ""
    line: int | None = None


@dataclass
class RefiSource:
    guid: str
    name: str
    plain_path: str | None = None
    rich_path: str | None = None
    content: str | None = None         # PlainTextContent, when the text is inline
    selections: list[RefiSelection] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)   # variable name -> value
    line: int | None = None


@dataclass
class RefiCase:
    guid: str
    name: str
    variables: dict[str, str] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)          # SourceRef guids
    selections: list[str] = field(default_factory=list)       # SelectionRef guids
    line: int | None = None


@dataclass
class RefiProject:
    name: str
    origin: str | None
    users: dict[str, RefiUser]
    codes: list[RefiCode]                                     # roots, in file order
    sources: list[RefiSource]
    cases: list[RefiCase]
    creating_user: str | None = None
    description: str = ""
    skipped: dict[str, int] = field(default_factory=dict)     # e.g. {"PDFSource": 2}

    def all_codes(self) -> list[RefiCode]:
        out: list[RefiCode] = []

        def walk(codes: list[RefiCode]) -> None:
            for code in codes:
                out.append(code)
                walk(code.children)

        walk(self.codes)
        return out

    @property
    def selection_count(self) -> int:
        return sum(len(s.selections) for s in self.sources)

    @property
    def coding_count(self) -> int:
        return sum(len(sel.codings) for s in self.sources for sel in s.selections)
