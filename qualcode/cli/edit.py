"""Commands that fix a project after ingest: speakers list|set, documents list|set|remove."""

from __future__ import annotations

import click

from qualcode.cli.base import cli, echo_frame, open_project_file, project_argument
from qualcode.cli.params import KeyValue


@cli.group()
def speakers():
    """List a project's speakers, or change a speaker's role or participant id.

    Example: qualcode speakers set study.qcproj "Zoom Host" --role facilitator
    """


@speakers.command("list")
@project_argument
@click.option("--document", help="Only this document's speakers.")
def speakers_list(project, document):
    """Every speaker of every document: its label in the transcript, participant id, role,
    turns, words and codings on its turns (human, machine).

    Labels are shown as the transcripts have them (often real names): this listing is for
    fixing the project, not for sharing.

    Example: qualcode speakers list study.qcproj --document group1.docx
    """
    from qualcode.workflows.edit import list_speakers

    with open_project_file(project) as proj:
        echo_frame(list_speakers(proj, document))


@speakers.command("set")
@project_argument
@click.argument("label")
@click.option("--document", help="Only the speaker of this document (default: every document "
                                 "with a speaker of that label).")
@click.option("--role", help="New role, e.g. facilitator, scholar, mentor.")
@click.option("--participant", help="Participant id: an existing one (the same person) or a new one.")
def speakers_set(project, label, document, role, participant):
    """Give the speakers called LABEL (or the participant with id LABEL) a new role or
    participant id.

    A speaker made facilitator leaves every count, and the taggers' codings on its turns
    are removed; human codings on them are kept and listed.  A speaker that stops being
    a facilitator is coded by the next `qualcode code`.

    Example: qualcode speakers set study.qcproj "Zoom Host" --document mentors.vtt --role facilitator
    """
    from qualcode.workflows.edit import set_speakers

    with open_project_file(project) as proj:
        edit = set_speakers(proj, label, document=document, role=role, participant=participant)
    echo_speaker_edit(edit)
    if not edit.changed:
        click.echo("nothing changed: the speakers already have that role and participant")


def echo_speaker_edit(edit) -> None:
    """What :func:`~qualcode.workflows.edit.set_speakers` changed, one line a speaker, then
    what it did to codings."""
    for warning in edit.warnings:
        click.echo(f"Warning: {warning}", err=True)
    for change in edit.changed:
        parts = []
        if change.role_before != change.role_after:
            parts.append(f"role {change.role_before or '(none)'} -> {change.role_after}")
        if change.participant_before != change.participant_after:
            parts.append(f"participant {change.participant_before} -> {change.participant_after}")
        click.echo(f"{change.label} in {change.document}: {', '.join(parts)}")
    if edit.machine_removed:
        click.echo(f"removed {plural(edit.machine_removed, 'machine coding')} from turns that are now "
                   "facilitators' (facilitators are not coded or counted)")
    if edit.human_kept:
        click.echo(f"kept {plural(len(edit.human_kept), 'human coding')} on those turns (counted only "
                   "with --include-facilitators):")
        for coding in edit.human_kept:
            click.echo(f"  {coding['coder']}  {coding['document']} turn {coding['turn']}  "
                       f"{coding['code']} ({coding['status']})")
    if edit.uncoded_turns:
        click.echo(f"{plural(edit.uncoded_turns, 'turn')} of former facilitators not coded yet: run "
                   "qualcode code again to code them")


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@cli.group()
def documents():
    """List a project's documents, change their attributes, or remove them.

    Example: qualcode documents set study.qcproj group1.docx --attr site=Northfield
    """


@documents.command("list")
@project_argument
def documents_list(project):
    """Every document with its format, turns, words, speakers, codings (human, machine) and
    attributes.

    Example: qualcode documents list study.qcproj
    """
    from qualcode.workflows.edit import list_documents

    with open_project_file(project) as proj:
        echo_frame(list_documents(proj))


@documents.command("set")
@project_argument
@click.argument("name")
@click.option("--attr", "attrs", multiple=True, type=KeyValue(),
              help="Attribute to set, e.g. --attr site=Northfield (repeatable).")
@click.option("--unset", multiple=True, help="Attribute to remove (repeatable).")
def documents_set(project, name, attrs, unset):
    """Set or remove attributes of the document NAME (with or without its suffix).

    A new role also goes to the speakers that had the document's old role.  A value that
    looks like a slip of one other documents have (mentors beside mentor) gets a warning.

    Example: qualcode documents set study.qcproj mentors_lakeshore.txt --attr role=mentor
    """
    from qualcode.workflows.edit import set_document

    with open_project_file(project) as proj:
        edit = set_document(proj, name, dict(attrs), unset)
    for warning in edit.warnings:
        click.echo(f"Warning: {warning}", err=True)
    for key, before, after in edit.changes:
        click.echo(f"{edit.document}: {key} {before if before is not None else '(none)'} -> "
                   f"{after if after is not None else '(removed)'}")
    if not edit.changes:
        click.echo(f"{edit.document}: nothing changed")
    if edit.speakers is not None:
        echo_speaker_edit(edit.speakers)


@documents.command("remove")
@project_argument
@click.argument("names", nargs=-1, required=True)
@click.option("--force", is_flag=True, help="Remove documents even if people coded them "
                                            "(their codings go too).")
def documents_remove(project, names, force):
    """Remove documents with their turns, speakers and codings (all or none).

    A document with human codings is refused, listing them, unless --force.

    Example: qualcode documents remove study.qcproj pilot_group.docx
    """
    from qualcode.workflows.edit import describe_codings, remove_documents

    with open_project_file(project) as proj:
        removed = remove_documents(proj, names, force=force)
    for item in removed:
        click.echo(f"removed {item.document}: {plural(item.turns, 'turn')}, "
                   f"{plural(item.machine, 'machine coding')}"
                   + (f", {describe_codings(item.human, documents=False)}" if item.human else ""))
