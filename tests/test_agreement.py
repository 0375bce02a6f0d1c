"""qualcode agreement on the STUDY project: coverage, levels, units, reference, disagreements,
exact CLI output, clear errors.

bob reads 7 participant turns (scholars_north 1,2,4,5; scholars_south 1,2,3); the rules
tagger has no coverage record in this project, so it counts as reading every participant
turn of the 3 documents it coded (11 turns).  On bob's 7 turns (n1 n2 n4 n5 s1 s2 s3):

  code           bob        rules       agree  kappa (bob/rules)       alpha
  value          s1         s1          7/7    1                       1
  value.clarity  n1         n1 n2       6/7    (6/7-32/49)/(17/49)=10/17  1-13*2/66 = 40/66
  value.trust    -          n1          6/7    0                       1-13*2/26 = 0
  power          s1 s2      s2          6/7    10/17                   40/66
  power.fear     n4         n4 s1       6/7    10/17                   40/66
  tools          n5         -           6/7    0                       0
  overall (42 decisions, 5 disagreements): 37/42; kappa 252/462; alpha 1 - 83*10/1846
"""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import krippendorff
from sklearn.metrics import cohen_kappa_score
from qualcode.analysis.agreement import (agreement_table, disagreements, prepare_agreement,
                                         reference_table, unit_matrix)
from qualcode.cli import cli
from qualcode.exchange.sheets import import_codings
from qualcode.core.errors import SelectionError
from qualcode.store.project import open_project
from projects import build_project

BOB = """document,turn,codes
scholars_north.txt,1,value.clarity
scholars_north.txt,2,
scholars_north.txt,4,power.fear
scholars_north.txt,5,tools
scholars_south.txt,1,value;power
scholars_south.txt,2,power
scholars_south.txt,3,
"""


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def project(tmp_path, write):
    path = build_project(tmp_path / "study.qcproj")
    with open_project(path) as proj:
        import_codings(proj, write("bob.csv", BOB), "bob")
    return path


def prepared(project, coders=("bob", "rules"), **options):
    with open_project(project) as proj:
        return prepare_agreement(proj, coders, **options)


def test_table_per_code_and_overall(project):
    data = prepared(project)
    assert (len(data.units), data.pairable) == (11, 7)
    assert data.notes == ["rules has no record of the turns they read: counted as having read every "
                          "participant turn of the 3 documents they coded"]
    table = agreement_table(data)
    assert table["code"].tolist() == ["value", "value.clarity", "value.trust", "power", "power.fear",
                                      "tools", "overall"]
    assert table["units"].tolist() == [7, 7, 7, 7, 7, 7, 42]
    assert table["n_bob"].tolist() == [1, 1, 0, 2, 1, 1, 6]
    assert table["n_rules"].tolist() == [1, 2, 1, 1, 2, 0, 7]
    assert table["agreement"].tolist() == pytest.approx([100, *[600 / 7] * 5, 100 * 37 / 42])
    assert table["kappa"].tolist() == pytest.approx([1, 10 / 17, 0, 10 / 17, 10 / 17, 0, 252 / 462])
    assert table["alpha"].tolist() == pytest.approx([1, 40 / 66, 0, 40 / 66, 40 / 66, 0, 1 - 830 / 1846])


def test_theme_level_and_rollup(project):
    data = prepared(project)
    themes = agreement_table(data, level="theme")
    assert themes["code"].tolist() == ["value", "power", "tools", "overall"]
    # value theme: bob n1 s1, rules n1 n2 s1 -> one disagreement; kappa (6/7-26/49)/(23/49)
    assert themes["kappa"].iloc[0] == pytest.approx(16 / 23)
    rolled = agreement_table(data, rollup=True).set_index("code")
    assert rolled.loc["value", "kappa"] == pytest.approx(16 / 23)
    assert rolled.loc["value.clarity", "kappa"] == pytest.approx(10 / 17)


def test_reference_precision_recall(project):
    table = reference_table(prepared(project), "bob")
    overall = table[table["code"] == "overall"].iloc[0]
    # rules against bob: tp 4 (value, clarity n1, power s2, fear n4), fp 3, fn 2
    assert (overall["tp"], overall["fp"], overall["fn"]) == (4, 3, 2)
    assert (overall["precision"], overall["recall"], overall["f1"]) == pytest.approx((4 / 7, 4 / 6, 8 / 13))
    with pytest.raises(SelectionError, match="reference 'gold' is not one of the coders"):
        reference_table(prepared(project), "gold")


def test_characters_unit(project):
    data = prepared(project, documents=["scholars_north.txt"])
    fear = unit_matrix(data, ["power.fear"], unit="characters")
    # 4 participant turns of 55 + 46 + 41 + 45 characters; bob coded the whole turn 4 (41),
    # the rules tagger its first sentence "I was afraid to push back." (26)
    assert fear.shape == (2, 187)
    assert np.nansum(fear, axis=1).tolist() == [41, 26]
    table = agreement_table(data, unit="characters").set_index("code")
    assert table.loc["power.fear", "units"] == 187
    assert table.loc["power.fear", "alpha"] == pytest.approx(krippendorff.alpha(fear, level_of_measurement="nominal"))
    assert table.loc["power.fear", "kappa"] == pytest.approx(cohen_kappa_score(fear[0], fear[1]))
    assert (table.loc["power.fear", "n_bob"], table.loc["power.fear", "n_rules"]) == (41, 26)


