"""Codebooks: YAML files of codes with definitions, criteria, examples and rules.

The format is documented in ``codebooks/README.md``.

- :mod:`~qualcode.codebook.model`: :class:`Codebook`, :class:`Code`, :class:`Rules`,
  :class:`Rule`, the id syntax and the size limits;
- :mod:`~qualcode.codebook.load`: :func:`load_codebook` (a file) and
  :func:`load_codebook_text` (text, e.g. the YAML a project keeps), :func:`validate_codebook`
  listing every problem with its file and line (:func:`check_codebook`: the codebook and its
  problems from one reading), :func:`codebook_hash`;
- :mod:`~qualcode.codebook.nodes` and :mod:`~qualcode.codebook.read`: walking the YAML;
- :mod:`~qualcode.codebook.tree`: :func:`format_codebook_tree`.

Nothing here imports spaCy.  Whether spaCy's ``Matcher`` accepts a token pattern is the
rule tagger's check (:mod:`qualcode.tagging.rules.pattern_check`): it runs when a
``RuleTagger`` is built and in ``qualcode codebook validate``.
"""

from qualcode.codebook.load import (check_codebook, codebook_error, codebook_hash, load_codebook,
                                    load_codebook_text, validate_codebook, validate_codebook_text)
from qualcode.codebook.model import (CODE_ID_RE, DEFAULT_SCOPE, DEFAULT_WINDOW, RULE_ID_RE, SCOPES, Code,
                                     Codebook, Rule, Rules)
from qualcode.codebook.nodes import PatternCheck
from qualcode.codebook.read import invalid_pattern, pattern_limit_problems, pattern_shape_problems
from qualcode.codebook.tree import format_codebook_tree

__all__ = ["CODE_ID_RE", "Code", "Codebook", "DEFAULT_SCOPE", "DEFAULT_WINDOW", "PatternCheck", "RULE_ID_RE",
           "Rule", "Rules", "SCOPES", "check_codebook", "codebook_error", "codebook_hash", "format_codebook_tree",
           "invalid_pattern", "load_codebook", "load_codebook_text", "pattern_limit_problems",
           "pattern_shape_problems", "validate_codebook", "validate_codebook_text"]
