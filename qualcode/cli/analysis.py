"""Commands that turn codings into tables, figures and reports: export excerpts|counts,
compare, plot, report."""

from __future__ import annotations

import click

from qualcode.cli.base import (cli, export, open_project_file, output_path, project_argument,
                               real_names_option, selection_kwargs, selection_options)


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
@real_names_option
def export_excerpts(project, output, codes, themes, roles, documents, codebook_name, coder, statuses,
                    include_facilitators, sort, real_names):
    """Quote table: every coded excerpt with speaker, role, group, code and position.

    Speakers are pseudonymized (participant id and role) unless --real-names.

    Example: qualcode export excerpts study.qcproj -o quotes.docx --theme power_differential
    """
    from qualcode.analysis.excerpts import iter_excerpts
    from qualcode.export.excerpts import EXCERPT_SUFFIXES, write_excerpts
    from qualcode.core.files import table_format

    table_format(output, EXCERPT_SUFFIXES)
    with open_project_file(project) as proj:
        excerpts = iter_excerpts(proj, code=codes, theme=themes, role=roles, document=documents,
                                 sort=sort, real_names=real_names,
                                 **selection_kwargs(codebook_name, coder, statuses, include_facilitators))
        write_excerpts(excerpts, output, note=f"Selection: {excerpts.selection}.")
    click.echo(f"wrote {excerpts.read} excerpts to {output} ({excerpts.selection})")


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
    from qualcode.core.files import table_format
    from qualcode.export.tables import write_counts

    table_format(output)
    with open_project_file(project) as proj:
        frame = counts_by(proj, by, rollup=not no_rollup, total=total,
                          **selection_kwargs(codebook_name, coder, statuses, include_facilitators))
    write_counts(frame, output)
    click.echo(f"wrote {len(frame)} rows ({frame['code'].nunique()} codes x "
               f"{frame['group'].nunique()} {by} values) to {output}")


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
    from qualcode.core.files import table_format
    from qualcode.export.tables import CORRECTION_NAMES, write_comparison

    if output is not None:
        table_format(output)
    with open_project_file(project) as proj:
        table = compare_groups(proj, by, group_a, group_b, unit=unit, correction=correction,
                               **selection_kwargs(codebook_name, coder, statuses, include_facilitators))
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
    from qualcode.core.files import table_format
    from qualcode.export.plots import FIGURE_SUFFIXES, bars_figure, heatmap_figure, save_figure

    table_format(output, FIGURE_SUFFIXES)
    selection = selection_kwargs(codebook_name, coder, statuses, include_facilitators)
    with open_project_file(project) as proj:
        if kind == "heatmap":
            figure = heatmap_figure(counts_by(proj, by, **selection))
        else:
            figure = bars_figure(compare_groups(proj, by, group_a, group_b, **selection))
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
@real_names_option
def report(project, output, by, group_a, group_b, codebook_name, coder, statuses, exemplars,
           real_names):
    """Word report: corpus, codebook, counts, comparison, figures and exemplar quotes.

    Quotes name their speakers by participant id and role unless --real-names.

    Example: qualcode report study.qcproj -o report.docx
    """
    from qualcode.core.files import table_format
    from qualcode.export.report import write_report

    table_format(output, (".docx",))
    notes: list[str] = []
    with open_project_file(project) as proj:
        write_report(proj, output, by=by, a=group_a, b=group_b, codebook=codebook_name, coder=coder,
                     status=statuses or None, exemplars=exemplars, real_names=real_names, notes=notes)
    click.echo(f"wrote report to {output}")
    for note in notes:
        click.echo(f"Note: {note}", err=True)
