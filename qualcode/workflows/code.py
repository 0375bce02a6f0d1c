"""Apply a codebook's tagger to a project and keep the codings, with their evidence.

    >>> from qualcode.codebook import load_codebook
    >>> from qualcode.workflows.code import code_project
    >>> run = code_project(project, load_codebook("codebooks/mentoring_expectations.yaml"))
    >>> run.by_code  # {'value': 12, 'value.clarity': 5, ...}

Re-running replaces this tagger's earlier codings for the same codebook (by
name, so a revised version replaces the old one) and never touches human
codings or other taggers' codings.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Callable

from qualcode import __version__
from qualcode.codebook import Codebook
from qualcode.core.errors import SelectionError
from qualcode.store.codebooks import codebook_versions, register_codebook
from qualcode.store.project import Project
from qualcode.tagging.llm.tagger import CODER as LLM_CODER
from qualcode.tagging.rules.tagger import Hit, RuleTagger
from qualcode.workflows.llm import LLMOptions, LLMRun, llm_tagging
from qualcode.store.frames import find_turn, turn_codings

TAGGERS = ("rules", "ml", "llm", "all")  # ml: a trained model; llm: workflows/llm.py; all: tagging/combine.py
#: Turns read (whole documents), tagged and written per batch.
READ_BATCH = 500


@dataclass
class CodingRun:
    codebook: str
    version: str
    tagger: str
    segments: int = 0
    codings: int = 0
    replaced: int = 0
    dry_run: bool = False
    by_code: dict[str, int] = field(default_factory=dict)
    llm: LLMRun | None = None  # the LLM's run (turns sent, from cache, rejected, ...) for tagger llm


def code_project(project: Project, codebook: Codebook, tagger: str = "rules", *,
                 include_facilitators: bool = False, dry_run: bool = False,
                 batch_size: int = 256, workers: int | None = None,
                 read_batch: int = READ_BATCH, model=None, llm: LLMOptions | None = None,
                 notify: Callable[[str], None] | None = None,
                 progress: Callable[[int, int], None] | None = None) -> CodingRun:
    """Code every participant turn (and facilitator turns if asked) with ``tagger``.

    ``tagger='llm'`` asks the model named in ``llm`` (:class:`~qualcode.workflows.llm.LLMOptions`)
    about each participant turn (never facilitators'); ``notify`` and ``progress`` are passed
    to :func:`~qualcode.workflows.llm.llm_tagging`.

    ``tagger='ml'`` or ``'all'`` needs ``model`` (a loaded
    :class:`~qualcode.tagging.ml.modelfile.ModelFile`) trained with this codebook.

    Turns stream through in batches of about ``read_batch`` (whole documents), tagged on
    ``workers`` processes (default: every core for large projects, one for small ones),
    and their codings are written batch by batch inside one transaction.  ``batch_size``
    is kept for compatibility and no longer used (turns are not batched through ``nlp.pipe``).
    """
    if tagger not in TAGGERS:
        raise SelectionError(f"unknown tagger {tagger!r}; choose one of {', '.join(TAGGERS)}")
    if project.counts()["turns"] == 0:
        raise SelectionError("the project has no turns to code: ingest transcripts first", project.path)
    if tagger == "llm":
        return _code_with_llm(project, codebook, llm or LLMOptions(), dry_run, notify, progress)
    if tagger != "rules":
        if model is None:
            raise SelectionError(f"tagger {tagger!r} needs a model file (--model FILE from qualcode train)")
        model.check_codebook(codebook.name, codebook.version, codebook.hash)
    rule_tagger = RuleTagger(codebook)
    run = CodingRun(codebook.name, codebook.version, tagger, dry_run=dry_run)
    counts: Counter[str] = Counter()
    tagger_version = f"qualcode {__version__} rules {rule_tagger.version}"

    def rule_rows(codings):  # (document_id, segment_id, code, start, end, evidence JSON) rows
        counts.update(map(itemgetter(2), codings))  # from tagging/parallel.py, stored as they are
        return codings

    if tagger != "rules":
        model_version = (f"qualcode {__version__} {tagger} model {model.info['content_sha256'][:16]}"
                         + (f" rules {rule_tagger.version}" if tagger == "all" else ""))

    def model_rows(codings):
        counts.update(coding.code for coding in codings)
        return [(*coding.segment_key, coding.code, coding.start, coding.end,
                 json.dumps(coding.evidence, ensure_ascii=False), coding.confidence) for coding in codings]

    if tagger == "rules":
        tagged, rows = _tag_turns(project, rule_tagger, include_facilitators, workers, read_batch), rule_rows
    else:
        tagged = _model_turns(project, model, rule_tagger if tagger == "all" else None,
                              include_facilitators, read_batch)
        rows = model_rows
    version = tagger_version if tagger == "rules" else model_version
    if dry_run:
        for batch, codings in tagged:
            run.segments += len(batch)
            rows(codings)
    else:
        with project.transaction():
            codebook_id = register_codebook(project, codebook)
            earlier = codebook_versions(project, codebook.name)
            run.replaced = project.delete_machine_codings(tagger, earlier)
            project.delete_coverage(tagger, earlier)
            add = project.add_rule_codings if tagger == "rules" else project.add_machine_codings
            for batch, codings in tagged:  # reads and writes alternate: no cursor stays open
                run.segments += len(batch)
                project.add_coverage(tagger, codebook_id, (key[1] for key, _, _ in batch))
                add(rows(codings), codebook_id, tagger, version)
    run.by_code = {code.id: counts.get(code.id, 0) for code in codebook.codes}
    run.codings = sum(counts.values())
    return run


def _code_with_llm(project: Project, codebook: Codebook, options: LLMOptions, dry_run: bool,
                   notify, progress) -> CodingRun:
    """The LLM's checked codings, written as coder ``llm`` (replacing its earlier ones)."""
    job = llm_tagging(project, codebook, options, dry_run=dry_run, notify=notify, progress=progress)
    run = CodingRun(codebook.name, codebook.version, LLM_CODER, segments=job.turns, dry_run=dry_run, llm=job)
    counts = Counter(code for result in job.results for code, *_ in result.codings)
    if not dry_run:
        version = f"qualcode {__version__} llm {job.model} prompt {job.prompt_hash}"
        rows = [(*result.turn.key, code, start, end, json.dumps(evidence, ensure_ascii=False), None)
                for result in job.results for code, start, end, evidence in result.codings]
        with project.transaction():
            codebook_id = register_codebook(project, codebook)
            earlier = codebook_versions(project, codebook.name)
            run.replaced = project.delete_machine_codings(LLM_CODER, earlier)
            project.delete_coverage(LLM_CODER, earlier)
            project.add_coverage(LLM_CODER, codebook_id, (r.turn.key[1] for r in job.results if not r.failed))
            project.add_machine_codings(rows, codebook_id, LLM_CODER, version)
            project.set_setting("llm.url", job.url)
            project.set_setting("llm.model", job.model)
    run.by_code = {code.id: counts.get(code.id, 0) for code in codebook.codes}
    run.codings = sum(counts.values())
    return run


def _tag_turns(project: Project, rule_tagger: RuleTagger, include_facilitators: bool,
               workers: int | None, read_batch: int):
    """``(turn batch, coding tuples)`` per batch of turns, read from the project as they are needed."""
    from qualcode.tagging.parallel import choose_workers, tag_batches

    n = choose_workers(workers, project.counts()["words"])
    return tag_batches(rule_tagger, _turn_batches(project, include_facilitators, read_batch), n)


def _turn_batches(project: Project, include_facilitators: bool, read_batch: int):
    """Lists of ``((document_id, segment_id), text, start)`` turns, read batch by batch."""
    for turns in project.turn_batches(include_facilitators, max_turns=read_batch):
        yield [((doc_id, seg_id), text, start) for seg_id, doc_id, text, start in turns]


def _model_turns(project: Project, model, rule_tagger: RuleTagger | None, include_facilitators: bool,
                 read_batch: int):
    """``(turn batch, machine codings)`` per batch: the model alone, or with the rules (``all``)."""
    from qualcode.tagging.combine import machine_codings

    for batch in _turn_batches(project, include_facilitators, read_batch):
        yield batch, list(machine_codings(model, batch, rule_tagger=rule_tagger))


@dataclass
class Explanation:
    segment_id: int
    document: str
    turn: int
    speaker: str
    role: str | None
    text: str
    applied: list[Hit]
    vetoed: list[Hit]
    codes: list[tuple[str, int, int]]  # (code, start, end) the tagger would store
    stored: list[tuple[str, str, str]]  # (code, coder, status) already in the project
    participant: str = ""  # the speaker's pseudonym (participant id)


def find_segment(project: Project, ref: str) -> dict:
    """A turn by its id (``42``) or by ``DOCUMENT:TURN`` (``scholars_northfield.docx:12``)."""
    if ref.isdigit():
        match = find_turn(project, segment_id=int(ref))
    else:
        document, _, turn = ref.rpartition(":")
        if not document or not turn.isdigit():
            raise SelectionError(f"segment {ref!r} is neither an id nor DOCUMENT:TURN")
        match = find_turn(project, document=document, turn=int(turn))
    if match is None:
        raise SelectionError(f"no turn {ref!r} in the project (see `qualcode export segments`)", project.path)
    return match


def explain_segment(project: Project, codebook: Codebook, ref: str) -> Explanation:
    """Which rules fire on one turn, which were vetoed and why, and what is stored for it."""
    seg = find_segment(project, ref)
    tagger = RuleTagger(codebook)
    text, base = seg["text"], int(seg["start"])
    hits = tagger.explain(text, base_offset=base)
    codes = [(c.code_id, c.start, c.end) for c in tagger.tag_text(text, base_offset=base)]
    stored = turn_codings(project, seg["segment_id"])
    return Explanation(
        segment_id=int(seg["segment_id"]), document=seg["document"], turn=int(seg["turn"]),
        speaker=seg["speaker"], role=seg["role"], text=text,
        applied=[h for h in hits if h.status == "applied"],
        vetoed=[h for h in hits if h.status != "applied"],
        codes=codes,
        stored=stored,
        participant=str(seg["participant"]))