def test_disagreement_listing(project):
    listing = disagreements(prepared(project))
    assert [(r.document, r.turn, r.code, r.bob, r.rules) for r in listing.itertuples()] == [
        ("scholars_north.txt", 1, "value.trust", "no", "yes"),
        ("scholars_north.txt", 2, "value.clarity", "no", "yes"),
        ("scholars_north.txt", 5, "tools", "yes", "no"),
        ("scholars_south.txt", 1, "power", "yes", "no"),
        ("scholars_south.txt", 1, "power.fear", "no", "yes"),
    ]
    assert listing["text"].iloc[2] == "We signed an agreement. Nobody read it again."
    spans = disagreements(prepared(project, documents=["scholars_north.txt"]), unit="characters")
    row = spans[spans["code"] == "power.fear"].iloc[0]
    assert (row["bob"], row["rules"]) == ("220-261", "220-246")


def test_three_coders_and_missing_turns(project, write):
    with open_project(project) as proj:
        import_codings(proj, write("cy.csv", "document,turn,codes\nscholars_north.txt,1,value.clarity\n"
                                             "mentors_north.txt,1,value.clarity\n"), "cy")
    data = prepared(project, ("bob", "rules", "cy"))
    table = agreement_table(data).set_index("code")
    assert "kappa" not in table.columns
    # value.clarity: n1 all three say yes; mentors t1 rules and cy say yes, bob did not read it
    matrix = unit_matrix(data, ["value.clarity"])
    assert table.loc["value.clarity", "alpha"] == pytest.approx(
        krippendorff.alpha(matrix, level_of_measurement="nominal"))
    assert table.loc["value.clarity", "units"] == 8


def test_cli_output_is_exact(project, tmp_path):
    out = tmp_path / "disagreements.csv"
    result = run("agreement", project, "--coders", "bob,rules", "--reference", "bob", "-o", out)
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Agreement of bob, rules (codebook Test book 1.0; level code; unit turns): "
        "7 turns read by at least two coders, 11 by any\n"
        "code           units  bob  rules  agree %  kappa  alpha\n"
        "value              7    1      1    100.0  1.000  1.000\n"
        "value.clarity      7    1      2     85.7  0.588  0.606\n"
        "value.trust        7    0      1     85.7  0.000  0.000\n"
        "power              7    2      1     85.7  0.588  0.606\n"
        "power.fear         7    1      2     85.7  0.588  0.606\n"
        "tools              7    1      0     85.7  0.000  0.000\n"
        "overall           42    6      7     88.1  0.545  0.550\n"
        "units: turns read by at least two of the coders; bob, rules: how many of those each coded\n"
        "\n"
        "Against bob (reference), on the turns both read:\n"
        "coder  code           tp  fp  fn  precision  recall     f1\n"
        "rules  value           1   0   0      1.000   1.000  1.000\n"
        "rules  value.clarity   1   1   0      0.500   1.000  0.667\n"
        "rules  value.trust     0   1   0      0.000     n/a  0.000\n"
        "rules  power           1   0   1      1.000   0.500  0.667\n"
        "rules  power.fear      1   1   0      0.500   1.000  0.667\n"
        "rules  tools           0   0   1        n/a   0.000  0.000\n"
        "rules  overall         4   3   2      0.571   0.667  0.615\n"
        "Note: rules has no record of the turns they read: counted as having read every participant "
        "turn of the 3 documents they coded\n"
        f"wrote 5 disagreements to {out}\n")
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["document", "turn", "speaker", "participant", "role", "code", "bob", "rules", "text"]
    assert (rows[0]["speaker"], rows[0]["participant"], rows[0]["role"]) == ("S01 (scholar)", "S01", "scholar")


def test_rejected_machine_codings_count_unless_a_status_is_chosen(project):
    # mentors_north turn 2: rules' power.fear is rejected; cy read that turn and coded nothing
    with open_project(project) as proj:
        proj_path = proj.path
    assert prepared(proj_path, ("bob", "rules")).codings["code"].tolist().count("power.fear") == 4
    fewer = prepared(proj_path, ("bob", "rules"), status=["suggested", "accepted"])
    assert fewer.codings["code"].tolist().count("power.fear") == 3


def test_a_coding_stored_without_its_turn_counts_in_the_turn_holding_it(project):
    """The same rule as the counts and quotes: a coding with no turn recorded is placed in the
    turn whose span holds its start, so the rules' codings give the same table without them."""
    before = prepared(project)
    with open_project(project) as proj, proj.transaction():
        proj.conn.execute("UPDATE codings SET segment_id = NULL WHERE coder = 'rules'")
    data = prepared(project)
    assert (data.codings["coder"] == "rules").sum() == 12   # all 13 but the one on a facilitator turn
    pd.testing.assert_frame_equal(data.codings, before.codings)
    pd.testing.assert_frame_equal(agreement_table(data), agreement_table(before))


def test_empty_selections_are_clear_errors(project):
    cases = [
        (("--coders", "bob"), "Error: agreement needs at least two coders, e.g. --coders gold,rules\n"),
        (("--coders", "bob,zed"), "Error: coder 'zed' has no codings and no coverage in codebook "
                                  "Test book 1.0; coders: alice, bob, rules\n"),
        (("--coders", "bob,rules", "--document", "mentors_north.txt"),
         "Error: no turn in mentors_north.txt was read by two of the coders bob, rules with codebook "
         "Test book 1.0: nothing to compare\n"),
        (("--coders", "bob,rules", "--codebook", "Other"),
         "Error: no codebook 'Other' in the project; codebooks: Test book\n"),
    ]
    for args, expected in cases:
        result = run("agreement", project, *args)
        assert (result.exit_code, result.output) == (1, expected)
