"""export_qdpx: valid against the official schema, stable bytes, code-point positions,
users, cases with roles, document attributes as variables."""

from __future__ import annotations

import zipfile

import pytest
from conftest import shared_path, whole_tables_refused
from lxml import etree
from refi_data import study_copy

from qualcode.core.errors import FormatError, SelectionError
from qualcode.exchange.refi import export_qdpx
from qualcode.exchange.refi.ids import code_guid, source_guid, user_guid
from qualcode.exchange.refi.validate import validate_qdpx
from qualcode.core.models import content_hash
from qualcode.store.frames import segments_frame
from qualcode.store.project import open_project

NS = {"q": "urn:QDA-XML:project:1.0"}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    project_path = study_copy(folder)
    with open_project(project_path) as project:
        summary = export_qdpx(project, folder / "a.qdpx")
        export_qdpx(project, folder / "b.qdpx")
        export_qdpx(project, folder / "real.qdpx", real_names=True)
        stored = project.document_text(project.document_id("scholars_montréal.txt"))
        turns = segments_frame(project, document="scholars_montréal.txt")
    # what the file should hold: every "Label: " line start as "S01 (scholar): "
    pseudonym = {s: f"{p} ({r})" for s, p, r in zip(turns["speaker"], turns["participant"], turns["role"])}
    text = "\n".join(f"{pseudonym[line.split(': ', 1)[0]]}: {line.split(': ', 1)[1]}"
                     if line.split(": ", 1)[0] in pseudonym else line for line in stored.split("\n"))
    assert text.startswith("F01 (facilitator): Bienvenue") and text.count("S01 (scholar): ") == 2
    with zipfile.ZipFile(folder / "real.qdpx") as zf:
        real_files = {n: zf.read(n) for n in zf.namelist()}
    assert real_files[f"sources/{source_guid(content_hash(stored))}.txt"].decode("utf-8") == stored
    with zipfile.ZipFile(folder / "a.qdpx") as zf:
        names = zf.namelist()
        root = etree.fromstring(zf.read("project.qde"))
        files = {n: zf.read(n) for n in names}
    return folder, summary, names, root, files, text


def test_validates_against_the_refi_project_schema(exported):
    folder = exported[0]
    validate_qdpx(folder / "a.qdpx", shared_path("refi-qda", "Project-mrt2019.xsd"))


def test_a_broken_file_fails_validation_with_its_line(tmp_path):
    bad = tmp_path / "bad.qdpx"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("project.qde", '<?xml version="1.0"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="x">\n'
                                   '<Users><User name="x"/></Users></Project>')
    with pytest.raises(FormatError) as err:
        validate_qdpx(bad, shared_path("refi-qda", "Project-mrt2019.xsd"))
    assert str(err.value).startswith(f"{bad}:project.qde, line 3: not valid against Project-mrt2019.xsd: ")
    assert str(err.value).endswith("Element '{urn:QDA-XML:project:1.0}User': "
                                   "The attribute 'guid' is required but missing.")


def test_re_export_of_the_same_data_is_byte_identical(exported):
    folder = exported[0]
    assert (folder / "a.qdpx").read_bytes() == (folder / "b.qdpx").read_bytes()


def test_zip_holds_project_qde_and_one_utf8_text_per_source(exported):
    _, summary, names, root, files, text = exported
    guid = source_guid(content_hash(text))
    assert names[0] == "project.qde"
    assert f"sources/{guid}.txt" in names and len(names) == 3
    assert files[f"sources/{guid}.txt"].decode("utf-8") == text
    source = root.find(f"q:Sources/q:TextSource[@guid='{guid}']", NS)
    assert source.get("name") == "scholars_montréal.txt"
    assert source.get("plainTextPath") == f"internal://{guid}.txt"
    assert (summary.sources, summary.codes, summary.codings, summary.users, summary.cases) == (2, 4, 11, 3, 6)


def test_positions_count_code_points_so_an_emoji_is_one_character(exported):
    _, _, _, root, _, text = exported
    guid = source_guid(content_hash(text))
    fear = code_guid("Small study", "power.fear")
    [selection] = root.xpath(f"q:Sources/q:TextSource[@guid='{guid}']/q:PlainTextSelection"
                             f"[q:Coding/q:CodeRef/@targetGUID='{fear}']", namespaces=NS)
    start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
    assert text[start:end] == "I was afraid to say no 😬"
    # three emoji (👋 🎯) come before it: UTF-16 counting would give start + 2
    assert len(text[:start].encode("utf-16-le")) // 2 == start + 2


