"""import_qdpx on hand-made files: text kept verbatim, turns found, codes, codings by user,
attributes; every kind of bad input is reported and leaves the project untouched."""

from __future__ import annotations

import pytest
from refi_fixtures import (ANA, CODE_JOY, INLINE, SOURCE_GUID, TEXT, cp, default_selections,
                           project_xml, selection, u16, write_qdpx)

from qualcode.core.errors import FormatError, InputError
from qualcode.exchange.refi import import_qdpx, parse_coder_map
from qualcode.store.frames import attributes_frame, codings_frame, coverage_frame, segments_frame
from qualcode.store.project import open_project


def imported(tmp_path, qdpx, **options):
    path = tmp_path / "target.qcproj"
    with open_project(path, create=True) as project:
        result = import_qdpx(project, qdpx, **options)
        frames = (segments_frame(project), codings_frame(project), project.codes_frame(),
                  attributes_frame(project), coverage_frame(project),
                  {d: project.document_text(project.document_id(d)) for d in result.documents_added})
    return result, frames


def test_the_hand_made_file_follows_the_standard(tmp_path):
    from conftest import shared_path
    from qualcode.exchange.refi.validate import validate_qdpx

    validate_qdpx(write_qdpx(tmp_path / "a.qdpx"), shared_path("refi-qda", "Project-mrt2019.xsd"))


def test_text_kept_verbatim_and_turns_found_at_speaker_labels(tmp_path):
    result, (segments, _, _, _, _, texts) = imported(tmp_path, write_qdpx(tmp_path / "a.qdpx"))
    assert texts == {"entrevue_zoë": TEXT, "note de terrain": INLINE}
    turns = segments[segments["document"] == "entrevue_zoë"]
    assert list(zip(turns["speaker"], turns["text"])) == [
        ("Modératrice", "Bonjour 👋 à toutes et à tous."),
        ("Zoë", "J'étais très contente 😀 de mon mentor, vraiment."),
        ("Maëlle", "Moi, j'avais peur 😟 de lui parler de mes résultats."),
        ("Zoë", "Ça a changé après notre accord écrit.")]
    # "Modératrice" is a facilitator word (qualcode/ingest/labels.yaml)
    assert turns["participant"].tolist() == ["F01", "S01", "S02", "S01"]
    note = segments[segments["document"] == "note de terrain"]
    assert list(zip(note["speaker"], note["text"])) == [("", INLINE)]
    assert result.turns == 5 and result.skipped == {"PictureSource": 1}


def test_codings_by_user_with_code_point_positions(tmp_path):
    result, (_, codings, _, _, coverage, _) = imported(tmp_path, write_qdpx(tmp_path / "a.qdpx"))
    rows = sorted(zip(codings["coder"], codings["code"], codings["turn"], codings["text"], codings["coder_kind"]))
    assert rows == [
        ("Ana Lima", "bien_etre.inquietude", 2, "j'avais peur 😟 de lui parler", "human"),
        ("Ana Lima", "bien_etre.joie", 1, "très contente 😀 de mon mentor", "human"),
        ("Bo Chen", "bien_etre", 0, "froide ❄️", "human"),
        ("Bo Chen", "bien_etre", 3, "accord écrit", "human"),
        ("Bo Chen", "bien_etre.joie", 1, "très contente 😀 de mon mentor", "human")]
    assert result.units == {"entrevue_zoë": "codepoints", "note de terrain": "codepoints"}
    # coverage: every turn of each document the coder coded (Ana: 4 turns, Bo: 4 + 1)
    assert coverage.groupby("coder").size().to_dict() == {"Ana Lima": 4, "Bo Chen": 5}


def test_code_tree_becomes_a_codebook_with_ids_from_names(tmp_path):
    result, (_, _, codes, _, _, _) = imported(tmp_path, write_qdpx(tmp_path / "a.qdpx"))
    codes = codes.fillna("")
    assert list(zip(codes["code"], codes["parent"], codes["name"], codes["definition"], codes["color"])) == [
        ("bien_etre", "", "Bien-être", "Comment les doctorant·e·s se sentent.", "#33AA55"),
        ("bien_etre.joie", "bien_etre", "Joie 😀", "No definition was given in the imported codebook.", ""),
        ("bien_etre.inquietude", "bien_etre", "Inquiétude", "Peur, stress, doute.", "")]
    assert (result.codebooks, result.codes) == ({"Étude pilote": 3}, 3)


