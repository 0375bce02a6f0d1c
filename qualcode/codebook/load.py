"""Reading a codebook from a file or from text (a project keeps the YAML it was coded with).

:func:`validate_codebook` lists every problem, each with its file (or source) and line;
:func:`load_codebook` raises one :class:`~qualcode.core.errors.CodebookError` listing them
all.  Neither imports spaCy: whether spaCy's ``Matcher`` takes a token pattern is checked
by the rule tagger, which passes its check in as ``check_pattern``
(:mod:`qualcode.tagging.rules.pattern_check`).
"""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

import yaml

from qualcode.codebook import model
from qualcode.codebook.model import Codebook
from qualcode.codebook.nodes import NodeReader, PatternCheck, expanded_size_problem
from qualcode.codebook.read import pattern_shape_problems, read_top
from qualcode.core.errors import CodebookError, QualcodeError

Parsed = tuple[Codebook | None, list[QualcodeError]]


def load_codebook(path: str | Path, check_pattern: PatternCheck | None = None) -> Codebook:
    """Read and validate a codebook file; raise :class:`CodebookError` listing every problem."""
    return _loaded(_parse_file(Path(path), check_pattern), path)


def load_codebook_text(text: str, source: str | Path | None = None,
                       check_pattern: PatternCheck | None = None) -> Codebook:
    """A codebook from its YAML text; problems name ``source`` (e.g. where the text came from).

    The codebook's ``path`` is None: it was not read from a file."""
    return _loaded(_parse_text(text, source, check_pattern), source)


def validate_codebook(path: str | Path, check_pattern: PatternCheck | None = None) -> list[QualcodeError]:
    """Every problem in a codebook file (empty list: it is valid), each with its file and line."""
    return check_codebook(path, check_pattern)[1]


def check_codebook(path: str | Path, check_pattern: PatternCheck | None = None) -> Parsed:
    """The codebook (None if it has problems) and every problem, from one reading of the file."""
    return _parse_file(Path(path), check_pattern)


def validate_codebook_text(text: str, source: str | Path | None = None,
                           check_pattern: PatternCheck | None = None) -> list[QualcodeError]:
    """Every problem in a codebook's YAML text, each naming ``source`` and its line."""
    return _parse_text(text, source, check_pattern)[1]


def codebook_error(problems: list[QualcodeError], path: str | Path | None) -> CodebookError:
    """One error for a list of problems: the first one's message (and a count if several)."""
    first = problems[0]
    message = first.message if len(problems) == 1 else \
        f"{len(problems)} problems in codebook; first: {first.message}"
    return CodebookError(message, path, first.line, problems=problems)


def codebook_hash(text: str) -> str:
    """sha256 of the codebook text normalized: NFC, no BOM, LF line ends, no trailing blanks."""
    text = unicodedata.normalize("NFC", text.lstrip("\ufeff"))
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return hashlib.sha256(("\n".join(lines).strip("\n") + "\n").encode("utf-8")).hexdigest()


def stored_text(text: str) -> str:
    """The text as a project keeps it: without a byte order mark, lines ending in ``\\n``."""
    text = text[1:] if text.startswith("\ufeff") else text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _loaded(parsed: Parsed, path: str | Path | None) -> Codebook:
    codebook, problems = parsed
    if problems:
        raise codebook_error(problems, path)
    assert codebook is not None
    return codebook


def _too_big(size: int, path: str | Path | None) -> list[QualcodeError]:
    return [QualcodeError(f"codebook is {size:,} bytes, more than the limit of "
                          f"{model.MAX_CODEBOOK_BYTES:,} bytes", path)]


def _parse_file(path: Path, check_pattern: PatternCheck | None) -> Parsed:
    try:
        size = path.stat().st_size
        if size > model.MAX_CODEBOOK_BYTES:
            return None, _too_big(size, path)
        raw = path.read_bytes()
    except OSError as exc:
        return None, [QualcodeError(f"cannot read codebook: {exc.strerror or exc}", path)]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [QualcodeError(f"codebook is not UTF-8 text (byte {exc.start})", path)]
    codebook, problems = _parse(text, path, check_pattern)
    if codebook is not None:
        codebook.path = str(path)
    return codebook, problems


def _parse_text(text: str, source: str | Path | None, check_pattern: PatternCheck | None) -> Parsed:
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > model.MAX_CODEBOOK_BYTES:
        return None, _too_big(size, source)
    return _parse(text, source, check_pattern)


def _parse(text: str, path: str | Path | None, check_pattern: PatternCheck | None) -> Parsed:
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
    too_big = expanded_size_problem(root, path)
    if too_big is not None:
        return None, [too_big]
    check = NodeReader(path, check_pattern or pattern_shape_problems)
    meta, roots = read_top(check, root)
    problems = check.sorted_problems()
    if problems:
        return None, problems
    if not roots:
        return None, [QualcodeError("codebook has no codes", path, root.start_mark.line + 1)]
    return Codebook(meta["name"], meta["version"], meta["description"], roots, hash=codebook_hash(text),
                    defaults=dict(check.defaults), text=stored_text(text)), []