def test_users_one_per_coder_and_the_tagger_marked_as_machine(exported):
    root = exported[3]
    users = {u.get("name"): (u.get("guid"), u.get("id")) for u in root.findall("q:Users/q:User", NS)}
    assert users == {"ana": (user_guid("ana"), None), "bo": (user_guid("bo"), None),
                     "rules": (user_guid("rules"), "qualcode:machine")}
    codings = root.findall(".//q:Coding", NS)
    assert {c.get("creatingUser") for c in codings} == {user_guid(n) for n in ("ana", "bo", "rules")}


def test_codebook_has_hierarchy_palette_colors_and_definitions(exported):
    root = exported[3]
    top = root.findall("q:CodeBook/q:Codes/q:Code", NS)
    assert [c.get("name") for c in top] == ["Explicit expectations", "Power differential"]
    assert [c.get("color") for c in top] == ["#1F77B4", "#FF7F0E"]
    child = top[0].find("q:Code", NS)
    assert child.get("name") == "Written agreement" and child.get("color") == "#1F77B4"
    assert top[0].find("q:Description", NS).text == (
        "Saying out loud what each side expects.\n\nInclude: goals written down\n"
        "Include: talking about expectations\nExclude: Expectations of the program office.\n"
        "Example: We wrote down the goals 🎯 together.\nCode id: expectations")
    assert child.find("q:Description", NS).text == (
        "A compact, contract or agreement that both sign.\n\nCode id: expectations.agreement")


def test_cases_carry_participants_roles_and_their_turns(exported):
    _, _, _, root, _, text = exported
    variables = {v.get("guid"): v.get("name") for v in root.findall("q:Variables/q:Variable", NS)}
    assert sorted(variables.values()) == ["role", "site"]
    selections = {s.get("guid"): s for s in root.iter("{urn:QDA-XML:project:1.0}PlainTextSelection")}
    cases = {}
    for case in root.findall("q:Cases/q:Case", NS):
        role = case.find("q:VariableValue/q:TextValue", NS)
        turns = [selections[r.get("targetGUID")].get("name") for r in case.findall("q:SelectionRef", NS)]
        cases[case.get("name")] = (role.text if role is not None else None, turns)
    assert cases["S01"] == ("scholar", ["S01 (scholar): turn 1", "S01 (scholar): turn 4"])
    assert cases["S02"] == ("scholar", ["S02 (scholar): turn 2"])
    assert cases["F01"] == ("facilitator", ["F01 (facilitator): turn 0", "F01 (facilitator): turn 3"])
    assert sorted(cases) == ["F01", "F02", "M01", "M02", "S01", "S02"]


def test_document_attributes_are_variable_values_of_the_source(exported):
    root = exported[3]
    names = {v.get("guid"): v.get("name") for v in root.findall("q:Variables/q:Variable", NS)}
    values = {}
    for source in root.findall("q:Sources/q:TextSource", NS):
        values[source.get("name")] = {names[vv.find("q:VariableRef", NS).get("targetGUID")]:
                                      vv.find("q:TextValue", NS).text
                                      for vv in source.findall("q:VariableValue", NS)}
    assert values == {"scholars_montréal.txt": {"role": "scholar", "site": "Montréal"},
                      "mentors_ålesund.txt": {"role": "mentor", "site": "Ålesund"}}


def test_unknown_codebook_is_an_error_and_nothing_is_written(exported):
    folder = exported[0]
    with open_project(folder / "study.qcproj") as project:
        with pytest.raises(SelectionError, match="no codebook 'Nope' in the project; codebooks: "):
            export_qdpx(project, folder / "none.qdpx", codebook="Nope")
    assert not (folder / "none.qdpx").exists()


def test_guids_are_uuid5_of_the_namespace_as_the_standard_library_makes_them():
    import random
    import uuid

    from qualcode.exchange.refi.ids import NAMESPACE, make_guid

    rng = random.Random(3)
    alphabet = "abcXYZ019 :\x1f-é中😀"
    for _ in range(2000):
        parts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))
                 for _ in range(rng.randrange(0, 4))]
        name = "kind:" + "\x1f".join(parts)
        assert make_guid("kind", *parts) == str(uuid.uuid5(NAMESPACE, name))
    assert make_guid("user", "rules") == str(uuid.uuid5(NAMESPACE, "user:rules"))


def test_the_export_streams_documents_without_loading_every_coding(exported, tmp_path):
    """The project-wide frames (every coding with its excerpt, every turn) are never read:
    the same bytes come from one document at a time and one sorted cursor of codings."""
    folder, summary, *_ = exported
    with open_project(study_copy(tmp_path)) as project, \
            whole_tables_refused("codings_frame", "segments_frame", "coverage_frame"):
        again = export_qdpx(project, tmp_path / "streamed.qdpx")
    assert (tmp_path / "streamed.qdpx").read_bytes() == (folder / "a.qdpx").read_bytes()
    assert (again.selections, again.codings, again.cases) == (summary.selections, summary.codings, summary.cases)
