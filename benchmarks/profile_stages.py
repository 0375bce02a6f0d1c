"""Where rule coding spends its time: CPU seconds per stage of the tagger, one process.

    .venv/bin/python benchmarks/profile_stages.py [WORDS]

Tags synthetic turns (the benchmark's generator) with each default codebook and
prints the CPU time (best of three) of: the bare tokenizer, tokenizer + lemmas,
phrase matching, token-pattern matching, matching with the rule checks (sentences
on turns with matches included), and the whole tagger.  CPU time,
not wall time, so a busy machine disturbs it less.  For a function-level view run
``python -m cProfile -s tottime benchmarks/profile_stages.py``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from qcbench.corpus import generate_turns
from qualcode.codebook import load_codebook
from qualcode.store.project import count_words
from qualcode.tagging import RuleTagger, get_nlp

CODEBOOKS = Path(__file__).resolve().parents[1] / "codebooks"


def best_of(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def main(words: int = 200_000) -> None:
    texts = []
    k = 0
    while sum(map(count_words, texts)) < words:
        texts += [text for _, text in generate_turns(k, 10_000)]
        k += 1
    n = sum(map(count_words, texts))
    nlp = get_nlp()
    tokenizer = nlp.tokenizer
    floor = best_of(lambda: [tokenizer(t) for t in texts])
    print(f"{n:,} words in {len(texts):,} turns; CPU seconds, best of 3; ratio = tokenizer / stage\n")
    print(f"{'stage':<52}{'seconds':>9}{'words/s':>12}{'ratio':>7}")

    def row(label: str, seconds: float) -> None:
        print(f"{label:<52}{seconds:>9.3f}{n / seconds:>12,.0f}{floor / seconds:>7.2f}")

    row("bare tokenizer", floor)
    for name in ("mentoring_expectations", "expectation_domains"):
        tagger = RuleTagger(load_codebook(CODEBOOKS / f"{name}.yaml"))
        docs = [tagger.nlp.make_doc(t) for t in texts]
        columns = [tagger._lemmatizer.annotate(doc) for doc in docs]
        matcher = tagger._matcher
        print(f"\n{name}: {len(matcher)} rules, {len(matcher._patterns)} of them token patterns")
        row("  tokenizer + lemmas", best_of(lambda: [tagger._lemmatizer.annotate(tagger.nlp.make_doc(t))
                                                     for t in texts]))
        row("  phrase matching alone (PhraseMatcher)", best_of(lambda: [matcher._phrases(d) for d in docs]))
        row("  token patterns alone (around their anchors)",
            best_of(lambda: [matcher._pattern_matches(d, c) for d, c in zip(docs, columns) if len(d)]))
        row("  matching + rule checks (sentences, vetoes, hits)",
            best_of(lambda: [tagger.hits(d, t) for d, t in zip(docs, texts)]))
        row("  whole tagger (coding_rows)",
            best_of(lambda: list(tagger.coding_rows((i, t, 0) for i, t in enumerate(texts)))))

if __name__ == "__main__":
    main(int(float(sys.argv[1])) if len(sys.argv) > 1 else 200_000)
