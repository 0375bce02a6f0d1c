"""The timed steps of the benchmark.  Each runs in its own process (see :mod:`.run`).

    python -m qualcode.benchmark.steps STEP CORPUS_DIR PROJECT_FILE OUT_DIR [WORKERS [MODEL]]

prints one JSON line: the step's wall-clock and CPU seconds (after imports and set-up;
CPU time includes finished pool workers), the words it processed and the process's
peak resident memory (``ru_maxrss``) at the start of the work and at the end, so a
step's own peak is separable from the others'.

``code_ml`` predicts with the model file MODEL; the preparation step ``train_ml``
(not timed, not a row of the table) writes that file: it trains on the corpus
CORPUS_DIR (a separate small one) kept in PROJECT_FILE, see
:mod:`qualcode.benchmark.training`.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

#: Step name -> what the results table calls it.
STEPS = {
    "tokenizer": "spaCy bare tokenizer (floor)",
    "ingest": "ingest into a project",
    "code_mentoring": "rule coding: mentoring_expectations",
    "code_domains": "rule coding: expectation_domains",
    "counts": "export counts by role (csv)",
    "compare": "compare scholar vs mentor (csv)",
    "excerpts": "export excerpts (csv)",
    "qdpx": "export REFI-QDA project (.qdpx)",
    "code_ml": "ML coding: mentoring_expectations",  # last: the exports time the rule codings only
}
CODEBOOK_FILES = {"code_mentoring": "mentoring_expectations.yaml",
                  "code_domains": "expectation_domains.yaml"}


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB, macOS bytes)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (pool workers), user + system."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def codebook_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "codebooks"


def run_step(step: str, corpus: Path, project_path: Path, out: Path, workers: int | None = None,
             model: Path | None = None) -> dict:
    """Run one step in this process and return its measurements."""
    from qualcode.store.project import count_words, open_project

    if step == "train_ml":
        from qualcode.benchmark.training import ML_CODEBOOK, train_stand_in_model

        info = train_stand_in_model(corpus, project_path, model, codebook_dir() / ML_CODEBOOK)
        return {"step": step, **info, "peak_mb": peak_mb()}

    if step == "code_ml":
        from qualcode.benchmark.training import ML_CODEBOOK
        from qualcode.codebook import load_codebook
        from qualcode.workflows.code import code_project
        from qualcode.tagging.ml.modelfile import load_model

        if model is None:
            raise ValueError("step code_ml needs a model file (written by step train_ml)")
        book = load_codebook(codebook_dir() / ML_CODEBOOK)
        loaded = load_model(model)  # like the codebook, loading is set-up, not timed
        start_peak = peak_mb()
        t0, c0 = time.perf_counter(), cpu_seconds()
        with open_project(project_path) as project:
            run = code_project(project, book, "ml", model=loaded)
            words = project.counts()["words"]  # the whole corpus, as in the rule coding rows
        seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
        return {"step": step, "seconds": seconds, "cpu_seconds": cpu, "words": words, "codings": run.codings,
                "segments": run.segments, "start_mb": start_peak, "peak_mb": peak_mb()}

    if step == "tokenizer":
        from qualcode.benchmark.run import corpus_files
        from qualcode.ingest import read_document
        from qualcode.tagging import get_nlp

        tokenizer = get_nlp().tokenizer
        seconds = cpu = 0.0
        words = tokens = 0
        start_peak = peak_mb()
        for path in corpus_files(corpus):  # one transcript at a time: reading is not timed
            document = read_document(path)
            texts = [document.text[s.start:s.end] for s in document.segments]
            words += sum(count_words(t) for t in texts)
            t0, c0 = time.perf_counter(), cpu_seconds()
            for doc in tokenizer.pipe(texts, batch_size=256):
                tokens += len(doc)
            seconds += time.perf_counter() - t0
            cpu += cpu_seconds() - c0
        return {"step": step, "seconds": seconds, "cpu_seconds": cpu, "words": words, "tokens": tokens,
                "start_mb": start_peak, "peak_mb": peak_mb()}

    if step == "ingest":
        from qualcode.workflows.ingest import ingest

        start_peak = peak_mb()
        t0, c0 = time.perf_counter(), cpu_seconds()
        with open_project(project_path, create=True) as project:
            ingest(project, manifest=corpus / "manifest.csv")
            words = project.counts()["words"]
        seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
        return {"step": step, "seconds": seconds, "cpu_seconds": cpu, "words": words, "start_mb": start_peak, "peak_mb": peak_mb()}

    if step in CODEBOOK_FILES:
        from qualcode.codebook import load_codebook
        from qualcode.workflows.code import code_project

        book = load_codebook(codebook_dir() / CODEBOOK_FILES[step])
        start_peak = peak_mb()
        t0, c0 = time.perf_counter(), cpu_seconds()
        with open_project(project_path) as project:
            run = code_project(project, book, **({} if workers is None else {"workers": workers}))
            words = project.counts()["words"]  # every turn, facilitators' too, is read and tokenized
        seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
        return {"step": step, "seconds": seconds, "cpu_seconds": cpu, "words": words, "codings": run.codings,
                "segments": run.segments, "start_mb": start_peak, "peak_mb": peak_mb()}

    if step in ("counts", "compare", "excerpts", "qdpx"):
        from qualcode.analysis import compare_groups, counts_by
        from qualcode.analysis.excerpts import iter_excerpts
        from qualcode.export.excerpts import write_excerpts
        from qualcode.export.tables import write_comparison, write_counts

        start_peak = peak_mb()
        t0, c0 = time.perf_counter(), cpu_seconds()
        with open_project(project_path) as project:  # as the CLI commands run them
            words = project.counts()["words"]
            if step == "counts":
                frame = counts_by(project, "role")
                write_counts(frame, out / "counts_by_role.csv")
                rows = len(frame)
            elif step == "compare":
                frame = compare_groups(project, "role", "scholar", "mentor")
                write_comparison(frame, out / "compare_scholar_mentor.csv")
                rows = len(frame)
            elif step == "excerpts":
                excerpts = iter_excerpts(project)
                write_excerpts(excerpts, out / "excerpts.csv")
                rows = excerpts.read
            else:  # pseudonymized, as `qualcode export qdpx` writes it
                from qualcode.exchange.refi import export_qdpx

                rows = export_qdpx(project, out / "project.qdpx").codings
        seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
        return {"step": step, "seconds": seconds, "cpu_seconds": cpu, "words": words, "rows": rows,
                "start_mb": start_peak, "peak_mb": peak_mb()}

    raise ValueError(f"unknown benchmark step {step!r}; choose one of {', '.join(STEPS)}")


def main(argv: list[str]) -> None:
    step, corpus, project_path, out = argv[:4]
    workers = int(argv[4]) if len(argv) > 4 and argv[4] != "auto" else None
    model = Path(argv[5]) if len(argv) > 5 else None
    result = run_step(step, Path(corpus), Path(project_path), Path(out), workers, model)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
