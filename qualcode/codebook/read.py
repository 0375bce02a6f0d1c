"""A codebook's YAML node tree -> :class:`~qualcode.codebook.model.Codebook` parts.

Walks the tree the way ``codebooks/README.md`` describes it (top level, defaults, codes,
their rules) and records every problem on the :class:`~qualcode.codebook.nodes.NodeReader`.
Token patterns are checked for their size (the ``MAX_PATTERN_*`` limits) and their shape
here; what spaCy's ``Matcher`` accepts is checked by the rule tagger
(:mod:`qualcode.tagging.rules.pattern_check`), passed in as ``NodeReader.check_pattern``.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from qualcode.codebook import model
from qualcode.codebook.model import CODE_ID_RE, RULE_ID_RE, Code, Rule, Rules, preorder
from qualcode.codebook.nodes import NodeReader, where_in

TOP_KEYS = ("name", "version", "description", "defaults", "codes")
TOP_REQUIRED = ("name", "version", "codes")
DEFAULTS_KEYS = ("scope", "negation", "window")
CODE_KEYS = ("id", "name", "definition", "include", "exclude", "examples", "rules", "children")
CODE_REQUIRED = ("id", "name", "definition")
RULES_KEYS = ("phrases", "patterns", "exclude", "scope", "negation", "near", "window")
PHRASE_KEYS = ("phrase", "id", "negation", "near", "window")
PATTERN_KEYS = ("pattern", "id", "negation", "near", "window")


NOT_A_PATTERN = "a pattern must be a non-empty list of token mappings"


def read_top(check: NodeReader, root: Node) -> tuple[dict[str, str], list[Code]]:
    """The name, version and description, and the root codes."""
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
    return meta, roots


def _check_totals(check: NodeReader, roots: list[Code], root: Node) -> None:
    codes = list(preorder(roots))
    if len(codes) > model.MAX_CODES:
        check.add(f"codebook has {len(codes):,} codes, more than the limit of {model.MAX_CODES:,}", root)
    rules = sum(len(c.rules.all) + len(c.rules.exclude) for c in codes)
    if rules > model.MAX_RULES:
        check.add(f"codebook has {rules:,} rules, more than the limit of {model.MAX_RULES:,}", root)


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
            if count > model.MAX_PATTERN_TOKENS:
                problems.append(f"token {i}: OP {op} repeats a token {count:,} times, more than the "
                                f"limit of {model.MAX_PATTERN_TOKENS} tokens in a pattern")
                count = 1
            length += max(count, 1)
        else:
            length += 1
        for key, value in token.items():
            if isinstance(value, dict):
                for op_name, alternatives in value.items():
                    if isinstance(alternatives, list) and len(alternatives) > model.MAX_ALTERNATIVES:
                        problems.append(f"token {i}: {key} {op_name} lists {len(alternatives):,} "
                                        f"alternatives, more than the limit of {model.MAX_ALTERNATIVES:,}")
                    if op_name == "REGEX" and isinstance(alternatives, str) \
                            and len(alternatives) > model.MAX_REGEX_CHARS:
                        problems.append(f"token {i}: {key} REGEX is {len(alternatives):,} characters, "
                                        f"more than the limit of {model.MAX_REGEX_CHARS}")
    if length > model.MAX_PATTERN_TOKENS:
        problems.append(f"pattern has {length:,} tokens, more than the limit of {model.MAX_PATTERN_TOKENS}")
    if repeats > model.MAX_PATTERN_REPEATS:
        problems.append(f"pattern has {repeats} open-ended tokens (OP *, + or {{n,}}), more than the "
                        f"limit of {model.MAX_PATTERN_REPEATS}: matching would slow down explosively on long turns")
    return problems


def pattern_shape_problems(tokens: Any, token_problems: Callable[[dict], list[str]] | None = None
                           ) -> list[str]:
    """Problems with a pattern's shape (a non-empty list of token mappings), and with each
    mapping token the problems ``token_problems`` finds, in token order ("token 2: ...")."""
    if not isinstance(tokens, list) or not tokens:
        return [NOT_A_PATTERN]
    problems: list[str] = []
    for i, token in enumerate(tokens, 1):
        if not isinstance(token, dict):
            problems.append(f"token {i}: must be a mapping of attributes, not {_kind(token)}")
        elif token_problems is not None:
            problems.extend(f"token {i}: {problem}" for problem in token_problems(token))
    return problems


def invalid_pattern(rule_id: str, where: str, problem: str) -> str:
    """The message for one problem of a token pattern (``where``: e.g. "rules of code 'a'")."""
    return f"invalid pattern '{rule_id}' {where_in(where)}: {problem}"


def _kind(value: Any) -> str:
    return {str: "a string", int: "a number", float: "a number", list: "a list",
            bool: "true/false", type(None): "nothing"}.get(type(value), type(value).__name__)


def _defaults(check: NodeReader, node: Node) -> None:
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


def _codes(check: NodeReader, node: Node, parent: str | None, where: str) -> list[Code]:
    if not isinstance(node, SequenceNode):
        check.add(f"'{'codes' if parent is None else 'children'}' {where_in(where)} must be a list of codes",
                  node)
        return []
    return [code for item in node.value if (code := _code(check, item, parent)) is not None]


def _code(check: NodeReader, node: Node, parent: str | None) -> Code | None:
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


def _rules(check: NodeReader, node: Node, code_id: str, code_where: str) -> Rules:
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


def _rule_list(check: NodeReader, pair: tuple[Node, Node] | None, kind: str, code_id: str,
               where: str, base: dict[str, Any], plain: bool = False) -> list[Rule]:
    if pair is None:
        return []
    key_node, node = pair
    if not isinstance(node, SequenceNode):
        check.add(f"'{kind}' {where_in(where)} must be a list", node)
        return []
    out = []
    for i, item in enumerate(node.value, 1):
        rule = _one_rule(check, item, kind, i, code_id, where, base, plain)
        if rule is not None:
            out.append(rule)
    return out


def _one_rule(check: NodeReader, node: Node, kind: str, i: int, code_id: str, where: str,
              base: dict[str, Any], plain: bool) -> Rule | None:
    settings = dict(base)
    rule_id = f"{code_id}/{kind}/{i}"
    body: Node | None = node
    is_pattern = kind == "patterns"
    if isinstance(node, MappingNode) and not plain:
        main = "pattern" if is_pattern else "phrase"
        what = f"{kind[:-1]} {i} {where_in(where)}"
        items = check.mapping(node, what, PATTERN_KEYS if is_pattern else PHRASE_KEYS, (main,))
        if items is None:
            return None
        body = items[main][1] if main in items else None
        if "id" in items:
            given = check.text(items["id"][1], "id", what)
            if not RULE_ID_RE.match(given):
                check.add(f"invalid rule id '{given}' {where_in(where)}: use letters, digits, '_', '.', "
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
                  window=settings["window"], line=body.start_mark.line + 1)
    if is_pattern:
        tokens = check.value(body)
        problems = pattern_limit_problems(tokens) or check.check_pattern(tokens)
        for problem in problems:
            check.add(invalid_pattern(rule_id, where, problem), body)
        return None if problems else Rule(kind="pattern", pattern=tuple(tokens), **common)
    label = "exclude phrase" if kind == "exclude" else "phrase"
    if not isinstance(body, ScalarNode) or not isinstance(check.value(body), (str, int, float)):
        check.add(f"{label} {i} {where_in(where)} must be text", body)
        return None
    phrase = " ".join(str(body.value).split())
    if not phrase:
        check.add(f"empty {label} {i} {where_in(where)}", body)
        return None
    if len(phrase.split()) > model.MAX_PHRASE_WORDS:
        check.add(f"{label} {i} {where_in(where)} has {len(phrase.split()):,} words, more than the limit "
                  f"of {model.MAX_PHRASE_WORDS}", body)
        return None
    return Rule(kind="phrase", phrase=phrase, **common)
