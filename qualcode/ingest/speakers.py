"""Who spoke, in what role, under which stable pseudonym.

A speaker's role comes from, in order: the speakers table; what the reader found for the
label (a participants legend's role, the unlabelled speaker's role, and the label words of
``labels.yaml`` plus the user's: a facilitator word -- Moderator, Moderadora, Interviewer 1
... -- gives ``facilitator``; a label that names nobody -- ALL, Unknown Speaker, TODOS,
Multiple speakers -- gives ``unidentified``, so a voice from the hallway is never counted as
a scholar); the document's ``role`` attribute (scholar groups and mentor groups meet
separately); else none.

A participant keeps one pseudonymous id (``S01``, ``M03``, ``F01``, ``P02``)
across documents:
- an id given in the speakers table is used as it is;
- a personal name ("Dr. Lee", "Maria") is the same person wherever it appears;
- a generic label ("P1", "Speaker 2", "Moderator") only names someone within
  its own document, so it gets its own participant per document.
"""

from __future__ import annotations

import re

from qualcode.core.roles import FACILITATOR, UNIDENTIFIED
from qualcode.ingest.labels import is_unidentified_label  # noqa: F401  (re-exported)
from qualcode.ingest.vocabulary import LabelWords, load_label_words

ROLE_PREFIXES = {"scholar": "S", "mentor": "M", FACILITATOR: "F", UNIDENTIFIED: "U"}
DEFAULT_PREFIX = "P"

_GENERIC = re.compile(
    r"^(?:p|s|m|f|r|q|a|participant|speaker|respondent|person|interviewee|unknown|unknown speaker|"
    r"unidentified|guest|voice|student|scholar|mentor|mentee|trainee|moderator|facilitator|"
    r"interviewer|host|co-host|mod|fac|note ?taker|audience|group|multiple|several|all)"
    r"[\s#._-]*\d*$", re.IGNORECASE)


def is_generic_label(label: str, words: LabelWords | None = None) -> bool:
    """True for labels that do not identify a person beyond one transcript: a code such as
    ``P``, or a role word of the label words with at most a number (``Moderadora 2``)."""
    if not label or _GENERIC.match(label.strip()):
        return True
    return (words if words is not None else load_label_words()).is_generic(label)


def participant_identity(document: str, label: str, words: LabelWords | None = None) -> str:
    if is_generic_label(label, words):
        return f"doc:{document}#{label.casefold()}"
    return "name:" + " ".join(label.casefold().split())
