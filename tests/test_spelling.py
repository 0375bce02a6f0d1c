"""One "did you mean" for every message: case ignored, abbreviations, near spellings."""

from __future__ import annotations

import pytest

from qualcode.codebook import validate_codebook
from qualcode.exchange.sheets import import_codings
from qualcode.exchange.sheets.checks import CodingsFileError
from qualcode.core.spelling import closest_choice, did_you_mean, matching_names, near_miss
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


@pytest.mark.parametrize("value,existing,meant", [
    ("mentors", ["mentor", "scholar"], "mentor"),        # a plural
    ("Northfeld", ["Northfield", "Lakeshore"], "Northfield"),  # a dropped letter
    ("northfield", ["Northfield"], "Northfield"),         # case
    ("North-field", ["Northfield"], "Northfield"),        # punctuation
    ("Lakehsore", ["Lakeshore"], "Lakeshore"),            # two letters swapped
    ("Northfield", ["Northfield"], None),                 # not new
    ("Riverside", ["Riverbend"], None),                   # another place
    ("S2", ["S1"], None),                                 # numbers name a series
    ("2024-03-15", ["2024-03-14"], None),
    ("Site B", ["Site A"], None),                         # so do one-letter words
    ("NF-M1", ["NF-S1"], None),
    ("UCSD", ["UCSF"], None),                             # below five letters only case and punctuation
    ("mentee", ["mentor"], None),                         # two edits in six letters
])
def test_near_miss(value, existing, meant):
    assert near_miss(value, existing) == meant


def test_names_match_with_or_without_a_suffix_on_either_side():
    names = ["P2.txt", "P3.docx", "Dr. Lee", "group.1"]
    assert matching_names("P2.odt", names) == ["P2.txt"]
    assert matching_names("p2", names) == ["P2.txt"]
    assert matching_names("P3.DOCX", names) == ["P3.docx"]
    assert matching_names("Dr. Lee.txt", names) == ["Dr. Lee"]   # ". Lee" is no suffix
    assert matching_names("group.1", names) == ["group.1"]
    assert matching_names("group", names) == []                  # ".1" is no suffix either
    assert matching_names("P4", names) == []
    assert matching_names("x.txt", ["x.docx", "x.vtt"]) == ["x.docx", "x.vtt"]
