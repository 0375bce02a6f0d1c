"""The ``qualcode`` command: a click group of thin commands over the library.

``base`` holds the group and shared options; each sibling module adds the
commands of one area.  Importing this package registers them all.
"""

from qualcode.cli.base import cli
# Importing the area modules registers their commands on the group.
from qualcode.cli import analysis, coding, edit, human, ingest, llm, ml, privacy, refi, serve  # noqa: F401


def main() -> None:
    cli(prog_name="qualcode")


__all__ = ["cli", "main"]
