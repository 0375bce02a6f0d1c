"""What a codebook is once read: codes in a hierarchy, each with its rules.

:class:`Codebook` holds the codes in preorder (a parent before its children) and answers
the questions the taggers and exports ask (``theme_of``, ``ancestors``, ``descendants``).
The ids' syntax and the limits that keep a hostile codebook from exhausting memory or time
are here too, so every reader of codebooks uses the same ones (``codebooks/README.md``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator

SCOPES = ("sentence", "turn")
DEFAULT_SCOPE = "sentence"
DEFAULT_WINDOW = 8
#: Code ids: lowercase words joined by '_', parts separated by '.', e.g. ``independence.ownership``.
CODE_ID_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
RULE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]*$")

# Limits that keep a mistaken or hostile codebook from exhausting memory or time.  Each is
# reported as a CodebookError naming the file, the line and the limit (codebooks/README.md).
#: Largest codebook file read (the shipped ones are under 100 kB).
MAX_CODEBOOK_BYTES = 5_000_000
#: Most YAML values (scalars, lists, mappings) once aliases are expanded: stops "billion laughs".
MAX_YAML_VALUES = 200_000
#: Most codes in one codebook.
MAX_CODES = 2_000
#: Most rules (phrases, patterns and exclude phrases) in one codebook.
MAX_RULES = 20_000
#: Most words in one phrase.
MAX_PHRASE_WORDS = 30
#: Most tokens in one pattern, counting ``{"OP": "{n,m}"}`` as ``m`` (or ``n``) tokens.
MAX_PATTERN_TOKENS = 20
#: Most open-ended tokens (``OP`` ``*``, ``+`` or ``{n,}``) in one pattern.  Matching time
#: grows with the square of a turn's length for one such token (about 8 s on a 4,000-token
#: turn) and explodes with two (7 s on 400 tokens); a bounded ``{"OP": "{,3}"}`` is cheap.
MAX_PATTERN_REPEATS = 1
#: Most alternatives in one ``IN``/``NOT_IN`` list.
MAX_ALTERNATIVES = 1_000
#: Longest ``REGEX`` value in a pattern.
MAX_REGEX_CHARS = 200

@dataclass(frozen=True)
class Rule:
    """One phrase (a string) or token pattern (a list of token dicts), fully resolved."""

    rule_id: str
    kind: str  # "phrase" or "pattern"
    phrase: str | None = None
    pattern: tuple | None = None
    negation: bool = False
    near: tuple[str, ...] = ()
    window: int = DEFAULT_WINDOW
    #: The line of the phrase or pattern in the codebook file (1-based).
    line: int | None = None


@dataclass(frozen=True)
class Rules:
    """A code's rules: what matches (phrases, patterns), what vetoes (exclude), where (scope)."""

    phrases: tuple[Rule, ...] = ()
    patterns: tuple[Rule, ...] = ()
    exclude: tuple[Rule, ...] = ()
    scope: str = DEFAULT_SCOPE

    def __bool__(self) -> bool:
        return bool(self.phrases or self.patterns)

    @property
    def all(self) -> tuple[Rule, ...]:
        return self.phrases + self.patterns


@dataclass
class Code:
    id: str
    name: str
    definition: str
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    rules: Rules = field(default_factory=Rules)
    parent: str | None = None
    children: list["Code"] = field(default_factory=list, repr=False)
    line: int | None = None


@dataclass
class Codebook:
    name: str
    version: str
    description: str
    roots: list[Code]
    path: str | None = None
    hash: str = ""
    defaults: dict[str, Any] = field(default_factory=dict)
    #: The YAML text it was read from, as a project stores it (no BOM, ``\\n`` line ends).
    text: str | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.codes: list[Code] = list(preorder(self.roots))
        self._by_id = {c.id: c for c in self.codes}

    def get(self, code_id: str) -> Code:
        try:
            return self._by_id[code_id]
        except KeyError:
            raise KeyError(f"no code '{code_id}' in codebook '{self.name}'") from None

    def __contains__(self, code_id: object) -> bool:
        return code_id in self._by_id

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.codes]

    def theme_of(self, code_id: str) -> str:
        """The top-level ancestor's id (a theme is its own theme)."""
        code = self.get(code_id)
        while code.parent is not None:
            code = self.get(code.parent)
        return code.id

    def ancestors(self, code_id: str) -> list[str]:
        """Parent, grandparent, ... up to the theme."""
        out, code = [], self.get(code_id)
        while code.parent is not None:
            out.append(code.parent)
            code = self.get(code.parent)
        return out

    def descendants(self, code_id: str) -> list[str]:
        """Ids of every code below ``code_id``, in codebook order (not including itself)."""
        return [c.id for c in preorder(self.get(code_id).children)]


def preorder(codes: list[Code]) -> Iterator[Code]:
    for code in codes:
        yield code
        yield from preorder(code.children)
