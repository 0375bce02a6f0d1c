"""Commands that turn codings into tables, figures and reports: export excerpts|counts,
compare, alignment, plot, report."""

from __future__ import annotations

import click
from click.core import ParameterSource

from qualcode.cli.base import (alignment_level_option, cli, codings_options, export, grouping_options,
                               open_project_file, pairs_option, project_argument, quote_context, quote_options,
                               real_names_option, selection_kwargs, selection_options, table_output,
                               unidentified_option)
from qualcode.cli.params import OutputFile
from qualcode.core.files import ALIGNMENT_SUFFIXES, EXCERPT_SUFFIXES, FIGURE_SUFFIXES, REPORT_SUFFIXES


@export.command("excerpts")
@project_argument
@click.option("-o", "--output", required=True, type=OutputFile(EXCERPT_SUFFIXES),
              help="Output file: .csv, .xlsx (a sheet per theme) or .docx (quotes by theme and code).")
@click.option("--code", "codes", multiple=True, help="Only this code and its subcodes (repeatable).")
@click.option("--theme", "themes", multiple=True, help="Only this theme, by id or name (repeatable).")
@click.option("--role", "roles", multiple=True, help="Only speakers with this role (repeatable).")
@click.option("--document", "documents", multiple=True, help="Only this document (repeatable).")
@selection_options
@click.option("--sort", type=click.Choice(["code", "document", "participant", "role"]), default="code",
              show_default=True, help="Order of the quotes.")
@quote_options
@real_names_option
def export_excerpts(project, output, codes, themes, roles, documents, codebook_name, coder, statuses,
                    include_facilitators, include_unidentified, sort, context, sentences, with_question,
                    real_names):
    """Quote table: one quote per code and turn (whole sentences) with speaker, role, group,
    code and position.

    --context turn quotes whole turns, --sentences N adds sentences around each hit,
    --with-question the facilitator's question the turn answers.  Speakers are
    pseudonymized (participant id and role) unless --real-names.

    Example: qualcode export excerpts study.qcproj -o quotes.docx --theme power_differential
    --sentences 1 --with-question
    """
    from qualcode.analysis.excerpts import iter_excerpts
    from qualcode.export.excerpts import write_excerpts

    with open_project_file(project) as proj:
        excerpts = iter_excerpts(proj, code=codes, theme=themes, role=roles, document=documents,
                                 sort=sort, real_names=real_names,
                                 context=quote_context(context, sentences, with_question),
                                 **selection_kwargs(codebook_name, coder, statuses, include_facilitators,
                                                    include_unidentified))
        write_excerpts(excerpts, output, note=f"Selection: {excerpts.selection}.")
    click.echo(f"wrote {excerpts.read} excerpts to {output} ({excerpts.selection})")


@export.command("counts")
@project_argument
@grouping_options(groups=False)
@click.option("-o", "--output", required=True, type=table_output, help="Output file (.csv or .xlsx).")
@selection_options
@click.option("--no-rollup", is_flag=True, help="Parent codes count only their own codings.")
@click.option("--total", is_flag=True, help="Add a group 'all' over every counted turn.")
def export_counts(project, by, output, codebook_name, coder, statuses, include_facilitators,
                  include_unidentified, no_rollup, total):
    """Counts per code and group: mentions, turns coded, share of the group's turns,
    distinct participants, documents.

    Example: qualcode export counts study.qcproj --by site -o counts.xlsx
    """
    from qualcode.analysis import counts_by
    from qualcode.export.tables import write_counts

    with open_project_file(project) as proj:
        frame = counts_by(proj, by, rollup=not no_rollup, total=total,
                          **selection_kwargs(codebook_name, coder, statuses, include_facilitators,
                                             include_unidentified))
    write_counts(frame, output)
    click.echo(f"wrote {len(frame)} rows ({frame['code'].nunique()} codes x "
               f"{frame['group'].nunique()} {by} values) to {output} ({frame.attrs['selection']})")


@cli.command()
@project_argument
@grouping_options
@click.option("--unit", type=click.Choice(["turns", "participants"]), default="turns", show_default=True,
              help="Compare shares of participant turns, or of distinct participants.")
@click.option("--correction", type=click.Choice(["holm", "bh", "none"]), default="holm",
              show_default=True, help="Multiple-comparison correction (bh: Benjamini-Hochberg).")
@click.option("-o", "--output", type=table_output, help="Also write the full table (.csv or .xlsx).")
@selection_options
def compare(project, by, group_a, group_b, unit, correction, output, codebook_name, coder, statuses,
            include_facilitators, include_unidentified):
    """Compare two groups code by code: shares, difference with a 95% CI (Newcombe),
    Fisher's exact test with Holm (or BH) adjustment; 'few data' where counts are small.

    Example: qualcode compare study.qcproj --by role --a scholar --b mentor -o compare.xlsx
    """
    from qualcode.analysis import compare_display, compare_groups
    from qualcode.export.tables import CORRECTION_NAMES, write_comparison

    with open_project_file(project) as proj:
        table = compare_groups(proj, by, group_a, group_b, unit=unit, correction=correction,
                               **selection_kwargs(codebook_name, coder, statuses, include_facilitators,
                                                  include_unidentified))
    a, b = table["a"].iloc[0], table["b"].iloc[0]
    click.echo(f"{a} vs {b} ({by}); unit: {'participant turns' if unit == 'turns' else 'participants'}; "
               f"Fisher's exact test, {CORRECTION_NAMES[correction]}-adjusted")
    click.echo(f"{table.attrs['selection']}\n")
    display = compare_display(table)
    width = int(display["code"].str.len().max())
    click.echo(display.to_string(index=False, justify="left",
                                 formatters={"code": lambda text: f"{text:<{width}}"}))
    if table["few_data"].any():
        click.echo("\nfew data: fewer than 5 coded units in both groups together, or a group with "
                   "fewer than 10: no conclusion either way")
    if output is not None:
        write_comparison(table, output)
        click.echo(f"wrote {len(table)} rows to {output}")


