"""A small project of one-to-one interviews in scholar-mentor pairs, with known codings, so
alignment figures can be checked by hand (``tests/test_alignment.py``).

Codes (tests/projects.py): value > value.clarity, value.trust; power > power.fear; tools.
Every interview: the interviewer F01, then one person.  Pairs (``PAIRS_CSV``):

  P1  S01 (int_s01.txt) and M01 (int_m01.txt)
  P2  S02 and M02, named by document (int_s02, int_m02.txt)
  P3  S03 and M03: read by the tagger, nothing coded
  P4  S04 and M01 again (a mentor with two scholars)

Also, for the pairs file's errors: a focus group (group_s.txt: S05 and S06), a second
interview of M03 (int_m03.docx, so "int_m03" names two documents) and a participant
without a role (P01, int_p01.txt).

The rules tagger read every participant turn (coverage); alice read only P1's interviews.
"""

from __future__ import annotations

from pathlib import Path

from projects import build_project
from qualcode.store.frames import segments_frame
from qualcode.store.project import open_project

F, S, M = "facilitator", "scholar", "mentor"
Q = ("Interviewer", "F01", F, "Thanks for joining.", "What do you expect?", None)


def _interview(role: str | None, label: str, pid: str, *turns: tuple[str, str]) -> tuple[dict, list]:
    return ({"role": role} if role else {}, [Q, *[(label, pid, role, a, b, None) for a, b in turns]])


DOCUMENTS = {
    "int_s01.txt": _interview(S, "Ana", "S01", ("We set clear goals early.", "That built real trust."),
                              ("I was afraid to push back.", "It felt risky.")),
    "int_m01.txt": _interview(M, "Dr. Eve", "M01", ("I write the goals down.", "Then we talk."),
                              ("We sign the compact.", "She fears me a bit.")),
    "int_s02.txt": _interview(S, "Ben", "S02", ("Trust matters most.", "We have it."),
                              ("We use the compact.", "It helps.")),
    "int_m02.txt": _interview(M, "Dr. Fox", "M02", ("Trust goes both ways.", "It takes time."),
                              ("The compact is useful.", "We revisit it.")),
    "int_s03.txt": _interview(S, "Cy", "S03", ("Parking was awful.", "Sorry I am late.")),
    "int_m03.txt": _interview(M, "Dr. Gil", "M03", ("Coffee first.", "Then questions.")),
    "int_s04.txt": _interview(S, "Di", "S04", ("The mentor holds the power.", "We comply.")),
    "group_s.txt": ({"role": S}, [Q, ("Flo", "S05", S, "Hello.", "Hi.", None),
                                          ("Gus", "S06", S, "Hi.", "Yes.", None)]),
    "int_m03.docx": _interview(M, "Dr. Gil", "M03", ("Second visit.", "Same views.")),
    "int_p01.txt": _interview(None, "Ed", "P01", ("I am not sure.", "Maybe.")),
}

# (document, turn, sentence, code, coder, status); turn 0 is the interviewer's
CODINGS = [
    ("int_s01.txt", 1, 0, "value.clarity", "rules", "suggested"),
    ("int_s01.txt", 1, 1, "value.trust", "rules", "suggested"),
    ("int_s01.txt", 2, 0, "power.fear", "rules", "suggested"),
    ("int_m01.txt", 1, 0, "value.clarity", "rules", "suggested"),
    ("int_m01.txt", 2, 0, "tools", "rules", "suggested"),
    ("int_m01.txt", 2, 1, "power.fear", "rules", "rejected"),
    ("int_s02.txt", 1, 0, "value.trust", "rules", "suggested"),
    ("int_s02.txt", 2, 0, "tools", "rules", "suggested"),
    ("int_m02.txt", 1, 0, "value.trust", "rules", "suggested"),
    ("int_m02.txt", 2, 0, "tools", "rules", "accepted"),
    ("int_s04.txt", 1, 0, "power", "rules", "suggested"),
    ("int_s01.txt", 2, 1, "tools", "alice", "accepted"),
    ("int_m01.txt", 2, 0, "tools", "alice", "accepted"),
]

PAIRS_CSV = "pair,scholar,mentor\nP1,S01,M01\nP2,int_s02,int_m02.txt\nP3,S03,M03\nP4,S04,M01\n"


def build_pair_project(path: Path) -> Path:
    """The project above, with the coverage of both coders recorded."""
    build_project(path, documents=DOCUMENTS, codings=CODINGS)
    with open_project(path) as project, project.transaction():
        codebook_id = int(project.codebooks_frame()["codebook_id"].iloc[0])
        turns = segments_frame(project, include_facilitators=False, text=False)
        project.add_coverage("rules", codebook_id, turns["segment_id"].tolist())
        alice = turns[turns["document"].isin(["int_s01.txt", "int_m01.txt"])]
        project.add_coverage("alice", codebook_id, alice["segment_id"].tolist())
    return path