def test_source_and_case_variables_become_document_attributes(tmp_path):
    _, (_, _, _, attributes, _, _) = imported(tmp_path, write_qdpx(tmp_path / "a.qdpx"))
    assert list(zip(attributes["key"], attributes["value"])) == [("role", "scholar"), ("site", "Québec")]


def test_role_variable_gives_speakers_their_role(tmp_path):
    _, (segments, _, _, _, _, _) = imported(tmp_path, write_qdpx(tmp_path / "a.qdpx"), role_variable="Role")
    roles = segments.loc[segments["document"] == "entrevue_zoë", ["speaker", "role"]].values.tolist()
    assert roles == [["Modératrice", "facilitator"], ["Zoë", "scholar"], ["Maëlle", "scholar"], ["Zoë", "scholar"]]


def test_coder_map_renames_users(tmp_path):
    mapping = parse_coder_map(" Ana Lima = ana , Bo Chen=bo")
    assert mapping == {"Ana Lima": "ana", "Bo Chen": "bo"}
    result, _ = imported(tmp_path, write_qdpx(tmp_path / "a.qdpx"), coder_map=mapping)
    assert result.codings == {"ana": 2, "bo": 3}


def test_coder_map_with_an_unknown_user_or_bad_entry_is_an_error(tmp_path):
    with pytest.raises(InputError, match="'Ana' is not 'USER=CODER'"):
        parse_coder_map("Ana")
    qdpx = write_qdpx(tmp_path / "a.qdpx")
    with open_project(tmp_path / "p.qcproj", create=True) as project:
        with pytest.raises(FormatError) as err:
            import_qdpx(project, qdpx, coder_map={"Anna Lima": "ana"})
        assert project.counts()["documents"] == 0
    assert str(err.value) == (f"{qdpx}:project.qde: --coder-map names user 'Anna Lima', who is not in "
                              "the file (users: Ana Lima, Bo Chen)")


def test_utf16_positions_are_detected_and_converted(tmp_path):
    qdpx = write_qdpx(tmp_path / "u.qdpx", project_xml(default_selections(count=u16)))
    result, (_, codings, _, _, _, _) = imported(tmp_path, qdpx)
    assert result.units["entrevue_zoë"] == "utf16"
    assert sorted(set(codings["text"])) == ["accord écrit", "froide ❄️", "j'avais peur 😟 de lui parler",
                                            "très contente 😀 de mon mentor"]


def test_utf16_positions_read_as_code_points_overflow_and_are_reported(tmp_path):
    qdpx = write_qdpx(tmp_path / "u.qdpx", project_xml(default_selections(count=u16)))
    with open_project(tmp_path / "p.qcproj", create=True) as project:
        with pytest.raises(FormatError) as err:
            import_qdpx(project, qdpx, units="codepoints")
    start, end = u16(TEXT, "accord écrit")
    assert (start, end) == (207, 219) and len(TEXT) == 218
    assert str(err.value) == (
        f"{qdpx}:project.qde, line 19: <PlainTextSelection guid=5e100000-0000-4000-8000-000000000003> in "
        "source 'entrevue_zoë': positions 207-219 do not fit its text of 218 characters")


def assert_nothing_imported(tmp_path, qdpx, expected: str):
    path = tmp_path / "p.qcproj"
    with open_project(path, create=True) as project:
        with pytest.raises(FormatError) as err:
            import_qdpx(project, qdpx)
        assert project.counts() == {"documents": 0, "participants": 0, "turns": 0, "words": 0, "codings": 0}
        assert project.codebooks_frame().empty
    assert str(err.value) == expected


def test_positions_beyond_the_text_are_reported_with_selection_and_line(tmp_path):
    xml = project_xml(default_selections() + "\n" + selection(
        "5E100000-0000-4000-8000-0000000000FF", (200, 900), ("C0D10000-0000-4000-8000-0000000000FF", CODE_JOY, ANA)))
    qdpx = write_qdpx(tmp_path / "bad.qdpx", xml)
    assert_nothing_imported(tmp_path, qdpx, (
        f"{qdpx}:project.qde, line 20: <PlainTextSelection guid=5e100000-0000-4000-8000-0000000000ff> in "
        f"source 'entrevue_zoë': positions 200-900 do not fit its text of {len(TEXT)} characters"))


