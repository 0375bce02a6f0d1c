"""Run one stage of the rule tagger over a fixed synthetic corpus, for instruction counting.

On a shared or virtual machine, CPU seconds move by 10-50% from run to run; the number
of instructions a stage executes does not.  Count them with valgrind, once with the
stage and once without (``none``: imports, corpus and tagger only), and subtract:

    PYTHONHASHSEED=0 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \\
        .venv/bin/python benchmarks/tagger_stage.py STAGE [CODEBOOK]

Each run takes about a minute.  Stages are cumulative: ``tokenizer`` (the bare tokenizer,
the floor), ``lemmas`` (tokenizer, LOWER ids and the rules' lemmas set on the doc),
``matches`` (+ phrases and token patterns, spaCy's matchers), ``hits`` (+ sentences and
rule checks on docs with matches) and ``rows`` (what the coding workers run:
``coding_rows``, codings grouped, evidence JSON included).  The corpus is about 40,000
words (seed 0); a first pass over another corpus (seed 1) warms the tagger's per-word
caches, as a long run would.  CODEBOOK defaults to mentoring_expectations.
"""

from __future__ import annotations

import sys
from pathlib import Path

from qcbench.corpus import generate_turns
from qualcode.codebook import load_codebook
from qualcode.tagging import RuleTagger, get_nlp

STAGES = ("none", "tokenizer", "lemmas", "matches", "hits", "rows")


def main(stage: str, book: str = "mentoring_expectations") -> None:
    if stage not in STAGES:
        raise SystemExit(f"unknown stage {stage!r}; choose one of {', '.join(STAGES)}")
    texts = [text for _, text in generate_turns(0, 40_000)]
    tagger = RuleTagger(load_codebook(Path(__file__).resolve().parents[1] / "codebooks" / f"{book}.yaml"))
    for _ in tagger.coding_rows((i, text, 0) for i, (_, text) in enumerate(generate_turns(1, 40_000))):
        pass  # warm-up
    tokenizer = get_nlp().tokenizer
    items = [(i, text, 0) for i, text in enumerate(texts)]
    if stage == "tokenizer":
        for text in texts:
            tokenizer(text)
    elif stage in ("lemmas", "matches"):
        for text in texts:
            doc = tagger.nlp.make_doc(text)
            lowers, lemmas = tagger._lemmatizer.annotate(doc)
            if stage == "matches" and len(doc):
                tagger._matcher(doc, lowers, lemmas)
    elif stage == "hits":
        for text in texts:
            tagger.hits(tagger.nlp.make_doc(text), text)
    elif stage == "rows":
        for _ in tagger.coding_rows(items):
            pass

if __name__ == "__main__":
    main(*sys.argv[1:3])
