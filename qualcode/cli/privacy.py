"""Commands that protect participants: redact."""

from __future__ import annotations

import click

from qualcode.cli.base import cli, existing_file, open_project_file, project_argument

names_option = click.option("--names", "names_file", type=existing_file,
                            help="Extra names to replace, one a line (or NAME,REPLACEMENT).")


def echo_redaction(plan) -> None:
    """What a redaction changed (or, with --dry-run, would change)."""
    if plan.dry_run:
        for change in plan.changes:
            where = f"turn {change.turn}" if change.turn is not None else "speaker line"
            click.echo(f"{change.document} {where}: {change.original!r} -> {change.replacement}")
    verb = "would replace" if plan.dry_run else "replaced"
    click.echo(f"{verb} {len(plan.changes)} names in {plan.turns} turns of {plan.documents} documents; "
               f"{plan.codings} codings {'would move' if plan.dry_run else 'moved'} with the text")
    for word in plan.skipped:
        click.echo(f"Note: {word!r} is a common word and is not replaced on its own; list it in "
                   "--names to replace it", err=True)


@cli.command()
@project_argument
@names_option
@click.option("--dry-run", is_flag=True, help="List every name that would be replaced; change nothing.")
def redact(project, names_file, dry_run):
    """Replace participants' names inside the transcripts with their pseudonyms.

    Full names, first and last names alone and titled names (Dr. Okafor) of every
    speaker with a personal name, and the names in --names, become e.g. [S01];
    case-insensitive, whole words.  Turn and coding offsets follow the text.

    Example: qualcode redact study.qcproj --names other_names.txt --dry-run
    """
    from qualcode.store.names import read_names
    from qualcode.workflows.redact import redact_project

    names = read_names(names_file) if names_file else []
    with open_project_file(project) as proj:
        plan = redact_project(proj, names, dry_run=dry_run)
    echo_redaction(plan)
