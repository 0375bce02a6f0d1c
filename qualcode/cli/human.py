"""Commands for human coding: export coding-sheet, import-codings, agreement."""

from __future__ import annotations

import click

from qualcode.cli.base import (cli, export, open_project_file, project_argument, quote_context, quote_options,
                               real_names_option, table_output)

codebook_choice = click.option(
    "--codebook", help="Codebook: a YAML file (added to the project if new) or the name of one "
                       "already in the project (default: the most recently added).")


@export.command("coding-sheet")
@project_argument
@click.option("-o", "--output", required=True, type=table_output,
              help="Output file: .xlsx (drop-down of codes, codes sheet) or .csv.")
@click.option("--document", "documents", multiple=True, help="Only this document (repeatable).")
@codebook_choice
@click.option("--suggestions", metavar="CODER",
              help="Show this tagger's suggested codes (e.g. rules) with a 'decision' column "
                   "to accept or reject them.")
@click.option("--include-facilitators", is_flag=True, help="Put facilitator turns on the sheet too.")
@quote_options(default="turn", what="With --suggestions, a suggested_text column quotes each suggestion "
                                    "(default turn: none). ")
@real_names_option
def export_coding_sheet(project, output, documents, codebook, suggestions, include_facilitators,
                        context, sentences, with_question, real_names):
    """Coding sheet: one row per participant turn, with an empty 'codes' column to fill in.

    Write code ids in 'codes', separated by ';' (empty: no code applies; every row
    counts as a turn you read, so delete rows you did not read), then import the
    sheet with import-codings.  The .xlsx has a drop-down of code ids and a sheet
    listing the codes with their definitions.  Speakers are shown by participant
    id and role unless --real-names; either form imports back.

    With --suggestions rules, each row also shows the tagger's 'suggested' codes and
    a 'decision' column: 'accept' or 'reject' decides every suggestion of the turn,
    'CODE:accept' / 'CODE:reject' one of them ('accept; tools:reject' mixes both).
    A row with an undecided suggestion and no codes counts as not reviewed yet.
    --context sentence adds 'suggested_text', what each suggestion was given to;
    --with-question the facilitator's question each turn answers.

    Example: qualcode export coding-sheet study.qcproj -o sheet.xlsx --suggestions rules
    --context sentence --with-question
    """
    from qualcode.exchange.sheets import coding_sheet_frame, write_coding_sheet

    with open_project_file(project) as proj:
        sheet, codes = coding_sheet_frame(proj, documents=documents, codebook=codebook,
                                          suggestions=suggestions,
                                          include_facilitators=include_facilitators,
                                          real_names=real_names,
                                          context=quote_context(context, sentences, with_question))
    write_coding_sheet(sheet, codes, output)
    extra = f", {suggestions} suggestions on {int((sheet['suggested'] != '').sum())}" if suggestions else ""
    click.echo(f"wrote {len(sheet)} turns{extra} to {output} (codebook {sheet.attrs['codebook']}, "
               f"{len(codes)} codes)")


@cli.command("import-codings")
@project_argument
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--coder", required=True, help="The person who coded (name or initials), e.g. gold.")
@codebook_choice
@click.option("--review", "suggestions", metavar="CODER",
              help="The file is a reviewed sheet of this tagger's suggestions (detected from a "
                   "'decision' column and its suggested_by column otherwise).")
def import_codings_command(project, file, coder, codebook, suggestions):
    """Import a person's codings from CSV/XLSX (all rows or none).

    Layouts: the coding sheet (document,turn,codes; empty codes = read, no code),
    or one coding per row: document,turn,code / document,start,end,code[,text] /
    document,code,text (a quote that must occur once in the document).  A reviewed
    sheet (with a 'decision' column) also accepts/rejects the tagger's suggestions.
    Every bad row is reported at once.  Re-importing replaces this coder's earlier
    codings in the documents the file covers.

    Example: qualcode import-codings study.qcproj transcripts_sample/gold_tuning.csv --coder gold
    """
    from qualcode.exchange.sheets import import_codings

    with open_project_file(project) as proj:
        r = import_codings(proj, file, coder, codebook=codebook, suggestions=suggestions)
    layout = {"sheet": "coding sheet", "turns": "one turn per row", "spans": "character spans",
              "quotes": "quotes", "review": "reviewed sheet"}[r.layout]
    n_docs = len(r.documents)
    click.echo(f"imported {r.codings} codings by {r.coder} from {file} ({layout}, codebook {r.codebook}): "
               f"{r.turns_covered} turns read in {n_docs} document{'s' if n_docs != 1 else ''}")
    if r.replaced_codings or r.replaced_turns:
        click.echo(f"replaced {r.replaced_codings} earlier codings and {r.replaced_turns} read turns "
                   f"by {r.coder} in these documents")
    if r.layout == "review":
        click.echo(f"review of {r.suggester} suggestions: {r.accepted} accepted, {r.rejected} rejected"
                   + (f"; {r.undecided_turns} turns with undecided suggestions not counted as read"
                      if r.undecided_turns else ""))
    width = max((len(c) for c in r.by_code), default=0)
    for code, n in r.by_code.items():
        click.echo(f"  {code:<{width}}  {n}")


