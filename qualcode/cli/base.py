"""Shared pieces of the ``qualcode`` command: the group, its shared options and arguments.

Every failure becomes one ``Error: ...`` line in one place, the group (see
:mod:`qualcode.cli.errors`); parameter types check arguments where they enter (see
:mod:`qualcode.cli.params`).  Commands live in the sibling modules, one per area: each
parses its options, calls one library function and prints.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path

import click

from qualcode import __version__
from qualcode.cli.errors import DEBUG_ENV, QualcodeGroup
from qualcode.cli.params import OutputFile
from qualcode.core.files import TABLE_SUFFIXES

project_argument = click.argument("project", type=click.Path(dir_okay=False, path_type=Path))
existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)


def open_project_file(project: Path, create: bool = False):
    from qualcode.store.project import open_project
    return open_project(project, create=create)


def progress_bar(stack: ExitStack, label: str):
    """A ``progress(number, total, item)`` callback that draws a bar on stderr, opened (in
    ``stack``) at its first call, when the total is known; only on a terminal and for more
    than one item (redirected, click would print its label alone on every run)."""
    bar = None

    def update(number: int, total: int, _item) -> None:
        nonlocal bar
        if bar is None:
            if not sys.stderr.isatty() or total < 2:
                return
            bar = stack.enter_context(click.progressbar(length=total, label=label, file=sys.stderr,
                                                        show_pos=True))
        bar.update(number - bar.pos)

    return update


def echo_frame(frame, empty: str = "(none)") -> None:
    if frame.empty:
        click.echo(empty)
    else:
        click.echo(frame.to_string(index=False))


@click.group(cls=QualcodeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qualcode")
@click.option("--debug", is_flag=True, envvar=DEBUG_ENV, show_envvar=True,
              help="Show the full traceback of an unexpected error (a bug) instead of one line.")
def cli(debug):
    """Code focus-group transcripts: ingest, code with a codebook, export.

    PROJECT is always the project file (SQLite), created on first ingest.
    A failure prints one 'Error: ...' line and exits with status 1 (2 for a
    mistake in the command line itself).

    Example: qualcode ingest study.qcproj transcripts/*.docx --attr role=scholar
    """

@cli.group()
def export():
    """Write tables from a project to CSV, Excel or Word.

    Example: qualcode export segments study.qcproj -o turns.csv
    """


# ----------------------------------------------------------------- analysis and exports
#: Output files by what the command writes (a usage error names the option when the suffix is
#: not one of these, or the folder does not exist).
table_output = OutputFile(TABLE_SUFFIXES)
any_output = OutputFile()
#: Every command that writes speakers shows them by participant id and role unless asked.
real_names_option = click.option(
    "--real-names", is_flag=True,
    help="Show speakers by their labels in the transcripts (default: participant id and role, "
         "e.g. 'S01 (scholar)').")


def codings_options(command):
    """--codebook NAME, --coder, --status: which codings count."""
    options = [
        click.option("--codebook", "codebook_name",
                     help="Codebook name (default: the most recently added codebook with codings)."),
        click.option("--coder", help="Whose codings: 'rules', a person's name, or 'all' to pool "
                                     "them (required when several coders coded the codebook)."),
        click.option("--status", "statuses", multiple=True,
                     type=click.Choice(["suggested", "accepted", "rejected"]),
                     help="Coding status to use; repeat for several (default: suggested and accepted, "
                          "i.e. everything not rejected)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def selection_options(command):
    """--codebook NAME, --coder, --status, --include-facilitators: which codings count."""
    command = click.option("--include-facilitators", is_flag=True,
                           help="Count facilitator turns too (left out by default).")(command)
    return codings_options(command)


def pairs_option(required: bool = False):
    """--pairs FILE: the scholar-mentor pairs of ``qualcode alignment`` (and of plot and report)."""
    return click.option(
        "--pairs", "pairs_file", required=required, type=existing_file,
        help="Pairs file (.csv or .xlsx) with the columns pair, scholar, mentor; each side a "
             "participant id or the document of a one-to-one interview.")


def selection_kwargs(codebook_name, coder, statuses, include_facilitators) -> dict:
    return {"codebook": codebook_name, "coder": coder, "status": statuses or None,
            "include_facilitators": include_facilitators}


# ----------------------------------------------------------------- codebooks and coding
codebook_option = click.option("--codebook", "codebook_path", required=True, type=existing_file,
                               help="Codebook YAML file, e.g. codebooks/mentoring_expectations.yaml.")


def load_codebook_file(path: Path):
    from qualcode.codebook import load_codebook
    return load_codebook(path)


@cli.group()
def codebook():
    """Check and show codebooks.

    Example: qualcode codebook validate codebooks/mentoring_expectations.yaml
    """
