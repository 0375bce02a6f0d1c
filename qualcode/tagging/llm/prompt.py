"""What the LLM is asked: a system part made from the codebook, then one message per turn.

The system part comes first and is the same for every turn of a run, so a server that
caches prompt prefixes reads it once.  It holds the instructions, the codebook's
description (its research question), every code (id, name, definition, inclusion and
exclusion criteria, examples) and the answer contract (:mod:`qualcode.tagging.llm.validate`).
``qualcode llm prompt --codebook CB`` prints it.

Each turn's message gives the speaker as a pseudonym and role (``S03 (scholar)``), the
facilitator's preceding question as context (not to be coded), and the turn.  Participants'
names inside both texts are replaced by their pseudonyms as ``qualcode redact`` replaces
them (:func:`qualcode.store.names.redact_text`) unless redaction is turned off; the map back
to the stored text's offsets travels with the turn, so a quote found in the text sent
becomes a span of the stored turn.

:func:`prompt_hash` names the system part (and so the codebook and these instructions);
the cache keys answers by it, the model and the hash of the turn's message.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from qualcode.codebook import Codebook
from qualcode.core.spans import OffsetMap
from qualcode.store.names import NameTable, redact_text

INSTRUCTIONS = """\
You code one turn of a focus-group transcript at a time with a qualitative research codebook.

How to code:
- Code only the text under "Turn to code". The context before it (the facilitator's preceding \
question) is there to help you understand the turn: never code it and never quote from it.
- Give a code only when the turn itself fits the code's definition and inclusion criteria and \
none of its exclusion criteria. Prefer the most specific code that fits (a subcode); give a \
theme's own id only for talk that fits the theme but none of its subcodes.
- A turn may get several codes, or none.
- For each code, quote the words of the turn that show it, copied exactly (a phrase or a \
sentence, not the whole turn unless it is short), and give a one-sentence rationale.
- Use only the code ids listed below.
- Participants' names have been replaced by ids in brackets, such as [S01].
"""

CONTRACT = """\
Answer with one JSON object and nothing else, in this form, with an empty list when no code applies:
{"codes": [{"code": "<code id>", "quote": "<exact words from the turn>", "rationale": "<one sentence>"}]}
"""


def system_prompt(codebook: Codebook) -> str:
    """The stable first part of every request: instructions, codebook, answer contract."""
    parts = [INSTRUCTIONS]
    if codebook.description.strip():
        parts.append("Research question and scope of the codebook:\n" + " ".join(codebook.description.split())
                     + "\n")
    parts.append(f"Codebook: {codebook.name} {codebook.version}\n")
    parts.extend(_code_text(code) for code in codebook.codes)
    parts.append(CONTRACT)
    return "\n".join(parts)


def _code_text(code) -> str:
    lines = [f"Code id: {code.id}", f"Name: {_one_line(code.name)}"]
    if code.parent:
        lines.append(f"Subcode of: {code.parent}")
    if code.definition.strip():
        lines.append(f"Definition: {_one_line(code.definition)}")
    for title, items in (("Include", code.include), ("Exclude", code.exclude)):
        lines += [f"{title}: {_one_line(item)}" for item in items]
    lines += [f"Example: {json.dumps(_one_line(item), ensure_ascii=False)}" for item in code.examples]
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def prompt_hash(system: str) -> str:
    """16 hex digits naming a system part."""
    return hashlib.sha256(system.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class TurnToCode:
    """One participant turn as it is sent, with the way back to the stored text."""

    key: tuple[int, int]   # (document_id, segment_id)
    start: int             # the turn's offset in its document's stored text
    text: str              # the turn as sent (names replaced unless turned off)
    speaker: str           # pseudonym and role, e.g. "S03 (scholar)"
    context: str | None    # the facilitator's preceding question, as sent
    backward: OffsetMap | None = None  # offsets in ``text`` -> offsets in the stored turn

    @property
    def message(self) -> str:
        """The user message for this turn."""
        parts = [f"Speaker: {self.speaker}"]
        if self.context:
            parts.append(f"Context, the facilitator's preceding question (do not code):\n<<<\n{self.context}\n>>>")
        parts.append(f"Turn to code:\n<<<\n{self.text}\n>>>")
        return "\n".join(parts)

    @property
    def message_hash(self) -> str:
        return hashlib.sha256(self.message.encode("utf-8")).hexdigest()

    def stored_span(self, start: int, end: int) -> tuple[int, int]:
        """A span of the text sent as a span of the stored document."""
        if self.backward is not None:
            start, end = self.backward.span(start, end)
        return self.start + start, self.start + end


def turn_to_code(key: tuple[int, int], start: int, text: str, speaker: str, context: str | None,
                 names: NameTable | None) -> TurnToCode:
    """A turn ready to send: with ``names`` (a :class:`NameTable`), names in the turn and its
    context are replaced by pseudonyms."""
    if names is None:
        return TurnToCode(key, start, text, speaker, context)
    sent = redact_text(text, names)
    context = redact_text(context, names).text if context else context
    return TurnToCode(key, start, sent.text, speaker, context, sent.backward)


def messages(system: str, turn: TurnToCode) -> list[dict]:
    return [{"role": "system", "content": system}, {"role": "user", "content": turn.message}]
