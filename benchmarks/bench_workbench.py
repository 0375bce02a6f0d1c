"""Benchmark (prints figures, not a test): the workbench's server time on a long transcript.

    .venv/bin/python benchmarks/bench_workbench.py [WORDS] [--repeat N]

Scales the shipped sample up to one transcript of at least WORDS words (default 20,000):
the participant and facilitator turns of the six sample transcripts, in order, repeated
until long enough, written as one plain-text transcript ``Label: text``.  It is ingested
and coded with the rules (codebooks/mentoring_expectations.yaml) in a scratch folder, then
the workbench application answers in-process (Starlette's TestClient: the whole server
stack, no network):

- the transcript page of that document (GET /documents/1), the first request apart;
- one review decision, stored and answered (POST /api/decide: accept or reject a
  suggestion, the turn drawn again, progress counted), suggestions taken in order;
- the decision alone as the library stores it (qualcode.workflows.review.accept/reject:
  one transaction with its log row).

Targets (DESIGN.md): the page under 300 ms, a decision stored under 50 ms.  Prints medians
and the slowest of N repeats (default 20).
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "transcripts_sample"


def long_transcript(words: int) -> tuple[str, int]:
    """(text, words): the sample's turns, repeated until ``words`` words."""
    from qualcode.store.frames import segments_frame
    from qualcode.store.project import open_project
    from qualcode.workflows.ingest import ingest

    with tempfile.TemporaryDirectory() as scratch:
        with open_project(Path(scratch) / "s.qcproj", create=True) as project:
            ingest(project, manifest=SAMPLE / "manifest.csv", speakers=SAMPLE / "speakers.csv")
            turns = segments_frame(project)
    lines, count = [], 0
    while count < words:
        for row in turns.itertuples():
            label = "Moderator" if row.role == "facilitator" else f"P{row.participant}"
            text = " ".join(str(row.text).split())
            lines.append(f"{label}: {text}")
            count += len(re.findall(r"\w+", text))
            if count >= words:
                break
    return "\n\n".join(lines) + "\n", count


def timed(call, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        out.append(1000 * (time.perf_counter() - start))
    return out


def main(words: int = 20_000, repeat: int = 20) -> None:
    from starlette.testclient import TestClient

    from qualcode.codebook import load_codebook
    from qualcode.store.frames import codings_frame
    from qualcode.store.project import open_project
    from qualcode.web.app import Settings, create_app
    from qualcode.workflows import review
    from qualcode.workflows.code import code_project
    from qualcode.workflows.ingest import ingest

    text, counted = long_transcript(words)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "long_group.txt").write_text(text, encoding="utf-8")
        path = folder / "long.qcproj"
        with open_project(path, create=True) as project:
            ingest(project, [folder / "long_group.txt"], attributes={"role": "scholar"})
            code_project(project, load_codebook(REPO / "codebooks" / "mentoring_expectations.yaml"))
            codings = codings_frame(project)
            suggestions = codings[(codings["coder"] == "rules") & (codings["role"] != "facilitator")]
            turns, coded = len(set(codings_frame(project)["segment_id"])), len(suggestions)
            ids = [int(i) for i in suggestions["coding_id"]]
        web = TestClient(create_app(Settings(path, coder="bench")), base_url="http://127.0.0.1:8765")
        start = time.perf_counter()
        page = web.get("/documents/1")
        first = 1000 * (time.perf_counter() - start)
        assert page.status_code == 200, page.text[:500]
        size = len(page.content)
        pages = timed(lambda: web.get("/documents/1"), repeat)
        web.headers["x-csrf-token"] = re.search(r'name="csrf-token" content="(\w+)"', page.text).group(1)
        queue = iter(ids)

        def decide():
            coding = next(queue)
            answer = web.post("/api/decide", json={"action": "accept" if coding % 2 else "reject",
                                                   "coding": coding, "view": {"document": 1}})
            assert answer.status_code == 200, answer.text

        requests = timed(decide, repeat)
        with open_project(path) as project:
            who = review.reviewer(project, "bench2")
            stored = timed(lambda: (review.accept if (c := next(queue)) % 2 else review.reject)(project, who, c),
                           repeat)
    print(f"transcript: {counted:,} words, {turns:,} coded turns, {coded:,} rule suggestions; "
          f"page {size / 1e6:.1f} MB of HTML")
    print(f"{'measure':<44} {'median':>9} {'slowest':>9}  target")
    print(f"{'transcript page, first request (ms)':<44} {first:>9.1f} {'':>9}")
    print(f"{'transcript page (ms)':<44} {statistics.median(pages):>9.1f} {max(pages):>9.1f}  < 300")
    print(f"{'decision request: stored + turn redrawn (ms)':<44} {statistics.median(requests):>9.1f} "
          f"{max(requests):>9.1f}")
    print(f"{'decision stored (library call) (ms)':<44} {statistics.median(stored):>9.1f} "
          f"{max(stored):>9.1f}  < 50")


if __name__ == "__main__":
    args = sys.argv[1:]
    repeat = 20
    if "--repeat" in args:
        at = args.index("--repeat")
        repeat = int(args[at + 1])
        del args[at:at + 2]
    main(int(float(args[0])) if args else 20_000, repeat)
