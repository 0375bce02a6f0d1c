"""Training data for the ML tagger from a project: one coder's turns and codes.

    >>> from qualcode.store.project import open_project
    >>> from qualcode.tagging.ml.training import training_data
    >>> with open_project("study.qcproj") as project:
    ...     data = training_data(project, coder="gold")
    >>> data.texts[:2], data.labels.head()

Which turns: the turns the coder *covered* with the codebook (the project's
``coverage`` table: coded or deliberately left uncoded), plus any turn the coder
coded.  A project without coverage for that coder (codings made before schema 2,
or by a tool that did not record it) falls back to every participant turn of
the documents the coder has codings in; ``source`` says which was used, and the
CLI prints it.  Facilitator turns are left out unless asked for.

Which labels: the coder's codings that are not rejected, at code level (the
whole turn carries the code, wherever in the turn it was coded), and **parents
implied by children**: a turn coded ``independence.credit`` is also an
``independence`` turn.  So a parent code's model learns "the theme is present",
which is what a researcher counting themes means, and the closure is applied to
the model's predictions too (see :mod:`qualcode.tagging.combine`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from qualcode.core.errors import SelectionError
from qualcode.core.roles import FACILITATOR
from qualcode.store.codebooks import StoredCodebook, load_stored_codebook, matching_ids, stored_codebooks
from qualcode.store.project import Project
from qualcode.tagging.hierarchy import close_upward
from qualcode.store.frames import coding_decisions_frame, coverage_frame, segments_frame

TURN_COLUMNS = ["segment_id", "document", "turn", "speaker", "participant", "role", "text"]


@dataclass(frozen=True)
class CodebookRef(StoredCodebook):
    """A codebook as the project stores it, with its codes (codebook order) and their parents."""

    codes: list[str] = field(default_factory=list)
    parents: dict[str, str | None] = field(default_factory=dict)


@dataclass
class TrainingData:
    coder: str
    codebook: CodebookRef
    turns: pd.DataFrame   # TURN_COLUMNS, one row per covered turn, in document order
    labels: pd.DataFrame  # index segment_id, one 0/1 column per code (codebook order)
    source: str           # "coverage" or "documents"
    notes: list[str] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return self.turns["text"].tolist()

    @property
    def Y(self) -> pd.DataFrame:
        """Labels indexed 0..n-1 (rows in the order of ``texts``), columns the code ids."""
        return self.labels.reset_index(drop=True)

    @property
    def counts(self) -> dict[str, int]:
        return {code: int(n) for code, n in self.labels.sum(axis=0).items()}

    @property
    def turn_keys(self) -> list[str]:
        """Each training turn's :func:`turn_key`, in the order of ``texts``."""
        return [turn_key(row.document, row.turn, row.text) for row in self.turns.itertuples(index=False)]

    @property
    def data_hash(self) -> str:
        """sha256 over (document, turn, text, codes) of every training turn, order-independent."""
        lines = []
        for row, codes in zip(self.turns.itertuples(index=False), self.labels.to_numpy()):
            coded = ";".join(c for c, v in zip(self.labels.columns, codes) if v)
            lines.append(f"{row.document}\t{row.turn}\t{hashlib.sha256(row.text.encode()).hexdigest()}\t{coded}")
        return hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()


def turn_key(document: str, turn: int, text: str) -> str:
    """A turn's identity across projects and runs: a short sha256 of its document's name, its
    number in the document and its text (a model file lists the keys of the turns it learned)."""
    return hashlib.sha256(f"{document}\t{int(turn)}\t{text}".encode("utf-8")).hexdigest()[:16]


def codebook_ref(project: Project, book: StoredCodebook) -> CodebookRef:
    """A stored codebook with its codes (in codebook order) and their parents."""
    codes = project.codes_frame(book.id)
    parents = {c: (p if isinstance(p, str) and p else None) for c, p in zip(codes["code"], codes["parent"])}
    return CodebookRef(book.id, book.name, book.version, book.hash, book.source, codes["code"].tolist(), parents)


