"""Speaker labels: what a label line looks like and when a label is a speaker.

A line such as ``P1: text``, ``[00:01:23] Dr. Lee: text``, ``Speaker 1 (00:01:23):``
or a label alone (``MODERATOR:``) is a *candidate*.  Whether a candidate really
names a speaker is decided by :class:`SpeakerJudge`, in this order:

1. **Never a speaker** (``HARD_STOP``): words that introduce a remark, not a
   person -- ``Note``, ``Example``, ``Re``, ``PS``, ``Warning``, ``Step 2``, URL
   schemes (``https:`` is refused by the pattern itself), weekdays, months and
   header keys such as ``Date``, ``Site``, ``Location`` (those become metadata
   when they come before the first turn).
2. **Only when it recurs** (``SOFT_STOP``): ``Question``, ``Answer``, ``Comment``,
   ``Response``...: a speaker only if the same label starts a line at least twice.
3. **Known speaker shapes**, a speaker at first sight: ``P1``/``FG2``/``Q``/``A``,
   role words with an optional number or qualifier (``Moderator``,
   ``Interviewer 1``, ``Participant 4``, ``Speaker 2``, ``Unidentified Speaker``),
   titled names (``Dr. Lee``, ``Prof. Ana Ruiz``), and any label carrying its own
   timestamp (``Name (01:23):``, Rev style).
4. **Name-shaped** labels, also at first sight: one to four capitalised words
   (particles such as *de*, *van*, *bin* allowed) made of letters, ``.``, ``'``, ``-``.
5. **Anything else** (lowercase words, digits, long phrases) counts only if it
   recurs as a label at least twice in the document.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

#: A clock time as transcripts write it: ``1:05``, ``01:02:03``, ``00:01:23.500``, ``0:0:13.540``.
TIMESTAMP = r"\d{1,2}:\d{1,2}(?::\d{1,2})?(?:[.,]\d{1,3})?"
_TS_RE = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?$")


def parse_timestamp(text: str) -> float | None:
    """Seconds for ``MM:SS``, ``H:MM:SS`` (optionally ``.mmm``/``,mmm``); ``None`` if not a time."""
    m = _TS_RE.match(text.strip())
    if not m:
        return None
    hours, minutes, seconds, frac = m.groups()
    if int(seconds) > 59 or (hours is not None and int(minutes) > 59):
        return None
    value = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    if frac:
        value += int(frac) / 10 ** len(frac)
    return float(value)


_LABEL_LINE = re.compile(
    rf"""^\s*
    (?:[\[(]\s*(?P<ts1>{TIMESTAMP})\s*[\])]\s*[-\u2013]?\s*   # [00:01:23] or (00:01:23) before
      |(?P<ts0>{TIMESTAMP})\s+[-\u2013]?\s*)?                 # or a bare time before
    (?P<label>[^\W\d_][^:\[\]()\n]{{0,59}}?                     # the label, starting with a letter,
       (?:\s*\([^()\d:\n]{{1,30}}\))?)                             # maybe "(he/him)", "(PI)" after it
    \s*(?:[\[(]\s*(?P<ts2>{TIMESTAMP})\s*[\])]                  # (00:01:23) or [00:01:23] after
        |\s(?P<ts3>{TIMESTAMP}))?                               # or a bare time after
    \s*:(?!//|\d)\s*(?P<rest>.*)$""",
    re.X | re.S)


@dataclass(frozen=True)
class LabelLine:
    """A line that starts like a speaker label."""

    label: str
    rest: str
    time: float | None
    #: the time was written right after the label, in brackets (Rev style)
    attached_time: bool


def match_label_line(line: str) -> LabelLine | None:
    """Split ``[ts] Label [ts]: rest`` or return ``None`` (no judgement on the label)."""
    m = _LABEL_LINE.match(re.sub(r"^\s*(?:\*\*|__)", "", line))
    if not m:
        return None
    label = " ".join(m.group("label").split())
    if label.endswith(("**", "__")):
        label = label.strip("*_ ")
    rest = m.group("rest").strip()
    if rest.startswith(("**", "__")):  # markdown bold closing after the colon: "**P1:** text"
        rest = rest[2:].lstrip()
    if not label or len(label) > 60:
        return None
    raw_time = m.group("ts1") or m.group("ts0") or m.group("ts2") or m.group("ts3")
    time = parse_timestamp(raw_time) if raw_time else None
    if raw_time and time is None:
        return None
    return LabelLine(label, rest, time, attached_time=bool(m.group("ts2")))


HARD_STOP = frozenset("""
note notes nb n.b ps p.s pps example examples e.g eg i.e ie re fwd fw subject cc bcc
http https ftp mailto www tip tips warning caution important update edit edited source sources
see cf reference references link url email e-mail tel phone fax definition translation summary
hint quote citation footnote disclaimer reminder attention todo aside step caveat action item
action items agenda minutes tl;dr
monday tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december
""".split()) | {"action item", "action items", "key point", "key points", "bottom line",
                "take away", "takeaway", "fun fact", "side note", "for example", "in summary"}

#: Header keys that make ``Key: value`` metadata before the first turn (never speakers).
METADATA_KEYS = frozenset("""
date time site location place venue title group session project study duration recorded
recording transcribed transcriber transcriptionist transcript participants attendees language
topic cohort wave file filename audio video format program programme course meeting event
""".split()) | {"focus group", "transcribed by", "recorded on", "recording date", "date of session",
                "interview date", "session date", "number of participants", "file name",
                "audio file", "group type", "transcript of"}

