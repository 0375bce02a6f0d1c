"""The quote table as a Word document: quotes grouped by theme (heading) and code (heading
with the code's id and count), one table per code.

Any number of quotes: the tables' cells wait in a temporary SQLite file while the quotes
stream by (a code's table needs all its quotes for its count and its column widths, and
the quotes may come in any order), then python-docx writes the document's frame (styles,
page, title, note) and the tables stream into it as WordprocessingML
(:mod:`qualcode.export.wordml`): memory holds one quote.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Mapping

import pandas as pd

from qualcode.analysis.excerpts import ExcerptRows, position_label
from qualcode.analysis.quotes import QUESTION
from qualcode.core.files import table_format
from qualcode.export import wordml
from qualcode.export.word import GREY, TABLE_STYLE, TextMeasure, add_note, fit_natural, new_document, usable_width

HEADER = ("Quote", "Speaker", "Group", "Position")
#: The widest the speaker, group and position columns get (inches): on one line if they fit.
ONE_LINE = 1.6
#: Quotes written to the temporary file at a time.
_BATCH = 1000


def group_label(row, attributes: list[str]) -> str:
    """The focus group a quote comes from: its ``group`` attribute, else the document; plus site."""
    group = row.get("group") if "group" in attributes else None
    label = str(group) if isinstance(group, str) and group else str(row["document"])
    site = row.get("site") if "site" in attributes else None
    if isinstance(site, str) and site and site.casefold() not in label.casefold():
        label += f", {site}"
    return label


def _asked(quote) -> str:
    """The facilitator's question (a quote table's ``facilitator_question``) on a line of its
    own above the quote, or nothing."""
    asked = quote.get(QUESTION)
    return f"Q: {asked}\n" if isinstance(asked, str) and asked else ""


def quote_cells(quote: Mapping, attributes: list[str]) -> tuple[str, str, str, str]:
    """One quote's row of its code's table: the quote (below the question it answers, if
    the table has them), speaker, group and position."""
    speaker = quote["speaker"]
    return (_asked(quote) + f"\u201c{quote['text'].strip()}\u201d", "" if speaker is None else str(speaker),
            group_label(quote, attributes), position_label(quote))


@dataclass
class CodeTable:
    """One code's table: where its quotes are kept, its names, how many, its columns' measure."""

    index: int
    theme: str
    theme_name: str
    code: str
    code_name: str
    quotes: int = 0
    measure: TextMeasure = field(default_factory=lambda: _measured(HEADER))


def _measured(header) -> TextMeasure:
    measure = TextMeasure(len(header))
    measure.add(header)
    return measure


class QuoteTables:
    """The tables of a quote document, gathered from quote table rows in any order: themes
    in the order they first come, within a theme its codes in the order they first come,
    each code's quotes in the order they come (as ``groupby(sort=False)`` orders them).
    The cells are kept in a temporary SQLite file (deleted on :meth:`close`)."""

    def __init__(self, attributes: list[str]):
        self.attributes = attributes
        self.codes: dict[tuple, CodeTable] = {}
        self.themes: dict[str, int] = {}
        self.quotes = 0
        self._pending: list[tuple] = []
        self._db = sqlite3.connect("")   # a private temporary file
        self._db.execute("CREATE TABLE cells (code INTEGER, seq INTEGER, quote TEXT, speaker TEXT, "
                         "grp TEXT, position TEXT, PRIMARY KEY (code, seq)) WITHOUT ROWID")

    def add(self, quote: Mapping) -> None:
        """Add one row of the quote table (a mapping of its columns)."""
        key = (quote["theme"], quote["code"])
        table = self.codes.get(key)
        if table is None:
            table = self.codes[key] = CodeTable(len(self.codes), str(key[0]), str(quote["theme_name"]),
                                                str(key[1]), str(quote["code_name"]))
            self.themes.setdefault(table.theme, len(self.themes))
        cells = quote_cells(quote, self.attributes)
        table.measure.add(cells)
        table.quotes += 1
        self.quotes += 1
        self._pending.append((table.index, table.quotes, *cells))
        if len(self._pending) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        self._db.executemany("INSERT INTO cells VALUES (?, ?, ?, ?, ?, ?)", self._pending)
        self._pending = []

    def tables(self) -> Iterator[tuple[CodeTable, Iterable[tuple]]]:
        """Each code's table and its rows (read as they are asked for), in document order."""
        self._flush()
        for table in sorted(self.codes.values(), key=lambda t: self.themes[t.theme]):
            yield table, self._db.execute("SELECT quote, speaker, grp, position FROM cells WHERE code = ? "
                                          "ORDER BY seq", (table.index,))

    def close(self) -> None:
        self._db.close()


