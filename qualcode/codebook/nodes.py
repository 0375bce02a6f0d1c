"""Reading PyYAML's composed node tree with every problem collected, each with its line.

:class:`NodeReader` turns nodes into Python values the way a codebook means them (only
``true``/``false`` are booleans) and records a problem, rather than raising, for every
node that is not what the format asks for; the problems come out sorted by position.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from qualcode.codebook import model
from qualcode.codebook.model import DEFAULT_SCOPE, DEFAULT_WINDOW, SCOPES
from qualcode.core.errors import QualcodeError
from qualcode.core.spelling import did_you_mean

#: Checks one token pattern (as written) and returns its problems as short messages.
PatternCheck = Callable[[Any], list[str]]


def where_in(where: str) -> str:
    return "at top level" if where == "top level" else "in " + where


class NodeReader:
    """Values of a codebook's YAML nodes, and the problems found reading them."""

    def __init__(self, path: str | Path | None, check_pattern: PatternCheck):
        self.path = path
        self.check_pattern = check_pattern
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
                self.add(f"duplicate key '{key}' {where_in(where)}", key_node)
            elif key not in allowed:
                self.add(f"unknown key '{key}' {where_in(where)}{did_you_mean(key, allowed)}", key_node)
            else:
                out[key] = (key_node, value_node)
        for key in required:
            if key not in out:
                self.add(f"missing required key '{key}' {where_in(where)}", node)
        return out

    def text(self, node: Node, what: str, where: str, required: bool = False) -> str:
        if isinstance(node, ScalarNode):
            value = "" if node.tag == "tag:yaml.org,2002:null" else str(node.value)
            value = value.strip() if node.style == "|" else " ".join(value.split())
            if required and not value:
                self.add(f"empty {what} {where_in(where)}", node)
            return value
        self.add(f"'{what}' {where_in(where)} must be text", node)
        return ""

    def texts(self, node: Node, what: str, where: str) -> list[str]:
        """A string or a list of strings."""
        if isinstance(node, ScalarNode):
            value = self.text(node, what, where)
            return [value] if value else []
        if isinstance(node, SequenceNode) and all(isinstance(n, ScalarNode) for n in node.value):
            return [t for n in node.value if (t := self.text(n, what, where))]
        self.add(f"'{what}' {where_in(where)} must be text or a list of texts", node)
        return []

    def boolean(self, node: Node, what: str, where: str) -> bool | None:
        value = self.value(node) if isinstance(node, ScalarNode) else None
        if not isinstance(value, bool):
            self.add(f"'{what}' {where_in(where)} must be true or false", node)
            return None
        return value

    def window(self, node: Node, where: str) -> int | None:
        value = self.value(node) if isinstance(node, ScalarNode) else None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.add(f"'window' {where_in(where)} must be a positive whole number of tokens", node)
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
            self.add(f"'near' {where_in(where)} must be a list of single words", node)
            return None
        return tuple(w.strip() for w in words)

    def scope(self, node: Node, where: str) -> str | None:
        value = self.value(node) if isinstance(node, ScalarNode) else None
        if value not in SCOPES:
            shown = value if isinstance(value, (str, int, float, bool)) else "(not a word)"
            self.add(f"invalid scope '{shown}' {where_in(where)}: use 'sentence' or 'turn'", node)
            return None
        return value


def _hashable(value: Any) -> Any:
    """A mapping key YAML allows but Python cannot hash (``? [a, b]``) becomes its text."""
    try:
        hash(value)
    except TypeError:
        return str(value)
    return value


def expanded_size_problem(root: Node, path: str | Path | None) -> QualcodeError | None:
    """A problem if aliases make the node graph recursive or expand past MAX_YAML_VALUES."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    limit = model.MAX_YAML_VALUES

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
            if total > limit:
                break
        open_nodes.discard(key)
        sizes[key] = total
        return total

    try:
        if size(root) > limit:
            return QualcodeError(f"codebook expands to more than {limit:,} YAML values "
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
