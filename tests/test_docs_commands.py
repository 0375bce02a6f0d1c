"""Every ``qualcode ...`` command the documentation names exists (a README once named a
``codebook check`` that was ``codebook validate``)."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from qualcode.cli import cli

REPO = Path(__file__).resolve().parents[1]
DOCS = ["README.md", "codebooks/README.md", "transcripts_sample/README.md"]
_FENCE = re.compile(r"```[^\n]*\n(.*?)```", re.S)
_INLINE = re.compile(r"`(qualcode [^`]+)`")
_COMMAND = re.compile(r"^qualcode ([a-z][a-z-]*)(?: (\S+))?")


def named_commands(text: str) -> list[tuple[str, ...]]:
    """(command, word after it) for each ``qualcode`` command line in a code block or span."""
    lines = [line.strip() for block in _FENCE.findall(text) for line in block.splitlines()]
    lines += _INLINE.findall(_FENCE.sub("", text))
    return [m.groups() for m in map(_COMMAND.match, lines) if m]


def test_the_parser_sees_blocks_and_spans():
    text = "Run `qualcode codebook check FILE`.\n```sh\nqualcode info p.qcproj   # summary\n```\n"
    assert named_commands(text) == [("info", "p.qcproj"), ("codebook", "check")]


@pytest.mark.parametrize("doc", DOCS)
def test_every_command_in_the_docs_exists(doc):
    named = named_commands((REPO / doc).read_text(encoding="utf-8"))
    assert named or doc == "transcripts_sample/README.md"
    for command, word in named:
        assert command in cli.commands, f"{doc} names qualcode {command}, which does not exist"
        group = cli.commands[command]
        if isinstance(group, click.Group):
            assert word in group.commands, f"{doc} names qualcode {command} {word}, which does not exist"
