"""The README's check of ``all`` against the better single tagger (benchmarks/evaluate_sample.py)
compares theme by theme, names the better tagger per row and says where ``all`` falls short."""

from __future__ import annotations

from evaluate_sample import combination_check, combination_verdict

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

TUNING = """Against gold (reference), on the turns both read:
coder  code     tp  fp  fn  precision  recall     f1
rules  value     9   1   0      0.900   1.000  0.947
rules  overall   9   1   0      0.900   1.000  0.947
"""


def test_each_theme_is_compared_with_its_own_better_tagger():
    table, short = combination_check(HELD)
    assert table.splitlines() == [
        "theme    rules F1  ml F1  all F1  best single  all - best  all at least as good",
        "value       0.667  0.400   0.750  rules            +0.083                   yes",
        "tools       0.444  0.615   0.444  ml               -0.171                    NO",
        "overall     0.556  0.522   0.588  rules            +0.032                   yes"]
    assert [(theme, best, round(diff, 3)) for theme, best, diff in short] == [("tools", "ml", -0.171)]


def test_the_verdict_names_the_short_rows_and_the_rules_optimism():
    _, short = combination_check(HELD)
    assert combination_verdict(short, TUNING, HELD) == (
        "**`all` is below the better single tagger on: tools (-0.171 against ml).** `train` chose the "
        "policies by cross-validation on the four tuning transcripts, the turns the rules were tuned on: "
        "there the rules' F1 is 0.947 overall, on the held-out transcripts 0.556, so the choice favours "
        "the rules where the model generalises better. No way of choosing on the tuning turns alone can see "
        "that; it takes turns coded by hand that the rules were not written from (see \"Combining taggers\" "
        "above).")
    assert combination_verdict([("value", "rules", -0.05)], TUNING, HELD) == \
        "**`all` is below the better single tagger on: value (-0.050 against rules).**"
    assert combination_verdict([], TUNING, HELD) == \
        "On every theme and overall, `all` is at least as good as the better single tagger."
