"""Statistics: intervals against Newcombe (1998), Fisher against scipy, corrections by hand."""

import math

import pandas as pd
import pytest
from scipy.stats import fisher_exact

from projects import build_project
from qualcode.analysis import (benjamini_hochberg, compare_counts, compare_display, compare_groups,
                               default_pair, holm, newcombe_interval, wilson_interval)
from qualcode.core.errors import SelectionError
from qualcode.store.project import open_project


def test_wilson_interval_matches_published_value():
    # Newcombe (1998a), example 81/263: 0.2553 to 0.3662
    low, high = wilson_interval(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    assert wilson_interval(0, 10)[0] == 0.0
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


@pytest.mark.parametrize("x1,n1,x2,n2,expected", [
    (56, 70, 48, 80, (0.0524, 0.3339)),     # Newcombe (1998b) Table II, method 10
    (9, 10, 3, 10, (0.1705, 0.8090)),
    (6, 7, 2, 7, (0.0582, 0.8062)),
    (5, 56, 0, 29, (-0.0381, 0.1926)),
])
def test_newcombe_interval_matches_published_values(x1, n1, x2, n2, expected):
    low, high = newcombe_interval(x1, n1, x2, n2)
    assert (round(low, 4), round(high, 4)) == expected


def test_holm_and_benjamini_hochberg_by_hand():
    p = [0.01, 0.04, float("nan"), 0.03, 0.5]
    # Holm, m = 4: sorted 0.01*4=0.04, 0.03*3=0.09, 0.04*2=0.08 -> 0.09 (monotone), 0.5*1
    assert holm(p)[[0, 1, 3, 4]].tolist() == pytest.approx([0.04, 0.09, 0.09, 0.5])
    assert math.isnan(holm(p)[2])
    # BH, m = 4: 0.5*4/4=0.5, 0.04*4/3=0.0533, 0.03*4/2=0.06 -> 0.0533, 0.01*4/1=0.04
    assert benjamini_hochberg(p)[[0, 1, 3, 4]].tolist() == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.5])


def counts_frame(rows, totals=(50, 50)):
    """A counts_by-shaped frame: rows of (code, a turns, b turns)."""
    out = []
    for code, xa, xb in rows:
        for group, x, n in (("scholar", xa, totals[0]), ("mentor", xb, totals[1])):
            out.append({"by": "role", "group": group, "code": code, "name": code.upper(),
                        "theme": code, "parent": None, "depth": 0, "mentions": x, "turns": x,
                        "group_turns": n, "share": x / n, "participants": min(x, 9),
                        "group_participants": 10, "documents": 1, "group_documents": 1})
    return pd.DataFrame(out)


ROWS = [("a", 20, 5), ("b", 12, 4), ("c", 10, 8), ("d", 2, 1), ("e", 0, 0)]


def test_compare_counts_against_scipy_and_hand_corrections():
    table = compare_counts(counts_frame(ROWS), "scholar", "mentor").set_index("code")
    for code, xa, xb in ROWS[:4]:
        expected = fisher_exact([[xa, 50 - xa], [xb, 50 - xb]]).pvalue
        assert table.loc[code, "p_value"] == pytest.approx(expected, rel=1e-12)
        assert table.loc[code, "difference"] == pytest.approx(xa / 50 - xb / 50)
        low, high = newcombe_interval(xa, 50, xb, 50)
        assert (table.loc[code, "ci_low"], table.loc[code, "ci_high"]) == (low, high)
    pa, pb, pc = (fisher_exact([[x, 50 - x], [y, 50 - y]]).pvalue for _, x, y in ROWS[:3])
    # Holm over the 4 raised codes (e is not raised): order a < b < c < d (p_d = 1)
    assert table.loc["a", "p_adjusted"] == pytest.approx(4 * pa)
    assert table.loc["b", "p_adjusted"] == pytest.approx(3 * pb)
    assert table.loc["c", "p_adjusted"] == 1.0 and table.loc["d", "p_adjusted"] == 1.0
    assert math.isnan(table.loc["e", "p_value"]) and math.isnan(table.loc["e", "p_adjusted"])
    assert table["significant"].tolist() == [True, False, False, False, False]
    assert table["few_data"].tolist() == [False, False, False, True, False]
    assert table["note"].tolist() == ["", "", "", "few data", "not raised"]
    assert round(4 * pa, 6) == 0.003867 and round(3 * pb, 5) == 0.16129

    bh = compare_counts(counts_frame(ROWS), "scholar", "mentor", correction="bh").set_index("code")
    assert bh.loc["a", "p_adjusted"] == pytest.approx(4 * pa)
    assert bh.loc["b", "p_adjusted"] == pytest.approx(4 * pb / 2)
    assert bh.loc["c", "p_adjusted"] == 1.0  # 4/3 * p_c > 1, capped by the larger rank's 1.0


