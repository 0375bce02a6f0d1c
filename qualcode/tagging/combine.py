"""Taggers combined per code by a policy (``--tagger all``, or a list such as ``rules,ml,llm``).

Policies, for the taggers combined (each gives 0/1 per turn and code, parents implied):

- a single tagger's name (``rules``, ``ml``, ``llm``): the code when that tagger gives it;
- ``union``: when any of them gives it; ``intersection``: when all of them give it;
- ``majority``: when more than half of them give it (three taggers or more).

Which policy each code gets is chosen on a person's coding by cross-validation
(:mod:`qualcode.workflows.combine`) and travels with the model file (or the project);
without one, every code takes :data:`DEFAULT_POLICY`, the rules alone.
:func:`combined_predictions` applies the policies to 0/1 matrices (evaluation);
:func:`combined_codings` to one turn's codings (coding a project):

- the codes given are the combined ones, parents implied by children;
- what is stored for them: the rules' codings of those codes as the rules would store them
  (sentence or turn spans with their hits), then the LLM's (its quote's span), and, for a
  code no stored coding carries yet (given by the model alone, say), one coding spanning
  the whole turn.  A parent implied by a stored child is not stored twice;
- evidence: ``sources`` lists the taggers that gave the code, ``policy`` the rule that kept
  it, with the model's ``probability`` and ``threshold`` when the model is combined;
  ``confidence`` is the model's probability (None without the model).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np

from qualcode.tagging.hierarchy import close_upward, hierarchical_predictions

PREDICT_BATCH = 2000
TAGGER_ORDER = ("rules", "ml", "llm")
DEFAULT_POLICY = "rules"
COMBINATIONS = ("union", "intersection", "majority")


@dataclass
class MachineCoding:
    segment_key: object
    code: str
    start: int
    end: int
    confidence: float | None
    evidence: dict


def most_specific(codes: set[str], parents: dict[str, str | None]) -> list[str]:
    """Codes that are not the parent (or ancestor) of another code in the set."""
    implied = set()
    for code in codes:
        implied.update(ancestors(code, parents))
    return [c for c in codes if c not in implied]


def ancestors(code: str, parents: dict[str, str | None]) -> list[str]:
    out, parent = [], parents.get(code)
    while parent is not None and parent not in out:
        out.append(parent)
        parent = parents.get(parent)
    return out


def closed(codes: Iterable[str], parents: dict[str, str | None]) -> set[str]:
    """The codes with every ancestor of each."""
    out = set(codes)
    for code in list(out):
        out.update(ancestors(code, parents))
    return out


def policy_names(taggers: Iterable[str]) -> list[str]:
    """The policies possible for these taggers: each alone, then their combinations."""
    taggers = list(taggers)
    return taggers + (["union", "intersection"] if len(taggers) >= 2 else []) + \
        (["majority"] if len(taggers) >= 3 else [])


def default_policy(taggers: Iterable[str]) -> str:
    """The rules alone when they are combined, else the first tagger."""
    taggers = list(taggers)
    return DEFAULT_POLICY if DEFAULT_POLICY in taggers else taggers[0]


def combine_votes(policy: str, votes: dict[str, np.ndarray]) -> np.ndarray:
    """0/1 by ``policy`` from each tagger's 0/1 ``votes`` (arrays of one shape)."""
    if policy in votes:
        return np.asarray(votes[policy], dtype=int)
    stacked = np.stack([np.asarray(v, dtype=int) for v in votes.values()])
    count = stacked.sum(axis=0)
    if policy == "union":
        return (count > 0).astype(int)
    if policy == "intersection":
        return (count == len(votes)).astype(int)
    if policy == "majority":
        return (2 * count > len(votes)).astype(int)
    raise ValueError(f"unknown policy {policy!r} for taggers {', '.join(votes)}")


def combined_predictions(policies: dict[str, str], predictions: dict[str, np.ndarray], codes: list[str],
                         parents: dict[str, str | None]) -> np.ndarray:
    """Turns x codes 0/1: each code's column combined by its policy, then parents implied."""
    taggers = list(predictions)
    shape = next(iter(predictions.values())).shape
    out = np.zeros(shape, dtype=int)
    for j, code in enumerate(codes):
        out[:, j] = combine_votes(policies.get(code, default_policy(taggers)),
                                  {t: predictions[t][:, j] for t in taggers})
    return close_upward(out, codes, parents)


def given_codes(policies: dict[str, str], given: dict[str, set[str]], parents: dict[str, str | None],
                codes: Iterable[str]) -> set[str]:
    """The codes one turn gets: ``given`` holds each tagger's codes for it (parents implied)."""
    taggers = list(given)
    out = set()
    for code in codes:
        votes = {t: np.array([code in given[t]]) for t in taggers}
        if combine_votes(policies.get(code, default_policy(taggers)), votes)[0]:
            out.add(code)
    return closed(out, parents)


