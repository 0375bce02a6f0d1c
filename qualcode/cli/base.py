"""Shared pieces of the ``qualcode`` command: the group, its error mapping, parameter types.

Library errors (:class:`~qualcode.core.errors.QualcodeError`) become one
``Error: ...`` line and exit status 1, in one place (:class:`QualcodeGroup`);
click's usage errors exit with status 2.  Commands live in the sibling modules,
one per area, and only chain library functions.
"""

from __future__ import annotations

from pathlib import Path

import click

from qualcode import __version__
from qualcode.core.errors import ProblemsError, QualcodeError

class QualcodeGroup(click.Group):
    """Maps library errors to click errors once, for every command below it (an error
    listing several problems prints one ``Error:`` line per problem)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ProblemsError as exc:
            raise click.ClickException("\nError: ".join(exc.problems)) from None
        except QualcodeError as exc:
            raise click.ClickException(str(exc)) from None


class KeyValue(click.ParamType):
    """``KEY=VALUE`` for document attributes."""

    name = "KEY=VALUE"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        key, sep, val = str(value).partition("=")
        key, val = key.strip(), val.strip()
        if not sep or not key or not val:
            self.fail(f"{value!r} is not KEY=VALUE (e.g. role=scholar)", param, ctx)
        from qualcode.ingest.manifest import ATTRIBUTE_NAME
        if not ATTRIBUTE_NAME.match(key):
            self.fail(f"attribute name {key!r} must start with a letter and use letters, digits, "
                      "'_', '-' or '.'", param, ctx)
        return (key.casefold(), val.casefold() if key.casefold() == "role" else val)


project_argument = click.argument("project", type=click.Path(dir_okay=False, path_type=Path))
existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)


def open_project_file(project: Path, create: bool = False):
    from qualcode.store.project import open_project
    return open_project(project, create=create)


def echo_frame(frame, empty: str = "(none)") -> None:
    if frame.empty:
        click.echo(empty)
    else:
        click.echo(frame.to_string(index=False))


@click.group(cls=QualcodeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qualcode")
def cli():
    """Code focus-group transcripts: ingest, code with a codebook, export.

    PROJECT is always the project file (SQLite), created on first ingest.

    Example: qualcode ingest study.qcproj transcripts/*.docx --attr role=scholar
    """

@cli.group(cls=QualcodeGroup)
def export():
    """Write tables from a project to CSV, Excel or Word.

    Example: qualcode export segments study.qcproj -o turns.csv
    """


# ----------------------------------------------------------------- analysis and exports
output_path = click.Path(dir_okay=False, path_type=Path)
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


@cli.group(cls=QualcodeGroup)
def codebook():
    """Check and show codebooks.

    Example: qualcode codebook validate codebooks/mentoring_expectations.yaml
    """
