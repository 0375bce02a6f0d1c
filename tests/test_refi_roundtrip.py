"""Export a project to .qdpx, import it into a fresh project: with real names the same
documents, turns, codes, codings (offsets and text) and attributes come back; by default
(pseudonyms on the label lines) the same but for the labels.  A file coming back to its own
project lands on the stored text either way."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from refi_data import study_copy

from qualcode.exchange.refi import export_qdpx, import_qdpx
from qualcode.exchange.refi.codebook_xml import PALETTE
from qualcode.store.frames import (attributes_frame, codings_frame, coverage_frame, documents_frame,
                                   segments_frame)
from qualcode.store.project import open_project


def snapshot(path):
    with open_project(path) as project:
        docs = documents_frame(project)
        texts = {name: project.document_text(int(i)) for name, i in zip(docs["document"], docs["document_id"])}
        segments = segments_frame(project)[["document", "turn", "speaker", "participant", "role",
                                             "start", "end", "text"]]
        codes = project.codes_frame()[["code", "parent", "theme", "name", "definition", "color"]]
        codings = codings_frame(project)[["document", "turn", "start", "end", "code", "coder",
                                           "coder_kind", "status", "text"]]
        attributes = attributes_frame(project).merge(docs[["document_id", "document"]])
        coverage = coverage_frame(project).merge(segments_frame(project)[["segment_id", "document", "turn"]])
    order = lambda f: f.sort_values(list(f.columns)).reset_index(drop=True)  # noqa: E731
    return {"texts": texts, "segments": order(segments),
            "codes": codes.reset_index(drop=True), "codings": order(codings),
            "attributes": order(attributes[["document", "key", "value"]]),
            "coverage": order(coverage[["coder", "document", "turn"]])}


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("study")
    original = study_copy(folder)
    qdpx = folder / "study.qdpx"
    with open_project(original) as project:
        export_qdpx(project, qdpx, real_names=True)
    copy = folder / "copy.qcproj"
    with open_project(copy, create=True) as project:
        result = import_qdpx(project, qdpx)
    return snapshot(original), snapshot(copy), result


def test_documents_turns_and_attributes_are_identical(study):
    before, after, _ = study
    assert after["texts"] == before["texts"]
    assert "👋" in after["texts"]["scholars_montréal.txt"]
    pd.testing.assert_frame_equal(after["segments"], before["segments"])
    pd.testing.assert_frame_equal(after["attributes"], before["attributes"])
    assert set(after["attributes"]["value"]) == {"scholar", "mentor", "Montréal", "Ålesund"}


def test_codings_are_identical_with_offsets_and_text(study):
    before, after, result = study
    pd.testing.assert_frame_equal(after["codings"], before["codings"])
    ana = after["codings"][after["codings"]["coder"] == "ana"]
    assert sorted(ana["text"]) == ["I was afraid to say no 😬", "a compact 📝 that we signed together",
                                   "from the first week, written down", "in a short agreement at the start"]
    assert result.codings == {"ana": 4, "bo": 2, "rules": 5}


def test_machine_tagger_comes_back_as_machine_and_humans_as_humans(study):
    _, after, _ = study
    kinds = after["codings"].groupby("coder")["coder_kind"].unique().map(list).to_dict()
    assert kinds == {"ana": ["human"], "bo": ["human"], "rules": ["machine"]}


def test_codes_are_identical_and_take_the_theme_palette(study):
    before, after, _ = study
    columns = ["code", "parent", "theme", "name", "definition"]
    pd.testing.assert_frame_equal(after["codes"][columns], before["codes"][columns])
    assert before["codes"]["color"].isna().all()
    assert after["codes"]["color"].tolist() == [PALETTE[0], PALETTE[0], PALETTE[1], PALETTE[1]]


def test_coverage_is_every_turn_of_the_documents_each_coder_coded(study):
    _, after, _ = study
    turns = len(after["segments"])
    counts = after["coverage"].groupby("coder").size().to_dict()
    assert counts == {"ana": turns, "bo": turns, "rules": turns}


def test_stored_colors_survive_the_trip(tmp_path):
    path = tmp_path / "colors.qcproj"
    with open_project(path, create=True) as project, project.transaction():
        project.add_codebook("Colored", "1", "h1", None, None, [
            ("a", None, "a", "Alpha", "First.", "#112233"), ("a.b", "a", "a", "Beta", "Second.", "#ABCDEF")])
    with open_project(path) as project:
        export_qdpx(project, tmp_path / "colors.qdpx")
    with open_project(tmp_path / "back.qcproj", create=True) as project:
        import_qdpx(project, tmp_path / "colors.qdpx")
        codes = project.codes_frame().fillna("")
    assert list(zip(codes["code"], codes["parent"], codes["name"], codes["definition"], codes["color"])) == [
        ("a", "", "Alpha", "First.", "#112233"), ("a.b", "a", "Beta", "Second.", "#ABCDEF")]


SECOND = """name: Second book
version: "2"
codes:
  - id: tone
    name: Tone
    definition: How warm or tense the exchange is.
    rules:
      phrases: [afraid, honesty]
