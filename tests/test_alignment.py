"""Alignment within scholar-mentor pairs: statuses, shares, kappa and the across-pairs figures,
worked out by hand on tests/pair_projects.py and checked against scikit-learn and scipy."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from sklearn.metrics import cohen_kappa_score

from pair_projects import PAIRS_CSV, build_pair_project
from qualcode.analysis.alignment import (BOTH, MENTOR_ONLY, NEITHER, SCHOLAR_ONLY, across_pairs,
                                         frequent_mismatches, pair_figures, pairs_alignment)
from qualcode.analysis.compare import wilson_interval
from qualcode.core.errors import SelectionError
from qualcode.store.project import open_project

CODES = ["value", "value.clarity", "value.trust", "power", "power.fear", "tools"]
B, S, M, N = BOTH, SCHOLAR_ONLY, MENTOR_ONLY, NEITHER


@pytest.fixture(scope="module")
def project_path(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pairs")
    (folder / "pairs.csv").write_text(PAIRS_CSV, encoding="utf-8")
    return build_pair_project(folder / "pairs.qcproj")


def align(path, pairs_text=PAIRS_CSV, **options):
    pairs = path.parent / "these_pairs.csv"
    pairs.write_text(pairs_text, encoding="utf-8")
    with open_project(path) as project:
        return pairs_alignment(project, pairs, **options)


@pytest.fixture(scope="module")
def result(project_path):
    return align(project_path, coder="rules")


def test_statuses_and_turns_worked_out_by_hand(result):
    codes = result.codes
    assert list(codes.columns) == ["pair", "code", "code_name", "theme", "scholar", "mentor", "status",
                                   "scholar_turns", "mentor_turns"]
    assert codes["code"].tolist() == CODES * 4
    by_pair = {p: part["status"].tolist() for p, part in codes.groupby("pair")}
    # P1: S01 coded clarity, trust (turn 1) and fear (turn 2); M01 clarity and tools (its
    # rejected fear does not count); parents raised through their children
    assert by_pair == {"P1": [B, B, S, S, S, M], "P2": [B, N, B, N, N, B], "P3": [N] * 6,
                       "P4": [M, M, N, S, N, M]}
    p1 = codes[codes["pair"] == "P1"]
    assert p1["scholar"].tolist() == [1, 1, 1, 1, 1, 0] and p1["mentor"].tolist() == [1, 1, 0, 0, 0, 1]
    assert p1["scholar_turns"].tolist() == [1, 1, 1, 1, 1, 0]   # value: turn 1 twice, counted once
    assert codes[codes["pair"] == "P4"]["theme"].tolist() == ["value"] * 3 + ["power"] * 2 + ["tools"]


def test_pair_figures_worked_out_by_hand(result):
    pairs = result.pairs.set_index("pair")
    assert pairs[["scholar", "mentor"]].values.tolist() == [
        ["S01 (scholar)", "M01 (mentor)"], ["S02 (scholar)", "M02 (mentor)"],
        ["S03 (scholar)", "M03 (mentor)"], ["S04 (scholar)", "M01 (mentor)"]]
    assert pairs.loc["P3", "mentor_documents"] == "int_m03.txt, int_m03.docx"
    assert pairs[["both", "scholar_only", "mentor_only", "neither"]].values.tolist() == [
        [2, 3, 1, 0], [3, 0, 0, 3], [0, 0, 0, 6], [0, 1, 3, 2]]
    # aligned share: both / either
    assert pairs.loc["P1", "aligned_share"] == pytest.approx(2 / 6)
    assert pairs.loc["P2", "aligned_share"] == 1.0
    assert math.isnan(pairs.loc["P3", "aligned_share"])          # neither raised anything
    assert pairs.loc["P4", "aligned_share"] == 0.0
    # P1: p_o = 2/6, p_e = 5/6*3/6 + 1/6*3/6 = 1/2, kappa = (1/3 - 1/2) / (1/2) = -1/3
    # P4: p_o = 2/6, p_e = 1/6*3/6 + 5/6*3/6 = 1/2, kappa = -1/3
    assert pairs.loc["P1", "kappa"] == pytest.approx(-1 / 3)
    assert pairs.loc["P2", "kappa"] == pytest.approx(1.0)
    assert math.isnan(pairs.loc["P3", "kappa"])
    assert pairs.loc["P4", "kappa"] == pytest.approx(-1 / 3)
    codes = result.codes
    for pair in ("P1", "P2", "P4"):
        part = codes[codes["pair"] == pair]
        assert pairs.loc[pair, "kappa"] == pytest.approx(cohen_kappa_score(part["scholar"], part["mentor"]))


@pytest.mark.parametrize("scholar,mentor,share,kappa", [
    ([1, 1, 1], [1, 1, 1], 1.0, math.nan),      # both raised every code: chance agreement is 1
    ([0, 0, 0], [0, 0, 0], math.nan, math.nan),  # neither raised any code
    ([0, 0, 0, 0], [1, 0, 0, 0], 0.0, 0.0),       # one side raised nothing: chance level
    ([1, 0, 0, 0], [1, 0, 0, 0], 1.0, 1.0),
    ([1, 1, 0, 0], [0, 0, 1, 1], 0.0, -1.0),
])
def test_undefined_and_extreme_figures(scholar, mentor, share, kappa):
    figures = pair_figures(scholar, mentor)
    for got, expected in ((figures["aligned_share"], share), (figures["kappa"], kappa)):
        assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected)


def test_kappa_agrees_with_scikit_learn_on_random_pairs():
    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(2, 40))
        s, m = rng.integers(0, 2, n), rng.integers(0, 2, n)
        kappa = pair_figures(s, m)["kappa"]
        if len(set(s)) == 1 and set(s) == set(m):
            assert math.isnan(kappa)
        else:
            assert kappa == pytest.approx(cohen_kappa_score(s, m), abs=1e-12)


def test_across_pairs_worked_out_by_hand(result):
    across = result.across.set_index("code")
    assert across.loc[CODES, ["both", "scholar_only", "mentor_only", "neither", "raised"]].values.tolist() == [
        [2, 0, 1, 1, 3], [1, 0, 1, 2, 2], [1, 1, 0, 2, 2], [0, 2, 0, 2, 2], [0, 1, 0, 3, 1], [1, 0, 2, 1, 3]]
    assert across["pairs"].tolist() == [4] * 6 and across["depth"].tolist() == [0, 1, 1, 0, 1, 0]
    assert across.loc["value", "aligned_share"] == pytest.approx(2 / 3)
    # Wilson, 2 of 3, z = 1.96: centre (2/3 + z^2/6) / (1 + z^2/3) = 0.57308, half-width
    # z * sqrt(2/27 + z^2/36) / (1 + z^2/3) = 0.36543
    assert (round(across.loc["value", "ci_low"], 4), round(across.loc["value", "ci_high"], 4)) == (0.2077, 0.9385)
    # 0 of 2: from 0 to (z^2/4 + z * sqrt(z^2/16)) / (1 + z^2/2) = (z^2/2) / (1 + z^2/2) = 0.6576
    z = norm.ppf(0.975)
    assert across.loc["power", "ci_low"] == 0.0
    assert across.loc["power", "ci_high"] == pytest.approx((z * z / 2) / (1 + z * z / 2))
    assert round(across.loc["power", "ci_high"], 4) == 0.6576
    for code in CODES:
        x, n = across.loc[code, ["both", "raised"]]
        assert (across.loc[code, "ci_low"], across.loc[code, "ci_high"]) == wilson_interval(x, n)


def test_a_code_no_pair_raised_has_no_share():
    codes = pd.DataFrame({"pair": ["P1", "P2"], "code": ["x", "x"], "code_name": ["X", "X"],
                          "theme": ["x", "x"], "status": [N, N]})
    row = across_pairs(codes).iloc[0]
    assert (row["raised"], row["neither"]) == (0, 2)
    assert math.isnan(row["aligned_share"]) and math.isnan(row["ci_low"])


def test_most_frequent_mismatches(result):
    # value is mentor only in P4 because clarity is: the list keeps the subcode, which says more
    top = result.mismatches()
    assert top[["code", "status", "pairs", "of_pairs", "pair_names"]].values.tolist() == [
        ["power", S, 2, 4, "P1, P4"], ["tools", M, 2, 4, "P1, P4"], ["value.clarity", M, 1, 4, "P4"],
        ["value.trust", S, 1, 4, "P1"], ["power.fear", S, 1, 4, "P1"]]
    assert result.mismatches(top=1)["code"].tolist() == ["power"]
    every = frequent_mismatches(result.codes, top=10)          # without the tree: every code
    assert every[["code", "status", "pairs"]].values.tolist() == [
        ["power", S, 2], ["tools", M, 2], ["value", M, 1], ["value.clarity", M, 1], ["value.trust", S, 1],
        ["power.fear", S, 1]]


def test_mismatch_quotes_come_from_the_side_that_raised_the_code(result):
    quotes = result.quotes
    assert quotes[["pair", "code", "side", "speaker", "quote_codes", "position", "text"]].values.tolist() == [
        ["P1", "value.trust", "scholar", "S01 (scholar)", "Trust and respect", "turn 1", "That built real trust."],
        # power (scholar only) holds its subcode's quote; power.fear, mismatched the same way, adds none
        ["P1", "power", "scholar", "S01 (scholar)", "Fear of consequences", "turn 2", "I was afraid to push back."],
        ["P1", "tools", "mentor", "M01 (mentor)", "Formal tools", "turn 2", "We sign the compact."],
        ["P4", "value", "mentor", "M01 (mentor)", "Clear guidance", "turn 1", "I write the goals down."],
        ["P4", "power", "scholar", "S04 (scholar)", "Power differential", "turn 1", "The mentor holds the power."],
        ["P4", "tools", "mentor", "M01 (mentor)", "Formal tools", "turn 2", "We sign the compact."]]


def test_alignment_over_the_themes_only(project_path):
    themes = align(project_path, coder="rules", level="theme")
    assert themes.codes["code"].tolist() == ["value", "power", "tools"] * 4
    assert {p: part["status"].tolist() for p, part in themes.codes.groupby("pair")} == {
        "P1": [B, S, M], "P2": [B, N, B], "P3": [N, N, N], "P4": [M, S, M]}
    pairs = themes.pairs.set_index("pair")
    assert pairs[["codes", "both", "scholar_only", "mentor_only", "neither"]].values.tolist() == [
        [3, 1, 1, 1, 0], [3, 2, 0, 0, 1], [3, 0, 0, 0, 3], [3, 0, 1, 2, 0]]
    # P1: scholar [1, 1, 0], mentor [1, 0, 1]: p_o = 1/3, p_e = 2/3*2/3 + 1/3*1/3 = 5/9, kappa = -1/2
    # P4: scholar [0, 1, 0], mentor [1, 0, 1]: p_o = 0, p_e = 1/3*2/3 + 2/3*1/3 = 4/9, kappa = -4/5
    assert pairs["aligned_share"].tolist()[:2] + pairs["aligned_share"].tolist()[3:] == [
        pytest.approx(1 / 3), 1.0, 0.0]
    assert pairs.loc["P1", "kappa"] == pytest.approx(-1 / 2) and pairs.loc["P4", "kappa"] == pytest.approx(-4 / 5)
    assert themes.across["code"].tolist() == ["value", "power", "tools"] and set(themes.depth.values()) == {0}
    assert themes.quotes[["pair", "code", "quote_codes"]].values.tolist() == [
        ["P1", "power", "Fear of consequences"], ["P1", "tools", "Formal tools"],
        ["P4", "value", "Clear guidance"], ["P4", "power", "Power differential"], ["P4", "tools", "Formal tools"]]


def test_alignment_over_the_most_specific_codes_only(project_path):
    specific = align(project_path, coder="rules", level="specific")
    assert specific.codes["code"].tolist() == ["value.clarity", "value.trust", "power.fear", "tools"] * 4
    # P4's scholar coded power itself, which is none of the specific codes: it counts for none
    assert {p: part["status"].tolist() for p, part in specific.codes.groupby("pair")} == {
        "P1": [B, S, S, M], "P2": [N, B, N, B], "P3": [N] * 4, "P4": [M, N, N, M]}
    pairs = specific.pairs.set_index("pair")
    # P1: scholar [1, 1, 1, 0], mentor [1, 0, 0, 1]: share 1/4; p_o = 1/4, p_e = 3/4*1/2 + 1/4*1/2
    # = 1/2, kappa = -1/2.  P4: scholar raised nothing, mentor [1, 0, 0, 1]: p_o = p_e = 1/2, kappa 0
    assert pairs.loc["P1", "aligned_share"] == pytest.approx(1 / 4) and pairs.loc["P1", "kappa"] == pytest.approx(-0.5)
    assert (pairs.loc["P2", "aligned_share"], pairs.loc["P2", "kappa"]) == (1.0, pytest.approx(1.0))
    assert (pairs.loc["P4", "aligned_share"], pairs.loc["P4", "kappa"]) == (0.0, pytest.approx(0.0))
    for pair in ("P1", "P2", "P4"):
        part = specific.codes[specific.codes["pair"] == pair]
        assert pairs.loc[pair, "kappa"] == pytest.approx(cohen_kappa_score(part["scholar"], part["mentor"]))
    # every mismatch holds its own quotes: no parent in the table to gather them
    assert specific.quotes[["pair", "code", "side", "text"]].values.tolist() == [
        ["P1", "value.trust", "scholar", "That built real trust."],
        ["P1", "power.fear", "scholar", "I was afraid to push back."],
        ["P1", "tools", "mentor", "We sign the compact."],
        ["P4", "value.clarity", "mentor", "I write the goals down."],
        ["P4", "tools", "mentor", "We sign the compact."]]


def test_an_unknown_level_is_an_error(project_path):
    with pytest.raises(SelectionError, match="unknown alignment level 'leaves'; choose from code, theme, specific"):
        align(project_path, coder="rules", level="leaves")


def test_real_names_and_another_coder(project_path):
    named = align(project_path, "pair,scholar,mentor\nP1,S01,M01\n", coder="alice", real_names=True)
    assert named.pairs[["scholar", "mentor"]].values.tolist() == [["Ana", "Dr. Eve"]]
    # alice coded tools on both sides of P1, nothing else
    assert named.codes.set_index("code")["status"].tolist() == [N, N, N, N, N, B]
    assert named.selection == "2 codings from codebook Test book 1.0; coder alice; status suggested or accepted"
    assert set(named.quotes["speaker"]) <= {"Ana", "Dr. Eve"}


def test_the_selection_is_that_of_export_excerpts(project_path):
    chosen = align(project_path)   # two coders: the person where they read, the tagger elsewhere
    assert chosen.selection.startswith("7 codings from codebook Test book 1.0; coder alice where alice "
                                       "read the turn, else rules (the default with several coders")
    asked = align(project_path, coder="alice+rules")
    assert asked.codes.equals(chosen.codes) and "(the default" not in asked.selection
    only_accepted = align(project_path, "pair,scholar,mentor\nP2,S02,M02\n", coder="rules", status="accepted")
    assert only_accepted.codes["status"].tolist() == [N, N, N, N, N, M]


def test_a_side_the_coder_never_read_is_an_error(project_path):
    with pytest.raises(SelectionError) as error:
        align(project_path, coder="alice")
    assert str(error.value) == (
        "alice read none of the turns of S02 (scholar of pair P2), M02 (mentor of pair P2), S03 (scholar "
        "of pair P3), M03 (mentor of pair P3), S04 (scholar of pair P4) with codebook Test book 1.0: "
        "code them, or choose another --coder")


def test_a_side_read_in_part_is_a_note(tmp_path):
    path = build_pair_project(tmp_path / "partial.qcproj")
    with open_project(path) as project, project.transaction():
        project.conn.execute("DELETE FROM coverage WHERE coder = 'alice' AND segment_id IN (SELECT s.id "
                             "FROM segments s JOIN documents d ON d.id = s.document_id "
                             "WHERE d.name = 'int_s01.txt' AND s.turn = 1)")
    result = align(path, "pair,scholar,mentor\nP1,S01,M01\n", coder="alice")
    assert result.notes == ["pair P1: alice read 1 of the 2 turns of S01; the others count as raising no code"]
