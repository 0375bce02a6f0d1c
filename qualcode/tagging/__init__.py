"""Taggers that apply a codebook to segments: transparent rules (``rules``)."""

from qualcode.tagging.rules.component import RuleComponent
from qualcode.tagging.rules.nlp import get_nlp, lemmatize
from qualcode.tagging.rules.tagger import Hit, RuleCoding, RuleTagger, code_document

__all__ = ["Hit", "RuleCoding", "RuleComponent", "RuleTagger", "code_document", "get_nlp", "lemmatize"]
