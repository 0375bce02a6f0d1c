"""Every writer refuses a file suffix it cannot write (a project in a file named like a
codebook, a model named like a table), before anything is written."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from projects import build_project
from qualcode.cli import cli
from qualcode.codebook import load_codebook
from qualcode.core.errors import InputError
from qualcode.exchange.refi import export_qdpx, write_codebook_csv, write_qdc
from qualcode.exchange.refi.codebook_xml import (convert_qdc_to_yaml, entries_from_codebook, write_csv_entries,
                                                 write_qdc_entries)
from qualcode.export.excerpts import write_excerpts_docx
from qualcode.export.xlsx import Sheet, write_workbook
from qualcode.store.project import open_project
from qualcode.tagging.ml.modelfile import save_model

BOOK = "codebooks/mentoring_expectations.yaml"


def writers(tmp_path):
    book = load_codebook(BOOK)
    project = build_project(tmp_path / "study.qcproj")
    entries = entries_from_codebook(book)
    return {
        "x.qdc": lambda path: _with_project(project, lambda p: export_qdpx(p, path)),
        "x.qdpx": lambda path: write_qdc(book, path),
        "x.xlsx": lambda path: write_codebook_csv(book, path),
        "y.csv": lambda path: write_qdc_entries(entries, "book", path),
        "y.qdc": lambda path: write_csv_entries(entries, path),
        "m.xlsx": lambda path: save_model({"not": "a model"}, path, {}),
        "w.csv": lambda path: write_workbook([Sheet("s", pd.DataFrame({"a": [1]}))], path),
        "q.xlsx": lambda path: write_excerpts_docx(pd.DataFrame(), path),
    }


def _with_project(path, job):
    with open_project(path) as project:
        return job(project)


@pytest.mark.parametrize("name,allowed", [
    ("x.qdc", ".qdpx"), ("x.qdpx", ".qdc"), ("x.xlsx", ".csv"), ("y.csv", ".qdc"), ("y.qdc", ".csv"),
    ("m.xlsx", ".qcmodel"), ("w.csv", ".xlsx"), ("q.xlsx", ".docx")])
def test_a_writer_refuses_a_suffix_it_cannot_write(tmp_path, name, allowed):
    path = tmp_path / "out" / name
    path.parent.mkdir()
    with pytest.raises(InputError) as err:
        writers(tmp_path)[name](path)
    assert str(err.value) == f"{path}: cannot write {path.suffix}: use one of {allowed}"
    assert list(path.parent.iterdir()) == []


def test_a_qdc_converts_only_to_yaml(tmp_path):
    qdc = tmp_path / "book.qdc"
    write_qdc(load_codebook(BOOK), qdc)
    with pytest.raises(InputError, match="a .qdc converts to a YAML codebook: name the output .yaml"):
        convert_qdc_to_yaml(qdc, tmp_path / "book.qdpx")
    assert not (tmp_path / "book.qdpx").exists()


def test_export_qdpx_into_a_codebook_name_is_refused(tmp_path):
    project = build_project(tmp_path / "study.qcproj")
    result = CliRunner().invoke(cli, ["export", "qdpx", str(project), "-o", str(tmp_path / "x.qdc")])
    assert result.exit_code != 0
    assert "cannot write .qdc" in result.output and "use one of .qdpx" in result.output
    assert not (tmp_path / "x.qdc").exists()
