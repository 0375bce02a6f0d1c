"""Who spoke, in what role, under which stable pseudonym.

A speaker's role comes from, in order: the speakers table, a facilitator label
(Moderator, Facilitator, Interviewer 1, ...), a label that names nobody
("Unknown Speaker", "Unidentified", "Multiple speakers", "Audience": role
``unidentified``, so a voice from the hallway is never counted as a scholar), the
document's ``role`` attribute (scholar groups and mentor groups meet separately),
else none.

A participant keeps one pseudonymous id (``S01``, ``M03``, ``F01``, ``P02``)
across documents:
- an id given in the speakers table is used as it is;
- a personal name ("Dr. Lee", "Maria") is the same person wherever it appears;
- a generic label ("P1", "Speaker 2", "Moderator") only names someone within
  its own document, so it gets its own participant per document.
"""

from __future__ import annotations

import re

UNIDENTIFIED = "unidentified"
ROLE_PREFIXES = {"scholar": "S", "mentor": "M", "facilitator": "F", UNIDENTIFIED: "U"}
DEFAULT_PREFIX = "P"

_GENERIC = re.compile(
    r"^(?:p|s|m|f|r|q|a|participant|speaker|respondent|person|interviewee|unknown|unknown speaker|"
    r"unidentified|guest|voice|student|scholar|mentor|mentee|trainee|moderator|facilitator|"
    r"interviewer|host|co-host|mod|fac|note ?taker|audience|group|multiple|several|all)"
    r"[\s#._-]*\d*$", re.IGNORECASE)


_UNIDENTIFIED = re.compile(
    r"^(?:unknown|unknown speaker|unidentified|unidentified speaker|unidentified (?:male|female)|"
    r"inaudible|multiple|multiple speakers|several|several speakers|crosstalk|cross-talk|"
    r"audience|audience member|group|all|everyone|voices)[\s#._-]*\d*$", re.IGNORECASE)


def is_unidentified_label(label: str) -> bool:
    """True for labels a transcriber uses when nobody in particular is speaking or known."""
    return bool(_UNIDENTIFIED.match(label.strip()))


def is_generic_label(label: str) -> bool:
    """True for labels that do not identify a person beyond one transcript."""
    return not label or bool(_GENERIC.match(label.strip()))


def participant_identity(document: str, label: str) -> str:
    if is_generic_label(label):
        return f"doc:{document}#{label.casefold()}"
    return "name:" + " ".join(label.casefold().split())
