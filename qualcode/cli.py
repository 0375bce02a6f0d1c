"""The ``qualcode`` command: a click group of thin commands over the library.

Library errors (:class:`~qualcode.errors.QualcodeError`) become one
``Error: ...`` line and exit status 1, in one place (:class:`QualcodeGroup`);
click's usage errors exit with status 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from qualcode import __version__
from qualcode.errors import QualcodeError


class QualcodeGroup(click.Group):
    """Maps library errors to click errors once, for every command below it."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
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
        from qualcode.manifest import ATTRIBUTE_NAME
        if not ATTRIBUTE_NAME.match(key):
            self.fail(f"attribute name {key!r} must start with a letter and use letters, digits, "
                      "'_', '-' or '.'", param, ctx)
        return (key.casefold(), val.casefold() if key.casefold() == "role" else val)


project_argument = click.argument("project", type=click.Path(dir_okay=False, path_type=Path))
existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)


def _open(project: Path, create: bool = False):
    from qualcode.store import open_project
    return open_project(project, create=create)


def _echo_frame(frame, empty: str = "(none)") -> None:
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
def ingest(project, files, attrs, manifest, speakers, fmt, speaker_column, text_column):
    """Read transcripts into PROJECT (all files or none).

    Formats: Word .docx, WebVTT (Zoom, Teams), SRT, Otter/Rev/plain text with
    speaker labels, CSV/TSV/XLSX with speaker and text columns.  Facilitator
    labels (Moderator, Interviewer 1...) get the role 'facilitator'.

    Example: qualcode ingest study.qcproj --manifest transcripts_sample/manifest.csv
    --speakers transcripts_sample/speakers.csv
    """
    from qualcode.project import ingest as ingest_files, plan_files

    options = {k: v for k, v in (("speaker_column", speaker_column), ("text_column", text_column)) if v}
    planned = plan_files(files, manifest, dict(attrs))
    with _open(project, create=True) as proj:
        with click.progressbar(length=len(planned), label="Ingesting", file=sys.stderr,
                               show_pos=True) as bar:
            result = ingest_files(proj, files, attributes=dict(attrs), manifest=manifest,
                                  speakers=speakers, fmt=fmt, reader_options=options,
                                  progress=lambda _path: bar.update(1))
    for item in result.added:
        click.echo(f"added {item['name']}: {item['turns']} turns, {item['speakers']} speakers, "
                   f"{item['words']} words")
    for path, existing in result.skipped:
        click.echo(f"skipped {path}: already in the project as {existing}")
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"{len(result.added)} added, {len(result.skipped)} skipped")


@cli.command()
@project_argument
def info(project):
    """Summarise PROJECT: documents, speakers by role, turns and words.

    Example: qualcode info study.qcproj
    """
    from qualcode.project import summarize

    with _open(project) as proj:
        summary = summarize(proj)
    c = summary.counts
    click.echo(f"{project}: {c['documents']} documents, {c['participants']} participants, "
               f"{c['turns']} turns, {c['words']} words, {c['codings']} codings")
    click.echo("\nDocuments:")
    _echo_frame(summary.documents.drop(columns=["document_id", "source", "ingested_at"]))
    click.echo("\nSpeakers by role:")
    _echo_frame(summary.roles)
    if not summary.codebooks.empty:
        click.echo("\nCodebooks:")
        _echo_frame(summary.codebooks[["name", "version", "codes", "added_at"]])


@cli.group(cls=QualcodeGroup)
def export():
    """Write tables from a project to CSV, Excel or Word.

    Example: qualcode export segments study.qcproj -o turns.csv
    """


@export.command("segments")
@project_argument
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Output file (.csv or .xlsx).")
@click.option("--no-facilitators", is_flag=True, help="Leave out facilitator turns.")
def export_segments(project, output, no_facilitators):
    """One row per turn: document, turn, speaker, participant, role, start, end, text.

    Example: qualcode export segments study.qcproj -o turns.csv
    """
    from qualcode.export import write_table
    from qualcode.project import segments_table

    with _open(project) as proj:
        frame = segments_table(proj, include_facilitators=not no_facilitators)
    write_table(frame, output, sheet_name="turns")
    click.echo(f"wrote {len(frame)} turns to {output}")

# ----------------------------------------------------------------- analysis and exports
output_path = click.Path(dir_okay=False, path_type=Path)


