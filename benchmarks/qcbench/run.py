"""Run the benchmark: generate corpora, time every step in a fresh process, write RESULTS.md.

Each step of :data:`qcbench.steps.STEPS` runs in its own Python
process (``python -m qcbench.steps``), so its peak memory
(``ru_maxrss``) is its own and one step's caches do not speed up the next.
Throughput is words per second, words counted as the project counts them
(``qualcode info``); the ratio compares each step with spaCy's bare tokenizer
over the same turns, the floor any spaCy-based tagger pays.

The ML step predicts with a model trained once per run, before any size is
timed, on a separate small synthetic corpus that the rule tagger labelled as a
stand-in for a human coder (:mod:`qcbench.training`).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from qcbench.corpus import write_corpus
from qcbench.steps import STEPS
from qcbench.training import TRAINING_WORDS, write_training_corpus
from qualcode.core.errors import QualcodeError

ML_STEP = "code_ml"
#: Steps that together make "ingest + code + every export" (rule coding; ML coding, an
#: alternative to it, is listed on its own).
END_TO_END = tuple(step for step in STEPS if step not in ("tokenizer", ML_STEP))
CODEBOOK_STEPS = ("code_mentoring", "code_domains")
#: The floors (issue 12; it retired issue 6's 0.5), checked on the run of about TARGET_WORDS:
#: rule coding at least 0.2 of the bare tokenizer's throughput (wall time, every core), and
#: ingest + code + every export under 30 s; and memory flat in corpus size: from the smallest
#: corpus to the largest, no step's peak memory grows by MEMORY_GROWTH_LIMIT_MB or more
#: (holding the corpus's tokens would add about 200 MB per 10^6 words).
TARGET_WORDS = 1_000_000
RULE_CODING_TARGET = 0.2
END_TO_END_TARGET_SECONDS = 30
MEMORY_GROWTH_LIMIT_MB = 50
DEFAULT_SIZES = (100_000, 1_000_000)
HUGE = 10_000_000


#: The folder that holds the ``qcbench`` package: the step processes import it from there.
BENCHMARKS_DIR = Path(__file__).resolve().parents[1]


class BenchmarkError(QualcodeError):
    """A benchmark step failed (its error output is in the message)."""


@dataclass
class StepResult:
    size: int
    step: str
    seconds: float
    cpu_seconds: float
    wall_seconds: float  # the whole subprocess, interpreter start and imports included
    words: int
    start_mb: float
    peak_mb: float
    extra: dict = field(default_factory=dict)

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds > 0 else float("inf")


@dataclass
class BenchmarkResults:
    machine: dict[str, str]
    command: str
    workers: str
    results: list[StepResult] = field(default_factory=list)
    load: list[str] = field(default_factory=list)  # load average when each size started
    training: dict | None = None  # the ML model's training (train_ml step), when ML coding ran

    def floor(self, size: int) -> StepResult | None:
        return next((r for r in self.results if r.size == size and r.step == "tokenizer"), None)

    def sizes(self) -> list[int]:
        return list(dict.fromkeys(r.size for r in self.results))

    def end_to_end(self, size: int) -> tuple[float, float, float]:
        """Seconds of the steps' work, of their processes, and CPU seconds, for ingest + code + exports."""
        rows = [r for r in self.results if r.size == size and r.step in END_TO_END]
        return (sum(r.seconds for r in rows), sum(r.wall_seconds for r in rows),
                sum(r.cpu_seconds for r in rows))

    def markdown(self) -> str:
        lines = ["# Benchmark results", "",
                 "Regenerate with:", "", "```", self.command, "```", "",
                 "## Machine", ""]
        lines += [f"- {key}: {value}" for key, value in self.machine.items()]
        lines += [f"- rule coding workers: {self.workers}"]
        lines += [f"- load average (1 min) when the {line}" for line in self.load]
        lines += ["",
                  "## Throughput and memory", "",
                  "Words are counted as `qualcode info` counts them (all turns, facilitators "
                  "included). *ratio* is the step's words/s over the bare tokenizer's on the same "
                  "corpus. *peak MB* is the step process's peak resident memory; *work MB* is how "
                  "much of it the step itself added after imports and set-up. *CPU s* counts "
                  "every process of the step (pool workers too), so it exceeds *seconds* when "
                  "both cores work; on a busy machine *seconds* grows while *CPU s* stays put.", "",
                  "*CPU ratio* compares CPU time instead of wall time.", "",
                  "| words | step | seconds | CPU s | words/s | ratio to tokenizer | CPU ratio | peak MB | work MB |",
                  "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
        for size in self.sizes():
            floor = self.floor(size)
            for r in (r for r in self.results if r.size == size):
                ratio = (f"{r.words_per_second / floor.words_per_second:.2f}"
                         if floor is not None and floor.words_per_second else "-")
                cpu_ratio = (f"{floor.cpu_seconds / r.cpu_seconds * r.words / floor.words:.2f}"
                             if floor is not None and r.cpu_seconds > 0 else "-")
                lines.append(f"| {r.words:,} | {STEPS[r.step]} | {r.seconds:.2f} | {r.cpu_seconds:.2f} | "
                             f"{r.words_per_second:,.0f} | {ratio} | {cpu_ratio} | {r.peak_mb:,.0f} | "
                             f"{max(r.peak_mb - r.start_mb, 0):,.0f} |")
        lines += ["", "## End to end (ingest + both codebooks' rule coding + every export)", "",
                  "ML coding is not part of it: it is an alternative to rule coding, listed on its own.", "",
                  "| words | seconds of work | seconds with process start-up | CPU seconds |",
                  "|---:|---:|---:|---:|"]
        for size in self.sizes():
            work, wall, cpu = self.end_to_end(size)
            words = next(r.words for r in self.results if r.size == size)
            lines.append(f"| {words:,} | {work:.1f} | {wall:.1f} | {cpu:.1f} |")
        lines += self._targets()
        lines += self._ml_notes()
        return "\n".join(lines)

    def _targets(self) -> list[str]:
        """The floors, checked against this run's figures: speed on the run of about
        :data:`TARGET_WORDS` words, memory from the smallest run to the largest."""
        cores = self.machine.get("cores", "?")
        lines = ["", "## Targets", "",
                 f"On {TARGET_WORDS:,} words: rule coding at least {RULE_CODING_TARGET} of the bare "
                 f"tokenizer's throughput in wall time with every core ({cores} here; CPU time, for "
                 "comparison, counts every process), and ingest + rule coding + every export in under "
                 f"{END_TO_END_TARGET_SECONDS} s. Memory flat in corpus size: from the smallest corpus to "
                 f"the largest, no step's peak memory grows by {MEMORY_GROWTH_LIMIT_MB} MB or more.", "",
                 "| words | target | measured | met |", "|---:|---|---:|---|"]
        size = self.target_size()
        if size is None:
            lines.append(f"| - | speed floors | no run of about {TARGET_WORDS:,} words | not checked |")
        else:
            lines += self._speed_rows(size)
        lines.append(self._memory_row())
        return lines

    def target_size(self) -> int | None:
        """The size the speed floors are checked on: the one within a factor of 2 of
        :data:`TARGET_WORDS` (the closest), if the run has one."""
        near = [s for s in self.sizes() if TARGET_WORDS / 2 <= s <= TARGET_WORDS * 2]
        return min(near, key=lambda s: abs(s - TARGET_WORDS)) if near else None

    def _speed_rows(self, size: int) -> list[str]:
        floor = self.floor(size)
        words = next(r.words for r in self.results if r.size == size)
        rows = []
        for r in (r for r in self.results if r.size == size and r.step in CODEBOOK_STEPS):
            if floor is None or not floor.words_per_second or r.cpu_seconds <= 0:
                continue
            ratio = r.words_per_second / floor.words_per_second
            cpu_ratio = floor.cpu_seconds / r.cpu_seconds * r.words / floor.words
            processes = r.extra.get("workers", "?")
            every_core = str(processes) == self.machine.get("cores")
            met = "yes" if ratio >= RULE_CODING_TARGET and every_core else \
                "no" if every_core else f"no ({processes} of {self.machine.get('cores', '?')} cores)"
            rows.append(f"| {words:,} | {STEPS[r.step]}: ratio >= {RULE_CODING_TARGET} | {ratio:.2f} with "
                        f"{processes} process{'' if processes == 1 else 'es'} (CPU {cpu_ratio:.2f}) | {met} |")
        work, wall, _ = self.end_to_end(size)
        rows.append(f"| {words:,} | end to end < {END_TO_END_TARGET_SECONDS} s | {work:.1f} s "
                    f"({wall:.1f} s with start-ups) | {'yes' if work < END_TO_END_TARGET_SECONDS else 'no'} |")
        return rows

    def _memory_row(self) -> str:
        sizes = self.sizes()
        if len(sizes) < 2:
            return "| - | memory flat | one corpus size only | not checked |"
        small, large = min(sizes), max(sizes)
        peak = {(r.size, r.step): r.peak_mb for r in self.results}
        growth = {step: peak[large, step] - peak[small, step] for size, step in peak
                  if size == small and (large, step) in peak}
        worst = max(growth, key=growth.get)
        words = {size: next(r.words for r in self.results if r.size == size) for size in (small, large)}
        met = "yes" if growth[worst] < MEMORY_GROWTH_LIMIT_MB else "no"
        return (f"| {words[small]:,} -> {words[large]:,} | memory flat: peak grows < {MEMORY_GROWTH_LIMIT_MB} MB | "
                f"{growth[worst]:+,.0f} MB at most ({STEPS[worst]}) | {met} |")

    def _ml_notes(self) -> list[str]:
        if self.training is None:
            return ["", "ML coding was not run.", ""]
        t = self.training
        return ["", "## ML coding", "",
                f"The row *{STEPS[ML_STEP]}* times `code_project(project, codebook, \"ml\", model=...)` "
                "over the whole corpus (participant turns, as `qualcode code --tagger ml` codes them; "
                "words/s counts all the corpus's words, as the rule coding rows do), in its own process, "
                "after the exports so that they time the rule codings only. Loading the model is set-up, "
                "not timed.", "",
                "The model is trained once per run, outside the timed steps, with the ML tagger's "
                "default settings (as `qualcode train` fits it) and saved as a `.qcmodel` file. A "
                "synthetic corpus has no human coder, so **the rule tagger's codes with "
                f"{t['codebook']} stand in for a human coder's**: a separate synthetic corpus "
                f"(another seed, {t['words']:,} words) is ingested and rule-coded, and the model learns "
                f"those codings on its {t['turns']:,} participant turns ({t['learned']} of {t['codes']} "
                f"codes had enough coded turns to be learned). Labelling took {t['labelling_seconds']:.1f} s "
                f"and fitting and saving the model {t['fit_seconds']:.1f} s (peak {t['peak_mb']:,.0f} MB). "
                "So the figures measure prediction speed and memory, not the model's quality.", ""]


def machine_info() -> dict[str, str]:
    import spacy

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        ram = f"{pages * size / 1024 ** 3:.1f} GB"
    except (ValueError, OSError, AttributeError):
        pass
    return {"CPU": cpu, "cores": str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                                     else os.cpu_count()),
            "RAM": ram, "OS": platform.platform(), "Python": platform.python_version(),
            "spaCy": spacy.__version__}


