"""qualcode train / evaluate / code --tagger ml|all / suggest: output, stored codings, errors."""

from __future__ import annotations

import json
import shutil
import zipfile

import pandas as pd
import pytest
from click.testing import CliRunner

from ml_projects import CODEBOOK_YAML, CUES, PLAN, build_ml_project, write_codebook
from qualcode.cli import cli
from qualcode.store.project import open_project
from qualcode.tagging.ml.modelfile import load_model
from qualcode.store.frames import codings_frame, coverage_frame, segments_frame


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mlcli")
    book = write_codebook(folder)
    project = build_ml_project(folder / "p.qcproj", book)
    model = folder / "gold.qcmodel"
    result = run("train", project, "--coder", "gold", "-o", model)
    assert result.exit_code == 0, result.output
    return folder, project, book, model, result.output


def fresh_project(study, tmp_path):
    folder, project, book, model, _ = study
    copy = tmp_path / "p.qcproj"
    shutil.copy(project, copy)
    return copy, book, model


def test_train_reports_codes_learned_and_not(study):
    folder, project, book, model, output = study
    info = load_model(model).info
    lines = output.splitlines()
    assert lines[0] == "training turns: the 42 turns 'gold' covered with ML test book 1.0"
    assert lines[1] == f"trained on 42 turns by 'gold' (ML test book 1.0): 5 of 6 codes learned; wrote {model}"
    assert lines[2] == "  code                 turns  C      threshold  cv_f1"
    for line, code in zip(lines[3:8], info["codes"][:5]):
        assert line == (f"  {code['code']:<19}  {code['positives']:>5}  {code['C']:<5g}  "
                        f"{code['threshold']:<9.3f}  {code['cv_f1']:.3f}")
    assert lines[8] == "  rare                     3  not learned (fewer than 5 coded or uncoded turns)"
    # how --tagger all combines rules and model, chosen on the same turns and kept in the model file
    assert lines[9] == ("--tagger all, code by code (5-fold cross-validation on these turns; a combination "
                        "only when its F1 is 0.02 above the best single tagger's):")
    policies = info["combination"]["policies"]
    assert info["combination"]["taggers"] == ["rules", "ml"]
    assert list(policies) == [c["code"] for c in info["codes"]]
    for line, (code, choice) in zip(lines[10:], policies.items()):
        assert line.split()[:3] == [code, choice["policy"], choice["basis"]]
    assert policies["rare"]["policy"] == "rules" and policies["rare"]["basis"] == "default"
    assert len(lines) == 16


def test_train_unknown_coder_is_one_error_line(study):
    _, project, _, _, _ = study
    result = run("train", project, "--coder", "bob", "-o", study[0] / "x.qcmodel")
    assert result.exit_code == 1
    assert result.output == (f"Error: {project}: coder 'bob' has no codings or covered turns in the "
                             "project; coders: gold\n")
    assert not (study[0] / "x.qcmodel").exists()


def test_code_with_the_model(study, tmp_path):
    project, book, model = fresh_project(study, tmp_path)
    result = run("code", project, "--codebook", book, "--tagger", "ml", "--model", model)
    assert result.exit_code == 0, result.output
    with open_project(project) as proj:
        codings = codings_frame(proj)
        coverage = coverage_frame(proj)
        segments = segments_frame(proj)
    ml = codings[codings["coder"] == "ml"]
    assert result.output.splitlines()[0] == (f"coded 57 turns with ML test book 1.0 (ml): stored "
                                             f"{len(ml)} codings, replaced 0")
    assert (ml["coder_kind"] == "machine").all() and (ml["status"] == "suggested").all()
    thresholds = {c["code"]: c["threshold"] for c in load_model(model).info["codes"]}
    for r in ml.itertuples():
        evidence = json.loads(r.evidence)
        assert evidence["sources"] == ["ml"] and evidence["scope"] == "turn"
        assert r.confidence >= thresholds[r.code]
        assert evidence["probability"] == round(r.confidence, 4)
    # whole turns: the coded text is the turn's text
    merged = ml.merge(segments[["segment_id", "text"]], on="segment_id", suffixes=("", "_turn"))
    assert (merged["text"] == merged["text_turn"]).all()
    # the most specific code is stored; its parent is implied, not stored twice
    assert "independence" not in set(ml["code"])
    credit_turns = {(r.document, r.turn) for r in ml[ml["code"] == "independence.credit"].itertuples()}
    planned = {(d, t) for d in ("scholars_a.txt", "scholars_b.txt", "mentors_c.txt")
               for t, codes in PLAN.items() if "independence.credit" in codes}
    assert credit_turns == planned  # the training turns and the uncovered turns 18
    assert len(coverage[coverage["coder"] == "ml"]) == 57
    again = run("code", project, "--codebook", book, "--tagger", "ml", "--model", model)
    assert f"stored {len(ml)} codings, replaced {len(ml)}" in again.output.splitlines()[0]


