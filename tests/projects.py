"""Small projects with known codings, so analysis numbers can be checked by hand.

``build_project(path)`` writes the STUDY project below through the store's own
methods.  Every turn has two sentences; a coding names a sentence (0 or 1).

Participant turns (facilitators F01/F02 left out):
  scholars_north.txt (role=scholar, site=North): S01 t1, S02 t2, S01 t4, S02 t5
  scholars_south.txt (role=scholar, site=South): S03 t1, S04 t2, S03 t3
  mentors_north.txt  (role=mentor,  site=North): M01 t1, M02 t2, M01 t3, M03 t4 (with times)
  -> scholars 7 turns / 4 participants; mentors 4 turns / 3 participants;
     North 8 turns, South 3 turns.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from qualcode.store.frames import segments_frame
from qualcode.store.project import open_project

# (code, parent, theme, name, definition)
CODES = [
    ("value", None, "value", "Value of expectations", "Why explicit expectations matter."),
    ("value.clarity", "value", "value", "Clear guidance", "Knowing what is expected."),
    ("value.trust", "value", "value", "Trust and respect", "Expectations build trust."),
    ("power", None, "power", "Power differential", "The imbalance between the two."),
    ("power.fear", "power", "power", "Fear of consequences", "Afraid to speak up."),
    ("tools", None, "tools", "Formal tools", "Contracts, agreements, handbooks."),
]

F, S, M = "facilitator", "scholar", "mentor"
# name -> (attributes, [(label, pid, role, sentence 0, sentence 1, time_start)])
DOCUMENTS = {
    "scholars_north.txt": ({"role": S, "site": "North", "group": "Scholars North"}, [
        ("Moderator", "F01", F, "Welcome everyone.", "What did you expect?", None),
        ("Ana", "S01", S, "We set clear expectations early.", "That built real trust.", None),
        ("Ben", "S02", S, "My mentor spelled out the goals.", "I liked that.", None),
        ("Moderator", "F01", F, "Expectations matter, then?", "Tell me more.", None),
        ("Ana", "S01", S, "I was afraid to push back.", "It felt risky.", None),
        ("Ben", "S02", S, "We signed an agreement.", "Nobody read it again.", None),
    ]),
    "scholars_south.txt": ({"role": S, "site": "South", "group": "Scholars South"}, [
        ("Moderator", "F02", F, "Good morning.", "Let us begin.", None),
        ("Cy", "S03", S, "Talking about expectations helps.", "But I fear retaliation.", None),
        ("Di", "S04", S, "The mentor holds the power.", "We just comply.", None),
        ("Cy", "S03", S, "Nothing else to add.", "Thanks.", None),
    ]),
    "mentors_north.txt": ({"role": M, "site": "North", "group": "Mentors North"}, [
        ("Moderator", "F01", F, "Welcome mentors.", "First question.", 0.0),
        ("Dr. Eve", "M01", M, "I write the goals down.", "Then we discuss them.", 12.0),
        ("Dr. Fox", "M02", M, "Scholars fear us a bit.", "That is a shame.", 30.5),
        ("Dr. Eve", "M01", M, "Clarity saves time.", "Clarity saves trouble.", 61.0),
        ("Dr. Gil", "M03", M, "Respect goes both ways.", "It takes time.", 3725.0),
    ]),
}

# (document, turn, sentence, code, coder, status)
CODINGS = [
    ("scholars_north.txt", 1, 0, "value.clarity", "rules", "suggested"),
    ("scholars_north.txt", 1, 1, "value.trust", "rules", "suggested"),
    ("scholars_north.txt", 2, 0, "value.clarity", "rules", "suggested"),
    ("scholars_north.txt", 3, 0, "value", "rules", "suggested"),          # facilitator turn
    ("scholars_north.txt", 4, 0, "power.fear", "rules", "suggested"),
    ("scholars_south.txt", 1, 0, "value", "rules", "accepted"),
    ("scholars_south.txt", 1, 1, "power.fear", "rules", "suggested"),
    ("scholars_south.txt", 2, 0, "power", "rules", "suggested"),
    ("mentors_north.txt", 1, 0, "value.clarity", "rules", "suggested"),
    ("mentors_north.txt", 2, 0, "power.fear", "rules", "rejected"),
    ("mentors_north.txt", 3, 0, "value.clarity", "rules", "suggested"),
    ("mentors_north.txt", 3, 1, "value.clarity", "rules", "suggested"),
    ("mentors_north.txt", 4, 0, "value.trust", "rules", "suggested"),
    ("scholars_north.txt", 5, 0, "tools", "alice", "accepted"),
]


def build_project(path: Path, documents=DOCUMENTS, codings=CODINGS, codes=CODES,
                  codebook: str = "Test book") -> Path:
    """Write the project to ``path``; returns ``path``."""
    participants: dict[str, int] = {}
    spans: dict[tuple[str, int, int], tuple[int, int, int, int]] = {}
    with open_project(path, create=True) as project, project.transaction():
        cb_id = project.add_codebook(codebook, "1.0", hashlib.sha256(codebook.encode()).hexdigest(),
                                     None, None, codes) if codes else None
        for name, (attrs, turns) in documents.items():
            text, layout = "", []
            for label, _pid, _role, s0, s1, _time in turns:
                start = len(text) + len(label) + 2
                text += f"{label}: {s0} {s1}\n"
                layout.append((start, start + len(s0), start + len(s0) + 1, start + len(s0) + 1 + len(s1)))
            doc_id = project.add_document(name, text, "text", hashlib.sha256(text.encode()).hexdigest(),
                                          name, {}, attrs)
            speakers: dict[str, int] = {}
            rows = []
            for turn, ((label, pid, role, s0, s1, time), (a0, a1, b0, b1)) in enumerate(zip(turns, layout)):
                if pid not in participants:
                    participants[pid] = project.add_participant(pid, f"id:{pid}", role)
                if label not in speakers:
                    speakers[label] = project.add_speaker(doc_id, label, participants[pid], role)
                words = len((s0 + " " + s1).split())
                rows.append((turn, speakers[label], a0, b1, time, None, turn + 1, words))
            project.add_segments(doc_id, rows)
            seg_ids = {r["turn"]: r["segment_id"] for _, r in
                       segments_frame(project, document=name).iterrows()}
            for turn, (a0, a1, b0, b1) in enumerate(layout):
                spans[(name, turn, 0)] = (doc_id, seg_ids[turn], a0, a1)
                spans[(name, turn, 1)] = (doc_id, seg_ids[turn], b0, b1)
        project.add_codings([
            {"document_id": spans[(doc, turn, sent)][0], "segment_id": spans[(doc, turn, sent)][1],
             "codebook_id": cb_id, "code": code, "start": spans[(doc, turn, sent)][2],
             "end": spans[(doc, turn, sent)][3], "coder": coder,
             "coder_kind": "machine" if coder == "rules" else "human", "status": status}
            for doc, turn, sent, code, coder, status in codings])
    return path
