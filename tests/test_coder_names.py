"""One rule for a person's coder name (qualcode.store.coders), the same through every door:
the workbench, import-codings, import-taguette and import-qdpx --coder-map."""

from __future__ import annotations

import pytest

from projects import CODINGS, build_project
from qualcode.core.errors import SelectionError
from qualcode.store.coders import person_coder_name
from qualcode.store.project import open_project
from qualcode.workflows import review


@pytest.fixture
def study(tmp_path):
    """The STUDY project, with one coder who came in under no rule (an older import)."""
    older = [("scholars_north.txt", 2, 0, "tools", "Smith, J. (2019 import)", "accepted")]
    return build_project(tmp_path / "study.qcproj", codings=CODINGS + older)


@pytest.mark.parametrize("typed, stored", [
    ("ana", "ana"), ("J.D.", "J.D."), ("Ann Lee", "Ann Lee"), ("  José   O'Brien ", "José O'Brien"),
    ("Ana (RA)", "Ana (RA)"), ("a.lima@uni.example", "a.lima@uni.example"), ("李明", "李明"),
    ("Jose\u0301", "José"),            # one spelling however the keyboard composed the accent
    ("x" * 60, "x" * 60), ("alice", "alice"),
    ("Smith, J. (2019 import)", "Smith, J. (2019 import)")])  # already the project's: kept as it is
def test_a_persons_name_is_taken_tidied(study, typed, stored):
    with open_project(study) as project:
        assert person_coder_name(project, typed) == stored


@pytest.mark.parametrize("typed, message", [
    ("", "coder name '' is not allowed"), ("   ", "coder name '' is not allowed"),
    ("all", "not allowed"), ("ALL", "not allowed"), ("Lee, Ann", "not allowed"), ("ana=bo", "not allowed"),
    ("-ana", "not allowed"), ("_ana", "not allowed"), ("x" * 61, "not allowed"), ("ana\x00", "not allowed"),
    ("rules", "'rules' is the name of a machine tagger in this project")])
def test_a_name_that_would_mix_with_others_or_break_a_list_is_refused(study, typed, message):
    with open_project(study) as project, pytest.raises(SelectionError, match=message):
        person_coder_name(project, typed)


def test_every_door_uses_the_rule(study, tmp_path):
    from qualcode.exchange.refi.project_import import import_qdpx
    from qualcode.exchange.sheets.importing import import_codings
    from qualcode.exchange.taguette import import_highlights

    missing = tmp_path / "never_read.csv"  # the name is checked before any file is read
    with open_project(study) as project:
        assert review.reviewer(project, " Ann  Lee").coder == "Ann Lee"
        for door in (lambda: import_codings(project, missing, "Lee, Ann"),
                     lambda: import_highlights(project, missing, "Lee, Ann"),
                     lambda: import_qdpx(project, missing, coder_map={"Ann": "Lee, Ann"}),
                     lambda: review.reviewer(project, "Lee, Ann")):
            with pytest.raises(SelectionError, match="coder name 'Lee, Ann' is not allowed"):
                door()