def quote_sections(tables: QuoteTables, doc, *, theme_level: int = 1, code_level: int = 2) -> Iterator[str]:
    """The headings and quote tables of every theme and code, as WordprocessingML for ``doc``
    (its styles and page width)."""
    width = usable_width(doc)
    theme_style, code_style = (doc.styles[f"Heading {level}"].style_id for level in (theme_level, code_level))
    table_style = doc.styles[TABLE_STYLE].style_id
    theme = None
    for table, rows in tables.tables():
        if table.theme != theme:
            theme = table.theme
            yield wordml.paragraph([wordml.run(table.theme_name)] if table.theme_name else [], style_id=theme_style)
        count = f"{table.quotes} quote{'s' if table.quotes != 1 else ''}"
        yield wordml.paragraph([
            wordml.run(table.code_name if table.code != table.theme else f"{table.code_name} (general)"),
            wordml.run(f"   {table.code} \u00b7 {count}", size=9, color=GREY, bold=False)], style_id=code_style)
        narrow, wide = table.measure.widths()
        widths = fit_natural(narrow, wide, width, {i: min(w, ONE_LINE) for i, w in enumerate(wide) if i})
        yield from wordml.table(HEADER, rows, widths, style_id=table_style)
        yield wordml.EMPTY_PARAGRAPH


def add_quote_sections(doc, frame: pd.DataFrame, attributes: list[str], theme_level: int = 1,
                       code_level: int = 2) -> None:
    """Add the headings and quote tables of every theme and code present in ``frame`` to ``doc``."""
    with closing(QuoteTables(attributes)) as tables:
        for quote in frame.to_dict("records"):
            tables.add(quote)
        wordml.insert(doc, quote_sections(tables, doc, theme_level=theme_level, code_level=code_level))


def write_excerpts_docx(excerpts: pd.DataFrame | ExcerptRows, path: str | Path, *,
                        title: str = "Coded excerpts", note: str | None = None) -> Path:
    """The quote table (a frame, or the stream of :func:`~qualcode.analysis.excerpts.iter_excerpts`)
    as a Word document: title, a note (how many quotes, what a quote shows, ``note``, how
    speakers are shown), then quotes by theme and code, one table per code."""
    table_format(path, (".docx",))
    if isinstance(excerpts, ExcerptRows):
        attributes, context = excerpts.attributes, excerpts.context.describe()
        quotes = (dict(zip(excerpts.columns, row)) for row in excerpts.rows)
        pseudonymous = not excerpts.real_names
    else:
        attributes, context = excerpts.attrs.get("attributes", []), excerpts.attrs.get("context")
        quotes = excerpts.to_dict("records")
        pseudonymous = not excerpts.attrs["real_names"] if "real_names" in excerpts.attrs else \
            bool(excerpts["speaker"].str.fullmatch(r".+ \(.+\)").all()) if len(excerpts) else True
    with closing(QuoteTables(attributes)) as tables:
        for quote in quotes:
            tables.add(quote)
        doc = new_document()
        doc.add_heading(title, level=0)
        lines = [f"{tables.quotes} quotes" + (f" ({context})." if context else ".")]
        if note:
            lines.append(note)
        if pseudonymous:
            lines.append("Speakers are shown by participant id and role; names spoken inside quotes are "
                         "not removed.")
        add_note(doc, " ".join(lines))
        return wordml.save_streamed(doc, quote_sections(tables, doc), path)
