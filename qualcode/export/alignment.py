"""Write the alignment of scholar-mentor pairs (:mod:`qualcode.analysis.alignment`) as CSV,
Excel or Word.

- ``.csv``: one row per pair and code (``pair, code, code_name, theme, scholar, mentor,
  status, scholar_turns, mentor_turns``; ``scholar``/``mentor`` are 1 when that side
  raised the code, else 0);
- ``.xlsx``: that sheet ("codes"), then "pairs" (the figures of each pair), "mismatches"
  (each side's quotes side by side), "across pairs" (per code), "frequent mismatches"
  and "about" (selection and definitions);
- ``.docx``: the same as sections a committee reads (:func:`add_alignment_sections`, which
  the report uses too).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from docx.shared import Pt

from qualcode.analysis.alignment import LEVEL_CODES, SIDES, Alignment
from qualcode.core.files import ALIGNMENT_SUFFIXES, atomic_output, table_format
from qualcode.export.word import GREY, add_figure, add_note, add_table, new_document, usable_width
from qualcode.export.xlsx import Sheet, write_workbook

NOT_RAISED = "(not raised)"
DOCX_QUOTES = 3   # quotes per side and code in Word (every quote is in the Excel file)


def write_alignment(alignment: Alignment, path: str | Path, *, title: str | None = None) -> Path:
    """Write ``alignment``; the format follows the suffix (.csv, .xlsx or .docx)."""
    suffix = table_format(path, ALIGNMENT_SUFFIXES)
    if suffix == ".csv":
        with atomic_output(path) as tmp:
            alignment.codes.to_csv(tmp, index=False, encoding="utf-8-sig")
    elif suffix == ".xlsx":
        write_workbook(alignment_sheets(alignment), path)
    else:
        doc = new_document()
        doc.add_heading(title or "Alignment of expectations within scholar-mentor pairs", level=0)
        add_alignment_sections(doc, alignment, level=1)
        with atomic_output(path) as tmp:
            doc.save(tmp)
    return Path(path)


# -------------------------------------------------------------------------- wording
def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def percent(value) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.0%}"


def pair_note(row) -> str:
    """Why a pair's figures are undefined, or ''."""
    if row["scholar_raised"] + row["mentor_raised"] == 0:
        return "neither side raised any code: aligned share and kappa undefined"
    if math.isnan(row["kappa"]):
        return "both sides raised every code: kappa undefined"
    return ""


def figures_sentence(row) -> str:
    """One pair's figures in a sentence."""
    if row["scholar_raised"] + row["mentor_raised"] == 0:
        return (f"Neither side raised any of the {plural(row['codes'], 'code')}: the aligned share and "
                "kappa are undefined.")
    either = row["codes"] - row["neither"]
    kappa = "undefined (both raised every code)" if math.isnan(row["kappa"]) else f"{row['kappa']:.2f}"
    return (f"The scholar raised {plural(row['scholar_raised'], 'code')} and the mentor "
            f"{row['mentor_raised']}: "
            f"{row['both']} by both, {row['scholar_only']} by the scholar only, {row['mentor_only']} by "
            f"the mentor only. Aligned: {row['both']} of the {plural(either, 'code')} either raised "
            f"({percent(row['aligned_share'])}); Cohen's kappa {kappa}.")


def aligned_cell(row) -> str:
    """``2 of 3 (67%) [21%, 94%]``, or ``not raised``."""
    if not row["raised"]:
        return "not raised"
    return (f"{row['both']} of {row['raised']} ({percent(row['aligned_share'])}) "
            f"[{percent(row['ci_low'])}, {percent(row['ci_high'])}]")


def definitions(alignment: Alignment) -> list[str]:
    conf = f"{alignment.confidence:.0%}"
    return [
        "Raised: the side has at least one excerpt with the code or one of its subcodes (a theme is "
        "raised when any of its subcodes is). Status: both, scholar only, mentor only or neither.",
        f"Aligned share (per pair): codes both raised / codes either raised, over "
        f"{LEVEL_CODES[alignment.level]}; undefined when neither side raised any code.",
        "Cohen's kappa (per pair): the scholar and the mentor as two raters giving each code "
        "'raised' or 'not raised'; undefined when both raised every code or none.",
        f"Across pairs (per code): pairs aligned among the pairs where either side raised the code, "
        f"with a {conf} Wilson interval; pairs count as independent, which a mentor with several "
        "scholars in the study is not quite.",
        "Speakers are shown by participant id and role unless real names were asked for; names "
        "spoken inside quotes are not removed." if not alignment.real_names else
        "Speakers are shown by their names in the transcripts.",
    ]


