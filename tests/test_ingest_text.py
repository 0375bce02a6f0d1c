"""Plain-text readers: labels, heuristics, headers, Rev, Otter, Zoom text, encodings."""

from pathlib import Path

import pytest

from qualcode.core.errors import FormatError, InputError
from qualcode.ingest import read_document
from qualcode.core.encoding import read_text_file
from qualcode.ingest.labels import is_facilitator_label, match_label_line, parse_timestamp

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def turns_with_times(doc):
    return [(s.speaker, doc.segment_text(s), s.time_start, s.line) for s in doc.segments]


def test_labelled_text_with_header_timestamps_wraps_and_non_speaker_labels():
    doc = read_document(FIXTURES / "focus_group.txt")
    assert doc.name == "focus_group.txt"
    assert doc.format == "text"
    assert doc.metadata == {"Date": "3 May 2024", "Site": "Lakeshore",
                            "header": "Mentoring Expectations Study - Group 2"}
    assert turns_with_times(doc) == [
        ("MODERATOR", "Welcome, everyone. Please say your first name before you speak. "
                      "Note: the recorder was started late.", 5.0, 5),
        ("P1", "I'm Ana. I think expectations were never written down.\n"
               "When I asked, the answer was vague.", 83.0, 8),
        ("Dr. Lee", "As a mentor I agree with that. Example: the lab manual. "
                    "Question: what would help? That is what I keep asking.", None, 12),
        ("Speaker 2", "A written compact, maybe. See https://example.org/compact for one.", None, 16),
    ]


def test_question_label_counts_when_it_recurs(write):
    doc = read_document(write("qa.txt", "Question: Where do you work?\nAnswer: At the clinic.\n"
                                        "Question: For how long?\nAnswer: Two years.\n"))
    assert doc.turns() == [("Question", "Where do you work?"), ("Answer", "At the clinic."),
                           ("Question", "For how long?"), ("Answer", "Two years.")]


def test_lowercase_phrase_is_a_speaker_only_when_it_recurs(write):
    once = read_document(write("once.txt", "P1: My point is this\nthe bottom line here: funding.\n"))
    assert once.turns() == [("P1", "My point is this the bottom line here: funding.")]
    twice = read_document(write("twice.txt", "voice one: hello\nvoice two: hi\nvoice one: bye\n"
                                          "voice two: see you\n"))
    assert twice.turns() == [("voice one", "hello"), ("voice two", "hi"), ("voice one", "bye"),
                             ("voice two", "see you")]


def test_bare_and_bracketed_timestamps_around_labels(write):
    doc = read_document(write("t.txt", "00:00:07 Moderator: First.\n(01:02) P2: Second.\n"
                                       "P3 00:01:10: Third.\n[1:00:00] Facilitator 2: Fourth.\n"))
    assert turns_with_times(doc) == [("Moderator", "First.", 7.0, 1), ("P2", "Second.", 62.0, 2),
                                     ("P3", "Third.", 70.0, 3), ("Facilitator 2", "Fourth.", 3600.0, 4)]


def test_no_turns_is_a_format_error(write):
    path = write("notes.txt", "Just some notes about the meeting.\nNothing else here.\n")
    with pytest.raises(FormatError, match=r"notes.txt: no speaker turns found"):
        read_document(path)


def test_rev_style(write):
    text = ("Speaker 1 (00:01:23):\nHow did your mentor set expectations?\n\n"
            "Maria Lopez (01:40):\nWe wrote them down\non day one.\n\n"
            "Speaker 1 (02:05):\nThank you.\n")
    doc = read_document(write("rev.txt", text))
    assert doc.format == "rev"
    assert turns_with_times(doc) == [
        ("Speaker 1", "How did your mentor set expectations?", 83.0, 1),
        ("Maria Lopez", "We wrote them down on day one.", 100.0, 4),
        ("Speaker 1", "Thank you.", 125.0, 8)]


def test_otter_style(write):
    text = ("Jordan Kim  0:04\nOkay, we are recording.\n\n"
            "Sam  1:05\nI joined the program in 2021.\nIt was at 10:30 that we met.\n\n"
            "Jordan Kim  01:02:03\nGreat.\n")
    doc = read_document(write("otter.txt", text))
    assert doc.format == "otter"
    assert turns_with_times(doc) == [
        ("Jordan Kim", "Okay, we are recording.", 4.0, 1),
        ("Sam", "I joined the program in 2021. It was at 10:30 that we met.", 65.0, 4),
        ("Jordan Kim", "Great.", 3723.0, 8)]


def test_zoom_bracket_text_real_file():
    from conftest import shared_path
    path = shared_path("real-transcripts", "zoom", "zoom_saved_transcript_bracket_format.txt")
    doc = read_document(path)
    assert doc.format == "zoom-text"
    assert len(doc.segments) == 12
    assert {s.speaker for s in doc.segments} == {"Johnny Doe", "Janet Dough"}
    assert turns_with_times(doc)[:2] == [("Johnny Doe", "How you doing?", 39729.0, 1),
                                         ("Janet Dough", "Hey, I'm Janet, how are you?", 39729.0, 4)]
    assert doc.segment_text(doc.segments[3]).endswith("so sometimes I pull quotes, or\u2026")


