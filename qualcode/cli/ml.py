"""Commands for the machine-learning tagger: train, evaluate, suggest."""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.cli.base import cli, open_project_file, project_argument, real_names_option, table_output
from qualcode.cli.llm import Progress, echo_llm_summary, llm_options, llm_options_from
from qualcode.cli.params import SEED, OutputFile, TaggerName
from qualcode.core.files import MODEL_SUFFIXES


def _codebook_name_option(command):
    return click.option("--codebook", "codebook_name",
                        help="Codebook name (or 'name version') the coder used; needed only when "
                             "the coder coded with several.")(command)


def _echo_notes(data) -> None:
    if data.source == "coverage":
        click.echo(f"training turns: the {len(data.turns)} turns {data.coder!r} covered with "
                   f"{data.codebook.label}")
    for note in data.notes:
        click.echo(f"note: {note}")


@cli.command()
@project_argument
@click.option("--coder", required=True, help="The human coder whose codings the model learns.")
@_codebook_name_option
@click.option("-o", "--output", "output", required=True, type=OutputFile(MODEL_SUFFIXES),
              help="Model file to write (.qcmodel), e.g. gold.qcmodel.")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Random seed (folds, solver).")
@click.option("--min-positives", type=click.IntRange(min=2),
              help="Fewest coded turns a code needs to be learned, at least 2 (default: 5).")
def train(project, coder, codebook_name, output, seed, min_positives):
    """Train the ML tagger on one coder's codings and save it as a model file.

    The model learns every code with enough coded turns (C and a decision
    threshold per code chosen by cross-validation); codes with fewer are
    listed as not learned.  When the project keeps the codebook's rules, the
    model file also records how --tagger all combines rules and model for
    each code, chosen by 5-fold cross-validation on the same turns.

    Example: qualcode train study.qcproj --coder gold -o gold.qcmodel
    """
    from qualcode.workflows.train import train_model

    options = {} if min_positives is None else {"min_positives": min_positives}
    with open_project_file(project) as proj:
        trained = train_model(proj, coder, codebook_name, output=output, seed=seed, **options)
    _echo_notes(trained.data)
    codes = trained.codes
    click.echo(f"trained on {len(trained.data.turns)} turns by {coder!r} ({trained.data.codebook.label}): "
               f"{len(trained.learned)} of {len(codes)} codes learned; wrote {output}")
    width = max(len(c["code"]) for c in codes)
    click.echo(f"  {'code':<{width}}  turns  C      threshold  cv_f1")
    for c in codes:
        if c["learned"]:
            click.echo(f"  {c['code']:<{width}}  {c['positives']:>5}  {c['C']:<5g}  "
                       f"{c['threshold']:<9.3f}  {c['cv_f1']:.3f}")
        else:
            click.echo(f"  {c['code']:<{width}}  {c['positives']:>5}  not learned "
                       f"(fewer than {trained.model.tagger.min_positives} coded or uncoded turns)")
    combination = trained.model.info.get("combination")
    if combination is None:
        click.echo("note: the project keeps no rules for this codebook: --tagger all will use the rules "
                   "alone until a model is trained where they are kept")
        return
    click.echo(f"--tagger all, code by code ({combination['folds']}-fold cross-validation on these turns; "
               f"a combination only when its F1 is {combination['margin']:g} above the best single tagger's):")
    for code, choice in combination["policies"].items():
        scores = "  ".join(f"{p} {'n/a' if f is None else f'{f:.3f}'}" for p, f in choice["f1"].items())
        click.echo(f"  {code:<{width}}  {choice['policy']:<12}  {choice['basis']:<7}  F1: {scores}")


def _once_each(ctx, param, values):
    return tuple(dict.fromkeys(values))


@cli.command()
@project_argument
@click.option("--coder", required=True, help="The human coder the taggers are scored against.")
@_codebook_name_option
@click.option("--folds", type=click.IntRange(min=2), default=5, show_default=True,
              help="Cross-validation folds (at least 2).")
@click.option("--tagger", multiple=True, type=TaggerName(), callback=_once_each,
              help="Which tagger(s) to score: ml, rules, llm, all (rules and ml combined) or a list "
                   "combined, e.g. rules,ml,llm; repeat for several (default: ml, rules and all).")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Random seed (folds, subsets, solver).")
@click.option("--no-curve", is_flag=True, help="Skip the learning curve (faster).")
@click.option("-o", "--output", "output", type=table_output,
              help="Write the per-code scores to CSV or XLSX.")