"""


def test_several_codebooks_go_out_as_groups_and_come_back_one_by_one(tmp_path):
    from conftest import shared_path
    from qualcode.codebook import load_codebook
    from qualcode.workflows.code import code_project
    from qualcode.exchange.refi.validate import validate_qdpx

    path = study_copy(tmp_path)
    (tmp_path / "second.yaml").write_text(SECOND, encoding="utf-8")
    with open_project(path) as project:
        code_project(project, load_codebook(tmp_path / "second.yaml"))
        export_qdpx(project, tmp_path / "two.qdpx", real_names=True)
    validate_qdpx(tmp_path / "two.qdpx", shared_path("refi-qda", "Project-mrt2019.xsd"))
    with open_project(tmp_path / "back.qcproj", create=True) as project:
        result = import_qdpx(project, tmp_path / "two.qdpx")
    assert result.codebooks == {"Small study": 4, "Second book": 1}
    before, after = snapshot(path), snapshot(tmp_path / "back.qcproj")
    pd.testing.assert_frame_equal(after["codings"], before["codings"])
    columns = ["code", "parent", "theme", "name", "definition"]
    pd.testing.assert_frame_equal(after["codes"][columns], before["codes"][columns])
    with open_project(tmp_path / "back.qcproj") as project:
        books = codings_frame(project).groupby("codebook").size().to_dict()
    assert books == {"Second book": 2, "Small study": 11}


def test_a_file_coming_back_joins_its_codebook_and_replaces_instead_of_duplicating(tmp_path):
    path = study_copy(tmp_path)
    with open_project(path) as project:
        export_qdpx(project, tmp_path / "out.qdpx")
        before = (project.counts(), len(project.codebooks_frame()), snapshot(path)["codings"])
        result = import_qdpx(project, tmp_path / "out.qdpx", coder_map={"ana": "ana"})
        after = (project.counts(), len(project.codebooks_frame()))
    assert result.codebooks == {"Small study": 4}
    assert result.documents_reused == ["scholars_montréal.txt", "mentors_ålesund.txt"]
    assert result.replaced == 6      # ana's 4 and bo's 2; the tagger's own codings are kept
    assert result.skipped == {"codings of tagger 'rules' already in the project": 5}
    assert after == before[:2]
    pd.testing.assert_frame_equal(snapshot(path)["codings"], before[2])


def as_nvivo_writes_it(source: Path, target: Path) -> None:
    """Rewrite a .qdpx the way NVivo 12 exports: CRLF line ends, UTF-8 BOM, positions in
    UTF-16 code units of that text (see the NVivo sample in ../shared/refi-qda)."""
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(source) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    root = etree.fromstring(files["project.qde"])
    ns = "{urn:QDA-XML:project:1.0}"
    for src in root.iter(f"{ns}TextSource"):
        name = "sources/" + src.get("plainTextPath").split("://")[1]
        text = files[name].decode("utf-8")
        crlf = text.replace("\n", "\r\n")
        files[name] = b"\xef\xbb\xbf" + crlf.encode("utf-8")
        for sel in src.iter(f"{ns}PlainTextSelection"):
            for attr in ("startPosition", "endPosition"):
                cp = int(sel.get(attr))
                moved = cp + text.count("\n", 0, cp)
                sel.set(attr, str(len(crlf[:moved].encode("utf-16-le")) // 2))
    files["project.qde"] = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    with zipfile.ZipFile(target, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)


def test_coded_elsewhere_and_returned_with_crlf_and_utf16_lands_on_the_same_text(tmp_path):
    path = study_copy(tmp_path)
    with open_project(path) as project:
        export_qdpx(project, tmp_path / "out.qdpx")
    as_nvivo_writes_it(tmp_path / "out.qdpx", tmp_path / "back.qdpx")
    before = snapshot(path)
    with open_project(path) as project:
        result = import_qdpx(project, tmp_path / "back.qdpx")
        documents = len(documents_frame(project))
    assert result.documents_reused == ["scholars_montréal.txt", "mentors_ålesund.txt"]
    assert result.units == {"scholars_montréal.txt": "utf16", "mentors_ålesund.txt": "utf16"}
    assert (result.codebooks, result.replaced, documents) == ({"Small study": 4}, 6, 2)
    pd.testing.assert_frame_equal(snapshot(path)["codings"], before["codings"])


def test_a_pseudonymized_file_gives_a_fresh_project_the_pseudonyms_and_the_same_codings(tmp_path):
    path = study_copy(tmp_path)
    with open_project(path) as project:
        export_qdpx(project, tmp_path / "out.qdpx")
    with open_project(tmp_path / "fresh.qcproj", create=True) as project:
        result = import_qdpx(project, tmp_path / "out.qdpx")
    assert result.documents_added == ["scholars_montréal.txt", "mentors_ålesund.txt"]
    before, after = snapshot(path), snapshot(tmp_path / "fresh.qcproj")
    first = after["texts"]["scholars_montréal.txt"].split("\n\n")[:2]
    assert first == ["F01 (facilitator): Bienvenue à tous 👋 — what did you expect from your mentor?",
                     before["texts"]["scholars_montréal.txt"].split("\n\n")[1].replace("Zoë: ", "S01 (scholar): ")]
    turns = ["document", "turn", "participant", "role", "text"]
    pd.testing.assert_frame_equal(after["segments"][turns], before["segments"][turns])
    assert set(after["segments"]["speaker"]) == {f"{p} ({r})" for p, r in
                                                zip(before["segments"]["participant"], before["segments"]["role"])}
    same = ["document", "turn", "code", "coder", "coder_kind", "status", "text"]
    pd.testing.assert_frame_equal(after["codings"][same], before["codings"][same])
