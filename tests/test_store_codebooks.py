"""The one codebook service: find by name / name and version / id / latest, register, load back."""

from __future__ import annotations

import pytest

from qualcode.codebook import load_codebook
from qualcode.core.errors import CodebookError, SelectionError
from qualcode.store.codebooks import (codebook_by_hash, codebook_by_id, codebook_versions, codebook_with_codes,
                                      find_codebook, find_codebooks, load_stored_codebook, matching_ids,
                                      register_codebook, stored_codebooks, stored_text)
from qualcode.store.project import open_project

BOOK = """\
name: {name}
version: "{version}"
codes:
  - id: value
    name: Value
    definition: Why expectations matter.
    rules:
      phrases: [set expectations]
      patterns: [[{{LEMMA: sign}}, {{LOWER: contract}}]]
    children:
      - id: value.clarity
        name: Clarity
        definition: Knowing what is expected.
"""

#: (id, name, version) in the order added
BOOKS = [(1, "Mentoring", "1.0"), (2, "Domains", "1"), (3, "Mentoring", "1.1"), (4, "mentoring", "2"),
         (5, "2024", "1")]


@pytest.mark.parametrize("wanted, ids", [
    ("Mentoring", [1, 3]),           # the exact name first: every version of it
    ("mentoring", [4]),
    ("MENTORING", [1, 3, 4]),        # no exact name: case ignored
    ("mentoring 1.1", [3]),          # name and version pick that version
    ("Domains 1", [2]),
    (2, [2]),                        # an id
    ("3", [3]),                      # a number no name matches is an id
    ("2024", [5]),                   # ... but a name that is a number is the name
    ("Other", []),
    ("9", []),
])
def test_the_matching_rule(wanted, ids):
    assert matching_ids(BOOKS, wanted) == ids


def _project(tmp_path, *books):
    path = tmp_path / "p.qcproj"
    with open_project(path, create=True) as project:
        for i, (name, version) in enumerate(books):
            book = load_codebook(_write(tmp_path / f"b{i}.yaml", BOOK.format(name=name, version=version)))
            register_codebook(project, book)
    return path


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_find_picks_the_most_recent_match_and_says_what_exists(tmp_path):
    path = _project(tmp_path, ("Mentoring", "1.0"), ("Domains", "1"), ("Mentoring", "1.1"))
    with open_project(path) as project:
        assert [(b.id, b.label) for b in stored_codebooks(project)] == [
            (1, "Mentoring 1.0"), (2, "Domains 1"), (3, "Mentoring 1.1")]
        assert find_codebook(project).id == 3                      # nothing given: the latest
        assert find_codebook(project, "Mentoring").id == 3
        assert find_codebook(project, "mentoring 1.0").id == 1
        assert find_codebook(project, 2).name == "Domains"
        assert [b.id for b in find_codebooks(project, "mentoring")] == [1, 3]
        assert codebook_versions(project, "Mentoring") == [1, 3]
        assert codebook_by_id(project, 3).source == str(tmp_path / "b2.yaml")
        with pytest.raises(SelectionError) as info:
            find_codebook(project, "Mentorng")
        assert str(info.value) == (f"{path}: no codebook 'Mentorng' in the project (did you mean "
                                   "'Mentoring'?); codebooks: Domains, Mentoring")
        with pytest.raises(SelectionError, match="no codebook with id 7 in the project"):
            codebook_by_id(project, 7)


def test_an_empty_project_says_what_to_do(tmp_path):
    with open_project(tmp_path / "p.qcproj", create=True) as project:
        assert stored_codebooks(project) == []
        with pytest.raises(SelectionError) as info:
            find_codebook(project, "Mentoring", hint="give --codebook FILE.yaml")
        assert info.value.message == "the project has no codebook: give --codebook FILE.yaml"


def test_a_registered_codebook_loads_back_from_the_text_the_project_keeps(tmp_path):
    source = tmp_path / "book.yaml"
    source.write_bytes(("\ufeff" + BOOK.format(name="Mentoring", version="1.0")).replace("\n", "\r\n")
                       .encode("utf-8"))
    book = load_codebook(source)
    with open_project(tmp_path / "p.qcproj", create=True) as project:
        cb_id = register_codebook(project, book)
        assert register_codebook(project, book) == cb_id          # once per content
        source.unlink()                                            # the project alone is enough
        stored = find_codebook(project, "Mentoring")
        assert stored_text(project, cb_id) == BOOK.format(name="Mentoring", version="1.0")
        again = load_stored_codebook(project, stored)
        assert codebook_by_hash(project, book.hash) == stored
        assert codebook_by_hash(project, "0" * 64) is None
        assert codebook_with_codes(project, {("value", None), ("value.clarity", "value")}) == cb_id
        assert codebook_with_codes(project, {("value", None)}) is None
    assert again.path is None and again.hash == book.hash
    assert again.codes == book.codes and again.get("value").rules == book.get("value").rules


def test_stored_text_that_no_longer_loads_names_the_project_and_codebook(tmp_path):
    path = tmp_path / "p.qcproj"
    with open_project(path, create=True) as project:
        with project.transaction():
            cb_id = project.add_codebook("Old", "1", "h", None, "name: Old\nversion: 1\ncodez: []\n",
                                         [("a", None, "a", "A", "d")])
            bare = project.add_codebook("Bare", "1", "h2", None, None, [("a", None, "a", "A", "d")])
        assert load_stored_codebook(project, codebook_by_id(project, bare)) is None
        with pytest.raises(CodebookError) as info:
            load_stored_codebook(project, codebook_by_id(project, cb_id))
    assert str(info.value) == (f"{path}: codebook Old 1, line 1: 2 problems in codebook; first: "
                               "missing required key 'codes' at top level")