@cli.command()
@project_argument
@pairs_option(required=True)
@click.option("-o", "--output", required=True, type=OutputFile(ALIGNMENT_SUFFIXES),
              help="Output file: .csv (one row per pair and code), .xlsx (also per pair, mismatches "
                   "with quotes, across pairs) or .docx.")
@alignment_level_option
@codings_options
@real_names_option
def alignment(project, pairs_file, output, level, codebook_name, coder, statuses, real_names):
    """Alignment within scholar-mentor pairs: for every pair and code, whether the scholar,
    the mentor, both or neither raised it; per pair the share of codes both raised among
    those either raised, and Cohen's kappa; per code across pairs, the pairs aligned with a
    Wilson 95% interval, and the most frequent mismatches.

    Every problem in the pairs file is reported at once, and nothing is written then.
    Speakers are shown by participant id and role unless --real-names.

    Example: qualcode alignment pairs.qcproj --pairs pairs.csv -o alignment.xlsx
    """
    from qualcode.analysis.alignment import pairs_alignment
    from qualcode.export.alignment import alignment_summary, write_alignment

    with open_project_file(project) as proj:
        result = pairs_alignment(proj, pairs_file, codebook=codebook_name, coder=coder,
                                 status=statuses or None, real_names=real_names, level=level)
    write_alignment(result, output)
    click.echo(alignment_summary(result))
    click.echo(f"wrote {len(result.codes)} rows ({len(result.pairs)} pairs x "
               f"{result.codes['code'].nunique()} codes) to {output} ({result.selection})")
    for note in result.notes:
        click.echo(f"Note: {note}", err=True)


@cli.command()
@project_argument
@click.option("--kind", type=click.Choice(["heatmap", "bars", "alignment"]), default="heatmap",
              show_default=True, help="heatmap: codes x groups; bars: two groups' shares side by side; "
                                      "alignment: codes x scholar-mentor pairs (needs --pairs).")
@click.option("-o", "--output", required=True, type=OutputFile(FIGURE_SUFFIXES),
              help="Output image (.png or .svg).")
@grouping_options(what="bars: ")
@pairs_option()
@alignment_level_option
@selection_options
def plot(project, kind, output, by, group_a, group_b, pairs_file, level, codebook_name, coder, statuses,
         include_facilitators, include_unidentified):
    """Draw a heatmap of codes by group, bars of two groups' shares, or the alignment of
    scholar-mentor pairs (each code in each pair coloured by who raised it).

    Example: qualcode plot study.qcproj --kind bars -o scholars_vs_mentors.png
    """
    from qualcode.analysis import compare_groups, counts_by
    from qualcode.analysis.alignment import pairs_alignment
    from qualcode.export.plots import alignment_figure, bars_figure, heatmap_figure, save_figure

    if (kind == "alignment") != (pairs_file is not None):
        raise click.UsageError("--kind alignment needs --pairs FILE" if kind == "alignment"
                               else f"--pairs goes with --kind alignment, not --kind {kind}")
    if kind != "alignment" and click.get_current_context().get_parameter_source("level") is not ParameterSource.DEFAULT:
        raise click.UsageError(f"--level goes with --kind alignment, not --kind {kind}")
    selection = selection_kwargs(codebook_name, coder, statuses, include_facilitators, include_unidentified)
    with open_project_file(project) as proj:
        if kind == "heatmap":
            counts = counts_by(proj, by, **selection)
            used = counts.attrs["selection"]
            figure = heatmap_figure(counts, caption=used)
        elif kind == "bars":
            table = compare_groups(proj, by, group_a, group_b, **selection)
            used = table.attrs["selection"]
            figure = bars_figure(table, caption=used)
        else:
            selection.pop("include_facilitators")
            selection.pop("include_unidentified")
            aligned = pairs_alignment(proj, pairs_file, level=level, **selection)
            used = aligned.selection
            figure = alignment_figure(aligned)
    save_figure(figure, output)
    click.echo(f"wrote {kind} to {output} ({used})")


@cli.command()
@project_argument
@click.option("-o", "--output", required=True, type=OutputFile(REPORT_SUFFIXES), help="Output file (.docx).")
@grouping_options
@codings_options
@unidentified_option
@click.option("--exemplars", type=click.IntRange(0, 20), default=3, show_default=True,
              help="Quotes per code in the report.")
@quote_options
@pairs_option()
@real_names_option
def report(project, output, by, group_a, group_b, codebook_name, coder, statuses, include_unidentified,
           exemplars, context, sentences, with_question, pairs_file, real_names):
    """Word report: corpus, codebook, counts, comparison, figures and exemplar quotes; with
    --pairs, also the alignment within scholar-mentor pairs.

    Quotes name their speakers by participant id and role unless --real-names.

    Example: qualcode report study.qcproj -o report.docx --pairs pairs.csv
    """
    from qualcode.export.report import write_report

    notes: list[str] = []
    with open_project_file(project) as proj:
        write_report(proj, output, by=by, a=group_a, b=group_b, codebook=codebook_name, coder=coder,
                     status=statuses or None, exemplars=exemplars, real_names=real_names, notes=notes,
                     pairs=pairs_file, include_unidentified=include_unidentified,
                     context=quote_context(context, sentences, with_question))
    click.echo(f"wrote report to {output}")
    for note in notes:
        click.echo(f"Note: {note}", err=True)