def run_step_process(step: str, corpus: Path, project: Path, out: Path, workers: int | None,
                     model: Path | None = None) -> tuple[dict, float]:
    """Run one step in a fresh interpreter; its JSON result and the process's wall time."""
    cmd = [sys.executable, "-m", "qcbench.steps", step, str(corpus), str(project), str(out),
           "auto" if workers is None else str(workers)] + ([] if model is None else [str(model)])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(BENCHMARKS_DIR), *filter(None, [os.environ.get("PYTHONPATH")])])}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["no error output"]
        raise BenchmarkError(f"step {step} failed: {tail[0]}")
    return json.loads(proc.stdout.strip().splitlines()[-1]), wall


def run_benchmark(sizes: Iterable[int] = DEFAULT_SIZES, workdir: str | Path | None = None, *,
                  seed: int = 1, words_per_transcript: int = 10_000, workers: int | None = None,
                  ml_training_words: int = TRAINING_WORDS,
                  steps: Iterable[str] = tuple(STEPS), command: str = "",
                  progress: Callable[[str], None] | None = None) -> BenchmarkResults:
    """Generate a corpus of each size and time every step on it.

    ``workdir`` keeps the corpora and projects (a temporary folder, removed afterwards,
    when None).  ``workers`` is passed to :func:`qualcode.workflows.code.code_project` (None: its
    automatic choice).  ``ml_training_words``: size of the corpus the ML step's model is
    trained on, once, before the sizes are timed.
    """
    steps = list(steps)
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        raise BenchmarkError(f"unknown step {unknown[0]!r}; choose from {', '.join(STEPS)}")
    temporary = workdir is None
    root = Path(tempfile.mkdtemp(prefix="qualcode-bench-")) if temporary else Path(workdir)
    results = BenchmarkResults(machine_info(), command, "automatic" if workers is None else str(workers))
    model = None
    try:
        if ML_STEP in steps:
            model = train_model(root / "ml_training", seed, ml_training_words, progress)
            results.training = model[1]
            model = model[0]
        for size in sizes:
            base = root / f"words_{size}"
            if base.exists():
                shutil.rmtree(base)
            corpus, out = base / "corpus", base / "out"
            out.mkdir(parents=True)
            if hasattr(os, "getloadavg"):
                results.load.append(f"{size:,}-word run started: {os.getloadavg()[0]:.2f}")
            if progress:
                progress(f"{size:,} words: generating the corpus")
            # at least two transcripts, so that both roles are there to compare
            write_corpus(corpus, size, seed=seed, words_per_transcript=min(words_per_transcript, size // 2))
            project = base / "bench.qcproj"
            for step in steps:
                if progress:
                    progress(f"{size:,} words: {STEPS[step]}")
                data, wall = run_step_process(step, corpus, project, out, workers,
                                              model if step == ML_STEP else None)
                results.results.append(StepResult(
                    size, step, data.pop("seconds"), data.pop("cpu_seconds"), wall, data.pop("words"), data.pop("start_mb"),
                    data.pop("peak_mb"), {k: v for k, v in data.items() if k != "step"}))
            if temporary:
                shutil.rmtree(base, ignore_errors=True)
    finally:
        if temporary:
            shutil.rmtree(root, ignore_errors=True)
    return results


def train_model(directory: Path, seed: int, words: int = TRAINING_WORDS,
                progress: Callable[[str], None] | None = None) -> tuple[Path, dict]:
    """Train the ML step's model in a fresh process (see :mod:`qcbench.training`);
    the model file and what the training reported."""
    if directory.exists():
        shutil.rmtree(directory)
    if progress:
        progress("training the ML model (not timed)")
    corpus = write_training_corpus(directory / "corpus", seed, words).directory
    model = directory / "stand_in.qcmodel"
    data, _ = run_step_process("train_ml", corpus, directory / "training.qcproj", directory, None, model)
    data.pop("step")
    return model, data


def write_results(results: BenchmarkResults, path: str | Path) -> Path:
    """Write the results as Markdown, atomically."""
    from qualcode.core.files import atomic_output

    with atomic_output(path) as tmp:
        tmp.write_text(results.markdown(), encoding="utf-8")
    return Path(path)
