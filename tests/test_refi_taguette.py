"""Against a real peer: Taguette (PyPI, test extra) writes and reads the files qualcode exchanges.

Taguette's own functions are called without its web server: ``export.codebook_xml``
(its REFI-QDA codebook), ``import_codebook.list_tags_csv`` (its CSV codebook
import) and ``export.highlights_csv``/``highlights_xslx`` over a Taguette database
made in a temporary SQLite file with Taguette's own models.
"""

from __future__ import annotations

import io
import logging
import types

import pytest
from refi_data import study_copy

from qualcode.codebook import load_codebook, load_codebook_text
from qualcode.core.errors import FormatError
from qualcode.exchange.refi import qdc_to_yaml, write_codebook_csv
from qualcode.exchange.taguette import import_highlights
from qualcode.store.project import open_project

# taguette is in the test extra: a missing peer fails these tests rather than skipping them
from taguette import database as tdb  # noqa: E402
from taguette import export as taguette_export  # noqa: E402
from taguette.database import models as tm  # noqa: E402
from taguette.import_codebook import list_tags_csv  # noqa: E402
from qualcode.store.frames import codings_frame, coverage_frame

TAGS = [("expectations", "Saying out loud what each side expects."),
        ("expectations.agreement", "A compact, contract or agreement that both sign."),
        ("power", "The imbalance between scholar and mentor."),
        ("power.fear", "Afraid to say no 😬 or to push back."),
        ("Côté humain", "Warmth, humour, the person behind the role.")]


def test_codebook_written_by_taguette_imports_with_every_code(tmp_path):
    path = tmp_path / "taguette.qdc"
    with open(path, "wb") as fh:
        taguette_export.codebook_xml([types.SimpleNamespace(path=p, description=d) for p, d in TAGS], fh)
    text, n = qdc_to_yaml(path, "From Taguette")
    book = load_codebook_text(text, "from_taguette.yaml")
    assert n == 5
    assert [(c.id, c.name, c.parent) for c in book.codes] == [
        ("expectations", "expectations", None),
        ("expectations.agreement", "expectations.agreement", "expectations"),
        ("power", "power", None),
        ("power.fear", "power.fear", "power"),
        ("cote_humain", "Côté humain", None)]


def test_codebook_csv_from_qualcode_is_accepted_by_taguette(tmp_path):
    yaml_path = tmp_path / "book.yaml"
    yaml_path.write_text("name: Accents\nversion: '1'\ncodes:\n"
                         "  - id: humain\n    name: Côté humain\n    definition: Chaleur, humour, « la personne ».\n"
                         "    children:\n"
                         "      - id: humain.joie\n        name: Joie\n        definition: Joie 😀 et fierté.\n"
                         "  - id: power\n    name: Power\n    definition: \"Who decides, and who fears it.\"\n",
                         encoding="utf-8")
    book = load_codebook(yaml_path)
    assert write_codebook_csv(book, tmp_path / "book.csv") == 3
    with open(tmp_path / "book.csv", "rb") as fh:
        tags = list_tags_csv(fh)
    assert tags == [{"path": "humain", "description": "Chaleur, humour, « la personne »."},
                    {"path": "humain.joie", "description": "Joie 😀 et fierté."},
                    {"path": "power", "description": "Who decides, and who fears it."}]


@pytest.fixture
def taguette_highlights(tmp_path):
    """Write highlights of the study's documents with Taguette's own exporters (CSV and XLSX)."""
    logging.getLogger("alembic").setLevel(logging.WARNING)
    session = tdb.connect(f"sqlite:///{tmp_path / 'taguette.sqlite3'}")()
    project = tm.Project(name="Study", description="")
    session.add(project)
    session.flush()
    documents = {name: tm.Document(name=name, description="", filename=name + ".txt", project=project,
                                   text_direction=tm.TextDirection.LEFT_TO_RIGHT, contents="<p>(text)</p>")
                 for name in ("scholars_montréal", "mentors_ålesund")}
    tags = {path: tm.Tag(project=project, path=path, description="") for path in
            ("expectations", "Written agreement", "power.fear")}
    session.add_all([*documents.values(), *tags.values()])
    session.flush()
    rows = [("scholars_montréal", "<p>Clear goals 🎯 from the first week</p>", ["expectations"]),
            ("scholars_montréal", "<p>I was afraid to say no 😬</p>", ["power.fear", "expectations"]),
            ("scholars_montréal", "<p>a compact 📝 that we\nsigned together</p>", ["Written agreement"]),
            ("mentors_ålesund", "<p>in a short agreement</p>", ["Written agreement"]),
            ("mentors_ålesund", "<p>Honesty 🙂 above all</p>", [])]
    for offset, (doc, snippet, tag_paths) in enumerate(rows):
        session.add(tm.Highlight(document=documents[doc], start_offset=offset, end_offset=offset + 1,
                                 snippet=snippet, tags=[tags[t] for t in tag_paths]))
    session.commit()
    with open(tmp_path / "highlights.csv", "w", encoding="utf-8", newline="") as fh:
        taguette_export.highlights_csv(session, project.id, "", fh)
    taguette_export.highlights_xslx(session, project.id, "", str(tmp_path / "highlights.xlsx"))
    session.close()
    return tmp_path


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_taguette_highlights_import_as_a_human_coders_codings(tmp_path, taguette_highlights, suffix):
    project_path = study_copy(tmp_path / "study")
    with open_project(project_path) as project:
        result = import_highlights(project, taguette_highlights / f"highlights.{suffix}", "carla")
        codings = codings_frame(project)
        coverage = coverage_frame(project)
    carla = codings[codings["coder"] == "carla"].sort_values(["document", "start"])
    assert list(zip(carla["document"], carla["turn"], carla["code"], carla["text"])) == [
        ("mentors_ålesund.txt", 3, "expectations.agreement", "in a short agreement"),
        ("scholars_montréal.txt", 1, "expectations", "Clear goals 🎯 from the first week"),
        ("scholars_montréal.txt", 2, "expectations", "I was afraid to say no 😬"),
        ("scholars_montréal.txt", 2, "power.fear", "I was afraid to say no 😬"),
        ("scholars_montréal.txt", 4, "expectations.agreement", "a compact 📝 that we signed together")]
    assert set(carla["coder_kind"]) == {"human"} and set(carla["status"]) == {"accepted"}
    # Taguette leaves highlights without tags out of its export ("Honesty" is not in the file)
    assert (result.codings, result.untagged, result.codebook) == (5, 0, "Small study")
    assert len(coverage[coverage["coder"] == "carla"]) == 9   # every turn of both documents


