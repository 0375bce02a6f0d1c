"""WebVTT and SRT captions -> speaker turns.

Hand-written rather than webvtt-py 0.6: that library reports no line numbers
(neither on cues nor in its one ``MalformedFileError('Invalid format')``),
silently drops cues with invalid timings in its default mode, and leaves
voice names HTML-escaped.  A researcher needs "file, line N: why" instead.

What is read:

* WebVTT: the ``WEBVTT`` header (required; its title and ``Key: value`` lines
  go to metadata), ``NOTE``/``STYLE``/``REGION`` blocks (skipped), cue ids
  (numbers, Teams ``GUID/17-0``, any text), timings with or without hours and
  unpadded (``0:0:13.540``), cue settings, a timing line that follows text
  without a blank line (YouTube exports).
* SRT: a cue number, ``00:00:00,500 --> 00:00:07,000``, text.
* Speakers: a Teams voice tag ``<v Name>`` (closing tag optional, entities such
  as ``Far&#237;as`` decoded), else a Zoom-style ``Name: text`` at the start of
  the cue judged like plain-text labels.  A cue with no speaker gets the
  speaker ``""`` (unattributed; no invented "Unknown" participant).
* Text: inline tags (``<c.x>``, ``<i>``, ``<b>``, ``<00:00:01.000>``, SRT ``{\\an8}``)
  are stripped, entities decoded, a cue's lines joined with a space.
* Turns: consecutive cues of the same named speaker merge into one turn
  (texts joined with a space, time_start of the first cue, time_end of the last);
  unattributed cues are never merged, so speakerless captions keep one turn per
  cue.  ``Turn.line`` is the source line where the turn's first cue block starts.

Errors (:class:`~qualcode.core.errors.FormatError` with the line): missing ``WEBVTT``
header, an invalid timing line, a cue ending before it starts, a cue id or
block with no timing line (e.g. a truncated last cue), no cues at all.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from qualcode.core.errors import FormatError
from qualcode.ingest.labels import SpeakerJudge, match_label_line
from qualcode.core.models import Turn

_TIME = r"(?:\d+:)?\d{1,2}:\d{1,2}[.,]\d{1,3}"
_TIMING = re.compile(rf"^\s*(?P<start>{_TIME})\s+-->\s+(?P<end>{_TIME})(?:\s+(?P<settings>.*))?$")
_TIME_PARTS = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})[.,](\d{1,3})$")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]*)>", re.I)
_TAG = re.compile(r"</?[^>\n]*>")
_ASS_TAG = re.compile(r"\{\\[^}]*\}")


@dataclass
class Cue:
    line: int
    start: float
    end: float
    text: str
    speaker: str


def _seconds(text: str, path, line: int) -> float:
    m = _TIME_PARTS.match(text)
    if not m:
        raise FormatError(f"invalid cue time {text!r}", path, line)
    hours, minutes, seconds, frac = m.groups()
    if int(minutes) > 59 or int(seconds) > 59:
        raise FormatError(f"invalid cue time {text!r}: minutes and seconds must be below 60", path, line)
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(frac) / 10 ** len(frac)


def _timing(text: str, path, line: int) -> tuple[float, float]:
    m = _TIMING.match(text)
    if not m:
        raise FormatError(f"invalid cue timing line {text.strip()!r}: expected "
                          "'00:00:01.000 --> 00:00:04.000'", path, line)
    start, end = _seconds(m.group("start"), path, line), _seconds(m.group("end"), path, line)
    if end < start:
        raise FormatError(f"cue ends ({m.group('end')}) before it starts ({m.group('start')})", path, line)
    return start, end


def _clean(text: str) -> str:
    text = _ASS_TAG.sub("", _TAG.sub("", text))
    return " ".join(html.unescape(text).split())


def _blocks(lines: list[str], first: int):
    """``(line, [lines])`` blocks separated by blank lines, from index ``first``."""
    block: list[str] = []
    start = 0
    for i in range(first, len(lines)):
        if lines[i].strip():
            if not block:
                start = i + 1
            block.append(lines[i])
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def _split_on_timings(start: int, block: list[str]):
    """A block where a timing line follows text directly holds several cues."""
    pieces, current, cur_start = [], [], start
    for offset, text in enumerate(block):
        if "-->" in text and current and any("-->" in t for t in current):
            # a second timing line: it may have an id line just before it
            pieces.append((cur_start, current))
            current, cur_start = [], start + offset
        current.append(text)
    pieces.append((cur_start, current))
    return pieces


def _cue(start_line: int, block: list[str], path, srt: bool) -> tuple[int, float, float, list[str]]:
    if "-->" in block[0]:
        timing_at = 0
    elif len(block) > 1 and "-->" in block[1]:
        timing_at = 1
        if srt and not block[0].strip().isdigit():
            raise FormatError(f"expected a cue number, found {block[0].strip()!r}", path, start_line)
    else:
        what = "cue number" if srt and block[0].strip().isdigit() else "block"
        raise FormatError(f"{what} {block[0].strip()[:40]!r} has no timing line "
                          "(truncated or malformed cue)", path, start_line)
    start, end = _timing(block[timing_at], path, start_line + timing_at)
    return start_line, start, end, block[timing_at + 1:]


def _speakers(raw: list[tuple[int, float, float, list[str]]]) -> list[Cue]:
    texts = []
    for line, start, end, body in raw:
        joined = " ".join(t.strip() for t in body)
        voice = _VOICE.search(joined)
        texts.append((line, start, end, joined, html.unescape(voice.group(1)).strip() if voice else None))
    candidates = []
    for *_, joined, voice in texts:
        m = None if voice is not None else match_label_line(_clean(joined))
        if m and m.time is None:
            candidates.append(m.label)
    judge = SpeakerJudge(candidates)
    cues = []
    for line, start, end, joined, voice in texts:
        text = _clean(joined)
        speaker = voice or ""
        if voice is None:
            m = match_label_line(text)
            if m and m.time is None and judge.is_speaker(m.label):
                speaker, text = m.label, m.rest
        cues.append(Cue(line, start, end, text, " ".join(speaker.split())))
    return cues


def merge_cues(cues: list[Cue]) -> list[Turn]:
    """Consecutive cues of one named speaker become one turn."""
    turns: list[Turn] = []
    for cue in cues:
        if not cue.text:
            continue
        last = turns[-1] if turns else None
        if last is not None and cue.speaker and last.speaker == cue.speaker:
            turns[-1] = Turn(last.speaker, last.text + " " + cue.text, last.time_start, cue.end, last.line)
        else:
            turns.append(Turn(cue.speaker, cue.text, cue.start, cue.end, cue.line))
    return turns


def parse_vtt(text: str, path) -> tuple[list[Turn], dict[str, str]]:
    lines = text.split("\n")
    first = lines[0].lstrip("\ufeff")
    if not (first == "WEBVTT" or first.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise FormatError("not a WebVTT file: the first line must be 'WEBVTT'", path, 1)
    metadata: dict[str, str] = {}
    title = first[6:].strip(" \t-")
    if title:
        metadata["title"] = title
    i = 1
    while i < len(lines) and lines[i].strip():
        if "-->" in lines[i]:
            break  # no blank line after the header: cues start here
        key, sep, value = lines[i].partition(":")
        if sep and key.strip() and value.strip() and " " not in key.strip():
            metadata[key.strip()] = value.strip()
        i += 1
    raw = []
    for start, block in _blocks(lines, i):
        head = block[0].strip()
        if head.split(" ")[0].split("\t")[0] in ("NOTE", "STYLE", "REGION") and not any("-->" in b for b in block):
            continue
        for piece_start, piece in _split_on_timings(start, block):
            raw.append(_cue(piece_start, piece, path, srt=False))
    return _finish(raw, path, "WebVTT"), metadata


def parse_srt(text: str, path) -> tuple[list[Turn], dict[str, str]]:
    lines = text.split("\n")
    lines[0] = lines[0].lstrip("\ufeff")
    raw = []
    for start, block in _blocks(lines, 0):
        for piece_start, piece in _split_on_timings(start, block):
            raw.append(_cue(piece_start, piece, path, srt=True))
    return _finish(raw, path, "SRT"), {}


def _finish(raw, path, kind: str) -> list[Turn]:
    if not raw:
        raise FormatError(f"no captions: the {kind} file has no cues", path)
    turns = merge_cues(_speakers(raw))
    if not turns:
        raise FormatError(f"no caption text: every {kind} cue is empty", path)
    return turns


def looks_like_vtt(text: str) -> bool:
    return text.lstrip("\ufeff \n").startswith("WEBVTT")


def looks_like_srt(text: str) -> bool:
    lines = [t for t in text.lstrip("\ufeff").split("\n")][:3]
    return len(lines) >= 2 and lines[0].strip().isdigit() and bool(_TIMING.match(lines[1]))
