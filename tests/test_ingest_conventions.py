"""Label conventions of real transcripts: separators, legends, voices nobody names, other
languages, stage directions, scripted questions, discussion guides and unlabelled talk."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.core.errors import InputError
from qualcode.ingest import ReadOptions, read_document, read_guide_file, read_transcript
from qualcode.ingest.labels import SpeakerJudge, is_facilitator_label, is_name_shaped, is_unidentified_label
from qualcode.ingest.vocabulary import ENVIRONMENT_VARIABLE, load_label_words

CONVENTIONS = Path(__file__).parent / "fixtures" / "conventions"


def described(doc):
    """(line, speaker, role the label gives, text, question) per turn."""
    return [(s.line, s.speaker, doc.roles.get(s.speaker), doc.segment_text(s),
             (s.attributes or {}).get("question")) for s in doc.segments]


# ---- separators ------------------------------------------------------------------------------

def test_dash_and_equals_separators_without_breaking_hyphens_or_dashes():
    doc = read_document(CONVENTIONS / "separators.txt")
    assert doc.turns() == [
        ("P", "So how did it go?"),
        ("R1", "Well, it's a long story - a well-known one, though."),
        ("R2", "Fine. I'd say it was self-directed."),
        ("R1", "I agree."),
        ("R2", "Not entirely."),
        ("RP", "Let's move on. Self-doubt was the hardest part for me.")]


@pytest.mark.parametrize("line,expected", [
    ("P - text", True), ("RP = text", True), ("P = text", True), ("Moderator - Welcome.", True),
    ("I think - well, maybe not.", False), ("Self-doubt was big.", False), ("E-mail was how we met.", False),
    ("Well - I don't know.", False), ("Maria - I agree.", False),   # a name needs to recur
    ("P2-I agree.", False),                                          # no space: a code that recurs
])
def test_separated_labels_at_first_sight(line, expected):
    judge = SpeakerJudge([])
    assert (judge.speaker_line(line) is not None) is expected


def test_a_name_or_a_tight_code_before_a_dash_counts_when_it_recurs(write):
    doc = read_document(write("g.txt", "Maria - I agree.\nP2-Same here.\nMaria - Also this.\nP2-And that.\n"))
    assert doc.turns() == [("Maria", "I agree."), ("P2", "Same here."), ("Maria", "Also this."),
                           ("P2", "And that.")]


# ---- words: facilitators, voices nobody names, stage directions, sentence openers --------------

def test_spanish_group_with_dashes_voices_and_a_stage_direction():
    doc = read_document(CONVENTIONS / "spanish_group.txt")
    assert doc.metadata == {"Fecha": "12 de abril de 2024", "Lugar": "Bogot\u00e1",
                            "header": "GRUPO FOCAL 3 - ESTUDIANTES"}
    assert described(doc) == [
        (5, "MODERADORA", "facilitator", "Buenas tardes a todos. \u00bfC\u00f3mo conocieron a sus mentores? "
                                         "MUESTRA FOTO: un mentor con una estudiante", None),
        (7, "P1", None, "En la primera semana, en una reuni\u00f3n del programa.", None),
        (8, "P2", None, "Yo lo conoc\u00ed por correo electr\u00f3nico.", None),
        (9, "TODOS", "unidentified", "(risas)", None),
        (10, "P1", None, "Bueno: la verdad es que fue un poco fr\u00edo.", None),
        (11, "VARIOS", "unidentified", "S\u00ed, s\u00ed.", None),
        (12, "MODERADORA", "facilitator", "\u00bfY qu\u00e9 esperaban de ellos?", None),
        (13, "P2", None, "Que me leyera los borradores a tiempo.", None)]


@pytest.mark.parametrize("label", ["Moderador", "Moderadora", "Presentadora", "Entrevistador 2", "ENTREVISTADORA",
                                   "Mod\u00e9rateur", "MODERATRICE", "Animatrice", "Moderatorin",
                                   "Interviewerin", "Intervistatore", "Lead Moderator", "Facilitator - Ana"])
def test_facilitator_words_beyond_english(label):
    assert is_facilitator_label(label)


@pytest.mark.parametrize("label", ["ALL", "EVERYONE", "Several", "UNKNOWN FEMALE", "FEM", "MASC", "TODOS",
                                   "Varios", "Tous", "Unidentified male 2", "Crosstalk"])
def test_voices_nobody_names_are_unidentified(label):
    assert is_unidentified_label(label)
    assert not is_facilitator_label(label)


def test_stage_directions_and_sentence_openers_are_no_speakers(write):
    doc = read_document(write("g.txt", "MODERATOR: Here is the first picture.\nSHOWS PICTURE: a lab bench\n"
                                       "[laughter]\nP1: Well: I think so.\nWell: that was odd.\nP2: Fine.\n"
                                       "Yes. Fine: we did it.\n"))
    assert doc.turns() == [("MODERATOR", "Here is the first picture. SHOWS PICTURE: a lab bench [laughter]"),
                           ("P1", "Well: I think so. Well: that was odd."),
                           ("P2", "Fine. Yes. Fine: we did it.")]
    recurring = read_document(write("r.txt", "Well: one.\nOK: two.\nWell: three.\nOK: four.\n"))
    assert [s for s, _ in recurring.turns()] == ["Well", "OK", "Well", "OK"]


def test_a_sentence_is_not_name_shaped():
    assert is_name_shaped("Dr. Lee") and is_name_shaped("J. R. Pike") and is_name_shaped("Prof. Ana Ruiz")
    assert is_name_shaped("Gov. Brown") and is_name_shaped("Ana Ph.D.")
    assert not is_name_shaped("Yes. Fine") and not is_name_shaped("Fine.")


# ---- the label words file ----------------------------------------------------------------------

def test_users_label_words_are_added_to_the_shipped_ones(write, monkeypatch):
    mine = write("mine.yaml", "facilitator:\n  - Gesprekleider\nunidentified:\n  - publiek\n")
    text = "GESPREKLEIDER: Welkom.\nP1: Dank je.\nPUBLIEK: Ja!\nMODERATOR: Next.\n"
    doc = read_document(write("nl.txt", text), options=ReadOptions(words=load_label_words([mine])))
    assert doc.roles == {"GESPREKLEIDER": "facilitator", "PUBLIEK": "unidentified", "MODERATOR": "facilitator"}
    assert read_document(write("nl2.txt", text)).roles == {"MODERATOR": "facilitator"}
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(mine))
    assert read_document(write("nl3.txt", text)).roles["GESPREKLEIDER"] == "facilitator"


@pytest.mark.parametrize("content,message", [
    ("facilitators:\n  - x\n", r"bad.yaml: unknown key 'facilitators'; the keys are: facilitator, "),
    ("facilitator: moderator\n", r"bad.yaml: 'facilitator' must be a list of words"),
    ("facilitator:\n  - [x\n", r"bad.yaml, line \d+: not valid YAML"),
    ("- x\n", r"bad.yaml: expected lists of words under keys"),
])
def test_a_bad_label_words_file_is_one_error_naming_it(write, content, message):
    with pytest.raises(InputError, match=message):
        load_label_words([write("bad.yaml", content)])


# ---- the participants legend -------------------------------------------------------------------

def test_legend_maps_initials_to_names_and_roles():
    read = read_transcript(CONVENTIONS / "legend_initials.txt")
    doc = read.document
    assert described(doc) == [(5, "Sam Lee", "facilitator", "Thank you all for coming.", None),
                              (6, "Jane Doe", "mentor", "Happy to be here.", None),
                              (7, "Tom Li", None, "I wasn't sure I'd make it.", None),
                              (8, "ALL", "unidentified", "[laughter]", None),
                              (9, "Sam Lee", "facilitator", "Let's begin.", None)]
    assert [(e.label, e.name, e.role, e.line) for e in read.report.legend] == [
        ("SL", "Sam Lee", "facilitator", 2), ("JD", "Jane Doe", "mentor", 3), ("TL", "Tom Li", None, 3)]
    assert doc.metadata["header"] == "MENTOR FOCUS GROUP 2 - RIVERBEND\nSAM LEE, MODERATOR (SL)"


def test_legend_forms_and_entries_no_turn_uses(write):
    text = ("P = Sam Lee, moderator\nJane Doe (JD)\nDr. Ana Ruiz - mentor (AR)\nLakeshore University (LU)\n\n"
            "P = Welcome.\nJD = Thanks.\nAR = Hello.\n")
    read = read_transcript(write("g.txt", text))
    assert read.document.turns() == [("Sam Lee", "Welcome."), ("Jane Doe", "Thanks."), ("Dr. Ana Ruiz", "Hello.")]
    assert read.document.roles == {"Sam Lee": "facilitator", "Dr. Ana Ruiz": "mentor"}
    assert [e.label for e in read.report.legend] == ["P", "JD", "AR"]


# ---- scripted questions and the discussion guide ----------------------------------------------

def test_scripted_questions_without_labels_are_the_facilitators_turns():
    read = read_transcript(CONVENTIONS / "guide_questions.txt")
    assert described(read.document) == [
        (4, "MODERATOR", "facilitator", "Question 1. How did you first learn what your mentor expected of you?", None),
        (6, "P1", None, "Mostly in our first meeting. She had a list of what she wanted by the end of the "
                        "first semester.", "Q1"),
        (9, "P2", None, "By trial and error, honestly.", "Q1"),
        (11, "MODERATOR", "facilitator", "Q2: Did you and your mentor sign a mentoring agreement?", None),
        (13, "P1", None, "We did, in the second month.", "Q2"),
        (14, "P3", None, "No. Nobody asked us to.", "Q2"),
        (16, "MODERATOR", "facilitator", "3. Whom do you turn to when something goes wrong with your mentor?", None),
        (18, "P2", None, "The program director, usually.", "Q3"),
        (19, "MODERATOR", "facilitator", "Anyone else?", None),
        (20, "P3", None, "My co-mentor.", "Q3")]
    report = read.report
    assert (report.questions, report.question_speaker, report.answers, report.guide_asked) == (
        [(4, "1"), (11, "2"), (16, "3")], "MODERATOR", 6, ["Q1", "Q2", "Q3"])


def test_questions_in_a_document_with_no_facilitator_label_get_one(write):
    doc = read_document(write("g.txt", "Question 1: What helped?\nP1: The handbook.\n"
                                       "Pregunta 2. \u00bfY qu\u00e9 m\u00e1s?\nP2: Nada.\n1. We met weekly.\n"))
    assert described(doc) == [(1, "Facilitator", "facilitator", "Question 1: What helped?", None),
                              (2, "P1", None, "The handbook.", "Q1"),
                              (3, "Facilitator", "facilitator", "Pregunta 2. \u00bfY qu\u00e9 m\u00e1s?", None),
                              (4, "P2", None, "Nada. 1. We met weekly.", "Q2")]


def test_discussion_guide_numbered_with_probes():
    guide = read_guide_file(CONVENTIONS / "discussion_guide.txt")
    assert [(q.number, q.text, q.line) for q in guide.questions] == [
        ("1", "How did you first learn what your mentor expected of you?", 3),
        ("2", "Did you and your mentor sign a mentoring agreement or contract?", 5),
        ("3", "Whom do you turn to when something goes wrong with your mentor?", 7),
        ("4", "What could the program do to help mentors and scholars agree on expectations?", 8)]
    assert [(q.number, q.text) for q in guide.items if q not in guide.questions] == [
        ("1", "Was anything written down?"), ("2", "What was in it?")]


def test_guide_questions_asked_without_labels_and_with_small_differences():
    guide = read_guide_file(CONVENTIONS / "discussion_guide.txt")
    read = read_transcript(CONVENTIONS / "guide_unnumbered.txt", options=ReadOptions(guide=guide))
    assert described(read.document) == [
        (3, "MODERATOR", "facilitator", "Welcome, everyone. Let's start.", None),
        (4, "MODERATOR", "facilitator", "How did you first learn what your mentor expected from you?", None),
        (5, "P1", None, "She told me in our first meeting.", "Q1"),
        (6, "MODERATOR", "facilitator", "Was anything written down at all?", None),
        (7, "P1", None, "A short email, that's all.", "Q1"),
        (8, "P2", None, "Nothing for me.", "Q1"),
        (9, "MODERATOR", "facilitator", "Did you and your mentor sign a mentoring agreement or a contract?", None),
        (10, "P2", None, "Yes, the program's form.", "Q2"),
        (11, "MODERATOR", "facilitator", "Thank you. And what could the program do to help mentors and "
                                         "scholars agree on expectations?", None),
        (12, "P1", None, "Check in after the first three months.", "Q4")]
    assert read.report.questions == [(4, ""), (6, ""), (9, "")]
    assert read.report.guide_asked == ["Q1", "Q2", "Q4"]
    # without the guide, those lines were P1's and P2's words
    assert read_document(CONVENTIONS / "guide_unnumbered.txt").turns()[1] == (
        "P1", "She told me in our first meeting. Was anything written down at all?")


def test_guide_one_question_per_line_and_errors(write):
    guide = read_guide_file(write("g.txt", "What helped?\n\nWhat got in the way?\n"))
    assert [(q.number, q.text) for q in guide.questions] == [("1", "What helped?"), ("2", "What got in the way?")]
    with pytest.raises(InputError, match=r"empty.txt: empty file"):
        read_guide_file(write("empty.txt", ""))
    with pytest.raises(InputError, match=r"twice.txt, line 2: question number 1 is used twice in the guide"):
        read_guide_file(write("twice.txt", "1. One?\n1. Again?\n"))


# ---- unlabelled talk -------------------------------------------------------------------------

def test_unlabelled_interview_stays_with_the_facilitator_unless_given_a_speaker():
    path = CONVENTIONS / "unlabelled_interview.txt"
    plain = read_transcript(path)
    assert [s for s, _ in plain.document.turns()] == ["MODERATOR"] * 4
    assert plain.report.unlabelled == []
    read = read_transcript(path, options=ReadOptions(unlabelled_speaker="Interviewee", unlabelled_role="scholar"))
    assert described(read.document) == [
        (4, "MODERATOR", "facilitator", "Thanks for making time. How did you and your mentor first talk about "
                                        "expectations?", None),
        (6, "Interviewee", "scholar", "Honestly, we didn't, not at first. She assumed I knew how her lab worked, "
                                      "and I assumed she would tell me.\nIt took a missed deadline before we sat "
                                      "down with the program's agreement form.", None),
        (11, "MODERATOR", "facilitator", "What changed after that?", None),
        (13, "Interviewee", "scholar", "We meet every other week now. I send an agenda the day before, and she "
                                       "answers within a day.", None),
        (15, "MODERATOR", "facilitator", "Would you recommend the form to other scholars?", None),
        (17, "Interviewee", "scholar", "Yes, but only if you actually talk it through.", None),
        (19, "MODERATOR", "facilitator", "Anything else you would like to add?", None),
        (21, "Interviewee", "scholar", "Only that the first month matters most. If nobody writes expectations "
                                       "down then, they drift, and by the time anyone notices there is a draft "
                                       "nobody asked for.", None)]
    assert (read.report.unlabelled, read.report.unlabelled_speaker) == ([6, 9, 13, 17, 21], "Interviewee")


def test_unlabelled_role_alone_names_the_speaker_and_labels_alone_keep_their_paragraph(write):
    text = "MODERATOR:\nWhat helped?\n\n[pause]\n\nThe handbook.\n\nMODERATOR: Thanks.\n"
    doc = read_document(write("i.txt", text), options=ReadOptions(unlabelled_role="mentor"))
    assert described(doc) == [(1, "MODERATOR", "facilitator", "What helped?\n[pause]", None),
                              (6, "Mentor", "mentor", "The handbook.", None),
                              (8, "MODERATOR", "facilitator", "Thanks.", None)]


def test_a_long_header_is_reported(write):
    talk = " ".join(["word"] * 30)
    read = read_transcript(write("h.txt", f"Group 1\n{talk}\nMODERATOR: Hello.\nP1: Hi.\n"))
    assert read.report.warnings == ["h.txt: 2 header lines (32 words) were kept as metadata before the first "
                                    "turn (line 3); if that is talk, label it, or give unlabelled paragraphs "
                                    "to a speaker (--unlabelled-speaker)"]
    given = read_transcript(write("h2.txt", f"Group 1\n{talk}\nMODERATOR: Hello.\nP1: Hi.\n"),
                            options=ReadOptions(unlabelled_speaker="Interviewee"))
    assert given.document.turns()[0] == ("Interviewee", talk) and given.report.warnings == []