def text_table(frame, left: tuple[str, ...] = ("code", "coder")) -> str:
    """Aligned plain-text table: text columns left-aligned, numbers right-aligned."""
    columns = list(frame.columns)
    cells = [[str(v) for v in frame[c]] for c in columns]
    widths = [max([len(c)] + [len(v) for v in col]) for c, col in zip(columns, cells)]

    def line(values):
        return "  ".join(v.ljust(w) if c in left else v.rjust(w)
                         for c, v, w in zip(columns, values, widths)).rstrip()

    return "\n".join([line(columns)] + [line(row) for row in zip(*cells)])


def format_agreement(table) -> str:
    """The agreement table as aligned text: units, codings per coder, agreement %, kappa, alpha."""
    from qualcode.analysis.metrics import format_metric

    coders = table.attrs["coders"]
    shown = table.copy()
    shown["agreement"] = shown["agreement"].map(lambda v: format_metric(v, 1))
    for column in ("kappa", "alpha"):
        if column in shown:
            shown[column] = shown[column].map(format_metric)
    return text_table(shown.rename(columns={**{f"n_{c}": c for c in coders}, "agreement": "agree %"}))


def format_reference(table) -> str:
    """Precision/recall/F1 against the reference as aligned text."""
    from qualcode.analysis.metrics import format_metric

    shown = table.copy()
    for column in ("precision", "recall", "f1"):
        shown[column] = shown[column].map(format_metric)
    return text_table(shown)


@cli.command()
@project_argument
@click.option("--coders", required=True,
              help="Comma-separated coders to compare, e.g. alice,bob or gold,rules.")
@click.option("--codebook", "codebook_name", help="Codebook name (default: the most recently added "
                                                  "one the coders used).")
@click.option("--level", type=click.Choice(["code", "theme"]), default="code", show_default=True,
              help="code: each code on its own; theme: codes rolled up to their theme.")
@click.option("--rollup", is_flag=True,
              help="With --level code: a subcode also counts for its parent and every ancestor.")
@click.option("--unit", type=click.Choice(["turns", "characters"]), default="turns", show_default=True,
              help="Agreement over turns, or over the characters of the turns (coded spans).")
@click.option("--document", "documents", multiple=True, help="Only this document (repeatable).")
@click.option("--reference", help="Also precision/recall/F1 of each other coder against this one.")
@click.option("--status", "statuses", multiple=True,
              type=click.Choice(["suggested", "accepted", "rejected"]),
              help="Coding status that counts; repeat for several (default: every status, so a "
                   "tagger is judged on all it suggested, also what a reviewer rejected).")
@click.option("--include-facilitators", is_flag=True, help="Count facilitator turns too.")
@click.option("-o", "--output", type=table_output,
              help="Write the disagreements (one row per turn and code) to .csv or .xlsx.")
@real_names_option
def agreement(project, coders, codebook_name, level, rollup, unit, documents, reference, statuses,
              include_facilitators, output, real_names):
    """Inter-coder agreement per code and overall: percent agreement, Cohen's kappa
    (two coders), Krippendorff's alpha (nominal; a turn a coder did not read is missing).

    Coders are people (imported with import-codings) or taggers (rules).  Only the
    turns each coder read count (the coding sheet's rows; a tagger reads every
    participant turn).  'overall' pools every turn-and-code decision.

    Example: qualcode agreement study.qcproj --coders gold,rules --reference gold -o disagreements.xlsx
    """
    from qualcode.analysis.agreement import (agreement_table, disagreements, prepare_agreement,
                                             reference_table)
    from qualcode.export.files import write_table

    with open_project_file(project) as proj:
        data = prepare_agreement(proj, coders.split(","), codebook=codebook_name, documents=documents,
                                 status=statuses or None, include_facilitators=include_facilitators)
    options = {"level": level, "rollup": rollup, "unit": unit}
    table = agreement_table(data, **options)
    if reference is not None:
        refs = reference_table(data, reference, **options)
    what = "theme" if level == "theme" else ("code with subcodes rolled up" if rollup else "code")
    click.echo(f"Agreement of {', '.join(data.coders)} (codebook {data.codebook}; level {what}; "
               f"unit {unit}): {data.pairable} turns read by at least two coders, "
               f"{len(data.units)} by any")
    click.echo(format_agreement(table))
    unit_word = "turns" if unit == "turns" else "characters"
    click.echo(f"units: {unit_word} read by at least two of the coders; "
               f"{', '.join(data.coders)}: how many of those each coded")
    if reference is not None:
        click.echo(f"\nAgainst {reference} (reference), on the {unit_word} both read:")
        click.echo(format_reference(refs))
    for note in data.notes:
        click.echo(f"Note: {note}")
    if output is not None:
        listing = disagreements(data, **options, real_names=real_names)
        write_table(listing, output, sheet_name="disagreements")
        click.echo(f"wrote {len(listing)} disagreements to {output}")
