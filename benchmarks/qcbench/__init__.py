"""Benchmarks at corpus scale: a synthetic focus-group corpus and timed steps against the spaCy floor.

A development tool beside the package, not part of it.  From the repository:

    python benchmarks/run.py --sizes 1e5,1e6      # what `make bench` runs

or from a notebook with ``benchmarks`` on ``sys.path``:

    >>> from qcbench.run import run_benchmark
    >>> results = run_benchmark([100_000, 1_000_000], workdir="bench-work")
    >>> print(results.markdown())

Every step runs in a fresh subprocess so its peak memory is its own; see :mod:`qcbench.run`.
"""
