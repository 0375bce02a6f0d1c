"""Ask the LLM about every participant turn of a project (or some of them): the job behind
``qualcode code --tagger llm`` and ``qualcode evaluate --tagger llm``.

    >>> from qualcode.workflows.llm import LLMOptions, llm_tagging
    >>> run = llm_tagging(project, codebook, LLMOptions(url="http://127.0.0.1:11434/v1", model="qwen2.5"))
    >>> run.stats.sent, [r.codings for r in run.results][:1]

Which turns: participant turns only; facilitator turns and turns of unidentified speakers
are never sent (a facilitator's question goes along as the context of the turns after it).
Speakers go as pseudonym and role; names in the text are replaced by pseudonyms as
``qualcode redact`` replaces them, unless ``redact_names=False``.

Where: ``url`` and ``model`` from the options, else those the project remembers from its
last LLM run (the command line also reads ``QUALCODE_LLM_URL`` and ``QUALCODE_LLM_MODEL``).
Only a server on this machine is accepted unless ``allow_remote``; then ``notify`` is told
first which host will receive how many turns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np

from qualcode.codebook import Codebook
from qualcode.core.errors import SelectionError
from qualcode.core.pseudonyms import speaker_pseudonym
from qualcode.core.roles import FACILITATOR, UNIDENTIFIED
from qualcode.store.names import NameTable, name_table
from qualcode.store.project import Project
from qualcode.tagging.llm.cache import AnswerCache
from qualcode.tagging.llm.client import ChatClient, Endpoint, check_endpoint
from qualcode.tagging.llm.prompt import TurnToCode, prompt_hash, system_prompt, turn_to_code
from qualcode.tagging.llm.tagger import LLMStats, LLMTagger, TurnResult

#: Roles whose turns are never sent.
NOT_SENT = (FACILITATOR, UNIDENTIFIED)


@dataclass
class LLMOptions:
    url: str | None = None
    model: str | None = None
    concurrency: int = 4
    refresh: bool = False
    allow_remote: bool = False
    redact_names: bool = True
    timeout: float = 120.0
    retries: int = 4
    backoff: float = 1.0
    seed: int = 0


@dataclass
class LLMRun:
    url: str
    model: str
    prompt_hash: str
    endpoint: Endpoint
    turns: int        # participant turns to code
    results: list[TurnResult] = field(default_factory=list)
    stats: LLMStats = field(default_factory=LLMStats)
    to_send: int = 0  # turns not in the cache (sent, unless a dry run)


def llm_turns(project: Project, names: NameTable | None,
              segment_ids: set[int] | None = None) -> Iterator[TurnToCode]:
    """Every participant turn to send (only ``segment_ids`` if given), with its context."""
    for doc_id, _ in project.document_ids_and_names():
        text = project.document_text(doc_id)
        question = None
        for turn in project.document_turns(doc_id):
            body = text[turn["start"]:turn["end"]]
            if turn["role"] == FACILITATOR:
                question = body
            if turn["role"] in NOT_SENT or (segment_ids is not None and turn["segment_id"] not in segment_ids):
                continue
            yield turn_to_code((doc_id, turn["segment_id"]), turn["start"], body,
                               speaker_pseudonym(turn["participant"], turn["role"]), question, names)


def llm_settings(project: Project, options: LLMOptions) -> tuple[str, str]:
    """(url, model): from the options, else remembered by the project."""
    url = options.url or project.setting("llm.url")
    model = options.model or project.setting("llm.model")
    if not url or not model:
        missing = " and ".join(o for o, v in (("--llm-url", url), ("--llm-model", model)) if not v)
        raise SelectionError(f"the LLM tagger needs {missing} (or QUALCODE_LLM_URL / QUALCODE_LLM_MODEL), "
                             "e.g. --llm-url http://127.0.0.1:11434/v1 --llm-model qwen2.5:7b-instruct")
    return url, model


def llm_tagging(project: Project, codebook: Codebook, options: LLMOptions, *,
                segment_ids: set[int] | None = None, dry_run: bool = False,
                notify: Callable[[str], None] | None = None,
                progress: Callable[[int, int], None] | None = None) -> LLMRun:
    """The LLM's checked codings for every participant turn (or ``segment_ids``).

    ``dry_run``: count the turns that would be sent and send nothing.  ``progress(done,
    total)`` is called after each turn."""
    url, model = llm_settings(project, options)
    endpoint = check_endpoint(url, options.allow_remote)
    names = name_table(project) if options.redact_names else None
    turns = list(llm_turns(project, names, segment_ids))
    client = None if dry_run else ChatClient(endpoint, model, timeout=options.timeout,
                                             retries=options.retries, backoff=options.backoff,
                                             seed=options.seed)
    cache = AnswerCache(project, model, prompt_hash(system_prompt(codebook)))
    tagger = LLMTagger(codebook, client, cache, concurrency=options.concurrency, refresh=options.refresh)
    run = LLMRun(url, model, tagger.prompt_hash, endpoint, len(turns), stats=tagger.stats)
    run.to_send = len(tagger.pending(turns))
    if dry_run:
        return run
    if notify is not None and run.to_send:
        where = f"{endpoint.host} (not this machine: --allow-remote)" if endpoint.remote else endpoint.host
        notify(f"sending {run.to_send} turns to {where} ({model})")
    try:
        done = 0
        for result in tagger.tag(turns):
            run.results.append(result)
            done += 1
            if progress is not None:
                progress(done, len(turns))
    finally:
        client.close()
    return run


def llm_predictions(project: Project, codebook: Codebook, options: LLMOptions, segment_ids: list[int],
                    codes: list[str], **kwargs) -> tuple[np.ndarray, LLMRun]:
    """The LLM's codes for these turns as a 0/1 matrix (turns in ``segment_ids`` order x
    ``codes``; a turn not sent or failed has none), and the run (``kwargs``: as for
    :func:`llm_tagging`)."""
    run = llm_tagging(project, codebook, options, segment_ids=set(segment_ids), **kwargs)
    given = {r.turn.key[1]: {code for code, *_ in r.codings} for r in run.results}
    column = {c: j for j, c in enumerate(codes)}
    matrix = np.zeros((len(segment_ids), len(codes)), dtype=int)
    for i, segment_id in enumerate(segment_ids):
        for code in given.get(int(segment_id), ()):
            if code in column:
                matrix[i, column[code]] = 1
    return matrix, run
