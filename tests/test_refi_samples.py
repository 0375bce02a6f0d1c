"""Real REFI-QDA exports from NVivo 12 and ATLAS.ti 8 (../shared/refi-qda/samples, see SOURCE.md)."""

from __future__ import annotations

import pytest
from conftest import shared_path

from qualcode.core.errors import FormatError
from qualcode.exchange.refi import import_qdpx, positions, read_qdpx
from qualcode.exchange.refi.archive import Archive, source_text
from qualcode.store.frames import codings_frame, documents_frame
from qualcode.store.project import open_project


@pytest.fixture(scope="module")
def nvivo_import(tmp_path_factory):
    qdpx = shared_path("refi-qda", "samples", "nvivo12_oltas0517.qdpx")
    path = tmp_path_factory.mktemp("nvivo") / "nvivo.qcproj"
    with open_project(path, create=True) as project:
        result = import_qdpx(project, qdpx, coder_map={"Gergo": "gergo"})
        codings = codings_frame(project)
        codes = project.codes_frame()
        documents = documents_frame(project)
    return result, codings, codes, documents


def test_nvivo_file_holds_what_source_md_says():
    refi = read_qdpx(shared_path("refi-qda", "samples", "nvivo12_oltas0517.qdpx"))
    assert sorted(u.name for u in refi.users.values()) == ["Gergo", "floriansipos"]
    assert len(refi.all_codes()) == 152
    assert [s.name for s in refi.sources] == ["videos_selection", "videos_10_selected"]
    assert (refi.selection_count, refi.coding_count) == (303, 303)


def test_nvivo_counts_utf16_code_units_which_auto_detection_finds():
    qdpx = shared_path("refi-qda", "samples", "nvivo12_oltas0517.qdpx")
    refi = read_qdpx(qdpx)
    source = refi.sources[1]
    archive = Archive(qdpx)
    text, where = source_text(archive, source)
    archive.close()
    assert where == f"sources/{source.guid}.txt"
    assert sum(ord(ch) > 0xFFFF for ch in text) == 892      # emoji before many selections
    spans = [(s.start, s.end) for s in source.selections]
    on_words = {units: sum(positions.on_word_boundary(text, a) and positions.on_word_boundary(text, b)
                           for a, b in positions.to_codepoints(text, spans, units))
                for units in (positions.CODEPOINTS, positions.UTF16)}
    assert on_words == {"codepoints": 49, "utf16": 300}
    assert positions.detect_units(text, spans) == "utf16"


def test_nvivo_imports_every_code_and_coding_as_a_human_coder(nvivo_import):
    result, codings, codes, documents = nvivo_import
    assert result.origin == "NVivo for Windows 12.6"
    assert result.documents_added == ["videos_selection", "videos_10_selected"]
    assert result.units == {"videos_selection": "codepoints", "videos_10_selected": "utf16"}
    assert (result.codes, len(codes)) == (152, 152)
    assert result.codings == {"gergo": 303}
    assert set(codings["coder_kind"]) == {"human"} and codings["segment_id"].notna().all()
    assert codes.loc[codes["name"] == "COVID", "code"].tolist() == ["c1_oltas_tipusa.covid"]
    # NVivo's selection 3137-3284 (UTF-16 units; five emoji come before it) is 3132-3279 here
    senkit = codings[(codings["start"] == 3132) & (codings["end"] == 3279)]
    assert len(senkit) == 6 and "c2_attitud_szint_az_oltashoz.piros" in set(senkit["code"])
    assert set(senkit["text"]) == {
        "Senkit nem lehet kötelezni oltásra, ilyet csak ostoba korlátolt agyi kapacitással rendelkező "
        "emberhulladék hozhat aki nem szaporodhat és nem élhet."}
    assert set(documents["format"]) == {"refi"}


def test_atlas_ti_file_is_read_and_its_non_text_sources_counted():
    refi = read_qdpx(shared_path("refi-qda", "samples", "atlasti8_standard_project.qde"))
    assert refi.origin.startswith("ATLAS.ti 8.4.0")
    assert len(refi.users) == 3 and len(refi.all_codes()) == 14 and len(refi.sources) == 6
    # text selections in text sources (the other two of the eight sit in a PDF's representation)
    assert (refi.selection_count, refi.coding_count) == (6, 7)
    assert refi.skipped == {"PictureSource": 1, "PDFSource": 2, "AudioSource": 1, "VideoSource": 2}
    colors = {c.name: c.color for c in refi.all_codes()}
    assert colors["Coke"] == "#966450" and colors["milk"] is None


@pytest.mark.parametrize("name,entry", [("atlasti8_standard_project.qde", "atlasti8_standard_project.qde"),
                                        ("skyloom_TestProject.qdpx", "skyloom_TestProject.qdpx:Project.qde")])
def test_missing_source_texts_are_reported_and_nothing_imported(tmp_path, name, entry):
    path = shared_path("refi-qda", "samples", name)
    with open_project(tmp_path / "p.qcproj", create=True) as project:
        with pytest.raises(FormatError) as err:
            import_qdpx(project, path)
        assert project.counts()["documents"] == 0 and project.codebooks_frame().empty
    message = str(err.value)
    assert message.startswith(f"{path.parent}/{entry}: 6 problems: line 42: source text of "
                              "<TextSource name='1960s Coca Cola commercial - Audio.docx'> is missing: "
                              f"sources/01106019-2518-43DD-BBD1-8F0252BACB30.txt is not in {name}; ")
    assert message.endswith("; and 1 more")
