"""Round trip: random speakers and turns, rendered in every transcript format (in several
encodings and line endings), read back to exactly the same turns."""

from __future__ import annotations

import csv
import io
import tempfile
import unicodedata
from pathlib import Path

from hypothesis import assume, given, settings, strategies as st

from qualcode.ingest import read_document
from qualcode.ingest.labels import SpeakerJudge
from qualcode.core.models import normalize_label
from test_fuzz_readers import check_document

_DIR = tempfile.TemporaryDirectory(prefix="qc-roundtrip-")
LETTERS = "abcdefghijklmnopqrstuvwxyzéñüøçåßı"
WORD = st.text(st.sampled_from(LETTERS + "0123456789"), min_size=1, max_size=9)
PUNCT = st.sampled_from(["", "", "", ",", ".", "?", "!", "'s", "-ish", ")", '"'])
CAPITAL = st.text(st.sampled_from(LETTERS), min_size=2, max_size=9).map(lambda w: w[0].upper() + w[1:])

LABEL = st.one_of(
    st.integers(1, 99).map(lambda n: f"P{n}"),
    st.integers(1, 12).map(lambda n: f"Speaker {n}"),
    st.sampled_from(["Moderator", "Interviewer", "Facilitator", "Participant 3", "Mentor 2"]),
    st.lists(CAPITAL, min_size=1, max_size=3).map(" ".join),
    CAPITAL.map(lambda w: f"Dr. {w}"),
).filter(lambda label: SpeakerJudge([]).is_speaker(label) and not label.endswith("."))


@st.composite
def paragraph(draw):
    words = draw(st.lists(st.tuples(WORD, PUNCT).map("".join), min_size=1, max_size=14))
    words[0] = "and " + words[0]  # a lowercase word: a bare name after "Moderator:" is a header credit
    return " ".join(words)


@st.composite
def transcript(draw):
    cast = draw(st.lists(LABEL, min_size=1, max_size=5, unique_by=str.casefold))
    turns = draw(st.lists(st.tuples(st.sampled_from(cast), st.lists(paragraph(), min_size=1, max_size=3)),
                          min_size=1, max_size=8))
    return turns


def expected(turns, merge_same_speaker: bool = False, paragraphs: bool = True):
    out: list[tuple[str, str]] = []
    for label, paras in turns:
        text = ("\n" if paragraphs else " ").join(paras)
        text = unicodedata.normalize("NFC", text)
        if merge_same_speaker and out and out[-1][0] == normalize_label(label):
            out[-1] = (out[-1][0], out[-1][1] + " " + text)
        else:
            out.append((normalize_label(label), text))
    return out


def _clock(seconds: int, sep: str = ".") -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}{sep}000"


def _wrapped(paras: list[str], width: int) -> str:
    """Paragraphs separated by a blank line, long ones soft-wrapped onto several lines."""
    out = []
    for para in paras:
        words = para.split(" ")
        lines = [" ".join(words[i:i + width]) for i in range(0, len(words), width)]
        out.append("\n".join(lines))
    return "\n\n".join(out)


def render_text(turns, width):
    return "\n\n".join(f"{label}: {_wrapped(paras, width)}" for label, paras in turns) + "\n"


def render_rev(turns, width):
    return "\n\n".join(f"{label} ({i // 60:02d}:{i % 60:02d}):\n{_wrapped(paras, width)}"
                       for i, (label, paras) in enumerate(turns)) + "\n"


def render_otter(turns, width):
    return "\n\n".join(f"{label}  {i // 60}:{i % 60:02d}\n{_wrapped(paras, width)}"
                       for i, (label, paras) in enumerate(turns)) + "\n"


def render_zoom_text(turns, width):
    return "\n".join(f"[{label}] {_clock(3600 + i)[:8]}\n{_wrapped(paras, width)}\n"
                     for i, (label, paras) in enumerate(turns))


def render_vtt(turns, voice):
    cues = ["WEBVTT\n"]
    for i, (label, paras) in enumerate(turns):
        body = " ".join(paras)
        text = f"<v {label}>{body}</v>" if voice else f"{label}: {body}"
        cues.append(f"{i + 1}\n{_clock(i)} --> {_clock(i + 1)}\n{text}\n")
    return "\n".join(cues)


