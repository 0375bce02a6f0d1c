"""The documentation's Python is real: every fenced ``python`` block of the READMEs runs (on
the shipped sample, in a scratch folder), every ``qualcode.…`` name they mention exists, and
every call a "From Python:" paragraph shows binds to the function's signature."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = ["README.md", "codebooks/README.md", "transcripts_sample/README.md"]
_PYTHON = re.compile(r"```python\n(.*?)```", re.S)
_DOTTED = re.compile(r"\b(?:qualcode|qcbench)(?:\.[A-Za-z_]\w*)+")
_SPAN = re.compile(r"`([^`\n]+)`")


def text(doc: str) -> str:
    return (REPO / doc).read_text(encoding="utf-8")


def resolve(dotted: str):
    """The module or attribute a dotted name names (AttributeError/ImportError if none)."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            if i == 1:
                raise
            continue
        for attribute in parts[i:]:
            obj = getattr(obj, attribute)
        return obj
    raise ImportError(dotted)


def python_blocks() -> list[tuple[str, int, str]]:
    return [(doc, n, block) for doc in DOCS for n, block in enumerate(_PYTHON.findall(text(doc)))]


@pytest.mark.parametrize("doc, n, block", python_blocks(), ids=lambda v: v if isinstance(v, str) and
                         len(v) < 40 else None)
def test_every_python_block_runs(doc, n, block, tmp_path, monkeypatch, capsys):
    for folder in ("codebooks", "transcripts_sample"):  # the paths the examples use
        (tmp_path / folder).symlink_to(REPO / folder, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    exec(compile(block, f"{doc} python block {n + 1}", "exec"), {"__name__": "readme_example"})


def test_the_readme_has_its_python_blocks():
    assert len([b for b in python_blocks() if b[0] == "README.md"]) >= 2


@pytest.mark.parametrize("doc", DOCS)
def test_every_qualcode_name_in_the_docs_exists(doc):
    missing = []
    for dotted in sorted(set(_DOTTED.findall(text(doc)))):
        try:
            resolve(dotted)
        except (ImportError, AttributeError):
            missing.append(dotted)
    assert missing == []


@pytest.mark.parametrize("doc", DOCS)
def test_every_package_path_in_the_docs_exists(doc):
    """Paths in code spans and link targets: `qualcode/ingest/labels.yaml`."""
    paths = {m.rstrip("/") for m in re.findall(r"[`(](qualcode/[\w./]*\w/?)[`)]", text(doc))}
    assert paths or doc != "README.md"
    assert sorted(p for p in paths if not (REPO / p).exists()) == []


def from_python_paragraphs(doc: str) -> list[str]:
    paragraphs = re.split(r"\n\s*\n", _PYTHON.sub("", text(doc)))
    return [p for p in paragraphs if "From Python" in p]


def calls(paragraph: str) -> list[ast.Call]:
    """The calls written as code spans in a paragraph (``f(a, b=1)``), parsed."""
    found = []
    for span in _SPAN.findall(" ".join(paragraph.split())):
        try:
            node = ast.parse(span, mode="eval").body
        except SyntaxError:
            continue
        if isinstance(node, ast.Call):
            found.append(node)
    return found


def function_for(call: ast.Call, paragraph: str):
    """The function a call names: by its dotted name, or a bare name found in one of the
    modules (or their packages) the paragraph names."""
    name = ast.unparse(call.func)
    if "." in name:
        return resolve(name)
    for dotted in _DOTTED.findall(paragraph):
        for owner in (dotted, dotted.rpartition(".")[0]):
            try:
                found = getattr(resolve(owner), name, None)
            except (ImportError, AttributeError):
                found = None
            if callable(found):
                return found
    raise LookupError(f"{name} is in none of the modules the paragraph names")


def from_python_calls() -> list[tuple[str, str, str]]:
    return [(doc, paragraph, ast.unparse(call)) for doc in DOCS for paragraph in from_python_paragraphs(doc)
            for call in calls(paragraph)]


@pytest.mark.parametrize("doc, paragraph, call", from_python_calls(),
                         ids=[c for _, _, c in from_python_calls()])
def test_every_call_shown_from_python_fits_its_function(doc, paragraph, call):
    node = ast.parse(call, mode="eval").body
    function = function_for(node, paragraph)
    inspect.signature(function).bind(*node.args, **{k.arg: k.value for k in node.keywords})


def test_the_calls_shown_from_python_are_found():
    shown = [call for _, _, call in from_python_calls()]
    assert "qualcode.exchange.taguette.import_highlights(project, 'highlights.csv', 'carla')" in shown
    assert len(shown) >= 8
