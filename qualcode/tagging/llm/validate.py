"""The answer contract, and every answer checked against the turn before it is kept.

The model is asked for (and ``response_format`` constrains it to, where the server can)::

    {"codes": [{"code": "<code id>", "quote": "<exact words from the turn>", "rationale": "<one sentence>"}]}

with an empty list when no code applies.  Then:

- :func:`parse_answer`: the text must hold that JSON object (a fenced block or prose around
  it is tolerated; anything else is :class:`MalformedAnswer`, and the turn is asked again);
- :func:`check_answer`: a code id not in the codebook is rejected and counted; a quote must
  be found in the turn being coded after normalising whitespace, case, quote marks
  (curly or straight) and dashes, so a quote from the context (the facilitator's question)
  or one the model made up is rejected and counted.  The normalised match is mapped back
  to exact character offsets in the turn: they become the coding's span.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

#: Characters read as another before quotes are compared.
_SAME = {**{c: "'" for c in "\u2018\u2019\u201a\u201b\u2032`\u00b4"},
         **{c: '"' for c in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"},
         **{c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"},
         "\u2026": "."}
#: Stripped from both ends of a quote: surrounding quote marks, ellipses, spaces.
_EDGES = " \"'.\u2026"


def answer_schema(code_ids: list[str]) -> dict:
    """The JSON schema of the answer, with the codebook's ids as the only codes."""
    item = {"type": "object", "additionalProperties": False, "required": ["code", "quote", "rationale"],
            "properties": {"code": {"type": "string", "enum": list(code_ids)},
                           "quote": {"type": "string"}, "rationale": {"type": "string"}}}
    return {"type": "object", "additionalProperties": False, "required": ["codes"],
            "properties": {"codes": {"type": "array", "items": item}}}


class MalformedAnswer(ValueError):
    """The answer is not the JSON object of the contract."""


def parse_answer(content: str) -> list[dict]:
    """The ``codes`` list of an answer, each item with string ``code``, ``quote`` and ``rationale``."""
    data = _json_object(content)
    codes = data.get("codes") if isinstance(data, dict) else None
    if not isinstance(codes, list):
        raise MalformedAnswer('the answer has no "codes" list')
    items = []
    for item in codes:
        if not isinstance(item, dict) or not isinstance(item.get("code"), str) \
                or not isinstance(item.get("quote"), str):
            raise MalformedAnswer('each item of "codes" needs a "code" and a "quote" string')
        rationale = item.get("rationale")
        items.append({"code": item["code"].strip(), "quote": item["quote"],
                      "rationale": rationale if isinstance(rationale, str) else ""})
    return items


def _json_object(content: str):
    text = str(content).strip()
    fenced = re.fullmatch(r"```[A-Za-z]*\s*(.*?)\s*```", text, re.S)
    if fenced:
        text = fenced.group(1)
    try:
        return json.loads(text)
    except ValueError:
        pass
    first, last = text.find("{"), text.rfind("}")  # an object with prose around it
    if 0 <= first < last:
        try:
            return json.loads(text[first:last + 1])
        except ValueError:
            pass
    raise MalformedAnswer("the answer is not a JSON object")


def normalized(text: str) -> tuple[str, list[int]]:
    """``text`` lowercased, with quote marks and dashes made plain and each run of whitespace
    one space; and for each of its characters, the offset of the character it came from."""
    out: list[str] = []
    where: list[int] = []
    for i, char in enumerate(text):
        if char.isspace():
            if out and out[-1] == " ":
                continue
            char = " "
        else:
            char = _SAME.get(char, char)
            lower = char.lower()
            char = lower if len(lower) == 1 else char
        out.append(char)
        where.append(i)
    return "".join(out), where


def find_quote(quote: str, text: str) -> tuple[int, int] | None:
    """The span of ``text`` that ``quote`` copies (see :func:`normalized`), first if several."""
    wanted = normalized(quote)[0].strip(_EDGES)
    if not re.search(r"\w", wanted):
        return None
    haystack, where = normalized(text)
    at = haystack.find(wanted)
    if at < 0:
        return None
    return where[at], where[at + len(wanted) - 1] + 1


@dataclass(frozen=True)
class Quote:
    """A code kept for a turn: where its quote is in the text sent, and why."""

    code: str
    start: int
    end: int
    quote: str
    rationale: str


@dataclass
class Checked:
    kept: list[Quote] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)             # code ids not in the codebook
    rejected: list[tuple[str, str, str]] = field(default_factory=list)  # (code, quote, why)


def check_answer(items: list[dict], text: str, context: str | None, code_ids) -> Checked:
    """Keep each item whose code is in ``code_ids`` and whose quote is in ``text`` (the turn)."""
    known = set(code_ids)
    checked = Checked()
    seen = set()
    for item in items:
        code, quote = item["code"], item["quote"]
        if code not in known:
            checked.unknown.append(code)
            continue
        span = find_quote(quote, text)
        if span is None:
            why = "in the context, not the turn" if context and find_quote(quote, context) else \
                "not in the turn"
            checked.rejected.append((code, quote, why))
            continue
        if (code, *span) not in seen:
            seen.add((code, *span))
            checked.kept.append(Quote(code, span[0], span[1], text[span[0]:span[1]], item["rationale"]))
    return checked
