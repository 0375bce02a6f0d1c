"""The timed steps of the benchmark.  Each runs in its own process (see :mod:`qcbench.run`).

    python -m qcbench.steps STEP CORPUS_DIR PROJECT_FILE OUT_DIR [WORKERS [MODEL]]

(from the ``benchmarks`` folder, or with it on ``PYTHONPATH``) prints one JSON line: the
step's wall-clock and CPU seconds (after imports and set-up; CPU time includes finished
pool workers), the words it processed and the process's peak resident memory
(``ru_maxrss``) at the start of the work and at the end, so a step's own peak is separable
from the others'.

Every step is a function of a :class:`StepRun` that imports and sets up what it needs,
then wraps the work it measures in ``run.timed()``; :data:`STEPS` lists them in the order
of the results table.  ``code_ml`` predicts with the model file MODEL; the preparation
step ``train_ml`` (not timed, not a row of the table) writes that file: it trains on the
corpus CORPUS_DIR (a separate small one) kept in PROJECT_FILE, see :mod:`qcbench.training`.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from qcbench.corpus import corpus_files

CODEBOOK_DIR = Path(__file__).resolve().parents[2] / "codebooks"


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB, macOS bytes)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (pool workers), user + system."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass
class StepRun:
    """One step's inputs, and the time and memory measured around its work."""

    corpus: Path
    project: Path
    out: Path
    workers: int | None = None
    model: Path | None = None
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    start_mb: float | None = None

    @contextmanager
    def timed(self) -> Iterator[None]:
        """Count the enclosed work (it may be entered several times; the times add up)."""
        if self.start_mb is None:
            self.start_mb = peak_mb()
        t0, c0 = time.perf_counter(), cpu_seconds()
        try:
            yield
        finally:
            self.seconds += time.perf_counter() - t0
            self.cpu_seconds += cpu_seconds() - c0


# ----------------------------------------------------------------- the steps

def _tokenizer(run: StepRun) -> dict:
    """spaCy's bare tokenizer over every turn, one transcript at a time (reading is not timed)."""
    from qualcode.ingest import read_document
    from qualcode.store.project import count_words
    from qualcode.tagging import get_nlp

    tokenizer = get_nlp().tokenizer
    words = tokens = 0
    for path in corpus_files(run.corpus):
        document = read_document(path)
        texts = [document.text[s.start:s.end] for s in document.segments]
        words += sum(count_words(t) for t in texts)
        with run.timed():
            for doc in tokenizer.pipe(texts, batch_size=256):
                tokens += len(doc)
    return {"words": words, "tokens": tokens}


def _ingest(run: StepRun) -> dict:
    from qualcode.store.project import open_project
    from qualcode.workflows.ingest import ingest

    with run.timed(), open_project(run.project, create=True) as project:
        ingest(project, manifest=run.corpus / "manifest.csv")
        return {"words": project.counts()["words"]}


def _rule_coding(codebook_file: str) -> Callable[[StepRun], dict]:
    def code(run: StepRun) -> dict:
        from qualcode.codebook import load_codebook
        from qualcode.store.project import open_project
        from qualcode.tagging.parallel import choose_workers
        from qualcode.workflows.code import code_project

        book = load_codebook(CODEBOOK_DIR / codebook_file)
        with run.timed(), open_project(run.project) as project:
            result = code_project(project, book, **({} if run.workers is None else {"workers": run.workers}))
            # every turn, facilitators' too, is read and tokenized
            words = project.counts()["words"]
            return {"words": words, "codings": result.codings, "segments": result.segments,
                    "workers": choose_workers(run.workers, words)}  # the processes code_project chose
    return code


def _ml_coding(run: StepRun) -> dict:
    from qcbench.training import ML_CODEBOOK
    from qualcode.codebook import load_codebook
    from qualcode.store.project import open_project
    from qualcode.tagging.ml.modelfile import load_model
    from qualcode.workflows.code import code_project

    if run.model is None:
        raise ValueError("step code_ml needs a model file (written by step train_ml)")
    book = load_codebook(CODEBOOK_DIR / ML_CODEBOOK)
    model = load_model(run.model)  # like the codebook, loading is set-up, not timed
    with run.timed(), open_project(run.project) as project:
        result = code_project(project, book, "ml", model=model)
        # the whole corpus, as in the rule coding rows
        return {"words": project.counts()["words"], "codings": result.codings, "segments": result.segments}


def _export(write: Callable[[StepRun], Callable]) -> Callable[[StepRun], dict]:
    """A step that opens the project, as the CLI commands do, and writes one output.
    ``write(run)`` imports what it needs and returns ``project -> rows written``."""
    def export(run: StepRun) -> dict:
        from qualcode.store.project import open_project

        rows_of = write(run)
        with run.timed(), open_project(run.project) as project:
            return {"words": project.counts()["words"], "rows": rows_of(project)}
    return export


def _counts(run: StepRun):
    from qualcode.analysis import counts_by
    from qualcode.export.tables import write_counts

    def write(project) -> int:
        frame = counts_by(project, "role")
        write_counts(frame, run.out / "counts_by_role.csv")
        return len(frame)
    return write


