"""Speaker labels: what a label line looks like and when a label is a speaker.

A line such as ``P1: text``, ``[00:01:23] Dr. Lee: text``, ``Speaker 1 (00:01:23):``
or a label alone (``MODERATOR:``) is a *candidate*; so is a short label before a dash or
an equals sign (``P - text``, ``P2-text``, ``RP = text``).  Whether a candidate really
names a speaker is decided by :class:`SpeakerJudge`, in this order, with the word lists of
:mod:`qualcode.ingest.vocabulary` (``labels.yaml``, extendable by the user):

1. **Never a speaker**: words that introduce a remark, not a person -- ``Note``,
   ``Example``, ``Re``, ``PS``, ``Warning``, ``Step 2``, URL schemes (``https:`` is refused
   by the pattern itself), weekdays, months, header keys such as ``Date``, ``Site``,
   ``Location`` (those become metadata when they come before the first turn), and stage
   directions (``SHOWS PICTURE``, ``LAUGHTER``).
2. A label named in the document's participants legend is a speaker.
3. **Only when it recurs**: ``Question``, ``Answer``, ``Comment``..., and words that open a
   sentence (``Well``, ``Okay``, ``Bueno``): a speaker only if the same label starts a line
   at least twice.
4. **Known speaker shapes**, a speaker at first sight: ``P1``/``FG2``/``Q``/``A``,
   role words with an optional number or qualifier (``Moderator``, ``Interviewer 1``,
   ``Participant 4``, ``Moderadora``, ``TODOS``), titled names (``Dr. Lee``,
   ``Prof. Ana Ruiz``), and any label carrying its own timestamp (``Name (01:23):``, Rev style).
5. **Name-shaped** labels, also at first sight: one to four capitalised words
   (particles such as *de*, *van*, *bin* allowed) made of letters, ``.``, ``'``, ``-``;
   a word ending a sentence (``Yes. Fine``) is no part of a name.
6. **Anything else** (lowercase words, digits, long phrases) counts only if it
   recurs as a label at least twice in the document.

A dash or equals separator asks more, since running text and titles have dashes too: a code,
a role word with at most a number, or a facilitator label (``P - ``, ``RP = ``,
``Moderator 2 - ``; not ``FOCUS GROUP 1 - ``), or a name that recurs; with no space
(``P2-text``), such a label that recurs; never a sentence-opening word.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from qualcode.ingest.vocabulary import LabelWords, fold, load_label_words

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
    #: what stood between label and text: ``:``, ``-`` (a spaced dash), ``=``, or ``-tight``
    #: (a hyphen with no space: ``P2-text``)
    sep: str = ":"


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


_SEPARATED_LINE = re.compile(
    rf"""^\s*(?:[\[(]\s*(?P<ts1>{TIMESTAMP})\s*[\])]\s*|(?P<ts0>{TIMESTAMP})\s+)?
    (?P<label>[^\W\d_][\w.'\u2019-]*(?:[ ][\w.'\u2019-]+){{0,3}}?)
    (?:(?P<spaced>\s+[-\u2013\u2014=]\s+|\s*=\s*)|(?P<tight>-(?=[^\W_])))
    (?P<rest>.*)$""", re.X | re.S)


def label_candidates(line: str) -> list[LabelLine]:
    """Every way ``line`` may start with a label: ``Label: text`` first, then a label before a
    dash or an equals sign (``P - text``, ``RP = text``, ``P2-text``)."""
    found = []
    colon = match_label_line(line)
    if colon is not None:
        found.append(colon)
    head = line[:80]
    if "-" not in head and "=" not in head and "\u2013" not in head and "\u2014" not in head:
        return found  # (most lines: the second pattern would find nothing)
    m = _SEPARATED_LINE.match(line)
    if m and m.group("label").rstrip("-") == m.group("label"):
        raw_time = m.group("ts1") or m.group("ts0")
        time = parse_timestamp(raw_time) if raw_time else None
        if raw_time is None or time is not None:
            spaced = m.group("spaced")
            sep = "-tight" if spaced is None else ("=" if "=" in spaced else "-")
            found.append(LabelLine(m.group("label"), m.group("rest").strip(), time, False, sep))
    return found


_CODE_RE = re.compile(r"^[A-Z]{1,3}-?\d{0,3}[a-z]?$")        # P1, FG2, R12, Q, A, S-3, P1a
#: A label that starts with a title and goes on: ``Dr. Lee``, ``Prof Ana Ruiz``, ``Ms Okafor``
#: (case-insensitive, the full stop optional).  Public: :mod:`qualcode.store.names` uses it too.
TITLE_RE = re.compile(r"^(?:dr|prof|professor|mr|mrs|ms|mx|miss|rev|sr|sra|fr|sir|dame|doctor)\.?\s+\S",
                      re.I)
#: Abbreviations longer than two letters that end with a full stop inside a name.
_NAME_ABBREVIATIONS = frozenset("prof mrs rev sra srta dra capt sgt col gen hon mme mlle messrs lic ing gov sen rep "
                                 "supt insp det".split())
#: Lowercase words that may stand inside a personal name (``Ana de Cruz``, ``Ahmad bin Ali``)
#: and are no name on their own.  Public: :mod:`qualcode.store.names` uses it too.
NAME_PARTICLES = frozenset("de da del della der den di du la le van von bin ibn al el y e st. st of".split())
_NAME_WORD = re.compile(r"^(?:[^\W\d_]\.?)(?:[^\W\d_]|['\u2019.\-])*$")


def _words(words: LabelWords | None) -> LabelWords:
    return words if words is not None else load_label_words()


def is_facilitator_label(label: str, words: LabelWords | None = None) -> bool:
    """True for labels naming the person running the group.

    ``Moderator``, ``Facilitator``, ``Interviewer``, ``Interviewer 1``, ``Mod``,
    ``Host``, ``Co-facilitator``, ``Lead Moderator``, ``Moderator (Ana)``,
    ``Facilitator - Ana``, ``Moderadora``, ``Animatrice``; case and accents ignored.
    ``Moderated discussion`` or a plain name is not.
    """
    return _words(words).is_facilitator(label)


def is_unidentified_label(label: str, words: LabelWords | None = None) -> bool:
    """True for labels a transcriber uses when nobody in particular is speaking or known
    (``ALL``, ``UNKNOWN FEMALE``, ``Several``, ``TODOS``, ``FEM``)."""
    return _words(words).is_unidentified(label)


def is_hard_stop(label: str, words: LabelWords | None = None) -> bool:
    """Never a speaker: a remark word, a header key or a stage direction."""
    words = _words(words)
    key = fold(label)
    first = key.split()[0].rstrip(".") if key else ""
    return (key in words.lists["not_speakers"] or key in words.lists["header_keys"]
            or first in words.lists["not_speakers_first_word"]
            or words.first_word_in("stage_directions", label))


def is_metadata_key(label: str, words: LabelWords | None = None) -> bool:
    return _words(words).has("header_keys", label)


def is_known_speaker_shape(label: str, words: LabelWords | None = None) -> bool:
    """P1, Q, Moderator, Interviewer 1, Participant 4, Speaker 2, Moderadora, Dr. Lee ..."""
    label = without_parenthetical(" ".join(label.split()))
    return bool(_CODE_RE.match(label) or _words(words).is_role_word(label)
                or (TITLE_RE.match(label) and is_name_shaped(label)))


_PAREN_SUFFIX = re.compile(r"\s*\([^()\d:]{1,30}\)$")


def without_parenthetical(label: str) -> str:
    """``Hal Brennan (he/him)`` -> ``Hal Brennan``: Zoom display names carry pronouns or roles."""
    return _PAREN_SUFFIX.sub("", label)


def is_name_shaped(label: str) -> bool:
    """One to four capitalised words of letters (and ``.'-``), particles allowed;
    a trailing parenthetical such as pronouns is allowed too.  A word of three letters or
    more ending in a full stop (``Yes.``, ``Fine.``), unless an abbreviation such as ``Prof.``,
    ends a sentence: no name."""
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
        stem = word.rstrip(".")
        if stem != word and len(stem) > 2 and stem.casefold() not in _NAME_ABBREVIATIONS \
                and "." not in stem:
            return False
        capitalised += 1
    return capitalised >= 1


class SpeakerJudge:
    """Decides which candidate labels are speakers, given every candidate in a document.

    ``legend``: labels the document's participants legend names (speakers at first sight)."""

    def __init__(self, candidates: list[str], min_recurrence: int = 2, *,
                 words: LabelWords | None = None, legend: set[str] | frozenset[str] = frozenset()):
        self.counts = Counter(fold(c) for c in candidates)
        self.min_recurrence = min_recurrence
        self.words = _words(words)
        self.legend = frozenset(fold(label) for label in legend)
        self._decided: dict[tuple[str, bool, str], bool] = {}

    def recurs(self, label: str) -> bool:
        return self.counts[fold(label)] >= self.min_recurrence

    def is_speaker(self, label: str, attached_time: bool = False, sep: str = ":") -> bool:
        key = (label, attached_time, sep)
        if key not in self._decided:  # the same few labels, asked about on every line
            self._decided[key] = self._is_speaker(label, attached_time, sep)
        return self._decided[key]

    def _is_speaker(self, label: str, attached_time: bool, sep: str) -> bool:
        if not label or is_hard_stop(label, self.words):
            return False
        if fold(label) in self.legend:
            return True
        words = self.words
        opener = words.has("only_if_recurring", label) or words.has("discourse_words", label)
        if sep != ":":
            return not opener and self._separated(label, sep)
        if opener:
            return self.recurs(label)
        if attached_time or is_known_speaker_shape(label, words) or is_name_shaped(label):
            return True
        return self.recurs(label)

    def _separated(self, label: str, sep: str) -> bool:
        """A label before a dash or an equals sign (see the module docstring)."""
        bare = without_parenthetical(label)
        words = self.words
        shaped = bool(_CODE_RE.match(bare) or words.is_generic(bare) or words.is_facilitator(bare))
        if sep == "-tight":
            return shaped and self.recurs(label)
        return shaped or (is_name_shaped(label) and self.recurs(label))

    def speaker_line(self, line: str) -> LabelLine | None:
        """The first label candidate of ``line`` that is a speaker, or None."""
        for candidate in label_candidates(line):
            if self.is_speaker(candidate.label, candidate.attached_time, candidate.sep):
                return candidate
        return None
