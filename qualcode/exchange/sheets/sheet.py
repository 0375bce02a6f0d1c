"""The coding sheet: one row per participant turn for a person to code (or to review a
tagger's suggestions), written as CSV or as an Excel workbook with a drop-down of codes.

Columns: document, turn, speaker, participant, role, text, codes (empty, to fill in).
``speaker`` is the pseudonym (``S01 (scholar)``) unless ``real_names=True``.
With ``suggestions="rules"`` three more: ``suggested`` (the tagger's codes for the
turn), ``decision`` (to fill in) and ``suggested_by`` (the tagger).  A decision is

- ``accept`` or ``reject``: every suggestion of the turn;
- ``CODE:accept`` / ``CODE:reject``: one suggestion, several separated by ``;``;
- both mixed: ``accept; tools:reject`` accepts every suggestion but ``tools``.

The ``codes`` column holds the reviewer's own codes (in addition to the accepted
suggestions); the reviewer's coding of a turn is both together.  A row with a
suggestion left undecided and an empty codes cell is not reviewed yet: decisions it
gives are applied, but the turn does not count as read (delete rows you did not
read; every other row is a turn the reviewer read).  Suggestions already reviewed
show their decision.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd

from qualcode.analysis.quotes import QUESTION, QuoteContext, question_before, quote
from qualcode.codebook import Codebook
from qualcode.core.roles import FACILITATOR
from qualcode.exchange.sheets.checks import CODING_SHEET, resolve_codebook
from qualcode.core.errors import SelectionError
from qualcode.core.files import atomic_output, table_format
from qualcode.core.pseudonyms import pseudonymize_speakers
from qualcode.store.codebooks import codebook_versions
from qualcode.store.frames import coding_decisions_frame, segments_frame
from qualcode.store.project import Project

SHEET_COLUMNS = ["document", "turn", "speaker", "participant", "role", "text"]
INSTRUCTIONS = [
    "One row per turn. Read the text, then write the code ids that apply in the 'codes' column,",
    "separated by ';' (pick one from the drop-down or type several). Leave 'codes' empty when no",
    "code applies: every row counts as a turn you read. Delete the rows you did not read.",
    "The 'codes' sheet lists every code with its definition.",
    "Import with: qualcode import-codings PROJECT THIS_FILE --coder YOUR_NAME",
]
#: Excel column widths (characters) of the coding sheet's columns.
COLUMN_WIDTHS = {"document": 24, "turn": 6, "speaker": 16, "participant": 11, "role": 11, "text": 70,
                 QUESTION: 40, "suggested": 26, "suggested_text": 60, "decision": 20, "codes": 26,
                 "suggested_by": 12}
REVIEW_INSTRUCTIONS = [
    "Review of machine suggestions: the 'suggested' column shows the tagger's codes for the turn.",
    "In 'decision' write accept or reject (all suggestions of the turn), or CODE:accept /",
    "CODE:reject for single ones, e.g. 'accept; tools:reject'. Add codes the tagger missed in",
    "'codes'. A row with an undecided suggestion and no codes counts as not reviewed yet.",
]


def _decision_cell(statuses: dict[str, str]) -> str:
    verdicts = {c: {"accepted": "accept", "rejected": "reject"}.get(s) for c, s in statuses.items()}
    values = set(verdicts.values())
    if values == {None}:
        return ""
    if len(values) == 1:
        return values.pop()
    return "; ".join(f"{c}:{v}" for c, v in verdicts.items() if v)


def _questions(segments: pd.DataFrame) -> dict[int, str]:
    """segment id -> the facilitator's question the turn answers (every turn of ``segments``,
    facilitators' included, in document and turn order)."""
    out: dict[int, str] = {}
    for _, turns in segments.groupby("document", sort=False):
        facilitator = [(int(t), text) for t, role, text in zip(turns["turn"], turns["role"], turns["text"])
                       if role == FACILITATOR]
        for segment_id, turn in zip(turns["segment_id"], turns["turn"]):
            out[int(segment_id)] = question_before(facilitator, int(turn))
    return out


