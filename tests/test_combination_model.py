"""code --tagger all --coder NAME: the policies are chosen for the model the run applies.

The model learns 'gold''s turns of two documents; 'calibration' coded the third document
(turns the model never saw), 'second' double-coded gold's first document.  On calibration's
turns the model's own predictions are honest out-of-sample ones and are used; on second's,
the model learned 14 of the turns, so models refitted out-of-fold on them stand in for it.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import pytest
from click.testing import CliRunner

from ml_projects import PLAN, build_ml_project, write_codebook
from qualcode.cli import cli
from qualcode.codebook import load_codebook
from qualcode.store.project import open_project
from qualcode.tagging.combine import model_codes
from qualcode.tagging.ml.modelfile import load_model
from qualcode.tagging.ml.training import training_data
from qualcode.workflows.combine import f1
from qualcode.workflows.train import choose_on_coding, learned_turns, model_view

MODEL_OWN = ", with the model's own predictions (turns it did not learn)"
REFITS = ", with out-of-fold predictions of models refitted with the model's parameters"


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def sheet(folder, name, document, turns):
    path = folder / f"{name}.csv"
    rows = ["document,turn,codes"] + [f"{document},{t},{';'.join(PLAN[t])}" for t in turns]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("combination")
    book = write_codebook(folder)
    project = build_ml_project(folder / "p.qcproj", book)
    with open_project(project) as proj, proj.transaction():  # gold keeps scholars_a and scholars_b only
        doc = proj.conn.execute("SELECT id FROM documents WHERE name = 'mentors_c.txt'").fetchone()[0]
        proj.conn.execute("DELETE FROM codings WHERE coder = 'gold' AND document_id = ?", (doc,))
        proj.conn.execute("DELETE FROM coverage WHERE coder = 'gold' AND segment_id IN "
                          "(SELECT id FROM segments WHERE document_id = ?)", (doc,))
    model = folder / "gold.qcmodel"
    assert "trained on 28 turns by 'gold'" in run("train", project, "--coder", "gold", "-o", model)
    run("import-codings", project, sheet(folder, "calibration", "mentors_c.txt", range(1, 20)),
        "--coder", "calibration")
    run("import-codings", project, sheet(folder, "second", "scholars_a.txt", range(1, 20)), "--coder", "second")
    return folder, project, book, model


def code_all(study, tmp_path, coder):
    folder, project, book, model = study
    copy = tmp_path / "p.qcproj"
    shutil.copy(project, copy)
    out = run("code", copy, "--codebook", book, "--tagger", "all", "--model", model, "--coder", coder)
    with open_project(copy) as proj:
        stored = json.loads(proj.setting("combination.ML test book.all"))
        data = training_data(proj, coder, "ML test book")
    return out.splitlines(), stored, data


def test_the_model_file_lists_the_turns_it_learned(study):
    folder, project, book, model = study
    with open_project(project) as proj:
        gold = training_data(proj, "gold")
    keys = load_model(model).info["training_turn_keys"]
    assert keys == sorted(gold.turn_keys) and len(set(keys)) == 28


def test_on_turns_the_model_did_not_learn_its_own_predictions_choose(study, tmp_path):
    folder, project, book, model = study
    lines, stored, data = code_all(study, tmp_path, "calibration")
    assert lines[1] == f"combined code by code: policies chosen now on 'calibration''s 19 turns{MODEL_OWN}"
    assert lines[2:] == ["  independence         0  (ml)", "  independence.credit  15  (ml)",
                         "  power                0  (rules)", "  power.fear           4  (rules)",
                         "  tools                4  (rules)", "  rare                 0  (rules)"]
    # the F1 that chose is the applied model's on calibration's turns: every credit turn found
    credit = list(data.labels.columns).index("independence.credit")
    own, _ = model_codes(load_model(model), data.texts)
    assert f1(data.labels.to_numpy()[:, credit], own[:, credit]) == 1.0
    assert stored["policies"]["independence.credit"]["f1"] == {"rules": pytest.approx(0.5714), "ml": 1.0,
                                                               "union": 1.0, "intersection": pytest.approx(0.5714)}
    # models refitted on calibration's 19 turns learn too little (4 credit turns per fold) and
    # would have chosen the rules for a model the run does not apply
    refits = choose_on_coding(data, load_codebook(book), ("rules", "ml"), load_model(model).tagger.get_params())
    assert refits["independence.credit"].policy == "rules" and refits["independence.credit"].scores["ml"] == 0.0


def test_on_turns_the_model_learned_out_of_fold_refits_choose(study, tmp_path):
    folder, project, book, model = study
    lines, stored, data = code_all(study, tmp_path, "second")
    assert lines[1] == (f"combined code by code: policies chosen now on 'second''s 19 turns{REFITS} "
                        "(the model learned 14 of these turns)")
    refits = choose_on_coding(data, load_codebook(book), ("rules", "ml"), load_model(model).tagger.get_params())
    assert stored["policies"] == {code: choice.as_dict() for code, choice in refits.items()}
    assert stored["policies"]["independence.credit"]["policy"] == "rules"
    assert stored["policies"]["independence.credit"]["f1"]["ml"] == 0.0


def test_a_model_file_without_its_turns_is_matched_by_its_training_data_hash(study):
    folder, project, book, model = study
    loaded = load_model(model)
    old = replace(loaded, info={k: v for k, v in loaded.info.items() if k != "training_turn_keys"})
    changed = replace(old, info={**old.info, "training_data_sha256": "0" * 64})
    with open_project(project) as proj:
        assert learned_turns(proj, old) == set(loaded.info["training_turn_keys"])
        assert learned_turns(proj, changed) is None  # gold's coding is not what the model learned
        calibration = training_data(proj, "calibration")
        assert model_view(proj, changed, calibration) == (
            None, f"{REFITS} (the model file does not say which turns it learned)")
        own, how = model_view(proj, old, calibration)
    assert how == MODEL_OWN and own.tolist() == model_codes(loaded, calibration.texts)[0].tolist()
