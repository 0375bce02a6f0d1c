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
from contextlib import ExitStack
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Callable

from qualcode import __version__
from qualcode.codebook import Codebook
from qualcode.core.errors import SelectionError
from qualcode.store.codebooks import codebook_versions, register_codebook
from qualcode.store.frames import find_turn, turn_codings
from qualcode.store.project import Project
from qualcode.store.queries import find_document
from qualcode.tagging.rules.tagger import Hit, RuleTagger
from qualcode.workflows.combine import tagger_name, tagger_parts

if TYPE_CHECKING:  # the model, the LLM and their combination load only when a run uses them
    from qualcode.workflows.llm import LLMOptions, LLMRun
    from qualcode.workflows.train import Combination

#: Turns read (whole documents), tagged and written per batch.
READ_BATCH = 500
#: The largest row id SQLite stores (a larger turn id names no turn).
MAX_ID = 2**63 - 1


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
    llm: LLMRun | None = None  # the LLM's run (turns sent, from cache, rejected, ...) when it takes part
    combination: Combination | None = None  # how several taggers were combined


def code_project(project: Project, codebook: Codebook, tagger: str = "rules", *,
                 include_facilitators: bool = False, dry_run: bool = False,
                 workers: int | None = None, read_batch: int = READ_BATCH, model=None,
                 llm: LLMOptions | None = None, coder: str | None = None,
                 notify: Callable[[str], None] | None = None,
                 progress: Callable[[int, int], None] | None = None) -> CodingRun:
    """Code every participant turn (and facilitator turns if asked) with ``tagger``.

    ``tagger``: ``rules``, ``ml`` (needs ``model``, a loaded
    :class:`~qualcode.tagging.ml.modelfile.ModelFile` trained with this codebook), ``llm``
    (asks the model named in ``llm``, :class:`~qualcode.workflows.llm.LLMOptions`, about each
    participant turn, never facilitators'; ``notify`` and ``progress`` go to
    :func:`~qualcode.workflows.llm.llm_tagging`), ``all`` (rules and model) or a list such as
    ``rules,ml,llm``: combined code by code by the policies of
    :func:`~qualcode.workflows.train.combination_for_run` (the model file's, or chosen now on
    ``coder``'s turns).  The coder stored is the tagger's name (``rules+llm`` for a list).

    Turns stream through in batches of about ``read_batch`` (whole documents), tagged on
    ``workers`` processes (rules alone: every core for large projects, one for small ones),
    and their codings are written batch by batch inside one transaction.
    """
    parts, name = tagger_parts(tagger), tagger_name(tagger)
    if project.counts()["turns"] == 0:
        raise SelectionError("the project has no turns to code: ingest transcripts first", project.path)
    if "ml" in parts:
        if model is None:
            raise SelectionError(f"tagger {tagger!r} needs a model file (--model FILE from qualcode train)")
        model.check_codebook(codebook.name, codebook.version, codebook.hash)
    run = CodingRun(codebook.name, codebook.version, name, dry_run=dry_run)
    job = None
    if "llm" in parts:
        from qualcode.workflows.llm import LLMOptions, llm_tagging

        run.llm = job = llm_tagging(project, codebook, llm or LLMOptions(), dry_run=dry_run, notify=notify,
                                    progress=progress)
        if dry_run:
            run.segments = job.turns
            return run
    if parts == ("rules",):
        rule_tagger = RuleTagger(codebook)
        tagged = ((len(batch), [key[1] for key, _, _ in batch], rows) for batch, rows in
                  _tag_turns(project, rule_tagger, include_facilitators, workers, read_batch))
        version = f"qualcode {__version__} rules {rule_tagger.version}"
    elif parts == ("llm",):
        tagged = iter([(job.turns, [r.turn.key[1] for r in job.results if not r.failed], _llm_rows(job))])
        version = f"qualcode {__version__} llm {job.model} prompt {job.prompt_hash}"
    else:
        tagged, version = _combined_tagging(project, codebook, run, model, coder, job, include_facilitators,
                                            read_batch)
    _store(project, codebook, run, tagged, version, rules_only=parts == ("rules",))
    return run


