"""One person's review decisions, each stored at once: accept or reject a machine suggestion,
code a span of a turn, remove one's own coding, mark a turn reviewed, undo the last decision.

    >>> from qualcode.workflows.review import reviewer, accept, reject, add_coding, undo
    >>> who = reviewer(project, "alice")                 # the most recent codebook with codings
    >>> accept(project, who, coding_id=12)               # alice agrees with suggestion 12
    >>> add_coding(project, who, document_id=1, start=940, end=990, code="tools.types")
    >>> undo(project, who)                               # takes the last decision back

The decisions mean what a reviewed coding sheet means (``qualcode import-codings``):
accepting sets the suggestion's status to ``accepted`` and stores the code as the
person's own coding (on the suggestion's span); rejecting sets it to ``rejected``; a
turn on which the person decides anything counts as read by them (the project's
coverage), so for agreement and training a suggestion they left undecided on a read
turn counts as "not coded" by them.  Facilitator turns are never coded.

Each call is one transaction (all or nothing) and writes one row of the review log
(:mod:`qualcode.store.reviews`) with the coder and the time; :func:`undo` reverses the
coder's latest decision that is not undone yet.  While another process writes the
project, a call waits (the store's busy timeout) and then fails with a
:class:`~qualcode.core.errors.ProjectError` saying so.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from qualcode.core.errors import SelectionError
from qualcode.core.spans import trim_span
from qualcode.store import frames, queries, reviews
from qualcode.store.codebooks import codebook_versions, find_codebook
from qualcode.store.coders import person_coder_name
from qualcode.store.project import Project
from qualcode.core.roles import FACILITATOR

_WORD_CHAR = re.compile(r"[\w'\u2019]")


@dataclass(frozen=True)
class Reviewer:
    """Who reviews, with which codebook: every stored version of its name (``codebook_ids``),
    the latest of which (``codebook_id``) receives new codings and coverage."""

    coder: str
    codebook_ids: tuple[int, ...]
    codebook_id: int
    codebook: str


@dataclass(frozen=True)
class Decision:
    """What one call changed: the turn it was on and a sentence for the person."""

    action: str
    segment_id: int
    document_id: int
    message: str
    changed: bool = True


def reviewer(project: Project, coder: str, codebook: str | int | None = None) -> Reviewer:
    """The reviewer ``coder`` with the codebook ``codebook`` names (found as every
    ``--codebook`` is: :func:`~qualcode.store.codebooks.find_codebook`; default: the most
    recently added codebook that has codings, else the most recent one)."""
    coder = person_coder_name(project, coder)
    if codebook is None:
        used = queries.coding_summary(project)["codebook_id"].dropna().astype(int)
        codebook = int(used.max()) if not used.empty else None
    book = find_codebook(project, codebook, hint="code it first (qualcode code PROJECT --codebook FILE)")
    return Reviewer(coder, tuple(codebook_versions(project, book.name)), book.id, book.label)


def snap_to_words(text: str, start: int, end: int, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
    """Widen ``start:end`` of ``text`` to whole words and trim the white space at its ends,
    within ``lo:hi`` (a turn's span): a selection that cuts a word takes the whole word."""
    hi = len(text) if hi is None else hi
    start, end = max(lo, min(start, hi)), max(lo, min(end, hi))
    while start > lo and start < hi and _WORD_CHAR.match(text[start - 1]) and _WORD_CHAR.match(text[start]):
        start -= 1
    while end < hi and end > lo and _WORD_CHAR.match(text[end]) and _WORD_CHAR.match(text[end - 1]):
        end += 1
    return trim_span(text, start, end)


# ----------------------------------------------------------------------------- checks
def _turn(project: Project, segment_id: int, *, coded: bool = True) -> dict:
    """A turn with its document's id; one of a facilitator's is refused when it is to be coded."""
    turn = frames.find_turn(project, segment_id=segment_id)
    if turn is None:
        raise SelectionError(f"no turn {segment_id} in the project", project.path)
    turn["document_id"] = project.document_id(turn["document"])
    if coded and (turn["role"] or "") == FACILITATOR:
        raise SelectionError(f"turn {turn['turn']} of {turn['document']} is a facilitator's: "
                             "facilitator turns are not coded")
    return turn


def _suggestion(project: Project, who: Reviewer, coding_id: int) -> tuple[dict, dict, str, int | None]:
    """(the machine coding, its turn, the coder's standing decision on it: ``accept``,
    ``reject`` or "", the coding an accept wrote)."""
    row = reviews.coding_row(project, coding_id)
    if row is None or row["coder_kind"] != "machine" or row["codebook_id"] not in who.codebook_ids:
        raise SelectionError(f"no machine suggestion {coding_id} in codebook {who.codebook}"
                             " (it may have been replaced by a new coding run: reload the page)")
    if row["segment_id"] is None:
        raise SelectionError(f"suggestion {coding_id} lies on no turn")
    standing = reviews.coder_decisions(project, who.coder, who.codebook_ids, suggestion_id=coding_id)
    action, added = standing.get(coding_id, ("", None))
    return row, _turn(project, row["segment_id"]), action, added


def _decision(action: str, turn: dict, message: str, changed: bool = True) -> Decision:
    return Decision(action, int(turn["segment_id"]), int(turn["document_id"]), message, changed)


def _where(turn: dict) -> str:
    return f"turn {turn['turn']} of {turn['document']}"


def _record(project: Project, who: Reviewer, segment_id: int, action: str, *, suggestion: dict | None = None,
            cover: bool = True, **changes) -> None:
    """Write a decision to the log, with what it changed: the suggestion's status (set to what
    ``action`` means), and the turn's coverage (when ``cover`` and the coder had not read
    the turn yet)."""
    if suggestion is not None:
        project.update_coding_status([suggestion["id"]], _STATUS_SET[action])
        changes.update(suggestion_id=suggestion["id"], previous_status=suggestion["status"])
    covered = cover and not reviews.is_covered(project, who.coder, who.codebook_ids, segment_id)
    if covered:
        project.add_coverage(who.coder, who.codebook_id, [segment_id])
    reviews.add_review(project, coder=who.coder, codebook_id=who.codebook_id, segment_id=segment_id,
                       action=action, covered=covered, **changes)


# -------------------------------------------------------------------------- decisions
def accept(project: Project, who: Reviewer, coding_id: int) -> Decision:
    """Accept a machine suggestion: its status becomes accepted and its code, on its span,
    becomes the coder's own coding."""
    with project.transaction():
        row, turn, standing, _ = _suggestion(project, who, coding_id)
        if standing == "accept":
            return _decision("accept", turn, f"{row['code']} was already accepted", changed=False)
        added = reviews.add_coding(
            project, document_id=turn["document_id"], segment_id=turn["segment_id"],
            codebook_id=who.codebook_id, code=row["code"], start=row["start"], end=row["end"],
            coder=who.coder, evidence={"source": "workbench", "accepted": coding_id,
                                       "suggested_by": row["coder"]})
        _record(project, who, turn["segment_id"], "accept", suggestion=row, added_coding_id=added)
    return _decision("accept", turn, f"accepted {row['code']} in {_where(turn)}")


def reject(project: Project, who: Reviewer, coding_id: int) -> Decision:
    """Reject a machine suggestion (and take back the coder's own coding if they had
    accepted it before)."""
    with project.transaction():
        row, turn, standing, added = _suggestion(project, who, coding_id)
        if standing == "reject":
            return _decision("reject", turn, f"{row['code']} was already rejected", changed=False)
        removed = _own_coding(project, who, added) if standing == "accept" else None
        if removed is not None:
            reviews.delete_coding(project, removed["id"])
        _record(project, who, turn["segment_id"], "reject", suggestion=row, removed_coding=removed)
    return _decision("reject", turn, f"rejected {row['code']} in {_where(turn)}")


def _own_coding(project: Project, who: Reviewer, coding_id: int | None) -> dict | None:
    row = reviews.coding_row(project, coding_id) if coding_id is not None else None
    if row is None or row["coder"] != who.coder or row["coder_kind"] != "human":
        return None
    return row


def add_coding(project: Project, who: Reviewer, document_id: int, start: int, end: int,
               code: str) -> Decision:
    """Code the characters ``start:end`` of a document (widened to whole words, within one
    participant turn) with ``code`` as the coder's own coding."""
    codes = set(project.codes_frame(who.codebook_id)["code"])
    if code not in codes:
        raise SelectionError(f"unknown code {code!r} in codebook {who.codebook}")
    with project.transaction():
        segment_id = _segment_at(project, document_id, start, end)
        turn = _turn(project, segment_id)
        text = project.document_text(document_id)
        start, end = snap_to_words(text, start, end, int(turn["start"]), int(turn["end"]))
        if start >= end:
            raise SelectionError("the selection holds no words: select the words to code")
        added = reviews.add_coding(project, document_id=document_id, segment_id=segment_id,
                                   codebook_id=who.codebook_id, code=code, start=start, end=end,
                                   coder=who.coder, evidence={"source": "workbench"})
        _record(project, who, segment_id, "add", added_coding_id=added)
    return _decision("add", turn, f"coded {code} in {_where(turn)}")


def _segment_at(project: Project, document_id: int, start: int, end: int) -> int:
    """The turn holding the span ``start:end`` of a document."""
    if start >= end:
        raise SelectionError("the selection is empty: select the words to code")
    for turn in project.document_turns(document_id):
        if turn["start"] <= start < turn["end"]:
            if end > turn["end"]:
                raise SelectionError("the selection runs over more than one turn: code one turn at a time")
            return int(turn["segment_id"])
    raise SelectionError(f"characters {start}-{end} lie in no turn of this document "
                         "(only in a speaker label or between turns)")


def remove(project: Project, who: Reviewer, coding_id: int) -> Decision:
    """Delete one of the coder's own codings (one that accepted a suggestion rejects it)."""
    row = _own_coding(project, who, coding_id)
    if row is None:
        raise SelectionError(f"coding {coding_id} is not one of {who.coder}'s own codings")
    accepted = accepted_suggestion(evidence_of(row["evidence"]))
    if accepted is not None and reviews.coding_row(project, accepted) is not None:
        return reject(project, who, accepted)
    with project.transaction():
        turn = _turn(project, row["segment_id"])
        reviews.delete_coding(project, coding_id)
        _record(project, who, turn["segment_id"], "remove", cover=False, removed_coding=row)
    return _decision("remove", turn, f"removed {row['code']} from {_where(turn)}")


def evidence_of(text: str | None) -> dict:
    """A coding's stored evidence as a dict ({} when there is none or it is not an object)."""
    try:
        evidence = json.loads(text) if text else {}
    except ValueError:
        return {}
    return evidence if isinstance(evidence, dict) else {}


def accepted_suggestion(evidence: dict) -> int | None:
    """The suggestion a person's coding accepted in the workbench (its evidence says), if any."""
    accepted = evidence.get("accepted")
    return accepted if isinstance(accepted, int) and not isinstance(accepted, bool) else None


def mark_reviewed(project: Project, who: Reviewer, segment_id: int) -> Decision:
    """Record that the coder read this turn (and that no further code applies)."""
    with project.transaction():
        turn = _turn(project, segment_id)
        if reviews.is_covered(project, who.coder, who.codebook_ids, segment_id):
            return _decision("reviewed", turn, f"{_where(turn)} was already reviewed", changed=False)
        _record(project, who, segment_id, "reviewed")
    return _decision("reviewed", turn, f"marked {_where(turn)} reviewed")


def undo(project: Project, who: Reviewer) -> Decision | None:
    """Take back the coder's latest decision that is not undone yet (None: nothing to undo)."""
    with project.transaction():
        last = reviews.last_review(project, who.coder, who.codebook_ids)
        if last is None:
            return None
        if last["added_coding_id"] is not None and _own_coding(project, who, last["added_coding_id"]):
            reviews.delete_coding(project, last["added_coding_id"])
        if last["removed_coding"] is not None:
            reviews.restore_coding(project, last["removed_coding"])
        if last["suggestion_id"] is not None and last["previous_status"] is not None:
            current = reviews.coding_row(project, last["suggestion_id"])
            if current is not None and current["status"] == _STATUS_SET[last["action"]]:
                project.update_coding_status([last["suggestion_id"]], last["previous_status"])
        if last["covered"]:
            reviews.remove_coverage(project, who.coder, last["codebook_id"], last["segment_id"])
        reviews.mark_undone(project, last["id"])
        turn = _turn(project, last["segment_id"], coded=False)
    return _decision("undo", turn, f"undid {last['action']} in {_where(turn)}")


_STATUS_SET = {"accept": "accepted", "reject": "rejected"}
