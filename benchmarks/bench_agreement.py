"""Benchmark (prints figures, not a test): agreement statistics on a synthetic corpus.

    .venv/bin/python benchmarks/bench_agreement.py 20000

Two coders, 25 codes, 0-2 codings per turn and coder, 280-character turns; the second
coder read three quarters of the turns.  Prints seconds per table.
"""

from __future__ import annotations

import sys
import time
import warnings

import numpy as np
import pandas as pd

from qualcode.analysis.agreement import AgreementData, agreement_table, disagreements, reference_table
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


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
