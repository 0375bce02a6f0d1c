"""YAML codebook -> :class:`Codebook`, with validation that reports every problem at once.

The format is documented in ``codebooks/README.md``.  :func:`validate_codebook`
walks PyYAML's composed node tree (so every problem carries the line it is on)
and :func:`load_codebook` raises one :class:`CodebookError` listing them all.
"""

from __future__ import annotations

import hashlib
import re
import textwrap
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from qualcode.core.errors import CodebookError, QualcodeError
from qualcode.core.spelling import did_you_mean

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

TOP_KEYS = ("name", "version", "description", "defaults", "codes")
TOP_REQUIRED = ("name", "version", "codes")
DEFAULTS_KEYS = ("scope", "negation", "window")
CODE_KEYS = ("id", "name", "definition", "include", "exclude", "examples", "rules", "children")
CODE_REQUIRED = ("id", "name", "definition")
RULES_KEYS = ("phrases", "patterns", "exclude", "scope", "negation", "near", "window")
PHRASE_KEYS = ("phrase", "id", "negation", "near", "window")
PATTERN_KEYS = ("pattern", "id", "negation", "near", "window")


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

    def __post_init__(self) -> None:
        self.codes: list[Code] = list(_preorder(self.roots))
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
        return [c.id for c in _preorder(self.get(code_id).children)]


def _preorder(codes: list[Code]) -> Iterator[Code]:
    for code in codes:
        yield code
        yield from _preorder(code.children)