def test_code_with_rules_and_model_combined(study, tmp_path):
    project, book, model = fresh_project(study, tmp_path)
    result = run("code", project, "--codebook", book, "--tagger", "all", "--model", model)
    assert result.exit_code == 0, result.output
    with open_project(project) as proj:
        codings = codings_frame(proj)
    both = codings[codings["coder"] == "all"]
    sources = [json.loads(e)["sources"] for e in both["evidence"]]
    by_rules = [json.loads(e) for e, s in zip(both["evidence"], sources) if "rules" in s]
    assert by_rules and all(e["hits"] for e in by_rules)
    authorship = both[both["text"] == CUES["independence.credit"][0]]  # the rules' sentence span
    expected = sum(1 for d in range(3) for t, codes in PLAN.items() for k, c in enumerate(codes)
                   if c == "independence.credit" and (t + d + k) % 3 == 0)
    assert len(authorship) == expected
    assert set(authorship["code"]) == {"independence.credit"}
    assert all("rules" in json.loads(e)["sources"] for e in authorship["evidence"])
    only_model = [s for s in sources if s == ["ml"]]
    assert only_model  # the model finds paraphrases the rules miss ("byline", "first author")
    assert result.output.splitlines()[0].startswith("coded 57 turns with ML test book 1.0 (all): stored "
                                                    f"{len(both)} codings")


def test_code_needs_a_model_and_refuses_a_bad_one(study, tmp_path):
    project, book, model = fresh_project(study, tmp_path)
    result = run("code", project, "--codebook", book, "--tagger", "ml")
    assert result.exit_code == 2
    assert "Error: --tagger ml needs --model FILE (from qualcode train)" in result.output

    tampered = tmp_path / "tampered.qcmodel"
    with zipfile.ZipFile(model) as src, zipfile.ZipFile(tampered, "w") as dst:
        manifest = json.loads(src.read("manifest.json"))
        manifest["coder"] = "someone else"
        dst.writestr("manifest.json", json.dumps(manifest))
        dst.writestr("model.skops", src.read("model.skops"))
    result = run("code", project, "--codebook", book, "--tagger", "all", "--model", tampered)
    assert result.exit_code == 1
    assert result.output == (f"Error: {tampered}: model file was changed after it was written (its "
                             "content hash does not match); refusing to load it\n")

    revised = tmp_path / "revised.yaml"
    revised.write_text(CODEBOOK_YAML.replace('version: "1.0"', 'version: "1.1"'), encoding="utf-8")
    result = run("code", project, "--codebook", revised, "--tagger", "ml", "--model", model)
    assert result.exit_code == 1
    old = load_model(model).codebook["hash"][:12]
    from qualcode.codebook import load_codebook
    new = load_codebook(revised).hash[:12]
    assert result.output == (f"Error: {model}: model was trained with codebook 'ML test book' version 1.0 "
                             f"(hash {old}), not with the codebook in use 'ML test book' version 1.1 "
                             f"(hash {new}); retrain it with `qualcode train`\n")
    with open_project(project) as proj:
        assert set(codings_frame(proj)["coder"]) == {"gold"}  # nothing written


def test_evaluate_prints_and_writes_scores_and_curve(study, tmp_path):
    _, project, _, _, _ = study
    scores, curve = tmp_path / "scores.csv", tmp_path / "curve.xlsx"
    result = run("evaluate", project, "--coder", "gold", "--folds", "3", "-o", scores,
                 "--curve-output", curve)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "training turns: the 42 turns 'gold' covered with ML test book 1.0"
    assert lines[1] == "3-fold cross-validation on 42 turns coded by 'gold' (seed 0):"
    assert lines[2].split() == ["tagger", "code", "support", "predicted", "tp", "fp", "fn",
                                "precision", "recall", "f1", "kappa"]
    assert "learning curve (ml, F1 on the held-out folds):" in lines
    assert lines[-2:] == [f"wrote {scores}", f"wrote {curve}"]
    table = pd.read_csv(scores, encoding="utf-8-sig")
    assert len(table) == 24
    assert table["tagger"].unique().tolist() == ["ml", "rules", "all"]
    rules = table[(table["tagger"] == "rules") & (table["code"] == "tools")].iloc[0]
    assert (rules["support"], rules["fp"]) == (9, 0)
    learning = pd.read_excel(curve)
    assert learning.columns.tolist() == ["fraction", "training_turns", "micro_f1", "macro_f1"]
    assert learning["fraction"].tolist() == [0.25, 0.5, 0.75, 1.0]


