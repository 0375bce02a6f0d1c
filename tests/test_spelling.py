"""One "did you mean" for every message: case ignored, abbreviations, near spellings."""

from __future__ import annotations

import pytest

from qualcode.codebook import validate_codebook
from qualcode.exchange.sheets import import_codings
from qualcode.exchange.sheets.checks import CodingsFileError
from qualcode.core.spelling import closest_choice, did_you_mean
from qualcode.store.project import open_project
from qualcode.tagging.rules.pattern_check import validate_codebook_with_spacy

CODES = ["value", "value.clarity", "power_differential", "power_differential.fear", "tools"]


@pytest.mark.parametrize("value,meant", [
    ("Power_Differential", "power_differential"),  # another case
    ("VALEU", "value"),                            # a near spelling, case ignored
    ("valeu", "value"),
    ("power_diff.fear", "power_differential.fear"),
    ("pow", "power_differential"),                 # an abbreviation: the shortest choice it begins
    ("va", "value"),
    ("Tols", "tools"),
    ("v", None),                                   # one letter is no abbreviation
    ("xyz", None),
])
def test_closest_choice(value, meant):
    assert closest_choice(value, CODES) == meant


def test_the_hint_quotes_the_choice():
    assert did_you_mean("tool", CODES) == " (did you mean 'tools'?)"
    assert did_you_mean("xyz", CODES) == ""
    assert did_you_mean("ents", ["ent's", "other"]) == ' (did you mean "ent\'s"?)'


def test_codebook_keys_are_suggested_whatever_their_case(write):
    path = write("codebook.yaml", "name: X\nversion: 1\nCODES: []\n")
    assert [p.message for p in validate_codebook(path)] == [
        "missing required key 'codes' at top level",
        "unknown key 'CODES' at top level (did you mean 'codes'?)"]
    path = write("codebook2.yaml", "name: X\nversion: 1\ncodes:\n  - id: a\n    name: A\n    DEFINITION: d\n"
                                   "    def: e\n")
    assert [p.message for p in validate_codebook(path)] == [
        "missing required key 'definition' in code 'a'",
        "unknown key 'DEFINITION' in code 'a' (did you mean 'definition'?)",
        "unknown key 'def' in code 'a' (did you mean 'definition'?)"]


def test_token_attributes_are_suggested_by_abbreviation(write):
    path = write("codebook.yaml", "name: X\nversion: 1\ncodes:\n  - id: a\n    name: A\n    definition: d\n"
                                  "    rules:\n      patterns: [[{ENT: x}]]\n")
    assert [p.message for p in validate_codebook_with_spacy(path)] == [
        "invalid pattern 'a/patterns/1' in rules of code 'a': token 1: unknown attribute 'ENT' "
        "(did you mean 'ENT_ID'?)"]


def test_an_uppercase_code_in_a_sheet_is_suggested(tmp_path, write):
    from projects import build_project

    project = build_project(tmp_path / "p.qcproj")
    path = write("sheet.csv", "document,turn,codes\nscholars_north.txt,1,VALEU\n")
    with open_project(project) as proj, pytest.raises(CodingsFileError) as caught:
        import_codings(proj, path, "bo")
    assert str(caught.value) == (f"{path}: 1 problem, nothing imported:\n"
                                 "  row 2: unknown code 'VALEU' (did you mean 'value'?)")
