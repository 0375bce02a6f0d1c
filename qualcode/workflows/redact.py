"""Replace participants' names inside the transcripts with their pseudonyms.

    >>> from qualcode.store.project import open_project
    >>> from qualcode.store.names import read_names
    >>> from qualcode.workflows.redact import redact_project
    >>> with open_project("study.qcproj") as project:
    ...     plan = redact_project(project, read_names("names.txt"), dry_run=True)
    ...     [(c.document, c.turn, c.original, c.replacement) for c in plan.changes][:1]
    [('group1.docx', 4, 'Okafor', '[S01]')]

What is replaced, case-insensitively and on word boundaries, everywhere in a document's
stored text (the turns and the ``Speaker:`` line starts):

* every participant's personal name, taken from their speaker labels: the full name
  (``Ruth Abernathy``), each of its words alone (``Ruth``, ``Abernathy``), and the family
  name after a title (``Dr. Abernathy``, ``Dr Abernathy``, ``Prof. Okafor``), and the
  name with an initial (``R. Abernathy``, ``R Abernathy``, ``Ruth A.``); a label
  with a title (``Dr. Okafor``) gives ``Okafor``.  Generic labels (``P1``, ``Speaker 2``,
  ``Moderator``) are not names.  Each becomes the participant's pseudonym in brackets,
  ``[S01]``; a word shared by several participants becomes ``[S01/S03]``.
* every name in a names list (:func:`qualcode.store.names.read_names`): one name a line, optionally
  ``name,replacement``; without a replacement a participant's name gets their pseudonym
  and any other name ``[name]``.

A single name word that is also a common English word (``Will``, ``May``) is *not*
replaced on its own (``will`` is everywhere); the plan lists it in ``skipped`` so it can
be given in a names list, where every entry is replaced as written.

The text changes length, so every turn's and every coding's offsets are recomputed
(:func:`apply_replacements` and :class:`OffsetMap`) and still slice the same words; a
coding that started or ended inside a replaced name now covers the whole pseudonym.
All documents change in one transaction.  Speaker labels in the project (used by
``--real-names`` and the speakers table) are kept; share exports, not the project file.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Iterable

from qualcode.core.spans import OffsetMap, apply_replacements
from qualcode.store.names import NameEntry, find_names, name_table
from qualcode.store.project import Project, count_words

@dataclass(frozen=True)
class Change:
    """One name found in a document: where, what, and what it becomes."""

    document: str
    turn: int | None  # None: in a "Speaker:" line start, outside every turn
    start: int
    end: int
    original: str
    replacement: str


@dataclass
class RedactionPlan:
    changes: list[Change] = field(default_factory=list)
    documents: int = 0  # documents that change
    turns: int = 0      # turns that change
    codings: int = 0    # codings whose offsets move
    skipped: list[str] = field(default_factory=list)  # common-word name parts not replaced alone
    dry_run: bool = False


def redact_project(project: Project, names: Iterable[NameEntry] = (), *,
                   documents: Iterable[str] | None = None, dry_run: bool = False) -> RedactionPlan:
    """Replace names in every document (or only ``documents``, by name); see the module doc.

    With ``dry_run`` nothing is written and the plan lists what would change.  Documents
    are read and rewritten one at a time, all in one transaction (nothing is changed if
    any fails), so memory holds one document and its codings, not the corpus."""
    table = name_table(project, list(names))
    plan = RedactionPlan(skipped=list(table.skipped), dry_run=dry_run)
    wanted = None if documents is None else set(documents)
    with ExitStack() as writing:  # the transaction begins with the first document to rewrite
        for doc_id, doc_name in project.document_ids_and_names():
            if wanted is not None and doc_name not in wanted:
                continue
            text = project.document_text(doc_id)
            found = find_names(text, table)
            if not found:
                continue
            turns = [(t["segment_id"], t["turn"], t["start"], t["end"]) for t in project.document_turns(doc_id)]
            turn_starts = [start for _, _, start, _ in turns]
            for start, end, original, replacement in found:
                i = bisect_right(turn_starts, start) - 1
                inside = i >= 0 and start < turns[i][3]
                plan.changes.append(Change(doc_name, turns[i][1] if inside else None, start, end,
                                           original, replacement))
            new_text, offsets = apply_replacements(text, ((s, e, r) for s, e, _, r in found))
            seg_rows = []
            for seg_id, _, start, end in turns:
                new_start, new_end = offsets.span(start, end)
                changed = text[start:end] != new_text[new_start:new_end]
                plan.turns += changed
                if changed or (new_start, new_end) != (start, end):
                    seg_rows.append((new_start, new_end, count_words(new_text[new_start:new_end]), seg_id))
            coding_rows = []
            for coding_id, start, end, *_, evidence in project.document_codings(doc_id):
                new_start, new_end = offsets.span(start, end)
                new_evidence = _moved_evidence(evidence, offsets)
                if (new_start, new_end) != (start, end) or new_evidence != evidence:
                    coding_rows.append((new_start, new_end, new_evidence, coding_id))
            plan.codings += len(coding_rows)
            plan.documents += 1
            if not dry_run:
                if plan.documents == 1:
                    writing.enter_context(project.transaction())
                project.replace_document_text(doc_id, new_text, seg_rows, coding_rows)
    return plan


def _moved_evidence(evidence: str | None, offsets: OffsetMap) -> str | None:
    """Rule hits in a coding's evidence carry offsets too: move them the same way."""
    if not evidence:
        return evidence
    try:
        data = json.loads(evidence)
    except ValueError:
        return evidence
    hits = data.get("hits") if isinstance(data, dict) else None
    if not isinstance(hits, list):
        return evidence
    moved = False
    for hit in hits:
        if isinstance(hit, dict) and isinstance(hit.get("start"), int) and isinstance(hit.get("end"), int):
            span = offsets.span(hit["start"], hit["end"])
            if span != (hit["start"], hit["end"]):
                hit["start"], hit["end"] = span
                moved = True
    return json.dumps(data, ensure_ascii=False) if moved else evidence
