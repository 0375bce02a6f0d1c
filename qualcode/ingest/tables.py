"""Transcripts as tables: CSV, TSV, Excel (.xlsx) -- and tables inside Word files.

One row per turn.  Columns are found by header name, case-insensitively, with
``_``/``-`` read as spaces:

* speaker: ``speaker``, ``speaker name``, ``name``, ``participant``, ``who``, ``person``, ``respondent``
* text: ``text``, ``utterance``, ``transcript``, ``content``, ``said``, ``speech``, ``dialogue``, ``comment``
* start time (optional): ``start``, ``start time``, ``time``, ``timestamp``, ``begin``, ``time start``
* end time (optional): ``end``, ``end time``, ``stop``, ``time end``

``speaker_column``/``text_column`` name the columns explicitly.  A missing
column is an :class:`~qualcode.core.errors.InputError` listing the columns found.
Rows whose text is empty are skipped; ``Turn.line`` is the row number in the
file (the header row is 1).  Times may be ``HH:MM:SS``/``MM:SS`` text, numbers
of seconds, or Excel time values.  Reading the file (encodings, the delimiter, the
zip-bomb guard, errors) is :mod:`qualcode.core.tables`, the reader of every table.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from qualcode.core.errors import InputError
from qualcode.core.tables import is_blank, parse_delimited, read_xlsx_records
from qualcode.ingest.labels import parse_timestamp
from qualcode.core.models import Turn

SPEAKER_COLUMNS = ("speaker", "speaker name", "name", "participant", "who", "person", "respondent",
                   "speaker label")
TEXT_COLUMNS = ("text", "utterance", "transcript", "content", "said", "speech", "dialogue", "comment",
                "message", "turn")
START_COLUMNS = ("start", "start time", "time", "timestamp", "begin", "time start", "start timestamp")
END_COLUMNS = ("end", "end time", "stop", "time end", "end timestamp")


def _norm(name) -> str:
    return " ".join(str(name if name is not None else "").replace("_", " ").replace("-", " ").split()).casefold()


def _find(header: list[str], wanted: tuple[str, ...]) -> int | None:
    normalized = [_norm(h) for h in header]
    for name in wanted:
        if _norm(name) in normalized:
            return normalized.index(_norm(name))
    return None


def find_columns(header: list, path, speaker_column: str | None = None,
                 text_column: str | None = None, *, required: bool = True):
    """``(speaker, text, start, end)`` column indexes (start/end may be None).

    With ``required=False`` returns ``None`` instead of raising when the
    speaker or text column is missing (used to probe Word tables).
    """
    header = [str(h).strip() if h is not None else "" for h in header]
    speaker = _find(header, (speaker_column,) if speaker_column else SPEAKER_COLUMNS)
    text = _find(header, (text_column,) if text_column else TEXT_COLUMNS)
    if speaker is None or text is None:
        if not required:
            return None
        missing = []
        if speaker is None:
            missing.append(f"speaker column {speaker_column!r}" if speaker_column else
                           "a speaker column (speaker, name, participant, who)")
        if text is None:
            missing.append(f"text column {text_column!r}" if text_column else
                           "a text column (text, utterance, transcript, content, said)")
        found = ", ".join(repr(h) for h in header if h) or "none"
        raise InputError(f"missing {' and '.join(missing)}; columns found: {found}", path, 1)
    start = _find(header, START_COLUMNS)
    end = _find(header, END_COLUMNS)
    if start in (speaker, text):
        start = None
    return speaker, text, start, end


def _time(value) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, dt.time):
        return value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    text = str(value).strip()
    seconds = parse_timestamp(text)
    if seconds is None:
        try:
            return float(text)
        except ValueError:
            return None
    return seconds


def _cell(row: list, index: int | None):
    if index is None or index >= len(row):
        return None
    return row[index]


def rows_to_turns(rows: list[tuple[int, list]], path, speaker_column=None, text_column=None,
                  *, required: bool = True) -> list[Turn] | None:
    """Header row first; ``rows`` are ``(row number, cells)``."""
    if not rows:
        raise InputError("empty table: expected a header row", path)
    columns = find_columns(rows[0][1], path, speaker_column, text_column, required=required)
    if columns is None:
        return None
    speaker, text, start, end = columns
    turns = []
    for number, row in rows[1:]:
        value = _cell(row, text)
        value = "" if value is None else str(value)
        if not value.strip():
            continue
        who = _cell(row, speaker)
        turns.append(Turn("" if who is None else str(who), value.replace("\r\n", "\n"),
                          _time(_cell(row, start)), _time(_cell(row, end)), number))
    return turns


def read_delimited(text: str, path, delimiter: str | None, speaker_column=None, text_column=None):
    """Turns from a CSV/TSV transcript's text (``delimiter`` None: sniffed, see
    :mod:`qualcode.core.tables`)."""
    return rows_to_turns(_header_and_rows(parse_delimited(text, path, delimiter)), path, speaker_column,
                         text_column)


def read_xlsx(path: Path, speaker_column=None, text_column=None, sheet: str | int | None = None):
    """Turns from a sheet of an .xlsx transcript (``sheet``: a name or 0-based number; the first)."""
    return rows_to_turns(_header_and_rows(read_xlsx_records(path, sheet)), path, speaker_column, text_column)


def _header_and_rows(records: list[tuple[int, list]]) -> list[tuple[int, list]]:
    """The first record (the header, even if blank) and every non-blank one after it."""
    return [(n, r) for n, r in records if n == 1 or not is_blank(r)]
