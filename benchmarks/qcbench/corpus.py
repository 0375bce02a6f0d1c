"""A synthetic corpus of focus-group transcripts, reproducible from a seed.

Turns are composed from word lists written for qualcode: scholars and mentors
talking about meetings, papers, grants, independence, expectations and the
small talk around them, with fillers ("um", "you know"), negations, questions
and the occasional long story, so tokenizing, sentence splitting and the
codebooks' rules meet realistic text.  Nothing here is taken from a real
transcript.  Each transcript is a plain-text file with ``LABEL: text`` turns
(a moderator and participants P1..Pn) that :func:`qualcode.ingest.read_document`
reads like any other.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

SUBJECTS = ["I", "we", "my mentor", "my scholar", "she", "he", "they", "our program", "the committee",
            "my co-mentor", "the program director", "a lot of us", "one of my scholars", "the department",
            "my first mentor", "nobody", "everyone in the group", "the chair", "my lab manager", "you"]
VERBS = ["talked about", "wrote down", "never discussed", "figured out", "worried about", "asked about",
         "agreed on", "argued about", "forgot about", "kept track of", "came back to", "set up",
         "pushed for", "struggled with", "assumed", "spelled out", "planned", "negotiated", "revisited",
         "checked in about", "learned about", "complained about", "cared about", "waited for"]
OBJECTS = ["expectations", "the timeline", "authorship", "the first paper", "our weekly meetings",
           "the K award", "the grant application", "my own lab", "independence", "the budget",
           "protected time", "the mentoring agreement", "the individual development plan", "feedback",
           "the manuscript", "a career plan", "data ownership", "the next step", "the conference abstract",
           "who does what", "the compact", "clinic hours", "the IRB protocol", "the statistics",
           "work-life balance", "childcare", "the promotion dossier", "a letter of support",
           "the R01 resubmission", "networking", "the journal club", "the methods section"]
TIMES = ["at the start", "in the first month", "every other week", "last spring", "right away",
         "after a year", "too late", "from day one", "at the outset", "before the deadline",
         "during the retreat", "on Zoom", "over coffee", "in our first meeting", "twice a year",
         "when it was already a problem", "up front", "at the very end"]
ADJECTIVES = ["helpful", "awkward", "clear", "vague", "useful", "hard", "important", "frustrating",
              "essential", "uncomfortable", "fine", "stressful", "really valuable", "not obvious",
              "a little intimidating", "surprisingly easy", "critical", "messy"]
FILLERS = ["um,", "uh,", "you know,", "I mean,", "like,", "honestly,", "so,", "okay,", "right,",
           "well,", "I think", "I guess", "to be fair,", "frankly,"]
OPENERS = ["Yeah.", "Right.", "Mm-hmm.", "Exactly.", "Totally.", "Same here.", "Yes, absolutely.",
           "I agree with that.", "That's interesting.", "Can I add something?", "Sure.", "No, not really."]
STORIES = [
    "When I started, {subj} {verb} {obj} {time}, and it turned out to be {adj}.",
    "{Filler} {subj} {verb} {obj} {time}.",
    "It was {adj} that {subj} {verb} {obj}.",
    "I wish {subj} had {verb2} {obj} {time}.",
    "Did {subj} ever talk about {obj} with you?",
    "We did not set clear expectations about {obj}, so {subj} {verb} it {time}.",
    "Having that conversation about expectations {time} was {adj}.",
    "Honestly, {obj} was never on the table until {subj} {verb} {obj2}.",
    "{Subj} signed the mentoring agreement {time}, but nobody looked at it again.",
    "My mentor said I should own the data, and that was {adj}.",
    "There's a power difference, you know, and it's {adj} to say no to someone senior.",
    "{Subj} wanted a first-author paper before {obj2} was done.",
    "It's not that {subj} didn't care about {obj}; it's that nobody spelled it out {time}.",
    "So the question is whether {subj} {verb} {obj} or just {verb} {obj2}.",
    "I'd say {obj} and {obj2} were the two things {subj} {verb} most.",
    "We met every week, sometimes twice, and {subj} {verb} {obj} each time.",
    "If {subj} had {verb2} {obj}, I would have felt less {adj2} about {obj2}.",
    "Being on the same page about {obj} made everything {adj}.",
    "It's hard to ask for feedback when {subj} is also the one writing your letters.",
    "Over the years {subj} {verb} {obj}, {obj2}, and, um, {obj3}.",
]
PAST_PARTICIPLE = {"talked about": "talked about", "wrote down": "written down",
                   "never discussed": "discussed", "figured out": "figured out"}


def _participle(verb: str) -> str:
    return PAST_PARTICIPLE.get(verb, verb)


def _sentence(rng: random.Random) -> str:
    template = rng.choice(STORIES)
    subj, verb = rng.choice(SUBJECTS), rng.choice(VERBS)
    text = template.format(
        subj=subj, Subj=subj[0].upper() + subj[1:], verb=verb, verb2=_participle(rng.choice(VERBS)),
        obj=rng.choice(OBJECTS), obj2=rng.choice(OBJECTS), obj3=rng.choice(OBJECTS),
        time=rng.choice(TIMES), adj=rng.choice(ADJECTIVES), adj2=rng.choice(ADJECTIVES),
        Filler=rng.choice(FILLERS).capitalize())
    if rng.random() < 0.25:  # a filler inside the sentence
        words = text.split(" ")
        cut = rng.randrange(1, len(words))
        words.insert(cut, rng.choice(FILLERS))
        text = " ".join(words)
    return text


def _turn_text(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.15:
        return rng.choice(OPENERS)
    sentences = 1 + int(rng.expovariate(1 / 3))
    if roll > 0.97:  # a long story, over two lines (a continuation line to the readers)
        sentences += 12
    parts = [rng.choice(OPENERS)] if rng.random() < 0.3 else []
    parts += [_sentence(rng) for _ in range(sentences)]
    if sentences > 8:
        half = len(parts) // 2
        return " ".join(parts[:half]) + "\n" + " ".join(parts[half:])
    return " ".join(parts)


MODERATOR_LINES = [
    "Thanks. Let's move on to the next question: how did you first talk about expectations?",
    "What made that conversation easier, or harder?",
    "Did anyone use a written agreement or a development plan?",
    "How do you handle disagreements about authorship?",
    "Let's hear from someone who hasn't spoken yet.",
    "What would you tell a new scholar starting next month?",
    "And from the mentor's side, what do you expect in return?",
    "We have about ten minutes left, so one more round.",
]


def generate_turns(seed: int, words: int, participants: int = 6) -> Iterator[tuple[str, str]]:
    """``(label, text)`` turns of one focus group until about ``words`` words (whitespace-split)."""
    rng = random.Random(seed)
    labels = [f"P{i}" for i in range(1, participants + 1)]
    count = 0
    while count < words:
        if rng.random() < 0.12:
            label, text = "MODERATOR", rng.choice(MODERATOR_LINES)
        else:
            label, text = rng.choice(labels), _turn_text(rng)
        count += len(text.split())
        yield label, text


@dataclass
class CorpusFiles:
    directory: Path
    manifest: Path
    files: list[Path]
    words: int  # whitespace-separated words in the turn texts


def write_corpus(directory: str | Path, total_words: int, *, seed: int = 1,
                 words_per_transcript: int = 10_000) -> CorpusFiles:
    """Write transcripts of about ``words_per_transcript`` words until ``total_words``, plus a manifest.

    Transcripts alternate scholar and mentor groups across four sites; file ``k`` is generated
    from seed ``seed * 1_000_003 + k`` so a corpus is the same on every machine.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    written = 0
    sites = ["Northfield", "Lakeshore", "Riverside", "Hillcrest"]
    rows = []
    k = 0
    while written < total_words:
        size = min(words_per_transcript, total_words - written)
        role = "scholar" if k % 2 == 0 else "mentor"
        path = directory / f"group_{k:05d}_{role}s.txt"
        words = 0
        with open(path, "w", encoding="utf-8", newline="\n") as out:
            out.write(f"FOCUS GROUP {k + 1} - {role.upper()}S - SYNTHETIC BENCHMARK TRANSCRIPT\n\n")
            for label, text in generate_turns(seed * 1_000_003 + k, size):
                words += len(text.split())
                out.write(f"{label}: {text}\n\n")
        written += words
        files.append(path)
        rows.append({"file": path.name, "role": role, "site": sites[k % len(sites)], "group": f"G{k + 1:05d}"})
        k += 1
    manifest = directory / "manifest.csv"
    with open(manifest, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["file", "role", "site", "group"])
        writer.writeheader()
        writer.writerows(rows)
    return CorpusFiles(directory, manifest, files, written)


def corpus_files(directory: str | Path) -> list[Path]:
    """The transcripts :func:`write_corpus` wrote into ``directory``, in order."""
    return sorted(Path(directory).glob("group_*.txt"))