@click.option("--curve-output", type=table_output, help="Write the learning curve to CSV or XLSX.")
@llm_options
def evaluate(project, coder, codebook_name, folds, tagger, seed, no_curve, output, curve_output, **llm):
    """Cross-validated precision, recall, F1 and kappa per code against a human coder.

    The model is refitted on each training fold and scored on the held-out
    fold (folds by iterative multi-label stratification); the rules and the
    LLM need no training and are scored on the same turns.  A combination
    ('all', or a list such as rules,llm) is scored with each code's policy
    chosen on the other folds; the policies chosen on every turn are listed
    with their F1 and the alternatives'.  The learning curve shows F1 with
    25/50/75/100% of the training folds.

    Example: qualcode evaluate study.qcproj --coder gold --folds 5 -o scores.csv

    Example: qualcode evaluate study.qcproj --coder gold --tagger llm --tagger rules,llm
    --llm-url http://127.0.0.1:11434/v1 --llm-model qwen2.5:7b-instruct
    """
    from qualcode.export.files import write_table
    from qualcode.workflows.evaluate import DEFAULT_TAGGERS, evaluate_coder

    progress = Progress("asking the LLM")
    try:
        with open_project_file(project) as proj:
            result = evaluate_coder(proj, coder, codebook_name, taggers=tagger or DEFAULT_TAGGERS, folds=folds,
                                    seed=seed, curve=None if no_curve else (0.25, 0.5, 0.75, 1.0),
                                    llm_options=llm_options_from(**llm), notify=click.echo, progress=progress)
    finally:
        progress.close()
    _echo_notes(result.data)
    if result.llm is not None:
        echo_llm_summary(result.llm, dry_run=False)
    for note in result.notes:
        click.echo(f"note: {note}")
    click.echo(f"{result.folds}-fold cross-validation on {result.turns} turns coded by {coder!r} "
               f"(seed {seed}):")
    click.echo(_metrics_text(result.scores, ("precision", "recall", "f1", "kappa")))
    for name, table in result.policies.items():
        click.echo(f"how {name} combines its taggers, code by code (chosen on all {result.turns} turns; "
                   "F1 of each policy there):")
        click.echo(_metrics_text(table, [c for c in table.columns if c.startswith("f1")]))
    if not result.curve.empty:
        click.echo("learning curve (ml, F1 on the held-out folds):")
        curve = result.curve.copy()
        curve["fraction"] = curve["fraction"].map(lambda f: f"{f:.0%}")
        click.echo(_metrics_text(curve, ("micro_f1", "macro_f1")))
    if output is not None:
        write_table(result.scores.round(4), output, sheet_name="scores")
        click.echo(f"wrote {output}")
    if curve_output is not None and not result.curve.empty:
        write_table(result.curve.round(4), curve_output, sheet_name="learning curve")
        click.echo(f"wrote {curve_output}")


def _metrics_text(frame, columns) -> str:
    from qualcode.analysis.metrics import format_metric

    shown = frame.copy()
    for column in columns:
        shown[column] = shown[column].map(format_metric)
    return shown.to_string(index=False)


@cli.command()
@project_argument
@click.option("--model", "model_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Model file from qualcode train.")
@click.option("-n", "count", type=click.IntRange(min=1), default=20, show_default=True,
              help="How many turns to suggest.")
@click.option("-o", "--output", "output", required=True, type=table_output,
              help="Coding sheet to write (.csv or .xlsx).")
@click.option("--include-facilitators", is_flag=True, help="Consider facilitator turns too.")
@real_names_option
def suggest(project, model_path, count, output, include_facilitators, real_names):
    """List the uncoded turns whose coding would teach the model most, as a coding sheet.

    Turns the model's coder has not covered, the model's least certain first
    (probability nearest a code's threshold).  Fill in the codes column and
    bring it back with qualcode import-codings.

    Example: qualcode suggest study.qcproj --model gold.qcmodel -n 20 -o next_turns.xlsx
    """
    from qualcode.export.files import write_table
    from qualcode.tagging.ml.modelfile import load_model
    from qualcode.tagging.ml.suggest import suggest_turns

    model = load_model(model_path)
    with open_project_file(project) as proj:
        sheet = suggest_turns(proj, model, count, include_facilitators=include_facilitators,
                              real_names=real_names)
    write_table(sheet, output, sheet_name="coding sheet")
    click.echo(f"wrote {len(sheet)} turns for {model.coder!r} to code to {output}")