def test_highlights_with_unknown_tag_or_text_are_reported_by_row(tmp_path):
    project_path = study_copy(tmp_path / "study")
    bad = tmp_path / "bad.csv"
    bad.write_text("id,document,tag,content\n1,scholars_montréal,expectations,Clear goals\n"
                   "2,scholars_montréal,nope,Clear goals\n3,mentors_ålesund,power,not in the text\n"
                   "4,other,power,x\n", encoding="utf-8")
    with open_project(project_path) as project:
        before = project.counts()["codings"]
        with pytest.raises(FormatError) as err:
            import_highlights(project, bad, "carla")
        assert project.counts()["codings"] == before
    assert str(err.value) == (
        f"{bad}: 3 problems: row 3: tag 'nope' is not a code of codebook 'Small study'; "
        "row 4: highlighted text not found in mentors_ålesund.txt: 'not in the text'; "
        "row 5: document 'other' is not in the project")


def test_rows_without_tag_are_skipped_and_a_second_import_replaces(tmp_path):
    project_path = study_copy(tmp_path / "study")
    sheet = tmp_path / "h.csv"
    sheet.write_text("id,document,tag,content\n1,scholars_montréal.txt,,Clear goals\n"
                     "2,Scholars_Montréal,Written agreement,\"a compact 📝  that we\n signed\"\n", encoding="utf-8")
    with open_project(project_path) as project:
        first = import_highlights(project, sheet, "carla")
        second = import_highlights(project, sheet, "carla")
        carla = codings_frame(project).query("coder == 'carla'")
    assert (first.codings, first.untagged, first.replaced) == (1, 1, 0)
    assert (second.codings, second.replaced) == (1, 1)
    assert carla["text"].tolist() == ["a compact 📝 that we signed"]


def test_highlights_file_without_the_taguette_columns_is_refused(tmp_path):
    project_path = study_copy(tmp_path / "study")
    bad = tmp_path / "bad.csv"
    bad.write_text("document,code,text\nx,y,z\n", encoding="utf-8")
    with open_project(project_path) as project, pytest.raises(FormatError) as err:
        import_highlights(project, bad, "carla")
    assert str(err.value) == (f"{bad}, line 1: missing column(s) tag, content: a Taguette highlights "
                              "export has columns id, document, tag, content")


def test_yaml_to_csv_round_trip_keeps_ids_and_definitions(tmp_path):
    from refi_data import write_inputs
    paths = write_inputs(tmp_path)
    book = load_codebook(paths["codebook"])
    write_codebook_csv(book, tmp_path / "c.csv")
    with open(tmp_path / "c.csv", "rb") as fh:
        tags = list_tags_csv(io.BytesIO(fh.read()))
    assert [(t["path"], t["description"]) for t in tags] == [(c.id, c.definition) for c in book.codes]


def test_document_names_match_with_or_without_their_suffix(tmp_path):
    """Taguette names a document after the file it was given (P2.odt); the project holds the
    text read from another file (P2.txt) or names it without suffix."""
    project_path = study_copy(tmp_path / "study")
    sheet = tmp_path / "h.csv"
    sheet.write_text("id,document,tag,content\n1,scholars_montréal.odt,expectations,Clear goals\n"
                     "2,MENTORS_ÅLESUND.docx,Written agreement,in a short agreement\n", encoding="utf-8")
    with open_project(project_path) as project:
        result = import_highlights(project, sheet, "carla")
        carla = codings_frame(project).query("coder == 'carla'")
    assert result.codings == 2
    assert carla[["document", "text"]].values.tolist() == [
        ["scholars_montréal.txt", "Clear goals"], ["mentors_ålesund.txt", "in a short agreement"]]
    bad = tmp_path / "bad.csv"
    bad.write_text("id,document,tag,content\n1,scholar_montréal.odt,expectations,Clear goals\n", encoding="utf-8")
    with open_project(project_path) as project, pytest.raises(FormatError) as err:
        import_highlights(project, bad, "carla")
    assert str(err.value) == (f"{bad}: row 2: document 'scholar_montréal.odt' is not in the project "
                              "(did you mean 'scholars_montréal.txt'?)")
