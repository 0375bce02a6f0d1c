"""Benchmark of the ML tagger: fit time, prediction throughput and peak memory.

Not a test: it prints figures (wall and CPU time: on a shared machine the CPU
time is the steadier figure).  It generates a synthetic corpus of labelled turns
(own word lists, nothing from real transcripts): turns of 5-150 words drawn
from a Zipf-like vocabulary, with each code signalled by one of several cue
phrases, cue words sometimes in negative turns and 5% of labels flipped, so
the task is learnable but not trivial.

    .venv/bin/python benchmarks/bench_ml.py                  # 10,000 turns, 8 codes
    .venv/bin/python benchmarks/bench_ml.py --turns 20000 --grid 1,8

Measured 2026-11-27 on the 2-core development machine while other jobs ran (load ~5-6,
so wall time was 3-4x CPU time), 8 codes, 58 words per turn, default C grid of 4 x 3 folds:
  10,000 turns: fit 56.8 s CPU on 8,000 turns (234k features, peak RSS 515 MiB);
                predict 1,273 turns per CPU second; held-out micro F1 0.962
  20,000 turns: fit 128.5 s CPU on 16,000 turns (400k features, peak RSS 738 MiB);
                predict 1,142 turns per CPU second; held-out micro F1 0.966
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qualcode.tagging.ml.estimator import MLTagger  # noqa: E402

SYLLABLES = ["ka", "lo", "mi", "ren", "to", "sa", "vel", "dun", "pri", "mo", "ta", "shi", "gor", "nel"]


def make_vocabulary(rng: np.random.RandomState, size: int = 6000) -> list[str]:
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES, rng.randint(2, 5))))
    return sorted(words)


def make_corpus(n_turns: int, n_codes: int, seed: int = 0):
    rng = np.random.RandomState(seed)
    vocab = make_vocabulary(rng)
    ranks = np.arange(1, len(vocab) + 1)
    weights = 1.0 / ranks
    cumulative = np.cumsum(weights / weights.sum())
    # each code: 4 cue phrases of 2-3 vocabulary words drawn from the rarer half
    cues = [[" ".join(rng.choice(vocab[len(vocab) // 2:], rng.randint(2, 4))) for _ in range(4)]
            for _ in range(n_codes)]
    prevalence = rng.uniform(0.03, 0.2, n_codes)
    texts, Y = [], np.zeros((n_turns, n_codes), dtype=int)
    for i in range(n_turns):
        length = int(min(150, max(5, rng.lognormal(3.8, 0.7))))
        words = [vocab[k] for k in np.searchsorted(cumulative, rng.rand(length) * cumulative[-1])]
        for j in range(n_codes):
            if rng.rand() < prevalence[j]:
                Y[i, j] = 1
                words.insert(rng.randint(0, len(words) + 1), cues[j][rng.randint(4)])
            elif rng.rand() < 0.02:  # a cue word out of context
                words.insert(rng.randint(0, len(words) + 1), cues[j][rng.randint(4)].split()[0])
        texts.append(" ".join(words))
    flip = rng.rand(*Y.shape) < 0.05 * prevalence  # label noise, mostly missed codes
    Y[flip] = 1 - Y[flip]
    return texts, Y


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=10000)
    parser.add_argument("--codes", type=int, default=8)
    parser.add_argument("--grid", default="0.5,2,8,32", help="C values, comma-separated")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    grid = tuple(float(c) for c in args.grid.split(","))

    t0 = time.perf_counter()
    texts, Y = make_corpus(args.turns, args.codes, args.seed)
    words = sum(len(t.split()) for t in texts)
    print(f"corpus: {len(texts)} turns, {words} words ({words / len(texts):.0f} per turn), "
          f"{args.codes} codes, positives per code {Y.sum(axis=0).tolist()} "
          f"(generated in {time.perf_counter() - t0:.1f} s)", flush=True)
    cut = int(len(texts) * 0.8)
    train_texts, train_Y, test_texts, test_Y = texts[:cut], Y[:cut], texts[cut:], Y[cut:]

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0, c0 = time.perf_counter(), time.process_time()
    tagger = MLTagger(C=grid, random_state=args.seed).fit(train_texts, train_Y)
    fit_seconds, fit_cpu = time.perf_counter() - t0, time.process_time() - c0
    fit_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    fits = int(tagger.learned_.sum()) * (len(grid) * tagger.cv + 1)
    print(f"fit: {fit_seconds:.1f} s wall, {fit_cpu:.1f} s CPU on {cut} turns, C grid "
          f"{list(grid)} x {tagger.cv} folds ({fits} logistic regressions); "
          f"{len(tagger.vectorizer_.get_feature_names_out())} features; process peak RSS "
          f"{baseline:.0f} MiB before fit, {fit_peak:.0f} MiB after", flush=True)

    t0, c0 = time.perf_counter(), time.process_time()
    predicted = tagger.predict(test_texts)
    predict_seconds, predict_cpu = time.perf_counter() - t0, time.process_time() - c0
    tracemalloc.start()  # a second, traced run for memory (tracing slows Python code down)
    tagger.predict(test_texts)
    _, predict_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"predict: {len(test_texts)} turns in {predict_seconds:.2f} s wall = "
          f"{len(test_texts) / predict_seconds:,.0f} turns/s ({len(test_texts) / predict_cpu:,.0f} "
          f"turns per CPU second); peak memory allocated while "
          f"predicting {predict_peak / 2**20:.0f} MiB", flush=True)

    from sklearn.metrics import f1_score
    print(f"held-out 20%: micro F1 {f1_score(test_Y, predicted, average='micro'):.3f}, "
          f"macro F1 {f1_score(test_Y, predicted, average='macro', zero_division=0):.3f}; "
          f"chosen C per code {tagger.C_.tolist()}")


if __name__ == "__main__":
    main()
