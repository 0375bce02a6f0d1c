"""Run one stage of the rule tagger over a fixed synthetic corpus, for instruction counting.

On a shared or virtual machine, CPU seconds move by 10-50% from run to run; the number
of instructions a stage executes does not.  Count them with valgrind, once with the
stage and once without (``none``: imports, corpus and tagger only), and subtract:

    PYTHONHASHSEED=0 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \\
        .venv/bin/python benchmarks/tagger_stage.py STAGE [CODEBOOK]

Each run takes about a minute.  Stages are cumulative: ``tokenizer`` (the bare tokenizer,
the floor), ``analyse`` (tokenizer, LOWER ids and lemmas), ``trie`` (+ phrase matching),
``patterns`` (+ token patterns), ``codings`` (the whole tagger, ``tag_segments``) and
``rows`` (what the coding workers run: ``coding_rows``, evidence JSON included).  The
corpus is about 40,000 words (seed 0); a first pass over another corpus (seed 1) warms
the tagger's per-word caches, as a long run would.  CODEBOOK defaults to
mentoring_expectations.
"""

from __future__ import annotations

import sys
from pathlib import Path

from qcbench.corpus import generate_turns
from qualcode.codebook import load_codebook
from qualcode.tagging import RuleTagger, get_nlp

STAGES = ("none", "tokenizer", "analyse", "trie", "patterns", "codings", "rows")


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
    elif stage in ("analyse", "trie", "patterns"):
        for text in texts:
            doc, ids = tagger._analyse(text)
            if stage != "analyse":
                tagger._trie(ids.lemmas)
            if stage == "patterns":
                tagger._pattern_matches(doc, ids)
    elif stage == "codings":
        for _ in tagger.tag_segments(items):
            pass
    elif stage == "rows":
        for _ in tagger.coding_rows(items):
            pass


if __name__ == "__main__":
    main(*sys.argv[1:3])