def alignment_summary(alignment: Alignment) -> str:
    """The pairs' figures as an aligned text table, then the most frequent mismatches."""
    pairs = alignment.pairs
    table = pd.DataFrame({
        "pair": pairs["pair"], "scholar": pairs["scholar"], "mentor": pairs["mentor"],
        "both": pairs["both"], "scholar only": pairs["scholar_only"], "mentor only": pairs["mentor_only"],
        "aligned": [percent(v) for v in pairs["aligned_share"]],
        "kappa": ["n/a" if math.isnan(v) else f"{v:.2f}" for v in pairs["kappa"]]})
    lines = [table.to_string(index=False)]
    mismatches = alignment.mismatches()
    if not mismatches.empty:
        lines.append("most frequent mismatches: " + "; ".join(
            f"{m['code_name']} ({m['status']}, {m['pairs']} of {m['of_pairs']} pairs)"
            for _, m in mismatches.iterrows()))
    return "\n".join(lines)


def side_by_side(alignment: Alignment, limit: int | None = None) -> pd.DataFrame:
    """One row per mismatch with quotes: pair, code, code_name, status, then each side's
    quotes (``[position] text``) in a cell of its own; ``limit`` quotes per cell at most."""
    rows = []
    for (pair, code), part in alignment.quotes.groupby(["pair", "code"], sort=False):
        first = part.iloc[0]
        row = {"pair": pair, "code": code, "code_name": first["code_name"], "status": first["status"]}
        for role in SIDES:
            quotes = part[part["side"] == role]
            lines = [_quote_line(q) for q in quotes.head(limit).itertuples()] if limit else \
                [_quote_line(q) for q in quotes.itertuples()]
            if limit and len(quotes) > limit:
                lines.append(f"(and {len(quotes) - limit} more)")
            row[role] = "\n\n".join(lines) if lines else NOT_RAISED
        rows.append(row)
    return pd.DataFrame(rows, columns=["pair", "code", "code_name", "status", *SIDES])


def _quote_line(q) -> str:
    also = f" ({q.quote_codes})" if q.quote_codes != q.code_name else ""
    return f"[{q.position}] \u201c{q.text}\u201d{also}"


# ---------------------------------------------------------------------------- Excel
def alignment_sheets(alignment: Alignment) -> list[Sheet]:
    pairs = alignment.pairs.assign(note=[pair_note(r) for _, r in alignment.pairs.iterrows()])
    across = alignment.across.drop(columns=["depth"])
    about = pd.DataFrame({"about": [f"Selection: {alignment.selection}.", *definitions(alignment),
                                    *[f"Note: {n}" for n in alignment.notes]]})
    return [
        Sheet("codes", alignment.codes),
        Sheet("pairs", pairs, percent=("aligned_share",), decimals={"kappa": "0.000"}),
        Sheet("mismatches", side_by_side(alignment), wrap=SIDES, max_width=70),
        Sheet("across pairs", across, percent=("aligned_share", "ci_low", "ci_high")),
        Sheet("frequent mismatches", alignment.mismatches()),
        Sheet("about", about, wrap=("about",), max_width=100),
    ]


