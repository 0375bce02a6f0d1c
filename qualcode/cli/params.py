"""click parameter types: arguments checked where they enter, so a bad one is a usage error
that names its parameter (exit status 2) before any work is done.

Nothing here imports more than the library's light modules: every ``qualcode`` command,
``--help`` included, builds these types when it starts.
"""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.core.errors import InputError
from qualcode.core.files import table_format


class OutputFile(click.Path):
    """A file to write: not a folder, in a folder that exists, with a suffix the command
    writes (``suffixes``; None: any).  The writers check the suffix too; checking it here
    reports it before the project is read."""

    def __init__(self, suffixes: tuple[str, ...] | None = None):
        super().__init__(dir_okay=False, path_type=Path)
        self.suffixes = suffixes

    def convert(self, value, param, ctx):
        path = super().convert(value, param, ctx)
        if self.suffixes is not None:
            try:
                table_format(path, self.suffixes)
            except InputError as exc:
                self.fail(exc.message, param, ctx)
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            self.fail(f"folder {click.format_filename(folder)!r} does not exist", param, ctx)
        return path


class TaggerName(click.ParamType):
    """A tagger (``rules``, ``ml``, ``llm``, ``all``) or a list of them (``rules,llm``), as
    :func:`~qualcode.workflows.combine.tagger_parts` reads it."""

    name = "TAGGER"

    def convert(self, value, param, ctx):
        from qualcode.core.errors import SelectionError
        from qualcode.workflows.combine import tagger_parts

        try:
            tagger_parts(value)
        except SelectionError as exc:
            self.fail(exc.message, param, ctx)
        return value


class KeyValue(click.ParamType):
    """``KEY=VALUE`` for document attributes; KEY follows the manifest's rule for column names,
    and a role is compared without case, as everywhere."""

    name = "KEY=VALUE"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        from qualcode.ingest.manifest import validate_attribute_name

        key, sep, val = str(value).partition("=")
        key, val = key.strip(), val.strip()
        if not sep or not key or not val:
            self.fail(f"{value!r} is not KEY=VALUE (e.g. role=scholar)", param, ctx)
        try:
            validate_attribute_name(key)
        except InputError as exc:
            self.fail(exc.message, param, ctx)
        return (key.casefold(), val.casefold() if key.casefold() == "role" else val)


#: A seed as NumPy and scikit-learn take it (qualcode.workflows.train.MAX_SEED).
SEED = click.IntRange(0, 2**32 - 1)
