"""Score the rule tagger against a gold coding sheet, turn by turn.

    .venv/bin/python transcripts_sample/evaluate_rules.py \
        [--gold transcripts_sample/gold_tuning.csv] \
        [--codebook codebooks/mentoring_expectations.yaml] \
        [--manifest transcripts_sample/manifest.csv --speakers transcripts_sample/speakers.csv] \
        [--misses]

Ingests the transcripts into a throw-away project, codes them with the
codebook's rules, imports the gold sheet as coder ``gold`` and prints, at the
code and the theme level, the rules' precision, recall and F1 against gold with
Cohen's kappa and Krippendorff's alpha - the figures of
``qualcode agreement PROJECT --coders gold,rules --reference gold`` (the same
library calls, qualcode.analysis.agreement).  --misses also lists every turn where
the rules and gold differ, with the codes the rules missed (FN) and added (FP), to
tune by.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd

from qualcode.analysis.agreement import agreement_table, disagreements, prepare_agreement, reference_table
from qualcode.analysis.metrics import format_metric
from qualcode.codebook import load_codebook
from qualcode.exchange.sheets import import_codings
from qualcode.store.project import open_project
from qualcode.workflows.code import code_project
from qualcode.workflows.ingest import ingest

HERE = Path(__file__).resolve().parent


def scores(data, level: str) -> pd.DataFrame:
    """Per code and overall: tp, fp, fn, precision, recall, F1, kappa and alpha, as printed."""
    table = reference_table(data, "gold", level=level).drop(columns="coder")
    table = table.merge(agreement_table(data, level=level)[["code", "kappa", "alpha"]], on="code")
    for column in ("precision", "recall", "f1", "kappa", "alpha"):
        table[column] = table[column].map(format_metric)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", default=HERE / "gold_tuning.csv")
    parser.add_argument("--codebook", default=HERE.parent / "codebooks" / "mentoring_expectations.yaml")
    parser.add_argument("--manifest", default=HERE / "manifest.csv")
    parser.add_argument("--speakers", default=HERE / "speakers.csv")
    parser.add_argument("--misses", action="store_true", help="list the turns and codes where they differ")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        with open_project(Path(tmp) / "eval.qcproj", create=True) as project:
            ingest(project, manifest=args.manifest, speakers=args.speakers)
            code_project(project, load_codebook(args.codebook))
            import_codings(project, args.gold, coder="gold")
            data = prepare_agreement(project, ["gold", "rules"])
    print(f"{data.pairable} turns compared (the turns of {Path(args.gold).name})")
    for level in ("code", "theme"):
        print(f"\n== {level} level ==")
        print(scores(data, level).to_string(index=False))
    if args.misses:
        print("\n== misses (code level) ==")
        listing = disagreements(data, real_names=True)
        for (document, turn), rows in listing.groupby(["document", "turn"], sort=False):
            missed = rows.loc[rows["gold"] == "yes", "code"].tolist()
            extra = rows.loc[rows["rules"] == "yes", "code"].tolist()
            print(f"{document} #{turn}  FN {missed}  FP {extra}")
            print("    " + " ".join(str(rows["text"].iloc[0]).split())[:400])


if __name__ == "__main__":
    main()
