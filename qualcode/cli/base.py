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


def with_options(command, options: list):
    """``command`` with ``options`` (click decorators), shown in ``--help`` in their order."""
    for option in reversed(options):
        command = option(command)
    return command


def codings_options(command):
    """--codebook NAME, --coder, --status: which codings count."""
    options = [
        click.option("--codebook", "codebook_name",
                     help="Codebook name (default: the most recently added codebook with codings)."),
        click.option("--coder", help="Whose codings: 'rules', a person's name, 'all' to pool them, or "
                                     "PERSON+TAGGER (the person where they read, the tagger elsewhere: "
                                     "the default when a person and a tagger coded the codebook)."),
        click.option("--status", "statuses", multiple=True,
                     type=click.Choice(["suggested", "accepted", "rejected"]),
                     help="Coding status to use; repeat for several (default: suggested and accepted, "
                          "i.e. everything not rejected)."),
    ]
    return with_options(command, options)


#: --include-unidentified: voices that name nobody (ALL, Unknown speaker) count too.
unidentified_option = click.option(
    "--include-unidentified", is_flag=True,
    help="Count the turns of voices that name nobody (role unidentified: ALL, Unknown speaker) too "
         "(left out by default, like facilitators).")


def selection_options(command):
    """--codebook NAME, --coder, --status, --include-facilitators, --include-unidentified:
    which codings and turns count."""
    command = unidentified_option(command)
    command = click.option("--include-facilitators", is_flag=True,
                           help="Count facilitator turns too (left out by default).")(command)
    return codings_options(command)


def quote_options(command=None, *, default: str = "sentence", what: str = ""):
    """--context, --sentences, --with-question: how much of a turn a quote shows (``default``:
    the default context; ``what``: more help on what is quoted)."""
    if command is None:
        return lambda command: quote_options(command, default=default, what=what)
    options = [
        click.option("--context", type=click.Choice(["sentence", "turn", "coded"]), default=default,
                     show_default=True,
                     help=what + "sentence: a code's hits in one turn as one quote of whole sentences; "
                                 "turn: the whole turn; coded: each coded span as coded."),
        click.option("--sentences", type=click.IntRange(0, 10), default=0, show_default=True,
                     help="With --context sentence: sentences added before and after each hit."),
        click.option("--with-question", is_flag=True,
                     help="Add the facilitator's question the turn answers (the nearest one before it)."),
    ]
    return with_options(command, options)


def quote_context(context: str, sentences: int, with_question: bool):
    """The :class:`~qualcode.analysis.quotes.QuoteContext` of :func:`quote_options`."""
    from qualcode.analysis.quotes import QuoteContext

    if sentences and context != "sentence":
        raise click.UsageError(f"--sentences goes with --context sentence, not --context {context}")
    return QuoteContext(context, sentences, with_question)


def pairs_option(required: bool = False):
    """--pairs FILE: the scholar-mentor pairs of ``qualcode alignment`` (and of plot and report)."""
    return click.option(
        "--pairs", "pairs_file", required=required, type=existing_file,
        help="Pairs file (.csv or .xlsx) with the columns pair, scholar, mentor; each side a "
             "participant id or the document of a one-to-one interview.")


#: What --by takes (export counts, compare, plot, report).
BY_HELP = "role, document, participant or any attribute of documents or turns (site, group, question...)."


def grouping_options(command=None, *, groups: bool = True, what: str = ""):
    """--by (the grouping of counts and comparisons) and, with ``groups``, --a and --b (the two
    groups compared; ``what``: which output they are for, e.g. ``bars: ``)."""
    if command is None:
        return lambda command: grouping_options(command, groups=groups, what=what)
    options = [click.option("--by", default="role", show_default=True, help=BY_HELP)]
    if groups:
        first, second = (f"{what}first", f"{what}second") if what else ("First", "Second")
        options += [click.option("--a", "group_a", help=f"{first} group compared (default with --by role: scholar)."),
                    click.option("--b", "group_b", help=f"{second} group compared (default with --by role: mentor).")]
    return with_options(command, options)


def alignment_level_option(command):
    """--level: which codes the alignment of scholar-mentor pairs is measured over (the levels
    of :data:`qualcode.analysis.alignment.LEVELS`, named here so that the CLI starts without
    loading the analysis)."""
    return click.option(
        "--level", type=click.Choice(["code", "theme", "specific"]), default="code", show_default=True,
        help="Codes the alignment is measured over: code (every code, a theme beside its subcodes; a "
             "theme is raised when any of its subcodes is), theme (the top-level codes: the domains) "
             "or specific (only the codes without subcodes).")(command)


def selection_kwargs(codebook_name, coder, statuses, include_facilitators, include_unidentified) -> dict:
    return {"codebook": codebook_name, "coder": coder, "status": statuses or None,
            "include_facilitators": include_facilitators, "include_unidentified": include_unidentified}


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
