"""The benchmark's command line: ``python benchmarks/run.py`` (what ``make bench`` runs)."""

from __future__ import annotations

from pathlib import Path

import click

#: How the results file says to regenerate it.
PROGRAM = "python benchmarks/run.py"
DEFAULT_OUTPUT = Path("benchmarks/RESULTS.md")


def _sizes(ctx, param, value):
    try:
        sizes = [int(float(v)) for v in value.split(",") if v.strip()]
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a comma-separated list of word counts") from None
    if not sizes or any(s < 1000 for s in sizes):
        raise click.BadParameter("give word counts of at least 1000, e.g. 1e5,1e6")
    return sizes


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--sizes", default="1e5,1e6", show_default=True, callback=_sizes,
              help="Corpus sizes in words, comma-separated.")
@click.option("--huge", is_flag=True, help="Also run 10^7 words (takes several minutes).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_OUTPUT, show_default=True, help="Markdown results file.")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path),
              help="Keep corpora and projects here (default: a temporary folder, removed).")
@click.option("--workers", type=click.IntRange(1, 64),
              help="Processes for rule coding (default: automatic, both cores for large jobs).")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the synthetic corpus.")
@click.option("--ml-training-words", type=click.IntRange(min=2000), default=40_000, show_default=True,
              help="Words of the separate corpus the ML step's model is trained on (once, not timed).")
def bench(sizes, huge, output, workdir, workers, seed, ml_training_words):
    """Time ingest, rule coding, exports and ML coding on synthetic corpora against spaCy's bare tokenizer.

    Every step runs in a fresh process; words/s, the ratio to the tokenizer and peak
    memory go to a Markdown table (benchmarks/RESULTS.md by default).  The ML step's
    model is trained first, untimed, on rule codings standing in for a human coder's.

    Example: python benchmarks/run.py --sizes 1e5,1e6 -o benchmarks/RESULTS.md
    """
    from qcbench.run import HUGE, run_benchmark, write_results

    if huge and HUGE not in sizes:
        sizes = [*sizes, HUGE]
    command = f"{PROGRAM} --sizes " + ",".join(f"{s:.0e}".replace("+0", "") for s in sizes) + \
        (f" --workers {workers}" if workers else "") + (f" --seed {seed}" if seed != 1 else "") + \
        (f" --ml-training-words {ml_training_words}" if ml_training_words != 40_000 else "") + \
        (f" -o {output}" if output != DEFAULT_OUTPUT else "")
    results = run_benchmark(sizes, workdir, seed=seed, workers=workers, command=command,
                            ml_training_words=ml_training_words,
                            progress=lambda message: click.echo(message, err=True))
    write_results(results, output)
    click.echo(results.markdown())
    click.echo(f"wrote {output}")
