"""Reviewed coding sheets: decisions on a tagger's suggestions (accept / reject), applied
to the machine codings' status, and the reviewer's own coding of each turn.

A decision cell holds ``accept`` or ``reject`` (every suggestion of the turn),
``CODE:accept`` / ``CODE:reject`` (one suggestion), or both (``accept; tools:reject``).
"""

from __future__ import annotations

import re

from qualcode.exchange.sheets.checks import ImportPlan, RowChecker, split_codes, turn_coding
from qualcode.core.tables import Table
from qualcode.core.errors import InputError
from qualcode.store.frames import coding_decisions_frame
from qualcode.store.project import Project

DECISIONS = ("accept", "reject")


def parse_decision(cell: str, suggested: list[str]) -> tuple[dict[str, str], list[str]]:
    """``accept`` / ``reject`` for every suggestion, ``code:accept`` / ``code:reject`` for one,
    both mixed (``accept; tools:reject``).  Returns ({code: accepted|rejected}, problems)."""
    default, per_code, problems = None, {}, []
    for token in re.split(r"[;,]", cell):
        token = token.strip()
        if not token:
            continue
        code, sep, verdict = token.rpartition(":")
        verdict = verdict.strip().casefold()
        if verdict not in DECISIONS:
            problems.append(f"cannot read decision {token!r}: write accept, reject, CODE:accept or "
                            "CODE:reject")
            continue
        if not sep:
            default = verdict
            continue
        code = code.strip()
        if code not in suggested:
            problems.append(f"decision for {code!r}, which is not suggested for this turn"
                            + (f" (suggested: {'; '.join(suggested)})" if suggested else ""))
            continue
        per_code[code] = verdict
    status = {"accept": "accepted", "reject": "rejected"}
    decided = {}
    for code in suggested:
        verdict = per_code.get(code, default)
        if verdict is not None:
            decided[code] = status[verdict]
    return decided, problems


def plan_review(check: RowChecker, plan: ImportPlan, source: str, suggester: str | None,
                 codebook_ids: list[int]) -> str:
    table = check.table
    names = {v.get("suggested_by", "") for _, v in table.rows} - {""}
    if suggester is None:
        if len(names) > 1:
            raise InputError(f"suggestions by several coders ({', '.join(sorted(names))}): "
                             "review one tagger's suggestions per sheet", table.path)
        if not names:
            raise InputError("a reviewed sheet needs a suggested_by column (or give the "
                             "tagger's name, e.g. --suggestions rules)", table.path)
        suggester = names.pop()
    machine = coding_decisions_frame(check.project)
    machine = machine[(machine["coder"] == suggester) & (machine["coder_kind"] == "machine")
                      & machine["codebook_id"].isin(codebook_ids)]
    if machine.empty:
        raise InputError(f"no machine codings by {suggester!r} in this codebook to review", table.path)
    by_segment = {int(k): g for k, g in machine.groupby("segment_id")}
    first_row: dict[int, int] = {}
    for row, values in table.rows:
        document = check.document(row, values)
        seg = check.turn(row, document, values)
        own = check.code_list(row, values.get("codes", ""))
        if seg is None:
            continue
        seg_id = int(seg.segment_id)
        if seg_id in first_row:
            check.add(row, f"turn {seg.turn} of {seg.document} is listed again (first in row {first_row[seg_id]})")
            continue
        first_row[seg_id] = row
        check.matches_turn(row, seg, values)
        group = by_segment.get(seg_id)
        suggested = list(dict.fromkeys(group["code"])) if group is not None else []
        listed = split_codes(values.get("suggested", ""))
        if table.has("suggested") and set(listed) != set(suggested):
            check.add(row, f"the sheet shows suggestions {'; '.join(listed) or '(none)'!r} but {suggester} "
                           f"now suggests {'; '.join(suggested) or '(none)'!r} for turn {seg.turn} of "
                           f"{seg.document}: export a fresh sheet")
            continue
        cell = values.get("decision", "")
        decided, problems = parse_decision(cell, suggested)
        for problem in problems:
            check.add(row, problem)
        if problems:
            continue
        if not suggested and cell:
            check.add(row, f"decision {cell!r} but nothing is suggested for this turn")
            continue
        undecided = [c for c in suggested if c not in decided]
        if undecided and values.get("codes", ""):
            check.add(row, f"no decision for {'; '.join(undecided)}: write accept or reject (all "
                           "suggestions) or CODE:accept / CODE:reject for each")
            continue
        for code, status in decided.items():
            for coding_id in group.loc[group["code"] == code, "coding_id"]:
                plan.statuses[int(coding_id)] = status
        if undecided:            # not (fully) reviewed yet: decisions given apply, turn not read
            plan.undecided += 1
            continue
        accepted = [c for c in suggested if decided[c] == "accepted"]
        plan.documents.setdefault(seg.document, check.doc_ids[seg.document])
        plan.covered.add(seg_id)
        for code in dict.fromkeys(accepted + own):
            plan.codings.append(turn_coding(seg, check.doc_ids[seg.document], code, row, source))
    return suggester


def suggester_codebook(project: Project, table: Table, suggester: str | None) -> int | None:
    """For a reviewed sheet: the most recent codebook the suggesting tagger coded with."""
    names = {v.get("suggested_by", "") for _, v in table.rows} - {""}
    name = suggester or (names.pop() if len(names) == 1 else None)
    codings = coding_decisions_frame(project)
    ids = codings.loc[(codings["coder"] == name) & (codings["coder_kind"] == "machine"), "codebook_id"]
    ids = ids.dropna()
    return int(ids.max()) if not ids.empty else None
