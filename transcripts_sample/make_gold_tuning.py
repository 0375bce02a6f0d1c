"""Write gold_tuning.csv from the hand-coding decisions below.

The decisions were made by reading each participant turn of the four sample
transcripts against codebooks/mentoring_expectations.yaml (definitions,
include/exclude criteria), not by looking at what the rules produce.  This
script only joins them to the exported turns so the sheet carries the exact
turn text and speaker label (hence --real-names: exports show pseudonyms by default):

    qualcode ingest out/x.qcproj --manifest transcripts_sample/manifest.csv \
        --speakers transcripts_sample/speakers.csv
    qualcode export segments out/x.qcproj -o out/turns.csv --real-names
    python transcripts_sample/make_gold_tuning.py out/turns.csv transcripts_sample/gold_tuning.csv

Every participant turn gets a row; a turn missing from DECISIONS is coded
"no code applies" (housekeeping, agreement tokens, off-topic remarks).
"""

from __future__ import annotations

import csv
import sys

SN = "scholars_northfield_2024-03-14.docx"
MN = "mentors_northfield_zoom.vtt"
SL = "scholars_lakeshore_otter.txt"
ML = "mentors_lakeshore.txt"

DECISIONS: dict[str, dict[int, str]] = {
    SN: {
        8: "value.clarity",
        10: "independence.niche; value.clarity",
        12: "independence.niche; value.roles",
        13: "tools.types",
        14: "tools.types",
        15: "tools.types; tools.benefits; tools.reservations",
        18: "value.roles",
        20: "value.roles; tools.types; independence",
        22: "power_differential.empowerment; value.clarity",
        23: "power_differential.empowerment",
        24: "power_differential",
        25: "power_differential",
        26: "power_differential.fear",
        28: "power_differential.withheld_feedback",
        30: "power_differential.withheld_feedback",
        32: "value.accountability",
        33: "value",
        37: "power_differential.empowerment",
        38: "power_differential.fear",
        41: "power_differential.withheld_feedback",
        43: "power_differential.fear",
        44: "power_differential.fear",
        45: "power_differential.fear",
        47: "independence.niche; power_differential.fear",
        49: "independence.niche; power_differential",
        51: "power_differential",
        52: "independence.ownership; independence.credit; power_differential",
        56: "tools.types",
        58: "tools.types",
        59: "tools.reservations",
        60: "tools.reservations",
        62: "tools.reservations",
        63: "tools.benefits; tools.reservations",
        64: "tools.benefits; power_differential",
        66: "tools.reservations; power_differential.limited_accountability",
        68: "power_differential.limited_accountability",
        69: "tools.benefits; independence.credit",
        74: "tools.types",
        76: "power_differential.empowerment",
        77: "tools.types; value.review; power_differential.withheld_feedback",
        78: "power_differential.withheld_feedback",
        79: "value.review; tools.types; tools.reservations",
        80: "tools.reservations",
        81: "tools.reservations",
        83: "value.clarity",
    },
    MN: {
        7: "value; tools.formal_informal",
        10: "tools.formal_informal",
        11: "tools; value.roles; value.mismatch; independence.ownership",
        15: "independence.credit; independence.letting_go; independence.ownership; value.mismatch",
        16: "independence.ownership",
        20: "tools.types; value.accountability; tools.benefits",
        21: "tools.benefits",
        22: "tools.benefits",
        23: "tools.types; tools.reservations",
        24: "tools.benefits; tools.reservations",
        26: "value.clarity",
        27: "value.clarity",
        28: "value.clarity",
        29: "tools.reservations",
        30: "tools.benefits; value.roles",
        35: "value.roles; tools.benefits",
        36: "tools.types",
        37: "tools.types; tools.reservations",
        40: "power_differential",
        42: "power_differential.withheld_feedback; power_differential.fear",
        43: "power_differential.withheld_feedback",
        45: "power_differential.withheld_feedback",
        46: "tools.types; tools.benefits; power_differential.withheld_feedback",
        53: "tools.types; tools.benefits; value.accountability",
        54: "tools.benefits",
        55: "value.relationship; power_differential.empowerment",
        56: "power_differential.withheld_feedback; power_differential.empowerment",
        58: "tools.benefits",
        59: "tools.benefits",
        60: "tools.reservations; tools.types",
        61: "tools.benefits",
        66: "tools.reservations",
        68: "tools.types; tools.reservations",
        69: "value.review; value.accountability; power_differential.limited_accountability",
        70: "power_differential.limited_accountability",
        71: "power_differential.limited_accountability",
        73: "tools.reservations",
        74: "tools.types; tools.reservations",
        76: "value.review",
        77: "tools.reservations",
        79: "tools.reservations",
        80: "tools.types",
        81: "value.roles",
        82: "value.roles",
        84: "tools.reservations",
    },
    SL: {
        8: "tools.types",
        10: "tools.reservations",
        12: "value.clarity; tools.benefits",
        14: "value.clarity",
        15: "value.clarity",
        16: "value.clarity",
        19: "power_differential",
        20: "power_differential.withheld_feedback",
        23: "power_differential.withheld_feedback",
        25: "value.clarity",
        26: "value.clarity; value.mismatch",
        27: "value.clarity",
        28: "value.clarity; value.roles",
        30: "independence.credit; independence.ownership",
        32: "power_differential.withheld_feedback",
        35: "independence.ip_grants; independence.ownership; independence.niche",
        38: "power_differential.fear",
        40: "tools.types",
        41: "tools.types",
        42: "tools.types; tools.reservations",
        43: "tools.reservations; power_differential.limited_accountability",
        44: "tools.reservations",
        47: "tools.formal_informal",
        48: "independence.credit; power_differential.empowerment",
        49: "tools.formal_informal; power_differential",
        51: "power_differential.empowerment",
        53: "power_differential",
        54: "power_differential.withheld_feedback",
        60: "tools.reservations; tools.types",
        61: "tools.benefits; value.clarity",
        62: "tools.benefits; value.clarity",
        65: "tools.types",
        67: "tools.benefits; tools.reservations; power_differential.empowerment",
        68: "tools.benefits; power_differential.empowerment",
        70: "power_differential.limited_accountability; tools.types",
        71: "power_differential.limited_accountability",
        72: "tools.reservations",
        73: "independence.ip_grants; independence.ownership; tools.types; tools.reservations",
        77: "tools.reservations",
        78: "tools.types; power_differential.withheld_feedback",
        79: "tools.types; tools.reservations",
        81: "independence.ownership; independence.credit; tools",
        83: "value.mismatch",
        84: "value.mismatch",
        87: "tools.reservations; tools.types",
    },
    ML: {
        9: "tools.types; tools.benefits",
        10: "tools.types; tools.benefits",
        11: "tools.reservations; value.clarity",
        12: "value.clarity",
        16: "value.clarity; value.mismatch",
        20: "independence.ownership; value.roles",
        22: "independence.letting_go; independence.ownership",
        23: "independence.letting_go",
        24: "independence.letting_go",
        25: "independence.ownership; independence.credit; value",
        26: "tools",
        28: "independence.ownership; independence.ip_grants; tools.benefits",
        32: "power_differential; tools.types",
        33: "power_differential",
        35: "tools.types; tools.reservations; power_differential",
        37: "power_differential",
        38: "value.relationship",
        39: "power_differential.withheld_feedback",
        43: "power_differential.withheld_feedback",
        45: "power_differential.withheld_feedback",
        46: "power_differential",
        47: "power_differential",
        50: "tools.benefits; value.accountability",
        51: "tools.benefits",
        52: "tools.benefits",
        53: "tools.benefits; tools.types; value.roles",
        54: "value.roles",
        55: "value.roles",
        57: "tools.reservations",
        59: "tools.reservations",
        60: "tools.benefits; tools.reservations; tools.formal_informal",
        61: "tools.reservations; tools.types",
        62: "tools.reservations",
        63: "tools.reservations",
        64: "tools.reservations",
        66: "value.review",
        67: "tools.types; tools.benefits",
        69: "tools.reservations",
        70: "value.roles",
        71: "tools.types; value.accountability",
        72: "value.mismatch",
        73: "tools; independence.ownership",
    },
}


def main(turns_csv: str, out_csv: str) -> None:
    with open(turns_csv, encoding="utf-8-sig", newline="") as fh:
        turns = [r for r in csv.DictReader(fh) if r["role"] != "facilitator"]
    seen = {(r["document"], int(r["turn"])) for r in turns}
    for doc, decided in DECISIONS.items():
        for turn in decided:
            if (doc, turn) not in seen:
                raise SystemExit(f"decision for {doc} turn {turn}: not a participant turn")
    with open(out_csv, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["document", "turn", "speaker", "codes", "text"])
        for r in turns:
            codes = DECISIONS.get(r["document"], {}).get(int(r["turn"]), "")
            codes = ";".join(c.strip() for c in codes.split(";") if c.strip())
            writer.writerow([r["document"], r["turn"], r["speaker"], codes, r["text"]])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