def _combined_tagging(project: Project, codebook: Codebook, run: CodingRun, model, coder: str | None,
                      job: LLMRun | None, include_facilitators: bool, read_batch: int):
    """The batches of a run whose taggers are combined code by code (or the model alone), and
    its tagger version; ``run.combination`` says how, for a list of taggers."""
    from qualcode.workflows.train import Combination, combination_for_run

    parts = tagger_parts(run.tagger)
    llm_codes = None if job is None else {r.turn.key[1]: {c for c, *_ in r.codings} for r in job.results}
    if len(parts) > 1:
        run.combination = combination_for_run(project, codebook, parts, model, coder, llm_codes)
    combination = run.combination or Combination(parts, {}, "")
    rule_tagger = RuleTagger(codebook) if "rules" in parts else None
    tagged = _combined_turns(project, codebook, combination, rule_tagger, model, job, include_facilitators,
                             read_batch)
    version = " ".join([f"qualcode {__version__} {run.tagger}", *(
        [f"model {model.info['content_sha256'][:16]}"] if model is not None else []),
        *([f"rules {rule_tagger.version}"] if rule_tagger is not None else []),
        *([f"llm {job.model} prompt {job.prompt_hash}"] if job is not None else [])])
    return tagged, version


def _store(project: Project, codebook: Codebook, run: CodingRun, tagged, version: str, rules_only: bool) -> None:
    """Write ``(turns, covered segment ids, rows)`` batches as the coder ``run.tagger`` (its earlier
    codings replaced), or only count them in a dry run; the counts go into ``run``."""
    counts: Counter[str] = Counter()
    coder = run.tagger
    with ExitStack() as stack:
        if not run.dry_run:
            stack.enter_context(project.transaction())
            codebook_id = register_codebook(project, codebook)
            earlier = codebook_versions(project, codebook.name)
            run.replaced = project.delete_machine_codings(coder, earlier)
            project.delete_coverage(coder, earlier)
        add = project.add_rule_codings if rules_only else project.add_machine_codings
        for turns, covered, rows in tagged:  # reads and writes alternate: no cursor stays open
            run.segments += turns
            counts.update(map(itemgetter(2), rows))
            if not run.dry_run:
                project.add_coverage(coder, codebook_id, covered)
                add(rows, codebook_id, coder, version)
        if not run.dry_run and run.llm is not None:
            project.set_setting("llm.url", run.llm.url)
            project.set_setting("llm.model", run.llm.model)
        if not run.dry_run and run.combination is not None and run.combination.choices is not None:
            project.set_setting(f"combination.{codebook.name}.{coder}", json.dumps(
                {"source": run.combination.source, "policies": run.combination.choices}, ensure_ascii=False))
    run.by_code = {code.id: counts.get(code.id, 0) for code in codebook.codes}
    run.codings = sum(counts.values())


def _llm_rows(job: LLMRun) -> list[tuple]:
    return [(*result.turn.key, code, start, end, json.dumps(evidence, ensure_ascii=False), None)
            for result in job.results for code, start, end, evidence in result.codings]


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


def _combined_turns(project: Project, codebook: Codebook, combination: Combination, rule_tagger, model,
                    job: LLMRun | None, include_facilitators: bool, read_batch: int):
    """``(turns, covered segment ids, rows)`` per batch: the taggers' codings combined by policy."""
    from qualcode.tagging.combine import combined_codings, turn_votes

    parents = {code.id: code.parent for code in codebook.codes}
    llm_results = {} if job is None else {r.turn.key[1]: r for r in job.results}
    for batch in _turn_batches(project, include_facilitators, read_batch):
        rows = []
        for votes in turn_votes(batch, combination.taggers, parents, rule_tagger, model, llm_results):
            for coding in combined_codings(votes, combination.policies, parents, codebook.ids,
                                           show_policy=len(combination.taggers) > 1):
                rows.append((*coding.segment_key, coding.code, coding.start, coding.end,
                             json.dumps(coding.evidence, ensure_ascii=False), coding.confidence))
        yield len(batch), [key[1] for key, _, _ in batch], rows


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
    """A turn by its id (``42``) or by ``DOCUMENT:TURN`` (``scholars_northfield.docx:12``; the
    document with or without its suffix, see :func:`~qualcode.store.queries.find_document`)."""
    if ref.isdigit():
        match = find_turn(project, segment_id=int(ref)) if int(ref) <= MAX_ID else None
    else:
        document, _, turn = ref.rpartition(":")
        if not document or not turn.isdigit():
            raise SelectionError(f"segment {ref!r} is neither an id nor DOCUMENT:TURN")
        match = find_turn(project, document=find_document(project, document), turn=int(turn))
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