def _compare(run: StepRun):
    from qualcode.analysis import compare_groups
    from qualcode.export.tables import write_comparison

    def write(project) -> int:
        frame = compare_groups(project, "role", "scholar", "mentor")
        write_comparison(frame, run.out / "compare_scholar_mentor.csv")
        return len(frame)
    return write


def _segments(run: StepRun):
    from qualcode.analysis.corpus import segments_table
    from qualcode.export import write_table

    def write(project) -> int:
        frame = segments_table(project)
        write_table(frame, run.out / "turns.csv", sheet_name="turns")
        return len(frame)
    return write


def _excerpts(suffix: str) -> Callable[[StepRun], Callable]:
    def excerpts(run: StepRun):
        from qualcode.analysis.excerpts import iter_excerpts
        from qualcode.export.excerpts import write_excerpts

        def write(project) -> int:
            quotes = iter_excerpts(project)
            write_excerpts(quotes, run.out / f"excerpts{suffix}", note=f"Selection: {quotes.selection}.")
            return quotes.read
        return write
    return excerpts


def _coding_sheet(run: StepRun):
    from qualcode.exchange.sheets import coding_sheet_frame, write_coding_sheet

    def write(project) -> int:
        sheet, codes = coding_sheet_frame(project)
        write_coding_sheet(sheet, codes, run.out / "coding_sheet.xlsx")
        return len(sheet)
    return write


def _heatmap(run: StepRun):
    from qualcode.analysis import counts_by
    from qualcode.export.plots import heatmap_figure, save_figure

    def write(project) -> int:
        counts = counts_by(project, "role")
        save_figure(heatmap_figure(counts, caption=counts.attrs["selection"]), run.out / "heatmap.png")
        return len(counts)
    return write


def _report(run: StepRun):
    from qualcode.export.report import write_report

    def write(project) -> int:
        write_report(project, run.out / "report.docx")  # as `qualcode report` with its defaults
        return 1
    return write


def _qdpx(run: StepRun):
    from qualcode.exchange.refi import export_qdpx

    return lambda project: export_qdpx(project, run.out / "project.qdpx").codings  # pseudonymized


#: Step name -> (what the results table calls it, the step), in the order of the table.
STEP_TABLE: dict[str, tuple[str, Callable[[StepRun], dict]]] = {
    "tokenizer": ("spaCy bare tokenizer (floor)", _tokenizer),
    "ingest": ("ingest into a project", _ingest),
    "code_mentoring": ("rule coding: mentoring_expectations", _rule_coding("mentoring_expectations.yaml")),
    "code_domains": ("rule coding: expectation_domains", _rule_coding("expectation_domains.yaml")),
    "counts": ("export counts by role (csv)", _export(_counts)),
    "compare": ("compare scholar vs mentor (csv)", _export(_compare)),
    "segments": ("export turns (csv)", _export(_segments)),
    "excerpts": ("export excerpts (csv)", _export(_excerpts(".csv"))),
    "excerpts_xlsx": ("export excerpts (xlsx)", _export(_excerpts(".xlsx"))),
    "excerpts_docx": ("export excerpts (docx)", _export(_excerpts(".docx"))),
    "coding_sheet": ("export coding sheet (xlsx)", _export(_coding_sheet)),
    "heatmap": ("plot heatmap by role (png)", _export(_heatmap)),
    "report": ("Word report (docx)", _export(_report)),
    "qdpx": ("export REFI-QDA project (.qdpx)", _export(_qdpx)),
    # last: the exports time the rule codings only
    "code_ml": ("ML coding: mentoring_expectations", _ml_coding),
}
STEPS = {name: label for name, (label, _) in STEP_TABLE.items()}


def run_step(step: str, corpus: Path, project_path: Path, out: Path, workers: int | None = None,
             model: Path | None = None) -> dict:
    """Run one step in this process and return its measurements."""
    if step not in STEP_TABLE:
        raise ValueError(f"unknown benchmark step {step!r}; choose one of {', '.join(STEPS)}")
    run = StepRun(Path(corpus), Path(project_path), Path(out), workers, model)
    counts = STEP_TABLE[step][1](run)
    return {"step": step, "seconds": run.seconds, "cpu_seconds": run.cpu_seconds, **counts,
            "start_mb": run.start_mb, "peak_mb": peak_mb()}


def train_step(corpus: Path, project_path: Path, model: Path) -> dict:
    """The preparation step ``train_ml``: the stand-in model, trained and saved (not timed)."""
    from qcbench.training import ML_CODEBOOK, train_stand_in_model

    info = train_stand_in_model(corpus, project_path, model, CODEBOOK_DIR / ML_CODEBOOK)
    return {"step": "train_ml", **info, "peak_mb": peak_mb()}


def main(argv: list[str]) -> None:
    step, corpus, project_path, out = argv[:4]
    workers = int(argv[4]) if len(argv) > 4 and argv[4] != "auto" else None
    model = Path(argv[5]) if len(argv) > 5 else None
    if step == "train_ml":
        result = train_step(Path(corpus), Path(project_path), model)
    else:
        result = run_step(step, Path(corpus), Path(project_path), Path(out), workers, model)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
