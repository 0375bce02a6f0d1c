"""What the transcript page shows for one reviewer: each turn with its text cut into pieces
at the codings' edges, and the codings beside it as chips (machine suggestions with this
reviewer's decision on them, and the reviewer's own codings).

Plain data for the templates; every value is escaped by Jinja2 when it is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from qualcode.analysis.excerpts import format_time
from qualcode.core.pseudonyms import speaker_pseudonym
from qualcode.core.roles import FACILITATOR
from qualcode.store import frames, reviews
from qualcode.store.project import Project
from qualcode.workflows.review import Reviewer, accepted_suggestion, evidence_of

#: Theme colours: CSS classes t0..t7 (a colour-blind-safe palette in app.css), by theme order.
THEME_CLASSES = 8
STATUS = {"accept": "accepted", "reject": "rejected"}


@dataclass
class Code:
    id: str
    name: str
    theme: str
    parent: str | None
    depth: int
    colour: str            # CSS class t0..t7
    definition: str = ""
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)


@dataclass
class Chip:
    """One coding beside its turn."""

    id: int
    code: Code
    status: str            # suggested, accepted or rejected (this reviewer's decision)
    kind: str              # suggestion (a machine's) or own (the reviewer's)
    by: str                # the tagger's name, or the reviewer's
    evidence: list[str]
    start: int
    end: int


@dataclass
class Piece:
    at: int                # character offset of the piece in the document's text
    text: str              # drawn as plain text when no coding covers it
    ids: str = ""          # codings covering it, space-separated
    hits: str = ""         # codings whose rule matched these very words
    css: str = ""


@dataclass
class Turn:
    segment_id: int
    start: int             # character offset of the turn's text in the document
    ref: str               # DOCUMENT:TURN, as in `export segments` and `explain --segment`
    turn: int
    speaker: str
    role: str
    time: str
    facilitator: bool
    reviewed: bool
    pieces: list[Piece]
    chips: list[Chip]

    @property
    def undecided(self) -> int:
        return sum(c.kind == "suggestion" and c.status == "suggested" for c in self.chips)


def codebook_codes(project: Project, codebook_id: int, details=None) -> dict[str, Code]:
    """The codebook's codes in order, with colour by theme; ``details``: the full
    :class:`~qualcode.codebook.Codebook` (criteria and examples) when the project keeps it."""
    frame = project.codes_frame(codebook_id)
    parents = {c: (p if isinstance(p, str) and p else None) for c, p in zip(frame["code"], frame["parent"])}
    themes = [c for c in frame["code"] if parents[c] is None]
    codes: dict[str, Code] = {}
    for code, name, theme, definition in zip(frame["code"], frame["name"], frame["theme"], frame["definition"]):
        depth, parent = 0, parents[code]
        while parent is not None:
            depth, parent = depth + 1, parents.get(parent)
        colour = f"t{themes.index(theme) % THEME_CLASSES}" if theme in themes else "t0"
        entry = Code(code, name if isinstance(name, str) and name else code, theme, parents[code], depth,
                     colour, definition if isinstance(definition, str) else "")
        if details is not None and code in details:
            full = details.get(code)
            entry.include, entry.exclude, entry.examples = list(full.include), list(full.exclude), \
                list(full.examples)
        codes[code] = entry
    return codes


def descendants(codes: dict[str, Code], code: str) -> set[str]:
    """``code`` and every code below it."""
    found, changed = {code}, True
    while changed:
        more = {c.id for c in codes.values() if c.parent in found} - found
        changed = bool(more)
        found |= more
    return found


def evidence_lines(coder: str, kind: str, confidence, evidence: dict) -> list[str]:
    """A coding's evidence in words: the rules and the words that fired, the model's
    probability, another tagger's rationale, or where a person's coding came from."""
    if kind == "human":
        if evidence.get("source") == "workbench":
            return [f"{coder}'s coding" + (f", accepting {evidence.get('suggested_by')}'s suggestion"
                                           if evidence.get("accepted") else ", selected in the workbench")]
        if evidence.get("file"):
            return [f"{coder}'s coding, imported from {evidence['file']} row {evidence.get('row', '?')}"]
        return [f"{coder}'s coding"]
    sources = evidence.get("sources")
    lines = [f"suggested by {coder}" + (f" ({' and '.join(map(str, sources))})" if isinstance(sources, list) else "")]
    for hit in _hits(evidence):
        lines.append(f"rule {hit.get('rule', '?')} matched \u201c{hit.get('matched', '')}\u201d")
    probability = evidence.get("probability", confidence)
    if isinstance(probability, (int, float)):
        threshold = evidence.get("threshold")
        lines.append(f"model probability {probability:.2f}"
                     + (f" (threshold {threshold:.2f})" if isinstance(threshold, (int, float)) else ""))
    if isinstance(evidence.get("model"), str):
        lines.append(f"model {evidence['model']}")
    for key in ("rationale", "reason", "explanation"):
        if isinstance(evidence.get(key), str) and evidence[key].strip():
            lines.append(evidence[key].strip())
    if evidence.get("scope") in ("sentence", "turn"):
        lines.append(f"scope: {evidence['scope']}")
    return lines


def _hits(evidence: dict) -> list[dict]:
    hits = evidence.get("hits")
    return [h for h in hits if isinstance(h, dict)] if isinstance(hits, list) else []


def _hit_spans(evidence: dict) -> list[tuple[int, int]]:
    return [(h["start"], h["end"]) for h in _hits(evidence)
            if isinstance(h.get("start"), int) and isinstance(h.get("end"), int)]


def _chips(project: Project, who: Reviewer, document_id: int, codes: dict[str, Code],
           taggers: set[str] | None, segment_id: int | None) -> tuple[dict[int, list[Chip]], dict[int, list]]:
    """Chips by turn, and (chip, its rule hits' spans) by turn, for this reviewer (on one
    turn if ``segment_id``)."""
    decided = reviews.coder_decisions(project, who.coder, who.codebook_ids, document_id=document_id)
    rows = reviews.review_codings(project, document_id, who.codebook_ids, segment_id)
    shown_machine = {r["id"] for r in rows if r["coder_kind"] == "machine"
                     and (taggers is None or r["coder"] in taggers)}
    chips: dict[int, list[Chip]] = {}
    spans: dict[int, list] = {}
    for row in rows:
        if row["code"] not in codes or (row["coder_kind"] == "human" and row["coder"] != who.coder):
            continue  # other people's codings are kept apart
        evidence = evidence_of(row["evidence"])
        if row["coder_kind"] == "machine":
            if row["id"] not in shown_machine:
                continue
            status, kind = STATUS.get(decided.get(row["id"], ("",))[0], "suggested"), "suggestion"
        else:
            accepted = accepted_suggestion(evidence)
            if accepted in shown_machine and decided.get(accepted, ("",))[0] == "accept":
                continue  # drawn as the suggestion it accepted
            status, kind = "accepted", "own"
        chip = Chip(row["id"], codes[row["code"]], status, kind, row["coder"],
                    evidence_lines(row["coder"], "machine" if kind == "suggestion" else "human",
                                   row["confidence"], evidence), row["start"], row["end"])
        chips.setdefault(row["segment_id"], []).append(chip)
        spans.setdefault(row["segment_id"], []).append((chip, _hit_spans(evidence)))
    return chips, spans


def cut_pieces(text: str, start: int, end: int, spans: list) -> list[Piece]:
    """The turn's text ``start:end`` cut at every coding's and rule hit's edge; each piece
    names the codings over it (``ids``), those whose rule matched it (``hits``), and its look."""
    hits = [(h0, h1, chip.id) for chip, chip_hits in spans for h0, h1 in chip_hits]
    edges = {start, end}
    for chip, _ in spans:
        edges.update((min(max(chip.start, start), end), min(max(chip.end, start), end)))
    for h0, h1, _ in hits:
        edges.update((min(max(h0, start), end), min(max(h1, start), end)))
    points = sorted(edges)
    pieces = []
    for a, b in zip(points, points[1:]):
        over = [chip for chip, _ in spans if chip.start <= a and chip.end >= b]
        piece = Piece(a, text[a:b], " ".join(str(c.id) for c in over),
                      " ".join(str(i) for h0, h1, i in hits if h0 <= a and h1 >= b))
        live = [c for c in over if c.status != "rejected"]
        if live:
            look = "acc" if any(c.status == "accepted" for c in live) else "sug"
            piece.css = f"hl {live[0].code.colour} {look}" + (" multi" if len(live) > 1 else "")
        pieces.append(piece)
    return pieces


def document_turns(project: Project, who: Reviewer, document_id: int, codes: dict[str, Code], *,
                   real_names: bool = False, code_filter: str | None = None,
                   taggers: set[str] | None = None, segment_id: int | None = None) -> list[Turn]:
    """The document's turns as the reviewer sees them (only ``segment_id`` if given; only
    the turns with a coding of ``code_filter`` or a code below it, if given)."""
    name = dict(project.document_ids_and_names())[document_id]
    text = project.document_text(document_id)
    rows = frames.segments_frame(project, document=name, text=False).itertuples(index=False) \
        if segment_id is None else [SimpleNamespace(**frames.find_turn(project, segment_id=segment_id))]
    chips, spans = _chips(project, who, document_id, codes, taggers, segment_id)
    covered = reviews.covered_segments(project, who.coder, who.codebook_ids, document_id)
    wanted = descendants(codes, code_filter) if code_filter else None
    turns = []
    for row in rows:
        seg = int(row.segment_id)
        role = row.role if isinstance(row.role, str) else ""
        facilitator = role == FACILITATOR
        mine = [] if facilitator else chips.get(seg, [])
        if wanted is not None and not any(c.code.id in wanted and c.status != "rejected" for c in mine):
            continue
        speaker = row.speaker if real_names else speaker_pseudonym(row.participant, None)
        turns.append(Turn(seg, int(row.start), f"{name}:{int(row.turn)}", int(row.turn), speaker, role,
                          format_time(row.time_start), facilitator, seg in covered,
                          cut_pieces(text, int(row.start), int(row.end), [] if facilitator else spans.get(seg, [])),
                          mine))
    return turns
