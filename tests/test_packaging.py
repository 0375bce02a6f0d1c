"""Packaging: the declared dependencies are exactly what the package imports, the test extras
cover what the tests import, and the wheel holds the package only (no benchmark)."""

from __future__ import annotations

import ast
import configparser
import fnmatch
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: Declared but never imported: the lemma tables spaCy's lookup lemmatizer loads by entry point.
LOADED_BY_SPACY = {"spacy-lookups-data"}


def setup_cfg() -> configparser.ConfigParser:
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg", encoding="utf-8")
    return config


def names(requirements: str) -> set[str]:
    """Normalized distribution names of requirement lines (``Pillow>=9.0`` -> ``pillow``)."""
    lines = (line.split("#")[0].strip() for line in requirements.splitlines())
    return {normalize(re.split(r"[<>=!~;\[ ]", line)[0]) for line in lines if line}


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def benchmark_modules() -> set[str]:
    """The modules and packages of ``benchmarks/``, which pytest puts on the path (setup.cfg)."""
    folder = REPO / "benchmarks"
    return {p.stem for p in folder.glob("*.py")} | {p.name for p in folder.iterdir() if (p / "__init__.py").is_file()}


def third_party_imports(folder: Path) -> set[str]:
    """Top-level modules imported anywhere under ``folder`` that are neither the standard
    library nor qualcode, nor a module beside the importing file (tests import their helpers)
    or in ``benchmarks/``."""
    local = {p.stem for p in folder.rglob("*.py")} | {p.name for p in folder.rglob("*") if p.is_dir()}
    found = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m not in local
            and m != "qualcode" and m not in benchmark_modules()}


def distributions(modules: set[str]) -> set[str]:
    providers = packages_distributions()
    missing = sorted(m for m in modules if m not in providers)
    assert not missing, f"imported but provided by no installed distribution: {missing}"
    return {normalize(providers[m][0]) for m in modules}


def test_declared_dependencies_are_exactly_the_imported_ones():
    declared = names(setup_cfg()["options"]["install_requires"])
    imported = distributions(third_party_imports(REPO / "qualcode"))
    assert sorted(imported - declared) == [], "imported by qualcode/ but not declared in setup.cfg"
    assert sorted(declared - imported - LOADED_BY_SPACY) == [], "declared in setup.cfg but never imported"


def test_the_test_extras_cover_what_the_tests_import():
    config = setup_cfg()
    available = names(config["options"]["install_requires"]) | names(config["options.extras_require"]["test"])
    imported = distributions(third_party_imports(REPO / "tests"))
    assert sorted(imported - available) == []


def packages(folder: Path, prefix: str = "") -> list[str]:
    """Dotted names of the packages under ``folder`` (folders with ``__init__.py``, inside
    packages), as setuptools' ``find:`` sees them."""
    found = []
    for child in sorted(folder.iterdir()):
        if child.is_dir() and (child / "__init__.py").is_file():
            found.append(prefix + child.name)
            found += packages(child, prefix + child.name + ".")
    return found


def test_the_wheel_holds_the_package_and_no_benchmark():
    include = [p.strip() for p in setup_cfg()["options.packages.find"]["include"].split(",")]
    shipped = [p for p in packages(REPO) if any(fnmatch.fnmatchcase(p, pattern) for pattern in include)]
    assert "qualcode" in shipped and "qualcode.cli" in shipped and "qualcode.workflows" in shipped
    assert all(p == "qualcode" or p.startswith("qualcode.") for p in shipped)
    assert not (REPO / "qualcode" / "benchmark").exists()
    assert (REPO / "benchmarks" / "qcbench" / "steps.py").is_file()


#: Modules that exist only on POSIX systems (or only on Windows): qualcode runs on both.
ONE_SYSTEM_MODULES = {"fcntl", "resource", "pwd", "grp", "termios", "tty", "pty", "posix", "msvcrt", "winreg",
                      "_winapi"}


def test_the_package_imports_nothing_one_system_lacks_and_names_no_posix_path():
    """Windows researchers run qualcode too: no module of one operating system, no /tmp or
    other POSIX path written into the code (temporary files come from tempfile, paths from
    pathlib)."""
    offenders = []
    for path in sorted((REPO / "qualcode").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            offenders += [f"{path.name}: import {n}" for n in names if n.split(".")[0] in ONE_SYSTEM_MODULES]
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                    node.value.startswith(("/tmp", "/var/", "/dev/", "/home/", "/usr/")):
                offenders.append(f"{path.name}: {node.value!r}")
    assert offenders == []