# ---------------------------------------------------------------- public API


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook; raise :class:`CodebookError` listing every problem."""
    codebook, problems = _parse(Path(path))
    if problems:
        first = problems[0]
        message = first.message if len(problems) == 1 else \
            f"{len(problems)} problems in codebook; first: {first.message}"
        raise CodebookError(message, path, first.line, problems=problems)
    assert codebook is not None
    return codebook


def validate_codebook(path: str | Path) -> list[QualcodeError]:
    """Every problem in a codebook (empty list: it is valid), each with its file and line."""
    return _parse(Path(path))[1]


def codebook_hash(text: str) -> str:
    """sha256 of the codebook text normalized: NFC, no BOM, LF line ends, no trailing blanks."""
    text = unicodedata.normalize("NFC", text.lstrip("\ufeff"))
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return hashlib.sha256(("\n".join(lines).strip("\n") + "\n").encode("utf-8")).hexdigest()


def format_codebook_tree(codebook: Codebook, definitions: bool = True, width: int = 88) -> str:
    """The hierarchy as indented text, for ``qualcode codebook show``."""
    lines = [f"{codebook.name} (version {codebook.version})"]
    if codebook.description:
        lines += textwrap.wrap(codebook.description, width)
    lines.append("")

    def walk(codes: list[Code], level: int) -> None:
        for code in codes:
            pad = "  " * level
            n_rules = len(code.rules.all)
            suffix = f"  [{n_rules} rule{'s' if n_rules != 1 else ''}]" if n_rules else ""
            lines.append(f"{pad}{code.id}: {code.name}{suffix}")
            if definitions:
                lines.extend(textwrap.wrap(code.definition, width, initial_indent=pad + "    ",
                                           subsequent_indent=pad + "    "))
            walk(code.children, level + 1)

    walk(codebook.roots, 0)
    return "\n".join(lines).rstrip() + "\n"


# ---------------------------------------------------------------- parsing


def _in(where: str) -> str:
    return "at top level" if where == "top level" else "in " + where


class _Checker:
    def __init__(self, path: Path):
        self.path = path
        self.problems: list[QualcodeError] = []
        self.columns: list[int] = []
        self.constructor = yaml.constructor.SafeConstructor()
        self.code_lines: dict[str, int] = {}
        self.rule_lines: dict[str, int] = {}
        self.defaults: dict[str, Any] = {"scope": DEFAULT_SCOPE, "negation": False,
                                         "window": DEFAULT_WINDOW}

    def add(self, message: str, node: Node | None) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        self.problems.append(QualcodeError(message, self.path, line))
        self.columns.append(node.start_mark.column if node is not None else 0)

    def sorted_problems(self) -> list[QualcodeError]:
        order = sorted(range(len(self.problems)),
                       key=lambda i: (self.problems[i].line or 0, self.columns[i], i))
        return [self.problems[i] for i in order]

    def value(self, node: Node) -> Any:
        """The Python value of a node, except that only ``true``/``false`` are booleans:
        YAML 1.1 would turn words like ``no``, ``on`` or ``off`` in a word list into booleans."""
        if isinstance(node, SequenceNode):
            return [self.value(n) for n in node.value]
        if isinstance(node, MappingNode):
            return {_hashable(self.value(k)): self.value(v) for k, v in node.value}
        if node.tag == "tag:yaml.org,2002:bool" and node.value.lower() not in ("true", "false"):
            return node.value
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            # e.g. "window: !!int many": report it and go on with the text as written
            reason = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
            self.add(f"invalid YAML value '{node.value}' ({node.tag.rsplit(':', 1)[-1]}): {reason}", node)
            return str(node.value)

    def mapping(self, node: Node, where: str, allowed: tuple[str, ...],
                required: tuple[str, ...] = ()) -> dict[str, tuple[Node, Node]] | None:
        if not isinstance(node, MappingNode):
            self.add(f"{where} must be a mapping of keys to values", node)
            return None
        out: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else str(self.value(key_node))
            if key in out:
                self.add(f"duplicate key '{key}' {_in(where)}", key_node)
            elif key not in allowed:
                self.add(f"unknown key '{key}' {_in(where)}{did_you_mean(key, allowed)}", key_node)
            else:
                out[key] = (key_node, value_node)
        for key in required:
            if key not in out:
                self.add(f"missing required key '{key}' {_in(where)}", node)
        return out

    def text(self, node: Node, what: str, where: str, required: bool = False) -> str:
        if isinstance(node, ScalarNode):
            value = "" if node.tag == "tag:yaml.org,2002:null" else str(node.value)
            value = value.strip() if node.style == "|" else " ".join(value.split())
            if required and not value:
                self.add(f"empty {what} {_in(where)}", node)
            return value
        self.add(f"'{what}' {_in(where)} must be text", node)
        return ""

    def texts(self, node: Node, what: str, where: str) -> list[str]:
        """A string or a list of strings."""
        if isinstance(node, ScalarNode):
            value = self.text(node, what, where)
            return [value] if value else []
        if isinstance(node, SequenceNode) and all(isinstance(n, ScalarNode) for n in node.value):
            return [t for n in node.value if (t := self.text(n, what, where))]
        self.add(f"'{what}' {_in(where)} must be text or a list of texts", node)
        return []

    def boolean(self, node: Node, what: str, where: str) -> bool | None:
        value = self.value(node) if isinstance(node, ScalarNode) else None
        if not isinstance(value, bool):
            self.add(f"'{what}' {_in(where)} must be true or false", node)
            return None
        return value

    def window(self, node: Node, where: str) -> int | None:
        value = self.value(node) if isinstance(node, ScalarNode) else None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.add(f"'window' {_in(where)} must be a positive whole number of tokens", node)
            return None
        return value

    def near(self, node: Node, where: str) -> tuple[str, ...] | None:
        words = self.value(node) if isinstance(node, (ScalarNode, SequenceNode)) else None
        if isinstance(words, str):
            words = [words]
        if words is None and isinstance(node, ScalarNode):
            return ()
        if not isinstance(words, list) or not all(isinstance(w, str) and len(w.split()) == 1
                                                  for w in words):
            self.add(f"'near' {_in(where)} must be a list of single words", node)
            return None
        return tuple(w.strip() for w in words)

    def scope(self, node: Node, where: str) -> str | None:
        value = self.value(node) if isinstance(node, ScalarNode) else None
        if value not in SCOPES:
            shown = value if isinstance(value, (str, int, float, bool)) else "(not a word)"
            self.add(f"invalid scope '{shown}' {_in(where)}: use 'sentence' or 'turn'", node)
            return None
        return value


def _hashable(value: Any) -> Any:
    """A mapping key YAML allows but Python cannot hash (``? [a, b]``) becomes its text."""
    try:
        hash(value)
    except TypeError:
        return str(value)
    return value


def _expanded_size(root: Node, path: Path) -> QualcodeError | None:
    """A problem if aliases make the node graph recursive or expand past MAX_YAML_VALUES."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise _Recursive(node)
        open_nodes.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            children = node.value
        elif isinstance(node, MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            children = []
        for child in children:
            total += size(child)
            if total > MAX_YAML_VALUES:
                break
        open_nodes.discard(key)
        sizes[key] = total
        return total

    try:
        if size(root) > MAX_YAML_VALUES:
            return QualcodeError(f"codebook expands to more than {MAX_YAML_VALUES:,} YAML values "
                                 "(aliases repeating aliases?); the limit keeps loading fast", path)
    except _Recursive as rec:
        return QualcodeError("recursive YAML alias: an anchor (&name) contains an alias (*name) "
                             "of itself", path, rec.node.start_mark.line + 1)
    except RecursionError:
        return QualcodeError("codebook is nested too deeply to read", path)
    return None


class _Recursive(Exception):
    def __init__(self, node: Node):
        self.node = node


def _parse(path: Path) -> tuple[Codebook | None, list[QualcodeError]]:
    check = _Checker(path)
    try:
        size = path.stat().st_size
        if size > MAX_CODEBOOK_BYTES:
            return None, [QualcodeError(f"codebook is {size:,} bytes, more than the limit of "
                                        f"{MAX_CODEBOOK_BYTES:,} bytes", path)]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [QualcodeError(f"cannot read codebook: {exc.strerror or exc}", path)]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [QualcodeError(f"codebook is not UTF-8 text (byte {exc.start})", path)]
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "cannot parse"
        line = mark.line + 1 if mark is not None else None
        return None, [QualcodeError(f"YAML syntax error: {problem}", path, line)]
    except yaml.YAMLError as exc:
        return None, [QualcodeError(f"YAML syntax error: {exc}", path)]
    except RecursionError:
        return None, [QualcodeError("codebook is nested too deeply to read", path)]
    if root is None:
        return None, [QualcodeError("codebook is empty", path)]
    too_big = _expanded_size(root, path)
    if too_big is not None:
        return None, [too_big]

    top = check.mapping(root, "top level", TOP_KEYS, TOP_REQUIRED)
    roots: list[Code] = []
    meta = {"name": "", "version": "", "description": ""}
    if top is not None:
        for key in ("name", "version", "description"):
            if key in top:
                meta[key] = check.text(top[key][1], key, "top level", required=key != "description")
        if "defaults" in top:
            _defaults(check, top["defaults"][1])
        if "codes" in top:
            roots = _codes(check, top["codes"][1], None, "top level")
    _check_totals(check, roots, root)
    check.problems = check.sorted_problems()
    if check.problems:
        return None, check.problems
    if not roots:
        return None, [QualcodeError("codebook has no codes", path, root.start_mark.line + 1)]
    codebook = Codebook(meta["name"], meta["version"], meta["description"], roots,
                        path=str(path), hash=codebook_hash(text), defaults=dict(check.defaults))
    return codebook, []


def _check_totals(check: _Checker, roots: list[Code], root: Node) -> None:
    codes = list(_preorder(roots))
    if len(codes) > MAX_CODES:
        check.add(f"codebook has {len(codes):,} codes, more than the limit of {MAX_CODES:,}", root)
    rules = sum(len(c.rules.all) + len(c.rules.exclude) for c in codes)
    if rules > MAX_RULES:
        check.add(f"codebook has {rules:,} rules, more than the limit of {MAX_RULES:,}", root)


def pattern_limit_problems(tokens: Any) -> list[str]:
    """Problems with a token pattern's size (see the MAX_* limits above), as short messages.

    Checked before spaCy sees the pattern: ``{"OP": "{100000}"}`` would make the Matcher
    build 100,000 token states, and chains of ``*`` make matching on long turns explode."""
    if not isinstance(tokens, list):
        return []
    problems: list[str] = []
    length, repeats = 0, 0
    for i, token in enumerate(tokens, 1):
        if not isinstance(token, dict):
            length += 1
            continue
        op = token.get("OP")
        m = re.fullmatch(r"\{\s*(\d*)\s*(,?)\s*(\d*)\s*\}", op) if isinstance(op, str) else None
        if op in ("*", "+") or (m and m.group(2) and not m.group(3)):
            repeats += 1
        if m:
            low, high = m.group(1), m.group(3)
            count = int(high or low or 0)
            if count > MAX_PATTERN_TOKENS:
                problems.append(f"token {i}: OP {op} repeats a token {count:,} times, more than the "
                                f"limit of {MAX_PATTERN_TOKENS} tokens in a pattern")
                count = 1
            length += max(count, 1)
        else:
            length += 1
        for key, value in token.items():
            if isinstance(value, dict):
                for op_name, alternatives in value.items():
                    if isinstance(alternatives, list) and len(alternatives) > MAX_ALTERNATIVES:
                        problems.append(f"token {i}: {key} {op_name} lists {len(alternatives):,} "
                                        f"alternatives, more than the limit of {MAX_ALTERNATIVES:,}")
                    if op_name == "REGEX" and isinstance(alternatives, str) \
                            and len(alternatives) > MAX_REGEX_CHARS:
                        problems.append(f"token {i}: {key} REGEX is {len(alternatives):,} characters, "
                                        f"more than the limit of {MAX_REGEX_CHARS}")
    if length > MAX_PATTERN_TOKENS:
        problems.append(f"pattern has {length:,} tokens, more than the limit of {MAX_PATTERN_TOKENS}")
    if repeats > MAX_PATTERN_REPEATS:
        problems.append(f"pattern has {repeats} open-ended tokens (OP *, + or {{n,}}), more than the "
                        f"limit of {MAX_PATTERN_REPEATS}: matching would slow down explosively on long turns")
    return problems


def _defaults(check: _Checker, node: Node) -> None:
    where = "defaults"
    items = check.mapping(node, where, DEFAULTS_KEYS)
    if not items:
        return
    if "scope" in items and (scope := check.scope(items["scope"][1], where)):
        check.defaults["scope"] = scope
    if "negation" in items and (neg := check.boolean(items["negation"][1], "negation", where)) is not None:
        check.defaults["negation"] = neg
    if "window" in items and (window := check.window(items["window"][1], where)):
        check.defaults["window"] = window


def _codes(check: _Checker, node: Node, parent: str | None, where: str) -> list[Code]:
    if not isinstance(node, SequenceNode):
        check.add(f"'{'codes' if parent is None else 'children'}' {_in(where)} must be a list of codes",
                  node)
        return []
    return [code for item in node.value if (code := _code(check, item, parent)) is not None]


def _code(check: _Checker, node: Node, parent: str | None) -> Code | None:
    code_id = ""
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == "id" and isinstance(value_node, ScalarNode):
                code_id = str(value_node.value).strip()
    where = f"code '{code_id}'" if code_id else \
        ("a code" if parent is None else f"a child of code '{parent}'")
    items = check.mapping(node, where, CODE_KEYS, CODE_REQUIRED)
    if items is None:
        return None
    line = node.start_mark.line + 1
    if "id" in items:
        id_node = items["id"][1]
        if not CODE_ID_RE.match(code_id):
            check.add(f"invalid code id '{code_id}': use lowercase letters, digits and '_', "
                      "with '.' between parts (e.g. 'independence.ownership')", id_node)
        elif code_id in check.code_lines:
            check.add(f"duplicate code id '{code_id}' (first defined on line "
                      f"{check.code_lines[code_id]})", id_node)
        else:
            check.code_lines[code_id] = id_node.start_mark.line + 1
    get = lambda key: items[key][1] if key in items else None  # noqa: E731
    name = check.text(get("name"), "name", where, required=True) if "name" in items else ""
    definition = check.text(get("definition"), "definition", where, required=True) \
        if "definition" in items else ""
    code = Code(
        id=code_id, name=name, definition=definition,
        include=check.texts(get("include"), "include", where) if "include" in items else [],
        exclude=check.texts(get("exclude"), "exclude", where) if "exclude" in items else [],
        examples=check.texts(get("examples"), "examples", where) if "examples" in items else [],
        parent=parent, line=line,
    )
    if "rules" in items:
        code.rules = _rules(check, items["rules"][1], code_id, where)
    if "children" in items:
        code.children = _codes(check, items["children"][1], code_id or "?", where)
    return code


def _rules(check: _Checker, node: Node, code_id: str, code_where: str) -> Rules:
    where = f"rules of {code_where}"
    items = check.mapping(node, where, RULES_KEYS)
    if not items:
        return Rules()
    d = check.defaults
    scope = check.scope(items["scope"][1], where) if "scope" in items else None
    negation = check.boolean(items["negation"][1], "negation", where) if "negation" in items else None
    near = check.near(items["near"][1], where) if "near" in items else None
    window = check.window(items["window"][1], where) if "window" in items else None
    base = {"negation": d["negation"] if negation is None else negation,
            "near": near or (), "window": window or d["window"]}
    phrases = _rule_list(check, items.get("phrases"), "phrases", code_id, where, base)
    patterns = _rule_list(check, items.get("patterns"), "patterns", code_id, where, base)
    exclude = _rule_list(check, items.get("exclude"), "exclude", code_id, where,
                         {"negation": False, "near": (), "window": base["window"]}, plain=True)
    return Rules(tuple(phrases), tuple(patterns), tuple(exclude), scope or d["scope"])


def _rule_list(check: _Checker, pair: tuple[Node, Node] | None, kind: str, code_id: str,
               where: str, base: dict[str, Any], plain: bool = False) -> list[Rule]:
    if pair is None:
        return []
    key_node, node = pair
    if not isinstance(node, SequenceNode):
        check.add(f"'{kind}' {_in(where)} must be a list", node)
        return []
    out = []
    for i, item in enumerate(node.value, 1):
        rule = _one_rule(check, item, kind, i, code_id, where, base, plain)
        if rule is not None:
            out.append(rule)
    return out


def _one_rule(check: _Checker, node: Node, kind: str, i: int, code_id: str, where: str,
              base: dict[str, Any], plain: bool) -> Rule | None:
    settings = dict(base)
    rule_id = f"{code_id}/{kind}/{i}"
    body: Node | None = node
    is_pattern = kind == "patterns"
    if isinstance(node, MappingNode) and not plain:
        main = "pattern" if is_pattern else "phrase"
        what = f"{kind[:-1]} {i} {_in(where)}"
        items = check.mapping(node, what, PATTERN_KEYS if is_pattern else PHRASE_KEYS, (main,))
        if items is None:
            return None
        body = items[main][1] if main in items else None
        if "id" in items:
            given = check.text(items["id"][1], "id", what)
            if not RULE_ID_RE.match(given):
                check.add(f"invalid rule id '{given}' {_in(where)}: use letters, digits, '_', '.', "
                          "'-', ':' or '/'", items["id"][1])
            else:
                rule_id = given
        if "negation" in items:
            settings["negation"] = check.boolean(items["negation"][1], "negation", what)
        if "near" in items:
            settings["near"] = check.near(items["near"][1], what) or ()
        if "window" in items:
            settings["window"] = check.window(items["window"][1], what) or base["window"]
    if body is None:
        return None
    line = node.start_mark.line + 1
    if rule_id in check.rule_lines:
        check.add(f"duplicate rule id '{rule_id}' (first used on line {check.rule_lines[rule_id]})", node)
    check.rule_lines.setdefault(rule_id, line)
    common = dict(rule_id=rule_id, negation=bool(settings["negation"]), near=settings["near"],
                  window=settings["window"], line=line)
    if is_pattern:
        tokens = check.value(body)
        from qualcode.tagging.rules.nlp import get_nlp
        from qualcode.tagging.rules.patterns import check_pattern

        problems = pattern_limit_problems(tokens) or check_pattern(tokens, get_nlp())
        for problem in problems:
            check.add(f"invalid pattern '{rule_id}' {_in(where)}: {problem}", body)
        return None if problems else Rule(kind="pattern", pattern=tuple(tokens), **common)
    label = "exclude phrase" if kind == "exclude" else "phrase"
    if not isinstance(body, ScalarNode) or not isinstance(check.value(body), (str, int, float)):
        check.add(f"{label} {i} {_in(where)} must be text", body)
        return None
    phrase = " ".join(str(body.value).split())
    if not phrase:
        check.add(f"empty {label} {i} {_in(where)}", body)
        return None
    if len(phrase.split()) > MAX_PHRASE_WORDS:
        check.add(f"{label} {i} {_in(where)} has {len(phrase.split()):,} words, more than the limit "
                  f"of {MAX_PHRASE_WORDS}", body)
        return None
    return Rule(kind="phrase", phrase=phrase, **common)