def _suggested_text(segments: pd.DataFrame, codings: pd.DataFrame, context: QuoteContext) -> list[str]:
    """Per turn of ``segments``: each suggested code with what it was given to, as ``context``
    quotes it (``code: “...” | code: “...”``)."""
    hits: dict[int, dict[str, list[tuple[int, int]]]] = {}
    for row in codings.itertuples(index=False):
        hits.setdefault(int(row.segment_id), {}).setdefault(row.code, []).append((int(row.start), int(row.end)))
    cells = []
    for segment_id, start, text in zip(segments["segment_id"], segments["start"], segments["text"]):
        quoted = []
        for code, spans in hits.get(int(segment_id), {}).items():
            shifted = [(s - int(start), e - int(start)) for s, e in spans]
            quoted.append(f"{code}: \u201c{quote(text, (0, len(text)), shifted, context)[2]}\u201d")
        cells.append(" | ".join(quoted))
    return cells


def _add_suggestions(project: Project, sheet: pd.DataFrame, segments: pd.DataFrame, suggestions: str,
                     book, context: QuoteContext) -> None:
    """The columns ``suggested``, ``suggested_text`` (unless the turn context) and ``decision``
    of a review sheet: the tagger ``suggestions``' codes of each turn of ``segments``."""
    codings = coding_decisions_frame(project)  # no excerpts or evidence: not shown here
    codings = codings[(codings["coder"] == suggestions) & codings["segment_id"].notna()
                      & codings["codebook_id"].isin(codebook_versions(project, book.name))]
    if codings.empty:
        raise SelectionError(f"no codings by {suggestions!r} in codebook {book.label} to review "
                             f"(run qualcode code first)", project.path)
    if (codings["coder_kind"] != "machine").any():
        raise SelectionError(f"{suggestions!r} is a human coder; suggestions come from a tagger "
                             "such as rules", project.path)
    per_turn: dict[int, dict[str, str]] = {}
    for row in codings.itertuples(index=False):
        per_turn.setdefault(int(row.segment_id), {}).setdefault(row.code, row.status)
    seg_ids = segments["segment_id"].astype(int).tolist()
    sheet["suggested"] = ["; ".join(per_turn.get(s, {})) for s in seg_ids]
    if context.context != "turn":
        sheet["suggested_text"] = _suggested_text(segments, codings, context)
    sheet["decision"] = [_decision_cell(per_turn.get(s, {})) for s in seg_ids]