def selection_options(command):
    """--codebook NAME, --coder, --status, --include-facilitators: which codings count."""
    options = [
        click.option("--codebook", "codebook_name",
                     help="Codebook name (default: the most recently added codebook with codings)."),
        click.option("--coder", help="Whose codings: 'rules', a person's name, or 'all' to pool "
                                     "them (required when several coders coded the codebook)."),
        click.option("--status", "statuses", multiple=True,
                     type=click.Choice(["suggested", "accepted", "rejected"]),
                     help="Coding status to use; repeat for several (default: suggested and accepted, "
                          "i.e. everything not rejected)."),
        click.option("--include-facilitators", is_flag=True,
                     help="Count facilitator turns too (left out by default)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _selection(codebook_name, coder, statuses, include_facilitators) -> dict:
    return {"codebook": codebook_name, "coder": coder, "status": statuses or None,
            "include_facilitators": include_facilitators}


def _frames(project: Path):
    from qualcode.analysis import load_frames
    with _open(project) as proj:
        return load_frames(proj)


@export.command("excerpts")
@project_argument
@click.option("-o", "--output", required=True, type=output_path,
              help="Output file: .csv, .xlsx (a sheet per theme) or .docx (quotes by theme and code).")
@click.option("--code", "codes", multiple=True, help="Only this code and its subcodes (repeatable).")
@click.option("--theme", "themes", multiple=True, help="Only this theme, by id or name (repeatable).")
@click.option("--role", "roles", multiple=True, help="Only speakers with this role (repeatable).")
@click.option("--document", "documents", multiple=True, help="Only this document (repeatable).")
@selection_options
@click.option("--sort", type=click.Choice(["code", "document", "participant", "role"]), default="code",
              show_default=True, help="Order of the quotes.")
@click.option("--real-names", is_flag=True,
              help="Show speaker labels as in the transcripts (default: participant id and role).")
def export_excerpts(project, output, codes, themes, roles, documents, codebook_name, coder, statuses,
                    include_facilitators, sort, real_names):
    """Quote table: every coded excerpt with speaker, role, group, code and position.

    Speakers are pseudonymized (participant id and role) unless --real-names.

    Example: qualcode export excerpts study.qcproj -o quotes.docx --theme power_differential
    """
    from qualcode.analysis import excerpts_table
    from qualcode.export.excerpts import EXCERPT_SUFFIXES, write_excerpts
    from qualcode.export.files import table_format

    table_format(output, EXCERPT_SUFFIXES)
    frame = excerpts_table(_frames(project), code=codes, theme=themes, role=roles, document=documents,
                           sort=sort, real_names=real_names,
                           **_selection(codebook_name, coder, statuses, include_facilitators))
    write_excerpts(frame, output, note=f"Selection: {frame.attrs['selection']}.")
    click.echo(f"wrote {len(frame)} excerpts to {output} ({frame.attrs['selection']})")


@export.command("counts")
@project_argument
@click.option("--by", default="role", show_default=True,
              help="role, document, participant or any document attribute (site, group...).")
@click.option("-o", "--output", required=True, type=output_path, help="Output file (.csv or .xlsx).")
@selection_options
@click.option("--no-rollup", is_flag=True, help="Parent codes count only their own codings.")
@click.option("--total", is_flag=True, help="Add a group 'all' over every counted turn.")
def export_counts(project, by, output, codebook_name, coder, statuses, include_facilitators,
                  no_rollup, total):
    """Counts per code and group: mentions, turns coded, share of the group's turns,
    distinct participants, documents.

    Example: qualcode export counts study.qcproj --by site -o counts.xlsx
    """
    from qualcode.analysis import counts_by
    from qualcode.export.files import table_format
    from qualcode.export.tables import write_counts

    table_format(output)
    frame = counts_by(_frames(project), by, rollup=not no_rollup, total=total,
                      **_selection(codebook_name, coder, statuses, include_facilitators))
    write_counts(frame, output)
    click.echo(f"wrote {len(frame)} rows ({frame['code'].nunique()} codes x "
               f"{frame['group'].nunique()} {by} values) to {output}")


# ----------------------------------------------------------------- codebooks and coding
codebook_option = click.option("--codebook", "codebook_path", required=True, type=existing_file,
                               help="Codebook YAML file, e.g. codebooks/mentoring_expectations.yaml.")


def _load_codebook(path: Path):
    from qualcode.codebook import load_codebook
    return load_codebook(path)


@cli.group(cls=QualcodeGroup)
def codebook():
    """Check and show codebooks.

    Example: qualcode codebook validate codebooks/mentoring_expectations.yaml
    """


@codebook.command("validate")
@click.argument("file", type=existing_file)
def codebook_validate(file):
    """Report every problem in a codebook at once, with file and line.

    Example: qualcode codebook validate codebooks/mentoring_expectations.yaml
    """
    from qualcode.codebook import validate_codebook

    problems = validate_codebook(file)
    if problems:
        for problem in problems:
            click.echo(f"Error: {problem}", err=True)
        raise SystemExit(1)
    loaded = _load_codebook(file)
    rules = sum(len(code.rules.all) + len(code.rules.exclude) for code in loaded.codes)
    click.echo(f"{file}: valid ({loaded.name} {loaded.version}: {len(loaded.codes)} codes, "
               f"{rules} rules)")


@codebook.command("show")
@click.argument("file", type=existing_file)
@click.option("--no-definitions", is_flag=True, help="Only the tree of code ids and names.")
def codebook_show(file, no_definitions):
    """Print a codebook's tree of codes with their definitions.

    Example: qualcode codebook show codebooks/expectation_domains.yaml
    """
    from qualcode.codebook import format_codebook_tree

    click.echo(format_codebook_tree(_load_codebook(file), definitions=not no_definitions))


@cli.command("code")
@project_argument
@codebook_option
@click.option("--tagger", type=click.Choice(["rules"]), default="rules", show_default=True,
              help="Which tagger codes the turns.")
@click.option("--include-facilitators", is_flag=True, help="Code facilitator turns too.")
@click.option("--dry-run", is_flag=True, help="Show counts per code without writing anything.")
def code(project, codebook_path, tagger, include_facilitators, dry_run):
    """Code every participant turn in PROJECT with a codebook's tagger.

    Re-running replaces this tagger's earlier codings for the same codebook
    and never touches human codings.

    Example: qualcode code study.qcproj --codebook codebooks/mentoring_expectations.yaml
    """
    from qualcode.coding import code_project

    book = _load_codebook(codebook_path)
    with _open(project) as proj:
        run = code_project(proj, book, tagger, include_facilitators=include_facilitators,
                           dry_run=dry_run)
    verb = "would store" if dry_run else "stored"
    click.echo(f"coded {run.segments} turns with {run.codebook} {run.version} ({run.tagger}): "
               f"{verb} {run.codings} codings" + ("" if dry_run else f", replaced {run.replaced}"))
    width = max(len(code_id) for code_id in run.by_code)
    for code_id, n in run.by_code.items():
        click.echo(f"  {code_id:<{width}}  {n}")


@cli.command()
@project_argument
@codebook_option
@click.option("--segment", "ref", required=True,
              help="Turn id (from export segments) or DOCUMENT:TURN, e.g. group1.docx:12.")
def explain(project, codebook_path, ref):
    """Show which rules fire on one turn, which were vetoed and why.

    Example: qualcode explain study.qcproj --codebook codebooks/mentoring_expectations.yaml
    --segment scholars_northfield.docx:12
    """
    from qualcode.coding import explain_segment

    book = _load_codebook(codebook_path)
    with _open(project) as proj:
        ex = explain_segment(proj, book, ref)
    click.echo(f"{ex.document} turn {ex.turn} (segment {ex.segment_id}), {ex.speaker}"
               f" [{ex.role or 'no role'}]:")
    click.echo(f"  {ex.text}")
    click.echo("Codes the rules give:" if ex.codes else "Codes the rules give: none")
    for code_id, start, end in ex.codes:
        click.echo(f"  {code_id}  [{start}:{end}]")
    click.echo("Rules that fired:" if ex.applied else "Rules that fired: none")
    for hit in ex.applied:
        click.echo(f"  {hit.describe()}")
    click.echo("Near misses (vetoed):" if ex.vetoed else "Near misses (vetoed): none")
    for hit in ex.vetoed:
        click.echo(f"  {hit.describe()}")
    if ex.stored:
        click.echo("Stored codings: " + ", ".join(f"{c} by {who} ({status})" for c, who, status in ex.stored))


@cli.command()
@project_argument
@click.option("--by", default="role", show_default=True,
              help="role, document, participant or any document attribute.")
@click.option("--a", "group_a", help="First group (default with --by role: scholar).")
@click.option("--b", "group_b", help="Second group (default with --by role: mentor).")
@click.option("--unit", type=click.Choice(["turns", "participants"]), default="turns", show_default=True,
              help="Compare shares of participant turns, or of distinct participants.")
@click.option("--correction", type=click.Choice(["holm", "bh", "none"]), default="holm",
              show_default=True, help="Multiple-comparison correction (bh: Benjamini-Hochberg).")
@click.option("-o", "--output", type=output_path, help="Also write the full table (.csv or .xlsx).")
@selection_options
def compare(project, by, group_a, group_b, unit, correction, output, codebook_name, coder, statuses,
            include_facilitators):
    """Compare two groups code by code: shares, difference with a 95% CI (Newcombe),
    Fisher's exact test with Holm (or BH) adjustment; 'few data' where counts are small.

    Example: qualcode compare study.qcproj --by role --a scholar --b mentor -o compare.xlsx
    """
    from qualcode.analysis import compare_display, compare_groups
    from qualcode.export.files import table_format
    from qualcode.export.tables import CORRECTION_NAMES, write_comparison

    if output is not None:
        table_format(output)
    table = compare_groups(_frames(project), by, group_a, group_b, unit=unit, correction=correction,
                           **_selection(codebook_name, coder, statuses, include_facilitators))
    a, b = table["a"].iloc[0], table["b"].iloc[0]
    click.echo(f"{a} vs {b} ({by}); unit: {'participant turns' if unit == 'turns' else 'participants'}; "
               f"Fisher's exact test, {CORRECTION_NAMES[correction]}-adjusted")
    display = compare_display(table)
    width = int(display["code"].str.len().max())
    click.echo(display.to_string(index=False, justify="left",
                                 formatters={"code": lambda text: f"{text:<{width}}"}))
    click.echo(f"\n{table.attrs['selection']}")
    if table["few_data"].any():
        click.echo("few data: fewer than 5 coded units in both groups together, or a group with "
                   "fewer than 10: no conclusion either way")
    if output is not None:
        write_comparison(table, output)
        click.echo(f"wrote {len(table)} rows to {output}")


@cli.command()
@project_argument
@click.option("--kind", type=click.Choice(["heatmap", "bars"]), default="heatmap", show_default=True,
              help="heatmap: codes x groups; bars: two groups' shares side by side.")
@click.option("-o", "--output", required=True, type=output_path, help="Output image (.png or .svg).")
@click.option("--by", default="role", show_default=True,
              help="role, document, participant or any document attribute.")
@click.option("--a", "group_a", help="bars: first group (default with --by role: scholar).")
@click.option("--b", "group_b", help="bars: second group (default with --by role: mentor).")
@selection_options
def plot(project, kind, output, by, group_a, group_b, codebook_name, coder, statuses,
         include_facilitators):
    """Draw a heatmap of codes by group, or bars of two groups' shares.

    Example: qualcode plot study.qcproj --kind bars -o scholars_vs_mentors.png
    """
    from qualcode.analysis import compare_groups, counts_by
    from qualcode.export.files import table_format
    from qualcode.export.plots import FIGURE_SUFFIXES, bars_figure, heatmap_figure, save_figure

    table_format(output, FIGURE_SUFFIXES)
    selection = _selection(codebook_name, coder, statuses, include_facilitators)
    if kind == "heatmap":
        figure = heatmap_figure(counts_by(_frames(project), by, **selection))
    else:
        figure = bars_figure(compare_groups(_frames(project), by, group_a, group_b, **selection))
    save_figure(figure, output)
    click.echo(f"wrote {kind} to {output}")


@cli.command()
@project_argument
@click.option("-o", "--output", required=True, type=output_path, help="Output file (.docx).")
@click.option("--by", default="role", show_default=True,
              help="Grouping of the counts: role, document, participant or a document attribute.")
@click.option("--a", "group_a", help="First group compared (default with --by role: scholar).")
@click.option("--b", "group_b", help="Second group compared (default with --by role: mentor).")
@click.option("--codebook", "codebook_name",
              help="Codebook name (default: the most recently added codebook with codings).")
@click.option("--coder", help="Whose codings: 'rules', a person's name, or 'all'.")
@click.option("--status", "statuses", multiple=True,
              type=click.Choice(["suggested", "accepted", "rejected"]),
              help="Coding status to use (default: suggested and accepted).")
@click.option("--exemplars", type=click.IntRange(0, 20), default=3, show_default=True,
              help="Quotes per code in the report.")
@click.option("--real-names", is_flag=True, help="Speaker labels as in the transcripts.")
def report(project, output, by, group_a, group_b, codebook_name, coder, statuses, exemplars,
           real_names):
    """Word report: corpus, codebook, counts, comparison, figures and exemplar quotes.

    Example: qualcode report study.qcproj -o report.docx
    """
    from qualcode.export.files import table_format
    from qualcode.export.report import write_report

    table_format(output, (".docx",))
    frames = _frames(project)
    frames.name = project.name
    notes: list[str] = []
    write_report(frames, output, by=by, a=group_a, b=group_b, codebook=codebook_name, coder=coder,
                 status=statuses or None, exemplars=exemplars, real_names=real_names, notes=notes)
    click.echo(f"wrote report to {output}")
    for note in notes:
        click.echo(f"Note: {note}", err=True)


def main() -> None:
    cli(prog_name="qualcode")
