"""A small synthetic project with human codings for the ML tagger tests.

Every turn is built from neutral filler plus, for each code it carries, one
cue sentence from that code's list below.  The rules (CODEBOOK_YAML) know only
the first cue word of each code; the human coder 'gold' codes by meaning, so
the model can learn cues the rules miss.

LAYOUT: three documents of 20 turns (a facilitator turn first, then 19
participant turns).  'gold' covered turns 1..14 of every document (42 turns),
so turns 15..19 (15 turns) are uncovered: what `suggest` may offer.
Codes per participant turn follow PLAN (turn -> codes), the same in every
document, so counts are known: see PLAN_COUNTS.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from qualcode.codebook import load_codebook
from qualcode.store.codebooks import register_codebook
from qualcode.store.frames import segments_frame
from qualcode.store.project import open_project

CODEBOOK_YAML = """\
name: ML test book
version: "1.0"
codes:
  - id: independence
    name: Independence
    definition: The scholar's path to research independence.
    children:
      - id: independence.credit
        name: Credit
        definition: Authorship and credit for shared work.
        rules:
          phrases: [authorship]
  - id: power
    name: Power
    definition: The imbalance between scholar and mentor.
    children:
      - id: power.fear
        name: Fear
        definition: Afraid of consequences of speaking up.
        rules:
          phrases: [afraid]
  - id: tools
    name: Tools
    definition: Contracts and written agreements.
    rules:
      phrases: [contract]
  - id: rare
    name: Rare
    definition: A code used too seldom to learn.
"""

CUES = {
    "independence.credit": ["We argued about authorship on the paper.",
                            "Who gets first author credit was never settled.",
                            "My name was left off the byline and credit went elsewhere."],
    "power.fear": ["I was afraid to tell my mentor anything.",
                   "Speaking up felt dangerous for my career.",
                   "I feared retaliation if I complained."],
    "tools": ["We signed a contract at the start.",
              "The written agreement listed our duties.",
              "A signed compact spelled out the meetings."],
    "rare": ["The parking situation was terrible."],
}
FILLER = ["We met most weeks.", "The lab was busy that year.", "Things were fine overall.",
          "Our group was small.", "Meetings ran long sometimes.", "The seminar helped a little."]

# participant turn -> codes (turns 1..19); the same plan in every document
PLAN = {1: ["independence.credit"], 2: [], 3: ["power.fear"], 4: ["tools"], 5: [],
        6: ["independence.credit", "tools"], 7: ["power.fear"], 8: [], 9: ["tools"],
        10: ["independence.credit"], 11: ["rare"], 12: ["power.fear"], 13: [],
        14: ["independence.credit"],
        15: ["power.fear"], 16: ["tools"], 17: [], 18: ["independence.credit"], 19: []}
COVERED = range(1, 15)
DOCUMENTS = ["scholars_a.txt", "scholars_b.txt", "mentors_c.txt"]
# positives among covered turns (3 documents), parents implied
PLAN_COUNTS = {"independence": 12, "independence.credit": 12, "power": 9, "power.fear": 9,
               "tools": 9, "rare": 3}


def turn_text(doc_index: int, turn: int) -> str:
    codes = PLAN[turn]
    parts = [FILLER[(turn + doc_index) % len(FILLER)]]
    for k, code in enumerate(codes):
        cues = CUES[code]
        parts.append(cues[(turn + doc_index + k) % len(cues)])
    parts.append(FILLER[(turn * 3 + doc_index + 1) % len(FILLER)])
    return " ".join(parts)


def write_codebook(folder: Path) -> Path:
    path = folder / "ml_test_book.yaml"
    path.write_text(CODEBOOK_YAML, encoding="utf-8")
    return path


def build_ml_project(path: Path, codebook_path: Path, coder: str = "gold",
                     coverage: bool = True) -> Path:
    """Write the project: documents, gold codings (whole turns) and gold coverage."""
    book = load_codebook(codebook_path)
    with open_project(path, create=True) as project, project.transaction():
        cb_id = register_codebook(project, book)
        participants: dict[str, int] = {}
        for d, name in enumerate(DOCUMENTS):
            role = "mentor" if name.startswith("mentors") else "scholar"
            turns = [("Facilitator", "F01", "facilitator", "Tell me about expectations.")]
            for t in range(1, 20):
                label = f"P{d}{t % 3}"
                turns.append((label, f"{role[0].upper()}{d}{t % 3}", role, turn_text(d, t)))
            text, spans = "", []
            for label, _pid, _role, body in turns:
                start = len(text) + len(label) + 2
                text += f"{label}: {body}\n"
                spans.append((start, start + len(body)))
            doc_id = project.add_document(name, text, "text", hashlib.sha256(text.encode()).hexdigest(),
                                          name, {}, {"role": role})
            speakers: dict[str, int] = {}
            rows = []
            for t, ((label, pid, prole, body), (a, b)) in enumerate(zip(turns, spans)):
                if pid not in participants:
                    participants[pid] = project.add_participant(pid, f"id:{pid}", prole)
                if label not in speakers:
                    speakers[label] = project.add_speaker(doc_id, label, participants[pid], prole)
                rows.append((t, speakers[label], a, b, None, None, t + 1, len(body.split())))
            project.add_segments(doc_id, rows)
            seg = {int(r.turn): int(r.segment_id) for r in segments_frame(project, document=name).itertuples()}
            codings = []
            for t in COVERED:
                for code in PLAN[t]:
                    a, b = spans[t]
                    codings.append({"document_id": doc_id, "segment_id": seg[t], "codebook_id": cb_id,
                                    "code": code, "start": a, "end": b, "coder": coder,
                                    "coder_kind": "human", "status": "accepted"})
            project.add_codings(codings)
            if coverage:
                project.add_coverage(coder, cb_id, [seg[t] for t in COVERED])
    return path
