"""Commands that bring transcripts in and list them: ingest, info, export segments."""

from __future__ import annotations

from contextlib import ExitStack

import click

from qualcode.cli.base import (cli, echo_frame, existing_file, export, open_project_file, progress_bar,
                               project_argument, real_names_option, table_output)
from qualcode.cli.params import KeyValue

@cli.command()
@project_argument
@click.argument("files", nargs=-1, type=existing_file)
@click.option("--attr", "attrs", multiple=True, type=KeyValue(),
              help="Document attribute for every file, e.g. --attr role=scholar --attr site=UW.")
@click.option("--manifest", type=existing_file,
              help="CSV with a 'file' column and one column per attribute (role, site, group...).")
@click.option("--speakers", type=existing_file,
              help="CSV with document,label,participant,role to name participants and roles.")
@click.option("--format", "fmt", help="Force a reader (default: from suffix and content).")
@click.option("--speaker-column", help="Speaker column of CSV/XLSX transcripts.")
@click.option("--text-column", help="Text column of CSV/XLSX transcripts.")
@click.option("--guide", type=existing_file,
              help="The discussion guide (one question per line, or a numbered list): lines "
                   "matching a question are the facilitator's, and each participant turn records "
                   "the question it answers (group by it with --by question).")
@click.option("--unlabelled-speaker", metavar="NAME",
              help="Give paragraphs with no speaker label after a facilitator's turn to this "
                   "speaker (e.g. \"Interviewee\"), instead of the facilitator.")
@click.option("--unlabelled-role", metavar="ROLE",
              help="The role of --unlabelled-speaker (e.g. scholar); alone, names the speaker too.")
@click.option("--labels", "label_files", multiple=True, type=existing_file,
              help="A YAML file of extra label words (facilitator, unidentified...: see "
                   "qualcode/ingest/labels.yaml), added to the shipped ones; repeatable.")
@click.option("--redact", "redact_names", is_flag=True,
              help="Replace participants' names in the new transcripts with their pseudonyms "
                   "(as `qualcode redact`), in the same transaction.")
@click.option("--names", "names_file", type=existing_file,
              help="With --redact: extra names to replace, one a line (or NAME,REPLACEMENT).")
@click.option("--replace", is_flag=True,
              help="Each file replaces the document of the same name (a corrected transcript): human "
                   "codings on unchanged turns stay, machine codings are redone by the next `code`.")
@click.option("--force", is_flag=True,
              help="With --replace: replace even if human codings on changed turns are lost (they are listed).")
def ingest(project, files, attrs, manifest, speakers, fmt, speaker_column, text_column, guide,
           unlabelled_speaker, unlabelled_role, label_files, redact_names, names_file, replace, force):
    """Read transcripts into PROJECT (all files or none), and say what was decided for each.

    Formats: Word .docx, OpenDocument .odt, PDF, RTF, Markdown, WebVTT (Zoom,
    Teams), SRT, Otter/Rev/plain text with speaker labels, CSV/TSV/XLSX with
    speaker and text columns.  Facilitator labels (Moderator, Moderadora,
    Interviewer 1...) get the role 'facilitator'; ALL, UNKNOWN, TODOS... 'unidentified'.

    Example: qualcode ingest study.qcproj --manifest transcripts_sample/manifest.csv
    --speakers transcripts_sample/speakers.csv

    Example: qualcode ingest study.qcproj interview*.docx --guide guide.docx
    --unlabelled-speaker Interviewee --unlabelled-role scholar

    Example: qualcode ingest study.qcproj corrected/group1.docx --replace
    """
    from qualcode.cli.privacy import echo_redaction
    from qualcode.workflows.ingest import ingest as ingest_files, reading_options
    from qualcode.store.names import read_names

    if names_file and not redact_names:
        raise click.UsageError("--names needs --redact")
    if force and not replace:
        raise click.UsageError("--force needs --replace")
    options = {k: v for k, v in (("speaker_column", speaker_column), ("text_column", text_column)) if v}
    names = read_names(names_file) if names_file else []
    reading = reading_options(label_files, guide, unlabelled_speaker, unlabelled_role)
    with open_project_file(project, create=True) as proj, ExitStack() as bar:
        result = ingest_files(proj, files, attributes=dict(attrs), manifest=manifest, speakers=speakers,
                              fmt=fmt, reader_options=options, reading=reading, replace=replace, force=force,
                              redact=redact_names, names=names, progress=progress_bar(bar, "Ingesting"))
    for path in result.repeated:
        click.echo(f"skipped {path}: named more than once; read once")
    for item in result.added:
        click.echo(f"added {item['name']}: {item['turns']} turns, {item['speakers']} speakers, "
                   f"{item['words']} words")
        for line in decision_lines(item["report"]):
            click.echo(f"  {line}")
    for item in result.replaced:
        echo_replacement(item)
    for path, existing in result.skipped:
        click.echo(f"skipped {path}: already in the project as {existing}")
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"{len(result.added)} added, " + (f"{len(result.replaced)} replaced, " if replace else "")
               + f"{len(result.skipped) + len(result.repeated)} skipped")
    if result.redaction is not None:
        echo_redaction(result.redaction)