def model_codes(model, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(0/1 predictions gated by parents and closed upward, probabilities), turns x codes."""
    tagger = model.tagger
    codes = [str(c) for c in tagger.classes_]
    proba = np.vstack([tagger.predict_proba(texts[i:i + PREDICT_BATCH])
                       for i in range(0, len(texts), PREDICT_BATCH)]) if texts else \
        np.zeros((0, len(codes)))
    predicted = ((proba >= tagger.thresholds_) & tagger.learned_).astype(int)
    return hierarchical_predictions(predicted, tagger.learned_, codes, model.info["parents"]), proba


@dataclass
class TurnVotes:
    """What each tagger said about one turn."""

    key: object
    start: int
    end: int
    given: dict[str, set[str]]          # tagger -> codes (parents implied)
    spans: dict[str, list[tuple[str, int, int, dict]]]  # tagger -> (code, start, end, evidence)
    model_view: dict[str, dict]         # code -> {"probability", "threshold"} (model combined)


def combined_codings(turn: TurnVotes, policies: dict[str, str], parents: dict[str, str | None],
                     codes: list[str], show_policy: bool = True) -> list[MachineCoding]:
    """The codings stored for one turn (see the module documentation); ``show_policy=False``
    leaves the policy out of the evidence (one tagger alone)."""
    final = given_codes(policies, turn.given, parents, codes)
    order = {c: j for j, c in enumerate(codes)}
    taggers = list(turn.given)
    out: list[MachineCoding] = []
    stored: set[str] = set()

    def coding(code: str, start: int, end: int, evidence: dict) -> MachineCoding:
        view = turn.model_view.get(code, {})
        sources = [t for t in taggers if code in turn.given[t]]
        policy = {"policy": policies.get(code, default_policy(taggers))} if show_policy else {}
        return MachineCoding(turn.key, code, start, end, view.get("probability"),
                             {"sources": sources, **policy, **view, **evidence})

    for tagger in ("rules", "llm"):
        for code, start, end, evidence in turn.spans.get(tagger, ()):
            if code in final and (tagger == "rules" or code not in stored):
                out.append(coding(code, start, end, evidence))
                stored.add(code)
    covered = closed(stored, parents)
    for code in sorted(most_specific(final, parents), key=order.get):
        if code not in covered:
            out.append(coding(code, turn.start, turn.end, {"scope": "turn"}))
    return out


def turn_votes(batch, taggers, parents: dict, rule_tagger, model, llm_results: dict) -> list[TurnVotes]:
    """What each tagger says about each ``(key, text, start)`` turn of ``batch``: the rules of
    ``rule_tagger``, the ``model`` (a :class:`~qualcode.tagging.ml.modelfile.ModelFile`), the
    LLM's checked answers (``llm_results``: segment id -> its turn's result)."""
    votes = {key: TurnVotes(key, start, start + len(text), {t: set() for t in taggers}, {}, {})
             for key, text, start in batch}
    if rule_tagger is not None:
        for coding in rule_tagger.tag_segments(batch):
            turn = votes[coding.segment_key]
            turn.given["rules"].add(coding.code_id)
            turn.spans.setdefault("rules", []).append((coding.code_id, coding.start, coding.end, {
                "scope": coding.scope, "hits": [{"rule": h.rule_id, "matched": h.matched, "start": h.start,
                                                 "end": h.end} for h in coding.hits]}))
    if model is not None:
        predicted, proba = model_codes(model, [text for _, text, _ in batch])
        tagger = model.tagger
        codes = [str(c) for c in tagger.classes_]
        for (key, _, _), row, probs in zip(batch, predicted, proba):
            votes[key].given["ml"] = {codes[j] for j in np.flatnonzero(row)}
            votes[key].model_view = {code: ({"probability": round(float(probs[j]), 4),
                                             "threshold": round(float(tagger.thresholds_[j]), 4)}
                                            if tagger.learned_[j] else {"probability": None, "threshold": None})
                                     for j, code in enumerate(codes)}
    for key, turn in votes.items():
        result = llm_results.get(key[1])
        if "llm" in taggers and result is not None and not result.failed:
            turn.given["llm"] = {code for code, *_ in result.codings}
            turn.spans["llm"] = [(c, s, e, {k: v for k, v in ev.items() if k != "sources"})
                                 for c, s, e, ev in result.codings]
        turn.given = {t: closed(codes, parents) for t, codes in turn.given.items()}
    return list(votes.values())


def machine_codings(model, turns, *, rule_tagger=None, policies: dict[str, str] | None = None):
    """Codings for ``(segment_key, text, start)`` turns: the model alone, or combined with the
    rules of ``rule_tagger`` by ``policies`` (code -> policy; default: the rules alone)."""
    turns = list(turns)
    taggers = ("rules", "ml") if rule_tagger is not None else ("ml",)
    parents, codes = model.info["parents"], [str(c) for c in model.tagger.classes_]
    for offset in range(0, len(turns), PREDICT_BATCH):
        batch = turns[offset:offset + PREDICT_BATCH]
        for votes in turn_votes(batch, taggers, parents, rule_tagger, model, {}):
            yield from combined_codings(votes, policies or {}, parents, codes, show_policy=len(taggers) > 1)