def test_few_data_when_a_group_is_small():
    table = compare_counts(counts_frame(ROWS, totals=(50, 8)), "scholar", "mentor")
    assert table["few_data"].tolist() == [True, True, True, True, False]


def test_participant_unit():
    table = compare_counts(counts_frame(ROWS), "scholar", "mentor", unit="participants")
    row = table.set_index("code").loc["a"]
    assert (row["a_units"], row["a_total"], row["b_units"], row["b_total"]) == (9, 10, 5, 10)
    assert row["p_value"] == pytest.approx(fisher_exact([[9, 1], [5, 5]]).pvalue)
    with pytest.raises(SelectionError, match="unknown unit 'words'"):
        compare_counts(counts_frame(ROWS), "scholar", "mentor", unit="words")


def test_compare_groups_on_the_study(tmp_path):
    with open_project(build_project(tmp_path / "study.qcproj")) as project:
        table = compare_groups(project, "role", coder="rules").set_index("code")
        swapped = compare_groups(project, "role", "mentor", "scholar", coder="rules").set_index("code")
        by_site = compare_groups(project, "site", coder="rules")
    assert (table["a"].iloc[0], table["b"].iloc[0]) == ("scholar", "mentor")
    value = table.loc["value"]
    assert (value["a_units"], value["a_total"], value["b_units"], value["b_total"]) == (3, 7, 3, 4)
    assert (value["a_participants"], value["b_participants"]) == (3, 2)
    assert value["p_value"] == pytest.approx(fisher_exact([[3, 4], [3, 1]]).pvalue)
    assert value["p_value"] == pytest.approx(6 / 11)
    assert table.loc["power", "p_value"] == pytest.approx(13 / 55)
    assert table.loc["tools", "note"] == "not raised"
    assert table["few_data"].sum() == 5
    display = compare_display(table.reset_index())
    assert display.iloc[0].tolist() == ["Value of expectations", "3/7 (43%)", "3/4 (75%)", "3/2",
                                        "-32 pp [-66, +23]", "0.545", "1.000", "few data"]
    # the other direction by name
    assert swapped.loc["value", "difference"] == pytest.approx(3 / 4 - 3 / 7)
    assert (by_site["a"].iloc[0], by_site["b"].iloc[0]) == ("North", "South")


def test_default_pair_and_unknown_groups():
    assert default_pair(["mentor", "scholar", "facilitator"], "role") == ("scholar", "mentor")
    assert default_pair(["South", "North"], "site") == ("North", "South")
    assert default_pair(["a", "b", "c"], "site", "c", "a") == ("c", "a")
    assert default_pair(["a", "b"], "site", b="a") == ("b", "a")
    with pytest.raises(SelectionError, match="unknown role 'nurse'; role values in the project: "
                                             "mentor, scholar"):
        default_pair(["scholar", "mentor"], "role", "nurse")
    with pytest.raises(SelectionError, match="choose the two site values to compare with --a and --b"):
        default_pair(["a", "b", "c"], "site")
    with pytest.raises(SelectionError, match="two different role values"):
        default_pair(["scholar", "mentor"], "role", "mentor", "mentor")