# ----------------------------------------------------------------------------- Word
def add_alignment_sections(doc, alignment: Alignment, level: int = 1, figure: Path | None = None) -> None:
    """The alignment as Word sections from heading ``level`` down: an overview of the pairs,
    the codes across pairs (with ``figure``, a PNG, if given), then pair by pair."""
    width = usable_width(doc)
    doc.add_paragraph(f"{len(alignment.pairs)} pairs; codebook {alignment.codebook}; codings used: "
                      f"{alignment.selection}.")
    for line in definitions(alignment):
        add_note(doc, line, size=8)
    for note in alignment.notes:
        add_note(doc, f"Note: {note}", size=8)
    doc.add_heading("Pairs", level=level)
    add_table(doc, ["Pair", "Scholar", "Mentor", "Both", "Scholar only", "Mentor only", "Aligned", "Kappa"],
              [[r["pair"], r["scholar"], r["mentor"], r["both"], r["scholar_only"], r["mentor_only"],
                percent(r["aligned_share"]), "n/a" if math.isnan(r["kappa"]) else f"{r['kappa']:.2f}"]
               for _, r in alignment.pairs.iterrows()],
              [width - 5.6, 1.2, 1.2, 0.5, 0.7, 0.7, 0.7, 0.6], align_right=range(3, 8))
    _across_section(doc, alignment, level, width, figure)
    doc.add_heading("Pair by pair", level=level)
    for _, row in alignment.pairs.iterrows():
        _pair_section(doc, alignment, row, level + 1, width)


def _indented(name: str, depth: int) -> str:
    return ("\u2003" * depth) + str(name)


def _across_section(doc, alignment: Alignment, level: int, width: float, figure: Path | None) -> None:
    doc.add_heading("Codes across pairs", level=level)
    doc.add_paragraph("For each code: pairs in which both sides raised it, one side only, or neither; "
                      f"and the pairs aligned among those where either raised it "
                      f"[{alignment.confidence:.0%} Wilson interval].")
    add_table(doc, ["Code", "Both", "Scholar only", "Mentor only", "Neither", "Aligned where raised"],
              [[_indented(r["code_name"], r["depth"]), r["both"], r["scholar_only"], r["mentor_only"],
                r["neither"], aligned_cell(r)] for _, r in alignment.across.iterrows()],
              [width - 4.9, 0.5, 0.75, 0.75, 0.7, 2.2], size=8, align_right=range(1, 6))
    mismatches = alignment.mismatches()
    doc.add_heading("Most frequent mismatches", level=level + 1)
    if mismatches.empty:
        doc.add_paragraph("No code was raised by one side of a pair only.")
    else:
        add_note(doc, "Codes raised by one side of a pair only, most frequent first; a theme is left out "
                      "where one of its subcodes is mismatched the same way in the same pairs.", size=8)
    for _, m in mismatches.iterrows():
        doc.add_paragraph(f"{m['code_name']}: {m['status']} in {m['pairs']} of {m['of_pairs']} pairs "
                          f"({m['pair_names']}).", style="List Bullet")
    if figure is not None:
        add_figure(doc, figure, width)


def _pair_section(doc, alignment: Alignment, row, level: int, width: float) -> None:
    doc.add_heading(f"Pair {row['pair']}: {row['scholar']} and {row['mentor']}", level=level)
    doc.add_paragraph(figures_sentence(row))
    codes = alignment.codes[(alignment.codes["pair"] == row["pair"]) & (alignment.codes["status"] != "neither")]
    if not codes.empty:
        add_table(doc, ["Code", "Status", "Scholar turns", "Mentor turns"],
                  [[_indented(c["code_name"], alignment.depth.get(c["code"], 0)), c["status"],
                    c["scholar_turns"], c["mentor_turns"]] for _, c in codes.iterrows()],
                  [width - 3.4, 1.2, 1.1, 1.1], size=8, align_right=(2, 3))
        if row["neither"]:
            add_note(doc, f"{plural(row['neither'], 'code')} raised by neither side not listed.", size=8)
    shown = side_by_side(alignment, limit=DOCX_QUOTES)
    shown = shown[shown["pair"] == row["pair"]]
    if shown.empty:
        return
    heading = doc.add_heading("Mismatches: what each side said", level=level + 1)
    tag = heading.add_run(f"   {plural(len(shown), 'code')}")
    tag.font.size, tag.font.color.rgb, tag.bold = Pt(9), GREY, False
    add_table(doc, ["Code", "The scholar said", "The mentor said"],
              [[f"{m['code_name']}\n({m['status']})", m["scholar"], m["mentor"]]
               for _, m in shown.iterrows()],
              [1.5, (width - 1.5) / 2, (width - 1.5) / 2], size=8)
    add_note(doc, "A theme raised by one side only holds the quotes of its subcodes (their names in "
                  f"brackets); at most {DOCX_QUOTES} quotes per side, every quote is in the Excel file.",
             size=8)