def _lines(numbers: list[int], most: int = 8) -> str:
    shown = ", ".join(str(n) for n in numbers[:most])
    more = f", ... ({len(numbers)} in all)" if len(numbers) > most else ""
    return f"line{'s' if len(numbers) > 1 else ''} {shown}{more}"


def decision_lines(report) -> list[str]:
    """What a reader decided about one document (a ReadReport), one line per kind."""
    out = []
    kept = [f"{len(report.header_lines)} line{'s' if len(report.header_lines) != 1 else ''}"] \
        if report.header_lines else []
    kept += report.metadata_keys
    if kept:
        out.append("header kept as metadata: " + ", ".join(kept))
    if report.legend:
        out.append("legend: " + ", ".join(f"{e.label} = {e.name}" + (f" ({e.role})" if e.role else "")
                                          for e in report.legend))
    if report.questions:
        out.append(f"questions: {len(report.questions)} with no speaker label given to "
                   f"{report.question_speaker} ({_lines([line for line, _ in report.questions])})")
    if report.answers:
        out.append(f"answers: {report.answers} participant turns record the question they answer "
                   f"({', '.join(report.guide_asked)})")
    if report.unlabelled:
        out.append(f"unlabelled paragraphs: {len(report.unlabelled)} given to {report.unlabelled_speaker} "
                   f"({_lines(report.unlabelled)})")
    return out


def echo_replacement(item) -> None:
    from qualcode.workflows.edit import describe_codings

    click.echo(f"replaced {item.document}: {item.turns_after} turns (were {item.turns_before}, "
               f"{item.unchanged_turns} unchanged), {item.words} words; {item.kept} human codings kept"
               + (f", {item.machine_dropped} machine codings dropped (run qualcode code again)"
                  if item.machine_dropped else ""))
    for line in decision_lines(item.report) if item.report is not None else ():
        click.echo(f"  {line}")
    if item.lost:
        click.echo(f"  dropped {describe_codings(item.lost, limit=len(item.lost), documents=False)}"
                   ", on turns that changed")


@cli.command()
@project_argument
def info(project):
    """Summarise PROJECT: documents, speakers by role, turns and words.

    Example: qualcode info study.qcproj
    """
    from qualcode.analysis.corpus import summarize

    with open_project_file(project) as proj:
        summary = summarize(proj)
    c = summary.counts
    click.echo(f"{project}: {c['documents']} documents, {c['participants']} participants, "
               f"{c['turns']} turns, {c['words']} words, {c['codings']} codings")
    click.echo("\nDocuments:")
    echo_frame(summary.documents.drop(columns=["document_id", "source", "ingested_at"]).fillna(""))
    click.echo("\nSpeakers by role:")
    echo_frame(summary.roles)
    if not summary.codebooks.empty:
        click.echo("\nCodebooks:")
        echo_frame(summary.codebooks[["name", "version", "codes", "added_at"]])


@export.command("segments")
@project_argument
@click.option("-o", "--output", required=True, type=table_output, help="Output file (.csv or .xlsx).")
@click.option("--no-facilitators", is_flag=True, help="Leave out facilitator turns.")
@real_names_option
def export_segments(project, output, no_facilitators, real_names):
    """One row per turn: document, turn, speaker, participant, role, start, end, text.

    'speaker' is the participant id and role (S01 (scholar)) unless --real-names.

    Example: qualcode export segments study.qcproj -o turns.csv
    """
    from qualcode.export import write_table
    from qualcode.analysis.corpus import segments_table

    with open_project_file(project) as proj:
        frame = segments_table(proj, include_facilitators=not no_facilitators, real_names=real_names)
    write_table(frame, output, sheet_name="turns")
    click.echo(f"wrote {len(frame)} turns to {output}")
