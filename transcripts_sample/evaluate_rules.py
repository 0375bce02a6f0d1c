"""Score the rule tagger against a gold coding sheet, turn by turn.

    .venv/bin/python transcripts_sample/evaluate_rules.py \
        [--gold transcripts_sample/gold_tuning.csv] \
        [--codebook codebooks/mentoring_expectations.yaml] \
        [--manifest transcripts_sample/manifest.csv --speakers transcripts_sample/speakers.csv] \
        [--misses]

Ingests the transcripts into a throw-away project, codes them with the
codebook's rules and prints per-code precision, recall, F1, support and
Cohen's kappa at the code and theme level (qualcode.analysis.scoring).  --misses
also lists every false positive and false negative with its turn, to tune by.
Until `qualcode agreement` exists this script is how the figures in the
README's gold section are produced.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from qualcode.codebook import load_codebook
from qualcode.workflows.code import code_project
from qualcode.analysis.scoring import evaluate, format_evaluation, parents_of, read_coding_sheet, tagger_code_sets
from qualcode.workflows.ingest import ingest
from qualcode.store.project import open_project

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", default=HERE / "gold_tuning.csv")
    parser.add_argument("--codebook", default=HERE.parent / "codebooks" / "mentoring_expectations.yaml")
    parser.add_argument("--manifest", default=HERE / "manifest.csv")
    parser.add_argument("--speakers", default=HERE / "speakers.csv")
    parser.add_argument("--misses", action="store_true", help="list false positives and negatives")
    args = parser.parse_args()
    codebook = load_codebook(args.codebook)
    gold = read_coding_sheet(args.gold, known_codes=codebook.ids)
    with tempfile.TemporaryDirectory() as tmp:
        with open_project(Path(tmp) / "eval.qcproj", create=True) as project:
            ingest(project, manifest=args.manifest, speakers=args.speakers)
            code_project(project, codebook)
            machine = tagger_code_sets(project, codebook.name, coder="rules")
            texts = project.segments_frame().set_index(["document", "turn"])["text"]
    result = evaluate(gold, machine, parents_of(codebook))
    print(format_evaluation(result))
    if args.misses:
        print("\n== misses (code level) ==")
        for key in gold.index.intersection(machine.index):
            g, m = gold.at[key, "codes"], machine.at[key, "codes"]
            if g != m:
                print(f"{key[0]} #{key[1]}  FN {sorted(g - m)}  FP {sorted(m - g)}")
                print("    " + " ".join(str(texts[key]).split())[:400])


if __name__ == "__main__":
    main()
