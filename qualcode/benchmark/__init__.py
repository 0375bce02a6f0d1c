"""Benchmarks at corpus scale: a synthetic focus-group corpus and timed steps against the spaCy floor.

    >>> from qualcode.benchmark import run_benchmark
    >>> results = run_benchmark([100_000, 1_000_000], workdir="bench-work")
    >>> print(results.markdown())

Every step runs in a fresh subprocess so its peak memory is its own; see
:mod:`qualcode.benchmark.run`.
"""

from qualcode.benchmark.corpus import generate_turns, write_corpus
from qualcode.benchmark.run import BenchmarkResults, run_benchmark

__all__ = ["BenchmarkResults", "generate_turns", "run_benchmark", "write_corpus"]
