"""WebVTT (Zoom, Teams, plain captions) and SRT, including real exports."""

from pathlib import Path

import pytest

from conftest import shared_path
from qualcode.core.errors import FormatError, InputError
from qualcode.ingest import read_document

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def rows(doc):
    return [(s.speaker, doc.segment_text(s), s.time_start, s.time_end, s.line) for s in doc.segments]


def test_teams_voice_tags_entities_unpadded_times_and_merged_cues():
    doc = read_document(FIXTURES / "teams.vtt")
    assert doc.format == "vtt"
    assert rows(doc) == [
        ("Luc\u00eda Far\u00edas", "Thanks for joining the scholars' group today. Let's begin with expectations.",
         13.54, 19.25, 3),
        ("Ben O'Neil", "My mentor & I meet weekly.", 20.0, 24.48, 11)]


def test_zoom_style_vtt_with_tags_notes_styles_and_a_speakerless_cue(write):
    text = ("WEBVTT - Group 3\nKind: captions\nLanguage: en\n\nSTYLE\n::cue { color: white; }\n\n"
            "NOTE recorded in room B\n\n1\n00:00:01.000 --> 00:00:03.500 align:start\n"
            "Dr. Ana Ruiz: <i>Welcome</i> back,\neveryone.\n\n"
            "2\n00:00:03.500 --> 00:00:05.000\nDr. Ana Ruiz: Shall <00:00:04.000><c.yellow>we</c> start?\n\n"
            "3\n00:00:05.200 --> 00:00:06.000\nMm-hmm.\n\n"
            "4\n00:00:06.000 --> 00:00:09.000\nP2: Yes.\n")
    doc = read_document(write("zoom.vtt", text))
    assert doc.metadata == {"title": "Group 3", "Kind": "captions", "Language": "en"}
    assert rows(doc) == [("Dr. Ana Ruiz", "Welcome back, everyone. Shall we start?", 1.0, 5.0, 10),
                         ("", "Mm-hmm.", 5.2, 6.0, 19),
                         ("P2", "Yes.", 6.0, 9.0, 23)]
    assert doc.text.split("\n\n")[1] == "Mm-hmm."


def test_srt_with_speaker_labels_and_crlf(write):
    text = ("1\r\n00:00:01,000 --> 00:00:02,500\r\nModerator: Hello <i>all</i>.\r\n\r\n"
            "2\r\n00:00:02,600 --> 00:00:04,000\r\nP1: Hi.\r\n")
    doc = read_document(write("s.srt", text))
    assert rows(doc) == [("Moderator", "Hello all.", 1.0, 2.5, 1), ("P1", "Hi.", 2.6, 4.0, 5)]


def test_txt_that_is_really_webvtt_is_sniffed(write):
    doc = read_document(write("captions.txt", "WEBVTT\n\n00:01.000 --> 00:02.000\n<v P1>Hi there</v>\n"))
    assert (doc.format, doc.turns()) == ("vtt", [("P1", "Hi there")])


@pytest.mark.parametrize("text,line,message", [
    ("1\n00:00:01.000 --> 00:00:02.000\nP1: hi\n", 1, "not a WebVTT file: the first line must be 'WEBVTT'"),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nP1: hi\n\n7\n00:00:03.000 --> 00:0",
     7, "invalid cue timing line '00:00:03.000 --> 00:0'"),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nP1: hi\n\n7\n", 6, "cue number '7' has no timing line|block '7' has no timing line"),
    ("WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nP1: hi\n", 3, r"cue ends \(00:00:02.000\) before it starts"),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nP1: hi\n\n00:00:02.000 --> 00:00:61.000\nx\n", 6,
     "invalid cue time '00:00:61.000'"),
])
def test_bad_vtt_is_a_format_error_with_file_and_line(write, text, line, message):
    path = write("bad.vtt", text)
    with pytest.raises(FormatError, match=rf"bad.vtt, line {line}: ({message})") as err:
        read_document(path)
    assert err.value.line == line and err.value.path == str(path)


def test_zoom_transcript_vtt_real_file():
    doc = read_document(shared_path("real-transcripts", "zoom", "GMT20240124-202901_Recording.transcript.vtt"))
    speakers = {s.speaker for s in doc.segments}
    assert speakers == {"Srijani Ghosh", "Conor Healy", "Dr. Melissa Ko", "Shreeharsh Kelkar",
                        "Ryan Sloan", ""}
    assert len(speakers - {""}) == 5
    # 102 cues; consecutive cues of one speaker merged, the speakerless cue 49 kept apart
    assert len(doc.segments) == 26
    first = doc.segments[0]
    assert (first.speaker, doc.segment_text(first), first.time_start, first.time_end) == \
        ("Srijani Ghosh", "Hi!", 0.05, 1.79)
    dr = [s for s in doc.segments if s.speaker == "Dr. Melissa Ko"][0]
    assert doc.segment_text(dr).startswith("and I'll just do a little bit of walkthrough.")
    assert (dr.time_start, dr.time_end, dr.line) == (32.52, 66.22, 31)
    hmm = [s for s in doc.segments if s.speaker == ""]
    assert [(doc.segment_text(s), s.line) for s in hmm] == [("Hmm.", 191)]
    last = doc.segments[-1]
    assert (last.speaker, last.time_end) == ("Conor Healy", 735.62)
    assert doc.segment_text(last).endswith("and everybody can come join.")