SOFT_STOP = frozenset("""
question questions answer answers comment comments response responses reply prompt probe
follow-up followup clarification context background observation interjection
""".split())

_FIRST_WORD_STOP = frozenset("note notes example re fwd fw ps nb step see warning tip edit update"
                             " http https www".split())

ROLE_WORDS = (
    "moderator|facilitator|interviewer|interviewee|mod|host|co-host|cohost|chair|convenor|convener|"
    "participant|respondent|speaker|student|scholar|mentor|mentee|trainee|faculty|member|panelist|"
    "panellist|voice|unknown|unidentified|researcher|presenter|attendee|observer|note-taker|"
    "notetaker|everyone|all|several|multiple|audience|group|crosstalk|child|parent|teacher|nurse|"
    "doctor|patient|caregiver|clinician|resident|fellow|staff|leader|coach|person|p"
)
_ROLE_RE = re.compile(
    rf"^(?:[a-z]+[ -])?(?:co-?)?(?:{ROLE_WORDS})s?(?:\s*#?\d{{1,3}}|\s+[a-z]|\s*\([^)]*\)|\s+-\s+.+)?$",
    re.I)
_CODE_RE = re.compile(r"^[A-Z]{1,3}-?\d{0,3}[a-z]?$")        # P1, FG2, R12, Q, A, S-3, P1a
#: A label that starts with a title and goes on: ``Dr. Lee``, ``Prof Ana Ruiz``, ``Ms Okafor``
#: (case-insensitive, the full stop optional).  Public: :mod:`qualcode.workflows.redact` uses it too.
TITLE_RE = re.compile(r"^(?:dr|prof|professor|mr|mrs|ms|mx|miss|rev|sr|sra|fr|sir|dame|doctor)\.?\s+\S",
                      re.I)
#: Lowercase words that may stand inside a personal name (``Ana de Cruz``, ``Ahmad bin Ali``)
#: and are no name on their own.  Public: :mod:`qualcode.workflows.redact` uses it too.
NAME_PARTICLES = frozenset("de da del della der den di du la le van von bin ibn al el y e st. st of".split())
_NAME_WORD = re.compile(r"^(?:[^\W\d_]\.?)(?:[^\W\d_]|['\u2019.\-])*$")

_FACILITATOR_RE = re.compile(
    r"^(?:(?:lead|assistant|senior|session|main|co|co-|deputy)\s*-?\s*)?"
    r"(?:moderator|facilitator|interviewer|mod|host|co-?host|chair|convenor|convener)"
    r"(?:\s*#?\d{1,3}|\s+[a-z]|\s*\([^)]*\)|\s*[-\u2013,:]\s*.+)?$",
    re.I)


def is_facilitator_label(label: str) -> bool:
    """True for labels naming the person running the group.

    ``Moderator``, ``Facilitator``, ``Interviewer``, ``Interviewer 1``, ``Mod``,
    ``Host``, ``Co-facilitator``, ``Lead Moderator``, ``Moderator (Ana)``,
    ``Facilitator - Ana``; case-insensitive.  ``Moderated discussion`` or a plain
    name is not.
    """
    return bool(_FACILITATOR_RE.match(" ".join(str(label).split())))


def _key(label: str) -> str:
    return " ".join(label.split()).casefold().rstrip(".")


def is_hard_stop(label: str) -> bool:
    key = _key(label)
    first = key.split()[0] if key else ""
    return key in HARD_STOP or key in METADATA_KEYS or first.rstrip(".") in _FIRST_WORD_STOP


def is_metadata_key(label: str) -> bool:
    return _key(label) in METADATA_KEYS


def is_known_speaker_shape(label: str) -> bool:
    """P1, Q, Moderator, Interviewer 1, Participant 4, Speaker 2, Dr. Lee ..."""
    label = without_parenthetical(" ".join(label.split()))
    return bool(_CODE_RE.match(label) or _ROLE_RE.match(label)
                or (TITLE_RE.match(label) and is_name_shaped(label)))


_PAREN_SUFFIX = re.compile(r"\s*\([^()\d:]{1,30}\)$")


def without_parenthetical(label: str) -> str:
    """``Hal Brennan (he/him)`` -> ``Hal Brennan``: Zoom display names carry pronouns or roles."""
    return _PAREN_SUFFIX.sub("", label)


def is_name_shaped(label: str) -> bool:
    """One to four capitalised words of letters (and ``.'-``), particles allowed;
    a trailing parenthetical such as pronouns is allowed too."""
    label = without_parenthetical(label)
    words = label.split()
    if not 1 <= len(words) <= 4 or len(label) > 40:
        return False
    capitalised = 0
    for word in words:
        if word.casefold() in NAME_PARTICLES:
            continue
        if not _NAME_WORD.match(word) or not word[0].isupper():
            return False
        capitalised += 1
    return capitalised >= 1


class SpeakerJudge:
    """Decides which candidate labels are speakers, given every candidate in a document."""

    def __init__(self, candidates: list[str], min_recurrence: int = 2):
        self.counts = Counter(_key(c) for c in candidates)
        self.min_recurrence = min_recurrence

    def recurs(self, label: str) -> bool:
        return self.counts[_key(label)] >= self.min_recurrence

    def is_speaker(self, label: str, attached_time: bool = False) -> bool:
        if not label or is_hard_stop(label):
            return False
        if _key(label) in SOFT_STOP:
            return self.recurs(label)
        if attached_time or is_known_speaker_shape(label) or is_name_shaped(label):
            return True
        return self.recurs(label)