def test_unknown_code_reference_is_reported(tmp_path):
    xml = project_xml(selection("5E100000-0000-4000-8000-000000000001", cp(TEXT, "accord"),
                                ("C0D10000-0000-4000-8000-000000000001", "DEADBEEF-0000-4000-8000-000000000000", ANA)))
    qdpx = write_qdpx(tmp_path / "bad.qdpx", xml)
    assert_nothing_imported(tmp_path, qdpx, (
        f"{qdpx}:project.qde, line 17: <Coding guid=c0d10000-0000-4000-8000-000000000001> refers to "
        "unknown code deadbeef-0000-4000-8000-000000000000"))


def test_missing_source_file_is_reported(tmp_path):
    qdpx = write_qdpx(tmp_path / "bad.qdpx", sources={})
    assert_nothing_imported(tmp_path, qdpx, (
        f"{qdpx}:project.qde, line 16: source text of <TextSource name='entrevue_zoë'> is missing: "
        f"sources/{SOURCE_GUID}.txt is not in bad.qdpx"))


def test_malformed_xml_is_reported_with_its_line(tmp_path):
    xml = project_xml().replace("</CodeBook>", "</Codebook>")
    qdpx = write_qdpx(tmp_path / "bad.qdpx", xml)
    assert_nothing_imported(tmp_path, qdpx, (
        f"{qdpx}:project.qde, line 4: malformed XML: Opening and ending tag mismatch: CodeBook line 4 "
        "and Codebook (column 429)"))


def test_a_zip_without_project_qde_is_reported(tmp_path):
    qdpx = write_qdpx(tmp_path / "bad.qdpx", entry="sources/other.xml")
    assert_nothing_imported(tmp_path, qdpx, f"{qdpx}: no project.qde in the .qdpx archive")


def test_capitalised_entry_and_sources_folder_are_found(tmp_path):
    qdpx = write_qdpx(tmp_path / "caps.qdpx", entry="Project.qde",
                      sources={f"Sources/{SOURCE_GUID.lower()}.TXT": TEXT})
    result, _ = imported(tmp_path, qdpx)
    assert result.documents_added == ["entrevue_zoë", "note de terrain"]


def test_importing_the_same_file_again_replaces_instead_of_duplicating(tmp_path):
    qdpx = write_qdpx(tmp_path / "a.qdpx")
    path = tmp_path / "p.qcproj"
    with open_project(path, create=True) as project:
        import_qdpx(project, qdpx)
        again = import_qdpx(project, qdpx)
        counts = project.counts()
    assert again.documents_reused == ["entrevue_zoë", "note de terrain"] and again.documents_added == []
    assert again.replaced == 5
    assert counts["codings"] == 5 and counts["documents"] == 2 and counts["turns"] == 5


def test_a_source_shipped_only_as_docx_is_read_with_its_paragraphs(tmp_path):
    import io

    import docx

    paragraphs = ["Ana: On a signé un accord 📝 en janvier.", "Bo: Moi, jamais.", "Ana: Dommage !"]
    text = "\n".join(paragraphs)
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    xml = project_xml(selection("5E100000-0000-4000-8000-000000000001", cp(text, "signé un accord 📝"),
                                ("C0D10000-0000-4000-8000-000000000001", CODE_JOY, ANA)),
                      plain_path="").replace(' plainTextPath=""', f' richTextPath="internal://{SOURCE_GUID}.docx"')
    qdpx = tmp_path / "docx.qdpx"
    write_qdpx(qdpx, xml, sources={})
    import zipfile
    with zipfile.ZipFile(qdpx, "a") as zf:
        zf.writestr(f"sources/{SOURCE_GUID}.docx", buffer.getvalue())
    result, (segments, codings, _, _, _, texts) = imported(tmp_path, qdpx)
    assert texts["entrevue_zoë"] == text
    turns = segments[segments["document"] == "entrevue_zoë"]
    assert list(zip(turns["speaker"], turns["text"])) == [
        ("Ana", "On a signé un accord 📝 en janvier."), ("Bo", "Moi, jamais."), ("Ana", "Dommage !")]
    assert codings.loc[codings["document"] == "entrevue_zoë", "text"].tolist() == ["signé un accord 📝"]
