"""The README's check of ``all`` against the better single tagger (benchmarks/evaluate_sample.py)
compares theme by theme, names the better tagger per row and says where ``all`` falls short;
the evaluation keeps tuning, calibration and held-out transcripts apart."""

from __future__ import annotations

from evaluate_sample import (REPO, combination_check, combination_verdict, heldout_args, rules_overall,
                             sheet_documents, tuning_args)

HELD = """Agreement of gold, rules, ml, all (...)
code   units  gold
value    10    5

Against gold (reference), on the turns both read:
coder  code     tp  fp  fn  precision  recall     f1
rules  value     3   1   2      0.750   0.600  0.667
rules  tools     2   2   3      0.500   0.400  0.444
rules  overall   5   3   5      0.625   0.500  0.556
ml     value     2   3   3      0.400   0.400  0.400
ml     tools     4   4   1      0.500   0.800  0.615
ml     overall   6   7   4      0.462   0.600  0.522
all    value     3   0   2      1.000   0.600  0.750
all    tools     2   2   3      0.500   0.400  0.444
all    overall   5   2   5      0.714   0.500  0.588
"""

def test_each_theme_is_compared_with_its_own_better_tagger():
    table, short = combination_check(HELD)
    assert table.splitlines() == [
        "theme    rules F1  ml F1  all F1  best single  all - best  all at least as good",
        "value       0.667  0.400   0.750  rules            +0.083                   yes",
        "tools       0.444  0.615   0.444  ml               -0.171                    NO",
        "overall     0.556  0.522   0.588  rules            +0.032                   yes"]
    assert [(theme, best, round(diff, 3)) for theme, best, diff in short] == [("tools", "ml", -0.171)]


def test_the_verdict_names_the_short_rows_and_where_the_policies_came_from():
    _, short = combination_check(HELD)
    assert combination_verdict(short) == (
        "**`all` is below the better single tagger on: tools (-0.171 against ml).** Its policies were "
        "chosen on the calibration turns, not on these: a choice made on one small set of new turns is "
        "itself an estimate, and on these held-out turns it missed there. Each code's policy is in "
        "EVALUATION.md (the `code ... --tagger all ... --coder calibration` step).")
    assert combination_verdict([]) == \
        "On every theme and overall, `all` is at least as good as the better single tagger."


def test_document_options_keep_the_tuning_transcripts_apart_from_the_held_out_ones():
    assert tuning_args(["a.txt", "mentors_riverbend_2024-05-16.csv", "b.vtt"]) == \
        ["--document", "a.txt", "--document", "b.vtt"]
    assert heldout_args() == ["--document", "scholars_riverbend_teams.vtt",
                              "--document", "mentors_riverbend_2024-05-16.csv"]


def test_sheet_documents_are_the_calibration_transcripts():
    assert sheet_documents(REPO / "transcripts_sample" / "calibration" / "gold_calibration.csv") == \
        ["mentors_eastbrook_rev.txt", "scholars_eastbrook_2024-06-11.srt"]


def test_rules_overall_compares_the_three_sets():
    tuning = HELD.replace("0.556", "0.947")
    calibration = HELD.replace("0.556", "0.701")
    out = {"rules_tuning_theme": tuning, "calibration_theme": calibration, "heldout_theme": HELD}
    assert rules_overall(out) == (
        "The rules' overall F1: 0.947 on the tuning turns they were written from, 0.701 on the calibration "
        "turns, 0.556 on the held-out turns.")
