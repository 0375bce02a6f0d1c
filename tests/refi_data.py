"""A small study with accents and emoji for the REFI-QDA tests, built through the real pipeline.

Two transcripts (a scholar group and a mentor group) are ingested from text,
coded by the rule tagger with a two-theme codebook, and given human codings by
``ana`` (sub-turn spans placed after emoji, so character counting matters) and
by ``bo``.  Every string here was written for these tests.
"""

from __future__ import annotations

from pathlib import Path

from qualcode.codebook import load_codebook
from qualcode.store.codebooks import register_codebook
from qualcode.workflows.code import code_project
from qualcode.workflows.ingest import ingest
from qualcode.store.frames import segments_frame
from qualcode.store.project import open_project

SCHOLARS = """Moderator: Bienvenue à tous 👋 — what did you expect from your mentor?
Zoë: Clear goals 🎯 from the first week, written down, façon contrat.
Rémi: I was afraid to say no 😬 because she decides my funding.
Moderator: And did anyone sign a mentoring agreement?
Zoë: Yes, a compact 📝 that we signed together; it helped a lot.
"""

MENTORS = """Moderator: Merci d'être là. What do you expect of your scholars?
Dr. Núñez: Honesty 🙂 above all, and that they tell me when something is unclear.
Dr. Ødegaard: I expect them to own their project and to carve out a niche of their own.
Dr. Núñez: We write the expectations down 📄 in a short agreement at the start.
"""

CODEBOOK = """name: Small study
version: "1.0"
description: Two themes for the REFI-QDA tests.
codes:
  - id: expectations
    name: Explicit expectations
    definition: Saying out loud what each side expects.
    include: [goals written down, talking about expectations]
    exclude: Expectations of the program office.
    examples: ["We wrote down the goals 🎯 together."]
    rules:
      phrases: [clear goals, expectations, written down]
    children:
      - id: expectations.agreement
        name: Written agreement
        definition: A compact, contract or agreement that both sign.
        rules:
          phrases: [agreement, compact, contract]
  - id: power
    name: Power differential
    definition: The imbalance between scholar and mentor, and fear of speaking up.
    rules:
      phrases: [afraid, funding]
    children:
      - id: power.fear
        name: Fear of consequences
        definition: Afraid to say no or to push back.
"""


def write_inputs(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"scholars": folder / "scholars_montréal.txt", "mentors": folder / "mentors_ålesund.txt",
             "codebook": folder / "small_study.yaml"}
    paths["scholars"].write_text(SCHOLARS, encoding="utf-8")
    paths["mentors"].write_text(MENTORS, encoding="utf-8")
    paths["codebook"].write_text(CODEBOOK, encoding="utf-8")
    return paths


def span_of(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def build_study(folder: Path, name: str = "study.qcproj") -> Path:
    """Ingest, code with rules, add human codings by ana and bo; returns the project path."""
    paths = write_inputs(folder)
    project_path = folder / name
    with open_project(project_path, create=True) as project:
        ingest(project, [paths["scholars"]], attributes={"role": "scholar", "site": "Montréal"})
        ingest(project, [paths["mentors"]], attributes={"role": "mentor", "site": "Ålesund"})
        book = load_codebook(paths["codebook"])
        code_project(project, book)
        cb_id = register_codebook(project, book)
        human = [("ana", "scholars_montréal.txt", "from the first week, written down", "expectations"),
                 ("ana", "scholars_montréal.txt", "I was afraid to say no 😬", "power.fear"),
                 ("ana", "scholars_montréal.txt", "a compact 📝 that we signed together", "expectations.agreement"),
                 ("ana", "mentors_ålesund.txt", "in a short agreement at the start", "expectations.agreement"),
                 ("bo", "scholars_montréal.txt", "I was afraid to say no 😬", "power"),
                 ("bo", "mentors_ålesund.txt", "carve out a niche of their own", "power")]
        segments = segments_frame(project)
        rows = []
        for coder, document, needle, code in human:
            doc_id = project.document_id(document)
            start, end = span_of(project.document_text(doc_id), needle)
            seg = segments[(segments["document"] == document) & (segments["start"] <= start)
                           & (segments["end"] >= end)]
            rows.append({"document_id": doc_id, "segment_id": int(seg["segment_id"].iloc[0]),
                         "codebook_id": cb_id, "code": code, "start": start, "end": end,
                         "coder": coder, "coder_kind": "human"})
        with project.transaction():
            project.add_codings(rows)
            for coder in ("ana", "bo"):
                project.add_coverage(coder, cb_id, segments["segment_id"].astype(int).tolist())
    return project_path


_BUILT: dict[str, Path] = {}


def study_copy(folder: Path) -> Path:
    """A copy of the study project in ``folder`` (built once per test run, then copied)."""
    import shutil
    import tempfile

    if "study" not in _BUILT or not _BUILT["study"].exists():
        _BUILT["study"] = build_study(Path(tempfile.mkdtemp(prefix="qualcode-refi-study-")))
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "study.qcproj"
    shutil.copyfile(_BUILT["study"], target)
    return target