def coder_codebook(project: Project, coder: str, codebook: str | None = None) -> CodebookRef:
    """The codebook the coder worked with (``codebook``: a name, or 'name version')."""
    coverage = coverage_frame(project)
    codings = coding_decisions_frame(project)
    ids = set(coverage.loc[coverage["coder"] == coder, "codebook_id"].dropna().astype(int))
    ids |= set(codings.loc[codings["coder"] == coder, "codebook_id"].dropna().astype(int))
    if not ids:
        coders = sorted(set(coverage["coder"]) | set(codings["coder"]))
        raise SelectionError(f"coder {coder!r} has no codings or covered turns in the project; coders: "
                             f"{', '.join(coders) if coders else 'none'}", project.path)
    books = [b for b in stored_codebooks(project) if b.id in ids]
    if codebook is not None:
        chosen = set(matching_ids(((b.id, b.name, b.version) for b in books), codebook))
        books = [b for b in books if b.id in chosen]
        if not books:
            raise SelectionError(f"coder {coder!r} has no codings with codebook {codebook!r}", project.path)
    names = sorted({b.name for b in books})
    if len(names) > 1:
        raise SelectionError(f"coder {coder!r} coded with {len(names)} codebooks ({', '.join(names)}); "
                             "choose one with --codebook NAME", project.path)
    return codebook_ref(project, books[-1])


def training_data(project: Project, coder: str, codebook: str | None = None, *,
                  include_facilitators: bool = False) -> TrainingData:
    """The turns ``coder`` covered and their code-level labels (parents implied by children)."""
    book = coder_codebook(project, coder, codebook)
    segments = segments_frame(project, include_facilitators=True)
    notes: list[str] = []

    codings = coding_decisions_frame(project)
    mine = codings[(codings["coder"] == coder) & (codings["codebook_id"] == book.id)].copy()
    mine = _attach_segments(mine, segments)
    unknown = sorted(set(mine["code"]) - set(book.codes))
    if unknown:
        notes.append(f"ignored codings with codes not in {book.label}: {', '.join(unknown)}")
    coverage = coverage_frame(project)
    covered = set(coverage.loc[(coverage["coder"] == coder) & (coverage["codebook_id"] == book.id),
                               "segment_id"].astype(int))
    if covered:
        source = "coverage"
        covered |= set(mine["segment_id"].dropna().astype(int))
        turns = segments[segments["segment_id"].isin(covered)]
    else:
        source = "documents"
        documents = set(mine["document"])
        turns = segments[segments["document"].isin(documents)]
        notes.append(f"no coverage recorded for {coder!r}: used every turn of the {len(documents)} "
                     "document(s) the coder has codings in")
    if not include_facilitators:
        turns = turns[turns["role"].fillna("") != FACILITATOR]
    turns = turns[TURN_COLUMNS].reset_index(drop=True)
    if turns.empty:
        raise SelectionError(f"coder {coder!r} covered no participant turns with {book.label}", project.path)

    kept = mine[(mine["status"] != "rejected") & mine["code"].isin(book.codes)
                & mine["segment_id"].isin(turns["segment_id"])]
    row_of = {int(s): i for i, s in enumerate(turns["segment_id"])}
    col_of = {c: j for j, c in enumerate(book.codes)}
    Y = np.zeros((len(turns), len(book.codes)), dtype=int)
    for seg, code in zip(kept["segment_id"].astype(int), kept["code"]):
        Y[row_of[seg], col_of[code]] = 1
    Y = close_upward(Y, book.codes, book.parents)
    labels = pd.DataFrame(Y, columns=book.codes, index=pd.Index(turns["segment_id"].astype(int),
                                                                   name="segment_id"))
    return TrainingData(coder, book, turns, labels, source, notes)


def _attach_segments(codings: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Give codings without a segment the turn their start falls in (same document)."""
    missing = codings["segment_id"].isna()
    if not missing.any():
        return codings
    for i in codings.index[missing]:
        doc, start = codings.at[i, "document"], codings.at[i, "start"]
        hit = segments[(segments["document"] == doc) & (segments["start"] <= start) & (segments["end"] > start)]
        if not hit.empty:
            codings.at[i, "segment_id"] = int(hit["segment_id"].iloc[0])
    return codings


def stored_codebook(project: Project, book: CodebookRef):
    """The full :class:`~qualcode.codebook.Codebook` (with rules) from the YAML the project keeps."""
    codebook = load_stored_codebook(project, book)
    if codebook is None:
        raise SelectionError(f"the project does not keep the YAML of codebook {book.label}, which the "
                             "rules need; code the project once with the codebook file", project.path)
    return codebook