def test_label_only_lines_and_paragraph_breaks(write):
    doc = read_document(write("lo.txt", "MODERATOR:\n\nWhat surprised you?\n\nP1:\nThe workload.\n\n"
                                        "\nAnd the silence.\nP2: Nothing.\n"))
    assert turns_with_times(doc) == [("MODERATOR", "What surprised you?", None, 1),
                                     ("P1", "The workload.\nAnd the silence.", None, 5),
                                     ("P2", "Nothing.", None, 10)]


SAMPLE = "Moderator: Welcome \u2014 let\u2019s begin.\nP1: Caf\u00e9 talk, na\u00efve me.\n"
EXPECTED = [("Moderator", "Welcome \u2014 let\u2019s begin."), ("P1", "Caf\u00e9 talk, na\u00efve me.")]


@pytest.mark.parametrize("data", [
    SAMPLE.encode("utf-8"),
    b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"),
    "\ufeff".encode("utf-16-le") + SAMPLE.encode("utf-16-le"),
    "\ufeff".encode("utf-16-be") + SAMPLE.encode("utf-16-be"),
    SAMPLE.encode("utf-16-le"),
    SAMPLE.encode("utf-16-be"),
    SAMPLE.encode("cp1252"),
    SAMPLE.replace("\n", "\r\n").encode("utf-8"),
    SAMPLE.replace("\n", "\r").encode("utf-8"),
], ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le", "utf16be", "cp1252", "crlf", "cr"])
def test_encodings_and_line_endings(write, data):
    assert read_document(write("enc.txt", data)).turns() == EXPECTED


def test_cp1252_curly_apostrophe_and_undefined_byte(write):
    path = write("win.txt", b"P1: It\x92s fine\x81.\r\nP2: OK.\r\n")
    assert read_text_file(path) == "P1: It\u2019s fine\x81.\nP2: OK.\n"
    assert read_document(path).turns() == [("P1", "It\u2019s fine ."), ("P2", "OK.")]


def test_timestamps_parse():
    assert parse_timestamp("1:05") == 65.0
    assert parse_timestamp("01:02:03") == 3723.0
    assert parse_timestamp("00:01:23.500") == 83.5
    assert parse_timestamp("0:0:13,54") == 13.54
    assert parse_timestamp("10:75") is None
    assert parse_timestamp("later") is None


def test_match_label_line_parts():
    m = match_label_line("P1 [00:01:23]: So I said")
    assert (m.label, m.rest, m.time, m.attached_time) == ("P1", "So I said", 83.0, True)
    assert match_label_line("see https://example.org") is None
    assert match_label_line("It was 10:30 then") is None


@pytest.mark.parametrize("label,expected", [
    ("Moderator", True), ("MODERATOR", True), ("facilitator", True), ("Interviewer", True),
    ("Interviewer 1", True), ("Mod", True), ("Host", True), ("Co-facilitator", True),
    ("Lead Moderator", True), ("Moderator (Ana)", True),
    ("P1", False), ("Dr. Lee", False), ("Moderated discussion", False), ("Hostess Jane", False),
    ("Participant 4", False),
])
def test_is_facilitator_label(label, expected):
    assert is_facilitator_label(label) is expected


def test_forced_format_and_unknown_format(write):
    path = write("x.dat", "P1: hello\n")
    assert read_document(path).turns() == [("P1", "hello")]
    assert read_document(path, "txt", name="Group A").name == "Group A"
    with pytest.raises(InputError, match=r"x.dat: unknown format 'wpd'; choose one of: text, rev"):
        read_document(path, "wpd")


def test_facilitator_credit_in_header_is_metadata_not_a_turn(write):
    from qualcode.ingest import read_document
    path = write("g.txt", "MENTOR GROUP\nDate: 9 April 2024\nFacilitator: J. Pike\n=====\n\n"
                          "MODERATOR: Welcome, everyone.\nP1: Thanks.\nMODERATOR: Let's start.\n")
    doc = read_document(path)
    assert doc.turns() == [("MODERATOR", "Welcome, everyone."), ("P1", "Thanks."),
                           ("MODERATOR", "Let's start.")]
    assert doc.metadata["Facilitator"] == "J. Pike"
    assert doc.metadata["Date"] == "9 April 2024"


def test_label_with_pronouns_in_parentheses(write):
    from qualcode.ingest import read_document
    path = write("g.txt", "Hal Brennan (he/him): I sign off on the plan.\nP2: Same here.\n")
    assert read_document(path).turns() == [("Hal Brennan (he/him)", "I sign off on the plan."),
                                           ("P2", "Same here.")]


def test_a_facilitator_line_that_says_something_is_a_turn_not_a_header_credit(write):
    from qualcode.ingest import read_document
    said = read_document(write("a.txt", "Moderator: Hello.\nP1: Hi.\n"))
    assert said.turns() == [("Moderator", "Hello."), ("P1", "Hi.")]
    assert said.metadata == {}
    credit = read_document(write("b.txt", "Facilitator: Dr. J. Pike\nP1: Hi.\n"))
    assert credit.turns() == [("P1", "Hi.")]
    assert credit.metadata == {"Facilitator": "Dr. J. Pike"}
