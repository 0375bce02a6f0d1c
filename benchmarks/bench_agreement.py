"""Benchmark (prints figures, not a test): agreement statistics on a synthetic corpus.

    .venv/bin/python benchmarks/bench_agreement.py 20000 [--expanded]

Two coders, 25 codes, 0-2 codings per turn and coder, 280-character turns; the second
coder read three quarters of the turns.  Prints seconds per table.  --expanded also
times character-level alpha both ways: runs of characters weighted by their length
(what agreement_table does) and the krippendorff package on one column per character
(unit_matrix), with their peak memory and largest difference.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd

from qualcode.analysis.agreement import (AgreementData, agreement_table, disagreements, reference_table,
                                         targets, unit_matrix)
from qualcode.analysis.selection import CodeTree


def synthetic(turns: int, codes: int = 25, seed: int = 0) -> AgreementData:
    rng = np.random.default_rng(seed)
    starts = np.arange(turns) * 300
    units = pd.DataFrame({"segment_id": np.arange(turns), "document": "synthetic.txt", "turn": np.arange(turns),
                          "speaker": "P", "participant": "S01", "role": "scholar", "start": starts,
                          "end": starts + 280, "text": "x" * 10})
    ids = [f"code{i}" for i in range(codes)]
    tree = CodeTree(pd.DataFrame({"code": ids, "parent": None, "name": ids, "definition": "",
                                  "position": range(codes)}))
    rows = []
    for coder in ("a", "b"):
        for seg in range(turns):
            for c in rng.choice(codes, rng.integers(0, 3), replace=False):
                rows.append((coder, seg, ids[c], starts[seg] + rng.integers(0, 100), starts[seg] + 200))
    codings = pd.DataFrame(rows, columns=["coder", "segment_id", "code", "start", "end"])
    covered = {"a": set(range(turns)), "b": set(range(turns * 3 // 4))}
    return AgreementData(["a", "b"], "synthetic", units, covered, codings, tree)


def main(turns: int) -> None:
    warnings.simplefilter("ignore", RuntimeWarning)
    data = synthetic(turns)
    print(f"{turns} turns, {len(data.codings)} codings, 25 codes, 2 coders")
    for name, job in [("agreement, turns", lambda: agreement_table(data)),
                      ("precision/recall, turns", lambda: reference_table(data, "a")),
                      ("disagreements, turns", lambda: disagreements(data)),
                      ("agreement, characters", lambda: agreement_table(data, unit="characters")),
                      ("disagreements, characters", lambda: disagreements(data, unit="characters"))]:
        started = time.perf_counter()
        result = job()
        print(f"  {name:<28} {time.perf_counter() - started:6.2f} s  ({len(result)} rows)")


def measured(job):
    """(result, seconds, peak MB allocated while it ran)."""
    tracemalloc.start()
    started = time.perf_counter()
    result = job()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return result, seconds, peak


def expanded_alpha(turns: int) -> None:
    import krippendorff

    data = synthetic(turns)
    codes = targets(data)
    weighted, seconds, peak = measured(lambda: agreement_table(data, unit="characters")["alpha"][:-1])
    print(f"  alpha per code, character runs weighted   {seconds:6.2f} s  peak {peak:6.0f} MB")
    expanded, seconds, peak = measured(lambda: [
        krippendorff.alpha(unit_matrix(data, counted, unit="characters"), level_of_measurement="nominal")
        for counted in codes.values()])
    print(f"  alpha per code, one column per character  {seconds:6.2f} s  peak {peak:6.0f} MB")
    print(f"  largest difference: {max(abs(a - b) for a, b in zip(weighted, expanded)):.1e}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
    if "--expanded" in sys.argv:
        expanded_alpha(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
