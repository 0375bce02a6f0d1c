"""Whether spaCy's ``Matcher`` takes a codebook's token patterns, on the blank pipeline.

The codebook reader (:mod:`qualcode.codebook`) checks a pattern's size and shape without
spaCy; this module adds what only spaCy can say: attribute names the blank English
pipeline sets, and the operators and values spaCy's pattern schema accepts.  It runs

- when a :class:`~qualcode.tagging.rules.tagger.RuleTagger` is built
  (:func:`check_codebook_patterns`), and
- in ``qualcode codebook validate`` (:func:`check_codebook_with_spacy`), where its
  problems are listed among the codebook's others, in the order of their lines.

Each problem names the pattern's rule id, its code, and the file and line of the pattern.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from spacy.errors import MatchPatternError
from spacy.language import Language
from spacy.matcher import Matcher

from qualcode.codebook import Codebook, check_codebook, codebook_error, invalid_pattern, pattern_shape_problems
from qualcode.core.errors import QualcodeError
from qualcode.core.spelling import did_you_mean
from qualcode.tagging.rules.nlp import get_nlp
from qualcode.tagging.rules.patterns import prepare_pattern

#: Token attributes the blank pipeline fills in (plus the operator key).
SUPPORTED_ATTRS = (
    "ORTH", "TEXT", "LOWER", "NORM", "LEMMA", "SHAPE", "PREFIX", "SUFFIX", "LENGTH",
    "IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT",
    "IS_SPACE", "IS_STOP", "IS_BRACKET", "IS_QUOTE", "IS_LEFT_PUNCT", "IS_RIGHT_PUNCT",
    "IS_CURRENCY", "IS_SENT_START", "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL", "SPACY", "OP",
)
#: Attributes only a trained pipeline sets: they would silently never match.
MODEL_ATTRS = ("POS", "TAG", "MORPH", "DEP", "ENT_TYPE", "ENT_IOB", "ENT_ID", "ENT_KB_ID", "HEAD")

_SPACY_LINE = re.compile(r"^- \[pattern -> (\d+) -> (.*?)\] (.*)$")


def check_pattern(tokens: Any, nlp: Language | None = None) -> list[str]:
    """Every problem with one token pattern, as short messages ("token 2: ...")."""
    problems = pattern_shape_problems(tokens, _attribute_problems)
    if problems:
        return problems
    nlp = nlp or get_nlp()
    try:
        Matcher(nlp.vocab, validate=True).add("check", [prepare_pattern(tokens, nlp)])
    except MatchPatternError as exc:
        problems.extend(_spacy_problems(str(exc)))
    except re.error as exc:
        problems.append(f"invalid regular expression: {exc}")
    except (ValueError, TypeError, KeyError) as exc:
        problems.append(str(exc).splitlines()[0])
    return problems


def check_codebook_patterns(codebook: Codebook, nlp: Language | None = None) -> None:
    """Raise :class:`~qualcode.core.errors.CodebookError` listing every token pattern of a
    loaded codebook that spaCy's ``Matcher`` does not take (file and line of each pattern)."""
    problems = [QualcodeError(invalid_pattern(rule.rule_id, f"rules of code '{code.id}'", problem),
                              codebook.path, rule.line)
                for code in codebook.codes for rule in code.rules.patterns
                for problem in check_pattern(list(rule.pattern), nlp)]
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise codebook_error(problems, codebook.path)


def validate_codebook_with_spacy(path: str | Path, nlp: Language | None = None) -> list[QualcodeError]:
    """Every problem in a codebook file, its token patterns checked by spaCy's ``Matcher``
    too: what ``qualcode codebook validate`` reports."""
    return check_codebook_with_spacy(path, nlp)[1]


def check_codebook_with_spacy(path: str | Path,
                              nlp: Language | None = None) -> tuple[Codebook | None, list[QualcodeError]]:
    """The codebook (None if it has problems) and :func:`validate_codebook_with_spacy`'s
    problems, from one reading of the file."""
    return check_codebook(path, check_pattern=lambda tokens: check_pattern(tokens, nlp))


def _attribute_problems(token: dict) -> list[str]:
    problems = []
    for key in token:
        name = str(key).upper()
        if name in MODEL_ATTRS:
            problems.append(f"attribute '{key}' needs a trained pipeline; "
                            "the blank English pipeline only sets lexical attributes and LEMMA")
        elif name == "_":
            problems.append("custom attributes ('_') are not supported")
        elif name not in SUPPORTED_ATTRS:
            problems.append(f"unknown attribute '{key}'{did_you_mean(name, SUPPORTED_ATTRS + MODEL_ATTRS)}")
    return problems


def _spacy_problems(message: str) -> list[str]:
    out = []
    for line in message.splitlines():
        m = _SPACY_LINE.match(line.strip())
        if m:
            token = int(m.group(1)) + 1
            where = " -> ".join(p for p in m.group(2).split(" -> ") if p.isupper())
            out.append(f"token {token}: {where + ': ' if where else ''}{m.group(3)}")
    return out or [message.splitlines()[0]]
