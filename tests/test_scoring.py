"""Turn-level agreement between a gold coding sheet and another coder (qualcode.analysis.scoring)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from qualcode.codebook import load_codebook
from qualcode.core.errors import FormatError, InputError, SelectionError
from qualcode.analysis.scoring import (binary_scores, code_set_frame, evaluate, format_evaluation, lift,
                                 parents_of, read_coding_sheet, split_codes, tagger_code_sets)
from qualcode.store.project import open_project

from conftest import REPO, SAMPLE
from projects import build_project
from qualcode.store.frames import segments_frame

PARENTS = {"a": None, "a.x": "a", "a.y": "a", "b": None, "b.z": "b", "c": None}
GOLD = {0: {"a.x"}, 1: {"a.x", "b.z"}, 2: set(), 3: {"a"}, 4: {"b.z"}, 6: {"a"}}
PRED = {0: {"a.x"}, 1: {"a.y"}, 2: {"b"}, 3: {"a.x"}, 4: set(), 5: {"b"}}


def frame(sets):
    return code_set_frame({"document": "d.txt", "turn": t, "codes": c} for t, c in sets.items())


@pytest.fixture(scope="module")
def result():
    return evaluate(frame(GOLD), frame(PRED), PARENTS, levels=("code", "theme", "rollup"))


def rows(table):
    return {r.code: (r.tp, r.fp, r.fn, r.tn) for r in table.itertuples()}


def test_counts_per_code_over_the_turns_both_coders_covered(result):
    assert result.turns == 5
    assert result.gold_only == [("d.txt", 6)]
    assert result.predicted_only == [("d.txt", 5)]
    assert rows(result.table("code")) == {
        "a": (0, 0, 1, 4), "a.x": (1, 1, 1, 2), "a.y": (0, 1, 0, 4),
        "b": (0, 1, 0, 4), "b.z": (0, 0, 2, 3), "c": (0, 0, 0, 5)}
    # theme: a parent is present when it or any descendant is
    assert rows(result.table("theme")) == {"a": (3, 0, 0, 2), "b": (0, 1, 2, 2), "c": (0, 0, 0, 5)}
    assert rows(result.table("rollup")) == {
        "a": (3, 0, 0, 2), "a.x": (1, 1, 1, 2), "a.y": (0, 1, 0, 4),
        "b": (0, 1, 2, 2), "b.z": (0, 0, 2, 3), "c": (0, 0, 0, 5)}


def test_scores_per_code(result):
    code = result.table("code").set_index("code")
    assert code.loc["a.x", ["support", "predicted", "precision", "recall", "f1"]].tolist() == [
        2, 2, 0.5, 0.5, 0.5]
    assert code.loc["a.x", "kappa"] == pytest.approx(1 / 6)  # po 0.6, pe 0.52
    assert code.loc["a", ["precision", "recall", "f1", "kappa"]].tolist() == [0, 0, 0, 0]
    assert math.isnan(code.loc["c", "kappa"])  # nobody used it: undefined
    theme = result.table("theme").set_index("code")
    assert theme.loc["a", ["precision", "recall", "f1", "kappa"]].tolist() == [1, 1, 1, 1]
    assert theme.loc["b", "kappa"] == pytest.approx(-0.16 / 0.44)  # po 0.4, pe 0.56


@pytest.mark.parametrize("level", ["code", "theme", "rollup"])
def test_kappa_agrees_with_sklearn(result, level):
    keys = [0, 1, 2, 3, 4]
    for row in result.table(level).itertuples():
        if row.code == "c":
            continue
        y_gold = [int(row.code in lift(frozenset(GOLD[k]), PARENTS, level)) for k in keys]
        y_pred = [int(row.code in lift(frozenset(PRED[k]), PARENTS, level)) for k in keys]
        assert row.kappa == pytest.approx(cohen_kappa_score(y_gold, y_pred)), row.code


def test_micro_and_macro_averages_leave_out_unused_codes(result):
    code = result.averages("code")
    assert code["codes"] == 5
    assert (code["macro_precision"], code["macro_recall"], code["macro_f1"]) == pytest.approx((0.1, 0.1, 0.1))
    assert code["macro_kappa"] == pytest.approx(1 / 30)
    # pooled over 5 codes x 5 turns: tp 1, fp 3, fn 4, tn 17
    assert (code["micro_precision"], code["micro_recall"], code["micro_f1"]) == pytest.approx((0.25, 0.2, 2 / 9))
    assert code["micro_kappa"] == pytest.approx((0.72 - 0.704) / (1 - 0.704))
    pooled_gold = [1] * 5 + [0] * 20
    pooled_pred = [1] + [0] * 4 + [1] * 3 + [0] * 17  # tp 1, fn 4 / fp 3, tn 17
    assert code["micro_kappa"] == pytest.approx(cohen_kappa_score(pooled_gold, pooled_pred))
    theme = result.averages("theme")
    assert theme["codes"] == 2
    assert theme["macro_f1"] == pytest.approx(0.5)
    assert theme["micro_f1"] == pytest.approx(6 / 9)  # tp 3, fp 1, fn 2
    summary = result.summary()
    assert summary["level"].tolist() == ["code", "theme", "rollup"]
    assert summary.loc[0, "micro_f1"] == pytest.approx(2 / 9)


def test_binary_scores_edge_cases():
    assert binary_scores(0, 0, 0, 0)["f1"] == 0 and math.isnan(binary_scores(0, 0, 0, 0)["kappa"])
    all_yes = binary_scores(4, 0, 0, 0)
    assert (all_yes["precision"], all_yes["recall"], all_yes["f1"]) == (1, 1, 1)
    assert math.isnan(all_yes["kappa"])  # pe == 1: kappa undefined, as in sklearn
    assert binary_scores(2, 0, 0, 2)["kappa"] == 1


def test_codes_outside_the_codebook_are_an_error():
    with pytest.raises(SelectionError, match="gold codings use code 'zzz'"):
        evaluate(frame({0: {"zzz"}}), frame({0: set()}), PARENTS)
    with pytest.raises(ValueError, match="unknown level 'leaf'"):
        evaluate(frame({0: set()}), frame({0: set()}), PARENTS, levels=["leaf"])


def test_format_evaluation_prints_tables_and_averages(result):
    text = format_evaluation(result, levels=["theme"])
    assert text.splitlines()[0] == "5 turns compared"
    assert "1 gold turns not covered by the other coder (left out)" in text
    assert "micro P 0.750  R 0.600  F1 0.667  kappa 0.400" in text


def test_split_codes():
    assert split_codes(" a ; b;;c ") == {"a", "b", "c"}
    assert split_codes("") == frozenset() and split_codes(float("nan")) == frozenset()


def test_read_coding_sheet_csv_and_xlsx(write, tmp_path):
    text = ("document,turn,speaker,codes,text,role\n"
            "d.txt,0,Ann, a.x ; b ,\"Hello, there\",scholar\n"
            "d.txt,2,Bo,,Mm-hm.,mentor\n"
            "e.txt,1,Cy,a,\"Two\nlines\",mentor\n"
            ",,,,,\n")
    sheet = read_coding_sheet(write("gold.csv", "\ufeff" + text), known_codes=PARENTS)
    assert sheet.index.tolist() == [("d.txt", 0), ("d.txt", 2), ("e.txt", 1)]
    assert sheet["codes"].tolist() == [frozenset({"a.x", "b"}), frozenset(), frozenset({"a"})]
    assert sheet["text"].tolist() == ["Hello, there", "Mm-hm.", "Two\nlines"]
    xlsx = tmp_path / "gold.xlsx"
    pd.read_csv(tmp_path / "gold.csv", dtype=str, keep_default_na=False).to_excel(xlsx, index=False)
    assert read_coding_sheet(xlsx)["codes"].tolist() == sheet["codes"].tolist()


@pytest.mark.parametrize("body, message", [
    ("document,turn,speaker,text\nd.txt,0,A,x\n", "missing column(s) codes"),
    ("document,turn,codes\nd.txt,one,a\n", "row 2: turn 'one' is not a turn number"),
    ("document,turn,codes\nd.txt,-1,a\n", "row 2: turn '-1' is not a turn number"),
    ("document,turn,codes\nd.txt,1,a\n,2,a\n", "row 3: the document is empty"),
    ("document,turn,codes\nd.txt,1,a\nd.txt,1,b\n", "row 3: d.txt turn 1 is already on row 2"),
    ("document,turn,codes\nd.txt,1,a; a.q\n", "row 2: unknown code 'a.q'"),
])
def test_read_coding_sheet_errors(write, body, message):
    path = write("bad.csv", body)
    with pytest.raises(FormatError) as err:
        read_coding_sheet(path, known_codes=PARENTS)
    assert str(err.value).startswith(f"{path}: {message}")


def test_missing_sheet(tmp_path):
    with pytest.raises(InputError, match="coding sheet not found"):
        read_coding_sheet(tmp_path / "none.csv")


def test_tagger_code_sets_reads_one_coder_over_its_coverage(tmp_path):
    path = build_project(tmp_path / "p.qcproj")
    with open_project(path) as project:
        with pytest.raises(SelectionError, match="coder 'rules' has not coded the project"):
            tagger_code_sets(project, "Test book")
        participant = segments_frame(project, include_facilitators=False)["segment_id"].tolist()
        with project.transaction():
            project.add_coverage("rules", 1, participant)
        sets = tagger_code_sets(project, "test BOOK")
        with pytest.raises(SelectionError, match="no codebook 'Other' in the project; codebooks: Test book$"):
            tagger_code_sets(project, "Other")
    assert {k: sorted(v) for k, v in sets["codes"].items()} == {
        ("mentors_north.txt", 1): ["value.clarity"],
        ("mentors_north.txt", 2): [],                      # the coding was rejected
        ("mentors_north.txt", 3): ["value.clarity"],
        ("mentors_north.txt", 4): ["value.trust"],
        ("scholars_north.txt", 1): ["value.clarity", "value.trust"],
        ("scholars_north.txt", 2): ["value.clarity"],
        ("scholars_north.txt", 4): ["power.fear"],
        ("scholars_north.txt", 5): [],                     # alice's coding is another coder's
        ("scholars_south.txt", 1): ["power.fear", "value"],
        ("scholars_south.txt", 2): ["power"],
        ("scholars_south.txt", 3): [],
    }


def test_parents_of_codebook_and_codes_frame(tmp_path):
    cb = load_codebook(REPO / "codebooks" / "mentoring_expectations.yaml")
    parents = parents_of(cb)
    assert parents["value"] is None and parents["tools.types"] == "tools"
    with open_project(build_project(tmp_path / "p.qcproj")) as project:
        assert parents_of(project.codes_frame()) == {
            "value": None, "value.clarity": "value", "value.trust": "value",
            "power": None, "power.fear": "power", "tools": None}


def test_shipped_gold_sheet_codes_every_participant_turn_of_the_sample(tmp_path):
    from qualcode.workflows.ingest import ingest
    cb = load_codebook(REPO / "codebooks" / "mentoring_expectations.yaml")
    gold = read_coding_sheet(SAMPLE / "gold_tuning.csv", known_codes=cb.ids)
    with open_project(tmp_path / "s.qcproj", create=True) as project:
        ingest(project, manifest=SAMPLE / "manifest.csv", speakers=SAMPLE / "speakers.csv")
        turns = segments_frame(project, include_facilitators=False).set_index(["document", "turn"])
    tuning = turns[turns.index.get_level_values("document").isin(set(gold.index.get_level_values(0)))]
    assert gold.index.get_level_values(0).nunique() == 4
    assert gold.index.tolist() == sorted(tuning.index.tolist())
    assert (gold["speaker"] == turns.loc[gold.index, "speaker"]).all()
    assert (gold["text"] == turns.loc[gold.index, "text"]).all()
    assert len(gold) == 277 and (gold["codes"].map(len) > 0).sum() == 177