def render_srt(turns):
    return "\n".join(f"{i + 1}\n{_clock(i, ',')} --> {_clock(i + 1, ',')}\n{label}: {' '.join(paras)}\n"
                     for i, (label, paras) in enumerate(turns))


def render_csv(turns, delimiter):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["speaker", "text"])
    for label, paras in turns:
        writer.writerow([label, "\n".join(paras)])
    return buffer.getvalue()


def _path(name: str) -> Path:
    return Path(_DIR.name) / name


def _write_text(name: str, text: str, encoding: str, newline: str) -> Path:
    path = _path(name)
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def _encodable(turns, encoding: str) -> bool:
    try:
        "".join(label + "".join(paras) for label, paras in turns).encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def read_turns(path: Path, fmt: str | None = None):
    doc = read_document(path, fmt)
    check_document(doc, path)
    return doc.turns()


#: Writing Word and Excel files is slow: fewer examples for those (a third of the profile's).
OFFICE = settings(max_examples=max(10, settings.default.max_examples // 3))
ENCODING = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"])
NEWLINE = st.sampled_from(["\n", "\r\n", "\r"])


@given(turns=transcript(), style=st.sampled_from(["text", "rev", "otter", "zoom-text"]),
       width=st.integers(3, 40), encoding=ENCODING, newline=NEWLINE)
def test_plain_text_styles(turns, style, width, encoding, newline):
    assume(_encodable(turns, encoding))
    if style == "otter":
        # an Otter heading is "Name  0:05": a name in it cannot contain a colon or end in punctuation
        assume(all(len(label.split()) <= 6 for label, _ in turns))
    render = {"text": render_text, "rev": render_rev, "otter": render_otter,
              "zoom-text": render_zoom_text}[style]
    path = _write_text("t.txt", render(turns, width), encoding, newline)
    assert read_turns(path, style) == expected(turns)


@given(turns=transcript(), width=st.integers(3, 40))
def test_plain_text_style_is_detected(turns, width):
    """Without --format, ``Label: text`` lines and Rev files are recognised as such."""
    path = _write_text("t.txt", render_text(turns, width), "utf-8", "\n")
    assert read_turns(path) == expected(turns)
    path = _write_text("r.txt", render_rev(turns, width), "utf-8", "\n")
    assert read_document(path).format == "rev"
    assert read_turns(path) == expected(turns)


@given(turns=transcript(), voice=st.booleans(), encoding=ENCODING, newline=NEWLINE)
def test_webvtt(turns, voice, encoding, newline):
    assume(_encodable(turns, encoding))
    path = _write_text("t.vtt", render_vtt(turns, voice), encoding, newline)
    assert read_turns(path) == expected(turns, merge_same_speaker=True, paragraphs=False)


@given(turns=transcript(), encoding=ENCODING, newline=NEWLINE)
def test_srt(turns, encoding, newline):
    assume(_encodable(turns, encoding))
    path = _write_text("t.srt", render_srt(turns), encoding, newline)
    assert read_turns(path) == expected(turns, merge_same_speaker=True, paragraphs=False)


@given(turns=transcript(), delimiter=st.sampled_from([",", "\t", ";"]), encoding=ENCODING,
       newline=NEWLINE)
def test_csv_and_tsv(turns, delimiter, encoding, newline):
    assume(_encodable(turns, encoding))
    suffix = ".tsv" if delimiter == "\t" else ".csv"
    path = _write_text("t" + suffix, render_csv(turns, delimiter), encoding, newline)
    assert read_turns(path) == expected(turns)


@OFFICE
@given(turns=transcript())
def test_xlsx(turns):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Speaker", "Text"])
    for label, paras in turns:
        book.active.append([label, "\n".join(paras)])
    path = _path("t.xlsx")
    book.save(path)
    assert read_turns(path) == expected(turns)


@OFFICE
@given(turns=transcript())
def test_docx(turns):
    import docx

    document = docx.Document()
    document.add_paragraph("Focus group transcript")
    for label, paras in turns:
        document.add_paragraph(f"{label}: {paras[0]}")
        for para in paras[1:]:
            document.add_paragraph(para)
    path = _path("t.docx")
    document.save(path)
    assert read_turns(path) == expected(turns)