def test_zoom_closed_captions_real_file_crlf_no_speakers():
    doc = read_document(shared_path("real-transcripts", "zoom", "GMT20240124-202901_Recording.cc.vtt"))
    assert len(doc.segments) == 100
    assert {s.speaker for s in doc.segments} == {""}
    assert doc.turns()[0] == ("", "This doesn't.")
    assert "\r" not in doc.text


EDGE = {
    "captions_with_bom.vtt": [("", "Caption text #1"), ("", "Caption text #2"), ("", "Caption text #3"),
                              ("", "Caption text #4")],
    "comments.vtt": [("", "- Ta en kopp varmt te. - Det \u00e4r inte varmt."),
                     ("", "- Har en kopp te. - Det smakar som te."), ("", "- Ta en kopp")],
    "cue_tags.vtt": [("", "When the moon hits your eye"), ("", "Like a big-a pizza pie"), ("", "That's amore")],
    "metadata_headers.vtt": [("", "Caption text #1"), ("", "Caption text #2")],
    "metadata_headers_multiline.vtt": [("", "Caption text #1"), ("", "Caption text #2")],
    "missing_caption_text.vtt": [("", f"Caption text #{n}") for n in (1, 3, 4, 5)],
    "sample.srt": [("", f"Caption text #{n}") for n in range(1, 6)],
    "sample.vtt": [("", f"Caption text #{n}") for n in range(1, 17)],
    "styles.vtt": [("", "- Hello world.")],
    "using_identifiers.vtt": [("", f"Caption text #{n}") for n in range(1, 7)],
    "youtube_dl.vtt": [("", "yeah"), ("", "yeah what"), ("", "this will happen is I'm telling"),
                       ("", "this will happen is I'm telling")],
}
EDGE_ERRORS = {
    "empty.vtt": (InputError, None, "empty file"),
    "invalid_format1.srt": (FormatError, 1, "cue number '1' has no timing line"),
    "invalid_format4.srt": (FormatError, 1, "expected a cue number, found 'some text'"),
    "invalid_timeframe.vtt": (FormatError, 6, "invalid cue timing line '00:00:07.000 --> 00:00:1d.890'"),
    "no_captions.vtt": (FormatError, None, "no captions: the WebVTT file has no cues"),
}


@pytest.mark.parametrize("name", sorted(EDGE) + sorted(EDGE_ERRORS))
def test_webvtt_edge_cases_read_or_fail_cleanly(name):
    path = shared_path("real-transcripts", "webvtt-edge-cases", name)
    if name in EDGE:
        assert read_document(path).turns() == EDGE[name]
        return
    kind, line, message = EDGE_ERRORS[name]
    with pytest.raises(kind) as err:
        read_document(path)
    assert type(err.value) is kind
    assert (err.value.path, err.value.line, err.value.message.startswith(message)) == (str(path), line, True)


def test_every_edge_case_file_is_covered():
    folder = shared_path("real-transcripts", "webvtt-edge-cases")
    assert sorted(p.name for p in folder.iterdir()) == sorted(set(EDGE) | set(EDGE_ERRORS))


def test_edge_case_times_and_metadata():
    doc = read_document(shared_path("real-transcripts", "webvtt-edge-cases", "cue_tags.vtt"))
    assert [(s.time_start, s.time_end) for s in doc.segments] == [(16.5, 18.5), (18.5, 20.5), (20.5, 21.5)]
    doc = read_document(shared_path("real-transcripts", "webvtt-edge-cases", "comments.vtt"))
    assert doc.metadata == {"title": "Translation of that film I like"}


def test_zoom_display_name_with_pronouns_is_a_speaker(write):
    from qualcode.ingest import read_document
    path = write("z.vtt", "WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.000\nHal Brennan (he/him): First part\n\n"
                          "2\n00:00:03.000 --> 00:00:05.000\nHal Brennan (he/him): and the rest.\n\n"
                          "3\n00:00:05.000 --> 00:00:06.000\nJoanna Pike: Thanks, Hal.\n")
    doc = read_document(path)
    assert doc.turns() == [("Hal Brennan (he/him)", "First part and the rest."),
                           ("Joanna Pike", "Thanks, Hal.")]
    assert (doc.segments[0].time_start, doc.segments[0].time_end) == (1.0, 5.0)