def coding_sheet_frame(project: Project, *, documents: list[str] | tuple[str, ...] = (),
                       codebook: Codebook | str | Path | None = None, suggestions: str | None = None,
                       include_facilitators: bool = False,
                       segment_ids: Iterable[int] | None = None,
                       real_names: bool = False,
                       context: QuoteContext | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(sheet, codes): the turns to code and the codebook's codes (code, name, theme, definition).

    The ``speaker`` column holds the participant id and role (``S01 (scholar)``) unless
    ``real_names``; either form imports back.  ``context``
    (:class:`~qualcode.analysis.quotes.QuoteContext`, default: whole turns): with
    ``with_question``, a ``facilitator_question`` column before ``text``; with suggestions and
    the ``sentence`` or ``coded`` context, a ``suggested_text`` column quoting, for each
    suggested code, what it was given to (``value.clarity: “...” | tools: “...”``).

    ``segment_ids`` limits the sheet to these turns (e.g. the ones a model is least sure
    of), in project order."""
    book = resolve_codebook(project, codebook)
    codebook_id, label = book.id, book.label
    segments = segments_frame(project, include_facilitators=True)
    if segments.empty:
        raise SelectionError("the project has no turns: ingest transcripts first", project.path)
    context = context or QuoteContext("turn")
    if context.context != "turn" and suggestions is None:
        raise SelectionError(f"the {context.context} context quotes suggestions: give the tagger whose "
                             "suggestions to show (--suggestions)", project.path)
    questions = _questions(segments) if context.with_question else None
    if not include_facilitators:
        segments = segments[segments["role"].fillna("") != FACILITATOR]
    if documents:
        unknown = [d for d in documents if d not in set(segments["document"])]
        if unknown:
            raise SelectionError(f"unknown document {unknown[0]!r}; documents: "
                                 f"{', '.join(dict.fromkeys(segments['document']))}", project.path)
        segments = segments[segments["document"].isin(documents)]
    if segment_ids is not None:
        segments = segments[segments["segment_id"].isin([int(i) for i in segment_ids])]
    if segments.empty:
        raise SelectionError("no participant turns to put on the sheet", project.path)
    sheet = segments[SHEET_COLUMNS].copy()
    sheet["role"] = sheet["role"].fillna("")
    sheet = pseudonymize_speakers(sheet, real_names)
    if questions is not None:
        sheet.insert(list(sheet.columns).index("text"), QUESTION,
                     [questions.get(int(s), "") for s in segments["segment_id"]])
    if suggestions is not None:
        _add_suggestions(project, sheet, segments, suggestions, book, context)
    sheet["codes"] = ""
    if suggestions is not None:
        sheet["suggested_by"] = suggestions
    codes = project.codes_frame(codebook_id)[["code", "name", "theme", "definition"]]
    sheet = sheet.reset_index(drop=True)
    sheet.attrs["codebook"] = label
    return sheet, codes.reset_index(drop=True)


def write_coding_sheet(sheet: pd.DataFrame, codes: pd.DataFrame, path: str | Path) -> Path:
    """CSV (UTF-8 with BOM) or XLSX: sheet 'coding' with drop-downs, sheet 'codes', 'instructions'."""
    suffix = table_format(path)
    with atomic_output(path) as tmp:
        if suffix == ".csv":
            sheet.to_csv(tmp, index=False, encoding="utf-8-sig")
        else:
            _write_xlsx(sheet, codes, tmp)
    return Path(path)


def _write_xlsx(sheet: pd.DataFrame, codes: pd.DataFrame, path: Path) -> None:
    """The workbook, written by openpyxl in its write-only mode: each row goes to the file as
    it is added, so memory does not hold the sheet's cells."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook(write_only=True)
    columns = list(sheet.columns)
    ws = _wrapped_sheet(book, CODING_SHEET, columns, [COLUMN_WIDTHS.get(name, 14) for name in columns],
                        ([v.item() if hasattr(v, "item") else v for v in values]
                         for values in sheet.itertuples(index=False)))
    last = len(sheet) + 1
    codes_col = get_column_letter(columns.index("codes") + 1)
    pick = DataValidation(type="list", formula1=f"=codes!$A$2:$A${max(len(codes), 1) + 1}",
                          allow_blank=True, showErrorMessage=False, showInputMessage=True,
                          promptTitle="Codes", prompt="Pick a code, or type several ids separated by ;")
    pick.add(f"{codes_col}2:{codes_col}{last}")
    ws.data_validations.append(pick)
    if "decision" in columns:
        dec_col = get_column_letter(columns.index("decision") + 1)
        decide = DataValidation(type="list", formula1='"accept,reject"', allow_blank=True,
                                showErrorMessage=False, showInputMessage=True, promptTitle="Decision",
                                prompt="accept or reject every suggestion, or CODE:accept / CODE:reject")
        decide.add(f"{dec_col}2:{dec_col}{last}")
        ws.data_validations.append(decide)

    _wrapped_sheet(book, "codes", ["code", "name", "theme", "definition"], [24, 32, 20, 90],
                   ([v if isinstance(v, str) else "" for v in values] for values in codes.itertuples(index=False)))

    notes = book.create_sheet("instructions")
    notes.column_dimensions["A"].width = 100
    lines = INSTRUCTIONS + ([""] + REVIEW_INSTRUCTIONS if "decision" in columns else [])
    if sheet.attrs.get("codebook"):
        lines = [f"Codebook: {sheet.attrs['codebook']}", ""] + lines
    for line in lines:
        notes.append([line])
    book.save(path)


def _wrapped_sheet(book, title: str, columns: list[str], widths: list[float], rows: Iterable[list]):
    """A write-only sheet of ``rows`` under a bold, frozen header, every cell wrapped at the top."""
    from openpyxl.cell import Cell, WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(title)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    header = [WriteOnlyCell(ws, value=name) for name in columns]
    for made in header:
        made.font = Font(bold=True)
    ws.append(header)
    model = WriteOnlyCell(ws)
    model.alignment = Alignment(wrap_text=True, vertical="top")   # the style is looked up once, here
    for values in rows:
        ws.append([Cell(ws, row=1, column=1, value=value, style_array=model._style) for value in values])
    return ws