def test_evaluate_rules_only_and_bad_output(study, tmp_path):
    _, project, _, _, _ = study
    result = run("evaluate", project, "--coder", "gold", "--folds", "3", "--tagger", "rules")
    assert result.exit_code == 0, result.output
    assert "learning curve" not in result.output
    assert len(result.output.splitlines()) == 2 + 1 + 8
    # a code the rules never gave: precision undefined, printed n/a as agreement prints it
    rare = next(line for line in result.output.splitlines() if " rare " in line)
    assert rare.split() == ["rules", "rare", "3", "0", "0", "0", "3", "n/a", "0.000", "0.000", "0.000"]
    bad = run("evaluate", project, "--coder", "gold", "-o", tmp_path / "scores.json")
    assert bad.exit_code == 2
    assert bad.output.splitlines()[-1] == ("Error: Invalid value for '-o' / '--output': cannot write .json: "
                                           "use one of .csv, .xlsx")


def test_suggest_writes_a_coding_sheet_of_uncovered_turns(study, tmp_path):
    _, project, _, model, _ = study
    sheet = tmp_path / "next.csv"
    result = run("suggest", project, "--model", model, "-n", "5", "-o", sheet)
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote 5 turns for 'gold' to code to {sheet}\n"
    frame = pd.read_csv(sheet, encoding="utf-8-sig", keep_default_na=False)
    assert frame.columns.tolist() == ["document", "turn", "speaker", "participant", "role", "text",
                                      "codes", "model_codes", "nearest_code", "margin"]
    assert len(frame) == 5
    assert set(frame["turn"]) <= {15, 16, 17, 18, 19}
    assert (frame["codes"] == "").all()
    assert frame["margin"].tolist() == sorted(frame["margin"])

    everything = tmp_path / "all.xlsx"
    assert run("suggest", project, "--model", model, "-n", "100", "-o", everything).exit_code == 0
    frame = pd.read_excel(everything, keep_default_na=False)
    assert len(frame) == 15  # 5 uncovered turns in each of 3 documents
    assert sorted(set(frame["turn"])) == [15, 16, 17, 18, 19]


def test_suggest_when_everything_is_covered(study, tmp_path):
    project, _, model = fresh_project(study, tmp_path)
    with open_project(project) as proj, proj.transaction():
        book_id = int(proj.codebooks_frame()["codebook_id"].iloc[0])
        proj.add_coverage("gold", book_id, segments_frame(proj)["segment_id"])
    result = run("suggest", project, "--model", model, "-o", tmp_path / "s.csv")
    assert result.exit_code == 1
    assert result.output == (f"Error: {project}: coder 'gold' has already covered every turn with "
                             "ML test book 1.0\n")


def test_suggest_refuses_a_model_of_a_codebook_the_project_lacks(study, tmp_path):
    _, _, _, model, _ = study
    revised = tmp_path / "revised.yaml"
    revised.write_text(CODEBOOK_YAML.replace('version: "1.0"', 'version: "1.1"'), encoding="utf-8")
    other = build_ml_project(tmp_path / "other.qcproj", revised)
    result = run("suggest", other, "--model", model, "-o", tmp_path / "s.csv")
    assert result.exit_code == 1
    digest = load_model(model).codebook["hash"][:12]
    assert result.output == (f"Error: {model}: the project has no codebook 'ML test book' version 1.0 "
                             f"(hash {digest}) that the model was trained with\n")
    assert not (tmp_path / "s.csv").exists()


def test_code_dry_run_with_the_model_writes_nothing(study, tmp_path):
    project, book, model = fresh_project(study, tmp_path)
    dry = run("code", project, "--codebook", book, "--tagger", "ml", "--model", model, "--dry-run")
    assert dry.exit_code == 0, dry.output
    with open_project(project) as proj:
        assert set(codings_frame(proj)["coder"]) == {"gold"}
        assert set(coverage_frame(proj)["coder"]) == {"gold"}
    real = run("code", project, "--codebook", book, "--tagger", "ml", "--model", model)
    stored = real.output.splitlines()[0].split("stored ")[1].split(" codings")[0]
    assert dry.output.splitlines()[0] == (f"coded 57 turns with ML test book 1.0 (ml): would store "
                                          f"{stored} codings")
    assert dry.output.splitlines()[1:] == real.output.splitlines()[1:]
