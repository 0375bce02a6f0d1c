"""Score a codebook's rules on the invented paraphrase development set.

``tests/data/paraphrases_dev.csv`` has one invented utterance per row (columns
``text,codes,rules``; ``codes`` holds the expected code ids separated by ``;``,
empty = no code applies; ``rules`` is ``ok`` where the shipped rules give exactly
those codes and ``miss`` where they do not yet, which tests/test_paraphrases_dev.py
holds them to).  The utterances were written without looking at the rules, so the
scores measure how well the rules carry over to new ways of saying things.

    .venv/bin/python tests/paraphrase_dev.py [--codebook FILE] [--dev FILE] [--part all|tune|check] [--misses]

prints precision, recall, F1 and kappa per code and theme, with micro and macro averages
(qualcode.analysis.metrics.score_table; at the code level a parent code counts only where
it is given itself, at the theme level every code counts for its theme) and, with
``--misses``, every utterance whose codes differ from the expected ones.

Every fourth utterance (rows 3, 7, 11, ... counting from 0) is the ``check`` part, for
whoever wants to tune on the ``tune`` part and read only the check part's summary.  The
shipped rules have been tuned on every row, so no part of this file is blind any more;
for an honest figure on new wording, write new utterances and score them with ``--dev``
before changing anything.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from qualcode.analysis.metrics import format_metric, score_table  # noqa: E402
from qualcode.codebook import Codebook, load_codebook  # noqa: E402
from qualcode.tagging.rules.tagger import RuleTagger  # noqa: E402

DEV = REPO / "tests" / "data" / "paraphrases_dev.csv"
CODEBOOK = REPO / "codebooks" / "mentoring_expectations.yaml"
LEVELS = ("code", "theme")


def split_codes(cell: str | None) -> frozenset[str]:
    """``"a; b ;c"`` -> ``{"a", "b", "c"}``; an empty cell is the empty set."""
    return frozenset(part.strip() for part in (cell or "").split(";") if part.strip())


def read_dev(path: Path = DEV) -> list[tuple[str, frozenset[str]]]:
    """``[(text, expected codes), ...]`` in file order."""
    return [(text, codes) for text, codes, _ in read_dev_status(path)]


def read_dev_status(path: Path = DEV) -> list[tuple[str, frozenset[str], str]]:
    """``[(text, expected codes, rules status), ...]``; the status is ``ok``, ``miss`` or empty."""
    with open(path, newline="", encoding="utf-8") as handle:
        return [(row["text"], split_codes(row["codes"]), (row.get("rules") or "").strip())
                for row in csv.DictReader(handle)]


def part_of(rows: list, part: str) -> list:
    """The ``tune`` part (3 rows in 4), the ``check`` part (every 4th) or ``all`` rows."""
    if part == "all":
        return list(rows)
    if part not in ("tune", "check"):
        raise ValueError(f"unknown part {part!r}; use all, tune or check")
    return [row for i, row in enumerate(rows) if (i % 4 == 3) == (part == "check")]


def tag_texts(tagger: RuleTagger, texts: list[str]) -> list[frozenset[str]]:
    """The codes the tagger gives each text (one nlp.pipe pass), in order."""
    found: list[set[str]] = [set() for _ in texts]
    for coding in tagger.tag_segments((i, text, 0) for i, text in enumerate(texts)):
        found[coding.segment_key].add(coding.code_id)
    return [frozenset(codes) for codes in found]


def indicators(code_sets: list[frozenset[str]], book: Codebook, level: str) -> tuple[list[str], np.ndarray]:
    """(codes, rows x codes 0/1): every code as given (``code``), or every theme, present
    when it or any of its descendants is (``theme``)."""
    if level == "theme":
        codes = [c.id for c in book.roots]
        code_sets = [frozenset(book.theme_of(c) for c in found) for found in code_sets]
    else:
        codes = book.ids
    return codes, np.array([[int(c in found) for c in codes] for found in code_sets]).reshape(-1, len(codes))


def score(tagger: RuleTagger, rows: list[tuple[str, frozenset[str]]]):
    """``({level: score table}, predicted code sets)`` of the tagger on the rows (each row one turn)."""
    predicted = tag_texts(tagger, [text for text, _ in rows])
    expected = [codes for _, codes in rows]
    tables = {}
    for level in LEVELS:
        codes, reference = indicators(expected, tagger.codebook, level)
        tables[level] = score_table(codes, reference, indicators(predicted, tagger.codebook, level)[1])
    return tables, predicted


def show(table: pd.DataFrame) -> str:
    shown = table.copy()
    for column in ("precision", "recall", "f1", "kappa"):
        shown[column] = shown[column].map(format_metric)
    return shown.to_string(index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--codebook", type=Path, default=CODEBOOK)
    parser.add_argument("--dev", type=Path, default=DEV)
    parser.add_argument("--part", choices=("all", "tune", "check"), default="all")
    parser.add_argument("--misses", action="store_true", help="list utterances coded differently")
    args = parser.parse_args()
    rows = part_of(read_dev(args.dev), args.part)
    tables, predicted = score(RuleTagger(load_codebook(args.codebook)), rows)
    print(f"{len(rows)} utterances")
    for level, table in tables.items():
        print(f"\n== {level} level ==\n{show(table)}")
    if args.misses:
        print("\n== misses (code level) ==")
        for (text, expected), got in zip(rows, predicted):
            if expected != got:
                print(f"FN {sorted(expected - got)}  FP {sorted(got - expected)}\n    {text}")


if __name__ == "__main__":
    main()
