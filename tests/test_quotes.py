"""Quotes in context: whole sentences, one quote per code and turn, sentences around a hit,
whole turns, the facilitator's question; in the quote table, the report and the coding sheet."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from qualcode.analysis import excerpts_table
from qualcode.analysis.quotes import GAP, QuoteContext, question_before, quote
from qualcode.cli import cli
from qualcode.core.errors import ParameterError, SelectionError
from qualcode.core.sentences import sentence_spans
from qualcode.exchange.sheets import coding_sheet_frame
from qualcode.store.project import open_project
from qualcode.workflows.ingest import ingest

TRANSCRIPT = """Moderator: Welcome. What did you expect from your mentor?
P1: We set goals early. That built trust. Then we forgot. And authorship. Credit matters.
P2: Honestly, not much.
Moderator: Thank you. And how did it go later?
P1: Dr. Lee helped. We wrote it down!
"""
# (turn, coded words, code)
HITS = [(1, "We set goals early.", "goals"), (1, "Credit matters.", "goals"), (1, "built trust", "trust"),
        (4, "Dr. Lee helped.", "goals")]


@pytest.fixture
def project_path(tmp_path, write):
    path = tmp_path / "q.qcproj"
    with open_project(path, create=True) as project:
        ingest(project, [write("group.txt", TRANSCRIPT)], attributes={"role": "scholar"})
        turns = {t["turn"]: t for t in project.document_turns(1)}
        text = project.document_text(1)
        with project.transaction():
            book = project.add_codebook("Book", "1", "h", None, None,
                                        [("goals", None, "goals", "Goals", ""), ("trust", None, "trust", "Trust", "")])
            rows = []
            for turn, words, code in HITS:
                start = text.index(words, turns[turn]["start"])
                rows.append({"document_id": 1, "segment_id": turns[turn]["segment_id"], "codebook_id": book,
                             "code": code, "start": start, "end": start + len(words), "coder": "rules",
                             "coder_kind": "machine"})
            project.add_codings(rows)
    return path


def quotes(path, **options):
    with open_project(path) as project:
        table = excerpts_table(project, **options)
    return table[[c for c in ("code", "turn", "facilitator_question", "text") if c in table.columns]] \
        .values.tolist()


def test_sentences_of_a_turn():
    text = 'Dr. Lee agreed. J. Pike said "no." We wrote it down!\nThen nothing, e.g. none'
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Dr. Lee agreed.", 'J. Pike said "no."', "We wrote it down!", "Then nothing, e.g. none"]
    assert sentence_spans("   ") == [] and sentence_spans("No. So.") == [(0, 3), (4, 7)]


def test_a_codes_hits_in_one_turn_are_one_quote_of_whole_sentences(project_path):
    assert quotes(project_path) == [
        ["goals", 1, "We set goals early." + GAP + "Credit matters."],
        ["goals", 4, "Dr. Lee helped."],
        ["trust", 1, "That built trust."]]


def test_sentences_around_turns_and_coded_spans(project_path):
    assert quotes(project_path, context=QuoteContext(sentences=1)) == [
        ["goals", 1, "We set goals early. That built trust. [\u2026] And authorship. Credit matters."],
        ["goals", 4, "Dr. Lee helped. We wrote it down!"],
        ["trust", 1, "We set goals early. That built trust. Then we forgot."]]
    turn = "We set goals early. That built trust. Then we forgot. And authorship. Credit matters."
    assert quotes(project_path, context=QuoteContext("turn")) == [
        ["goals", 1, turn], ["goals", 4, "Dr. Lee helped. We wrote it down!"], ["trust", 1, turn]]
    assert quotes(project_path, context=QuoteContext("coded")) == [
        ["goals", 1, "We set goals early."], ["goals", 1, "Credit matters."], ["goals", 4, "Dr. Lee helped."],
        ["trust", 1, "built trust"]]


def test_the_facilitators_question_comes_with_the_quote(project_path):
    assert quotes(project_path, context=QuoteContext(with_question=True), sort="document") == [
        ["goals", 1, "What did you expect from your mentor?", "We set goals early." + GAP + "Credit matters."],
        ["trust", 1, "What did you expect from your mentor?", "That built trust."],
        ["goals", 4, "And how did it go later?", "Dr. Lee helped."]]
    assert question_before([(0, "Hello. Who starts?"), (3, "Thanks.")], 5) == "Who starts?"
    assert question_before([(2, "Who starts?")], 1) == ""


def test_a_quote_span_and_the_wrong_contexts():
    text = "A: One. Two. Three."
    assert quote(text, (3, len(text)), [(8, 11)], QuoteContext()) == (8, 12, "Two.")
    for options, message in ((("line",), "unknown context 'line'; use sentence, turn, coded"),
                             (("sentence", 11), "sentences around a quote must be 0 to 10, not 11"),
                             (("turn", 1), "sentences around a quote go with the sentence context")):
        with pytest.raises(ParameterError, match=message):
            QuoteContext(*options)


def test_export_excerpts_takes_the_context_options(project_path, tmp_path):
    out = tmp_path / "q.csv"
    result = CliRunner().invoke(cli, ["export", "excerpts", str(project_path), "-o", str(out), "--sentences", "1",
                                      "--with-question", "--sort", "document"])
    assert result.exit_code == 0, result.output
    header = out.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header[-5:] == ["time", "facilitator_question", "text", "coder", "status"]
    bad = CliRunner().invoke(cli, ["export", "excerpts", str(project_path), "-o", str(out), "--context", "turn",
                                   "--sentences", "2"])
    assert bad.exit_code == 2 and "--sentences goes with --context sentence, not --context turn" in bad.output


def test_the_coding_sheet_quotes_suggestions_and_questions(project_path):
    with open_project(project_path) as project:
        sheet, _ = coding_sheet_frame(project, suggestions="rules",
                                      context=QuoteContext(with_question=True))
        plain, _ = coding_sheet_frame(project, suggestions="rules")
        with pytest.raises(SelectionError, match="the sentence context quotes suggestions: give the tagger"):
            coding_sheet_frame(project, context=QuoteContext())
    assert sheet.columns.tolist() == ["document", "turn", "speaker", "participant", "role", "facilitator_question",
                                      "text", "suggested", "suggested_text", "decision", "codes", "suggested_by"]
    assert sheet[["turn", "facilitator_question", "suggested_text"]].values.tolist() == [
        [1, "What did you expect from your mentor?",
         "goals: \u201cWe set goals early." + GAP + "Credit matters.\u201d | trust: \u201cThat built trust.\u201d"],
        [2, "What did you expect from your mentor?", ""],
        [4, "And how did it go later?", "goals: \u201cDr. Lee helped.\u201d"]]
    assert "suggested_text" not in plain.columns and "facilitator_question" not in plain.columns
