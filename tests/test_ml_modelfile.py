"""Model files: round trip, and tampered, foreign, untrusted or mismatched files refused."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
import skops.io as sio
import sklearn

from ml_projects import build_ml_project, write_codebook
from qualcode import __version__
from qualcode.core.errors import ModelError
from qualcode.store.project import open_project
from qualcode.tagging.ml.estimator import MLTagger
from qualcode.tagging.ml.modelfile import (MANIFEST, PAYLOAD, _content_hash, load_model, model_manifest,
                                        save_model)
from qualcode.tagging.ml.training import training_data


class Intruder:
    """A type no qualcode model contains."""

    def __init__(self):
        self.payload = "anything"


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    project = build_ml_project(folder / "p.qcproj", write_codebook(folder))
    with open_project(project) as proj:
        data = training_data(proj, "gold")
    tagger = MLTagger(C=(1.0, 10.0), random_state=0).fit(data.texts, data.Y)
    saved = save_model(tagger, folder / "m.qcmodel", model_manifest(tagger, data))
    return saved.path, tagger, data


def rewrite(source, target, manifest=None, payload=None, fix_hash=False):
    with zipfile.ZipFile(source) as archive:
        old_manifest = json.loads(archive.read(MANIFEST))
        old_payload = archive.read(PAYLOAD)
    manifest = old_manifest if manifest is None else manifest(old_manifest)
    payload = old_payload if payload is None else payload
    if fix_hash:
        manifest["content_sha256"] = _content_hash(manifest, payload)
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr(MANIFEST, json.dumps(manifest))
        archive.writestr(PAYLOAD, payload)
    return target


def test_round_trip_predicts_the_same(trained):
    path, tagger, data = trained
    model = load_model(path)
    np.testing.assert_array_equal(model.tagger.predict_proba(data.texts), tagger.predict_proba(data.texts))
    np.testing.assert_array_equal(model.tagger.thresholds_, tagger.thresholds_)
    assert model.coder == "gold"
    assert model.path == str(path)


def test_manifest_records_codebook_data_versions_and_counts(trained):
    path, tagger, data = trained
    info = load_model(path).info
    assert info["format"] == "qualcode-model" and info["format_version"] == 1
    assert info["codebook"] == {"name": "ML test book", "version": "1.0", "hash": data.codebook.hash}
    assert info["coder"] == "gold"
    assert info["training_source"] == "coverage"
    assert info["training_turns"] == 42
    assert info["training_data_sha256"] == data.data_hash
    assert info["versions"] == {"qualcode": __version__, "scikit-learn": sklearn.__version__,
                                "skops": info["versions"]["skops"]}
    assert [(c["code"], c["positives"], c["learned"]) for c in info["codes"]] == [
        ("independence", 12, True), ("independence.credit", 12, True), ("power", 9, True),
        ("power.fear", 9, True), ("tools", 9, True), ("rare", 3, False)]
    assert info["codes"][5]["threshold"] is None
    assert info["parents"]["power.fear"] == "power"
    assert info["params"]["C"] == [1.0, 10.0]
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["manifest.json", "model.skops"]


def test_tampered_manifest_is_refused(trained, tmp_path):
    path = trained[0]

    def edit(m):
        m["codebook"]["hash"] = "0" * 64  # pretend it fits another codebook
        return m

    bad = rewrite(path, tmp_path / "bad.qcmodel", manifest=edit)
    with pytest.raises(ModelError) as err:
        load_model(bad)
    assert str(err.value) == (f"{bad}: model file was changed after it was written (its content hash "
                              "does not match); refusing to load it")


def test_tampered_model_bytes_are_refused(trained, tmp_path):
    other = sio.dumps(MLTagger(C=99.0))  # a valid skops payload, but not the one hashed
    bad = rewrite(trained[0], tmp_path / "bad.qcmodel", payload=other)
    with pytest.raises(ModelError, match="model file was changed after it was written"):
        load_model(bad)


def test_untrusted_types_are_refused_even_with_a_matching_hash(trained, tmp_path):
    evil = sio.dumps({"model": Intruder()})
    bad = rewrite(trained[0], tmp_path / "evil.qcmodel", payload=evil, fix_hash=True)
    with pytest.raises(ModelError) as err:
        load_model(bad)
    assert str(err.value) == (f"{bad}: model file contains types qualcode does not trust "
                              "(test_ml_modelfile.Intruder); refusing to load it")


def test_trusted_object_of_another_kind_is_refused(trained, tmp_path):
    other = sio.dumps({"not": "a model"})
    bad = rewrite(trained[0], tmp_path / "dict.qcmodel", payload=other, fix_hash=True)
    with pytest.raises(ModelError, match="model file holds a dict, not a qualcode MLTagger"):
        load_model(bad)


@pytest.mark.parametrize("content", [b"plain text, not a model", b""])
def test_files_of_another_kind_are_refused(tmp_path, content):
    path = tmp_path / "notes.qcmodel"
    path.write_bytes(content)
    with pytest.raises(ModelError) as err:
        load_model(path)
    assert str(err.value) == f"{path}: not a qualcode model file (write one with `qualcode train`)"


def test_a_zip_of_another_kind_is_refused(tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(ModelError, match="not a qualcode model file"):
        load_model(path)
    with pytest.raises(ModelError, match="model file not found"):
        load_model(tmp_path / "missing.qcmodel")


def test_newer_format_is_refused(trained, tmp_path):
    def newer(m):
        m["format_version"] = 2
        return m

    bad = rewrite(trained[0], tmp_path / "new.qcmodel", manifest=newer, fix_hash=True)
    with pytest.raises(ModelError, match=r"model file format version 2 is newer than this qualcode "
                                         r"understands \(1\); upgrade qualcode"):
        load_model(bad)


def test_codebook_mismatch_is_refused(trained):
    path, _, data = trained
    model = load_model(path)
    model.check_codebook("ML test book", "1.0", data.codebook.hash)  # the same: fine
    with pytest.raises(ModelError) as err:
        model.check_codebook("ML test book", "1.1", "ab" * 32)
    assert str(err.value) == (
        f"{path}: model was trained with codebook 'ML test book' version 1.0 (hash "
        f"{data.codebook.hash[:12]}), not with the codebook in use 'ML test book' version 1.1 "
        "(hash abababababab); retrain it with `qualcode train`")
