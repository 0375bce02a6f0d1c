"""Commands for codebooks and coding: codebook validate|show, code, explain."""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.cli.base import (cli, codebook, codebook_option, existing_file, load_codebook_file,
                               open_project_file, project_argument, real_names_option)
from qualcode.cli.llm import Progress, echo_llm_summary, llm_options, llm_options_from
from qualcode.cli.params import TaggerName

@codebook.command("validate")
@click.argument("file", type=existing_file)
def codebook_validate(file):
    """Report every problem in a codebook at once, with file and line.

    Example: qualcode codebook validate codebooks/mentoring_expectations.yaml
    """
    from qualcode.tagging.rules.pattern_check import check_codebook_with_spacy

    loaded, problems = check_codebook_with_spacy(file)
    if problems:
        for problem in problems:
            click.echo(f"Error: {problem}", err=True)
        click.get_current_context().exit(1)
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

    click.echo(format_codebook_tree(load_codebook_file(file), definitions=not no_definitions))


@cli.command("code")
@project_argument
@codebook_option
@click.option("--tagger", default="rules", show_default=True, type=TaggerName(),
              help="Which tagger codes the turns: rules, ml (a trained model), llm (a model you run), "
                   "all (rules and model combined) or a list combined, e.g. rules,ml,llm: each code by "
                   "the policy chosen on a person's coding (see --coder).")
@click.option("--model", "model_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Model file from qualcode train (for --tagger ml, all, or a list with ml).")
@click.option("--coder", help="Whose coding chooses how a list of taggers combines (default: the "
                              "model's coder; 'all' uses the policies chosen when the model was trained).")
@llm_options
@click.option("--include-facilitators", is_flag=True, help="Code facilitator turns too (never sent to the LLM).")
@click.option("--dry-run", is_flag=True, help="Show counts per code without writing anything "
                                              "(with llm: count the turns that would be sent, send none).")
def code(project, codebook_path, tagger, model_path, coder, include_facilitators, dry_run, **llm):
    """Code every participant turn in PROJECT with a codebook's tagger.

    Re-running replaces this tagger's earlier codings for the same codebook
    and never touches human codings.  The coder is named after the tagger
    (rules, ml, llm, all, or e.g. rules+llm for a list).  The LLM is asked
    once per turn; its answers are kept in the project, so running again
    sends nothing (unless --refresh).

    Example: qualcode code study.qcproj --codebook codebooks/mentoring_expectations.yaml

    Example: qualcode code study.qcproj --codebook codebooks/mentoring_expectations.yaml
    --tagger llm --llm-url http://127.0.0.1:11434/v1 --llm-model qwen2.5:7b-instruct
    """
    from qualcode.tagging.combine import default_policy
    from qualcode.workflows.code import code_project
    from qualcode.workflows.combine import tagger_parts

    book = load_codebook_file(codebook_path)
    model = None
    if "ml" in tagger_parts(tagger):
        if model_path is None:
            raise click.UsageError(f"--tagger {tagger} needs --model FILE (from qualcode train)")
        from qualcode.tagging.ml.modelfile import load_model
        model = load_model(model_path)
    progress = Progress("asking the LLM")
    try:
        with open_project_file(project) as proj:
            run = code_project(proj, book, tagger, include_facilitators=include_facilitators,
                               dry_run=dry_run, model=model, llm=llm_options_from(**llm), coder=coder,
                               notify=click.echo, progress=progress)
    finally:
        progress.close()
    if run.llm is not None:
        echo_llm_summary(run.llm, dry_run)
        if dry_run:
            return
    verb = "would store" if dry_run else "stored"
    click.echo(f"coded {run.segments} turns with {run.codebook} {run.version} ({run.tagger}): "
               f"{verb} {run.codings} codings" + ("" if dry_run else f", replaced {run.replaced}"))
    if run.combination is not None:
        click.echo(f"combined code by code: {run.combination.source}")
    width = max(len(code_id) for code_id in run.by_code)
    for code_id, n in run.by_code.items():
        policy = "" if run.combination is None else \
            f"  ({run.combination.policies.get(code_id, default_policy(run.combination.taggers))})"
        click.echo(f"  {code_id:<{width}}  {n}{policy}")


@cli.command()
@project_argument
@codebook_option
@click.option("--segment", "ref", required=True,
              help="Turn id (from export segments) or DOCUMENT:TURN, e.g. group1.docx:12.")
@real_names_option
def explain(project, codebook_path, ref, real_names):
    """Show which rules fire on one turn, which were vetoed and why.

    The speaker is shown by participant id unless --real-names.

    Example: qualcode explain study.qcproj --codebook codebooks/mentoring_expectations.yaml
    --segment scholars_northfield.docx:12
    """
    from qualcode.workflows.code import explain_segment

    book = load_codebook_file(codebook_path)
    with open_project_file(project) as proj:
        ex = explain_segment(proj, book, ref)
    who = ex.speaker if real_names else ex.participant
    click.echo(f"{ex.document} turn {ex.turn} (segment {ex.segment_id}), {who}"
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
