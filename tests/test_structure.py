"""The house's shape, read from the source with ``ast`` so it stays true: imports point only
down the layers, no import cycle (imports inside functions count), no module over 600 lines
and no function over 80."""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "qualcode"
#: Bottom to top: a module may import its own layer and the layers before it.
LAYERS = ("core", "ingest", "codebook", "store", "tagging", "analysis",
          "workflows", "exchange", "export", "web", "cli")
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80


@cache
def modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package (a package is its
    ``__init__``)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


@cache
def tree(name: str) -> ast.Module:
    return ast.parse(modules()[name].read_text(encoding="utf-8"))


def imported(name: str) -> list[tuple[str, int]]:
    """(module, line) of every qualcode module ``name`` imports, at any depth (in functions,
    in ``if`` blocks), relative imports resolved; ``from package import name`` counts the
    submodule when ``name`` is one."""
    known = modules()
    package = name if modules()[name].name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree(name)):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.append((submodule if submodule in known else base, node.lineno))
    return [(target, line) for target, line in found
            if target in known and target != name]


def layer(name: str) -> int:
    """Index of the module's layer in LAYERS.  ``qualcode`` itself (its version only) sits
    below every layer, ``qualcode.__main__`` (``python -m qualcode``) above them."""
    parts = name.split(".")
    if len(parts) == 1:
        return -1
    return LAYERS.index(parts[1]) if parts[1] in LAYERS else len(LAYERS)


def test_every_package_of_qualcode_is_a_layer():
    top = {name.split(".")[1] for name in modules() if name.count(".") >= 1}
    assert sorted(top - set(LAYERS)) == ["__main__"]


def test_imports_point_only_down_the_layers():
    upward = []
    for name in modules():
        here = layer(name)
        for target, line in imported(name):
            there = layer(target)
            if there > here:
                upward.append(f"{modules()[name].relative_to(PACKAGE.parent)}:{line} imports {target}")
    assert upward == []


def cycles() -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    graph = {name: sorted({target for target, _ in imported(name)}) for name in modules()}
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for name in graph:
        if name not in index:
            visit(name)
    return found


def test_no_import_cycle():
    assert cycles() == []


def test_the_cycle_finder_finds_a_cycle(monkeypatch):
    """The checks above would pass on a graph they cannot read: show they see a cycle."""
    fake = {"qualcode.core.a": "from qualcode.core import b\n",
            "qualcode.core.b": "def f():\n    from . import a\n"}
    monkeypatch.setattr(sys.modules[__name__], "modules", lambda: dict.fromkeys(fake, PACKAGE / "x.py"))
    monkeypatch.setattr(sys.modules[__name__], "tree", lambda name: ast.parse(fake[name]))
    assert cycles() == [["qualcode.core.a", "qualcode.core.b"]]


def test_no_module_over_the_hard_limit():
    long = {name: n for name, path in modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def test_no_function_over_the_hard_limit():
    """From ``def`` to the last line (a click command's option decorators are not counted)."""
    long = []
    for name in modules():
        for node in ast.walk(tree(name)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if (n := node.end_lineno - node.lineno + 1) > MAX_FUNCTION_LINES:
                    long.append(f"{name}.{node.name} ({n} lines)")
    assert long == []


@pytest.mark.parametrize(("importer", "source", "expected"), [
    ("qualcode.store.project", "from ..core import errors\n", "qualcode.core.errors"),
    ("qualcode.store.project", "from . import schema\n", "qualcode.store.schema"),
    ("qualcode.store", "from .schema import X\n", "qualcode.store.schema"),
    ("qualcode.store.project", "def f():\n    import qualcode.web.app\n", "qualcode.web.app"),
    ("qualcode.store.project", "from qualcode.tagging import parallel\n", "qualcode.tagging.parallel"),
    ("qualcode.store.project", "from qualcode.tagging import RuleTagger\n", "qualcode.tagging"),
])
def test_imports_are_resolved(monkeypatch, importer, source, expected):
    monkeypatch.setattr(sys.modules[__name__], "tree", lambda name: ast.parse(source))
    assert [target for target, _ in imported(importer)] == [expected]


def test_the_roles_qualcode_gives_a_meaning_are_defined_once():
    """``facilitator`` and ``unidentified`` are named in qualcode.core.roles; other modules
    import them rather than keep their own constant."""
    from qualcode.core import roles

    meanings = {roles.FACILITATOR, roles.UNIDENTIFIED}
    copies = [f"{name}:{node.lineno}" for name in modules() if name != "qualcode.core.roles"
              for node in tree(name).body
              if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
              and node.value.value in meanings]
    assert copies == []


def test_coding_by_rules_loads_no_model_library():
    """Rules-only coding does not pay for scikit-learn, skops or the LLM client (about a second
    and 90 MB): they load when a model, an LLM or a combination takes part."""
    script = ("import sys; from qualcode.cli import main; import qualcode.cli.coding, qualcode.workflows.code; "
              "print(sorted(m for m in ('sklearn', 'skops', 'qualcode.tagging.llm', 'qualcode.workflows.train')"
              " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out == "[]\n"
