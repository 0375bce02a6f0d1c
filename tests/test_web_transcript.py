"""How the transcript page cuts a turn's text and words a coding's evidence (pure functions
of qualcode.web.transcript)."""

from __future__ import annotations

from qualcode.web.transcript import Chip, Code, cut_pieces, evidence_lines


def chip(id_, start, end, status="suggested", colour="t1"):
    return Chip(id_, Code("c", "C", "c", None, 0, colour), status, "suggestion", "rules", [], start, end)


def test_pieces_are_cut_at_every_coding_and_hit_edge_and_name_what_covers_them():
    text = "xxWe set clear goals early.yy"
    a, b = chip(7, 2, 16), chip(9, 9, 27, status="accepted", colour="t2")
    pieces = cut_pieces(text, 2, 27, [(a, [(5, 8)]), (b, [])])
    assert [(p.at, p.text, p.ids, p.hits, p.css) for p in pieces] == [
        (2, "We ", "7", "", "hl t1 sug"),
        (5, "set", "7", "7", "hl t1 sug"),
        (8, " ", "7", "", "hl t1 sug"),
        (9, "clear g", "7 9", "", "hl t1 acc multi"),
        (16, "oals early.", "9", "", "hl t2 acc")]
    assert "".join(p.text for p in pieces) == text[2:27]


def test_a_rejected_coding_is_named_but_not_drawn():
    pieces = cut_pieces("abcdef", 0, 6, [(chip(1, 0, 3, status="rejected"), [])])
    assert [(p.text, p.ids, p.css) for p in pieces] == [("abc", "1", ""), ("def", "", "")]


def test_evidence_in_words():
    rules = {"scope": "sentence", "hits": [{"rule": "tools/phrases/2", "matched": "a contract", "start": 1, "end": 9}]}
    assert evidence_lines("rules", "machine", None, rules) == [
        "suggested by rules", "rule tools/phrases/2 matched \u201ca contract\u201d", "scope: sentence"]
    model = {"sources": ["ml"], "probability": 0.6234, "threshold": 0.41, "scope": "turn"}
    assert evidence_lines("ml-alice", "machine", 0.6234, model) == [
        "suggested by ml-alice (ml)", "model probability 0.62 (threshold 0.41)", "scope: turn"]
    llm = {"sources": ["llm"], "model": "llama3.1:8b", "quote": "we signed", "rationale": "Names a contract."}
    assert evidence_lines("llm", "machine", None, llm) == [
        "suggested by llm (llm)", "model llama3.1:8b", "Names a contract."]
    assert evidence_lines("alice", "human", None, {"source": "workbench", "accepted": 4, "suggested_by": "rules"}) == [
        "alice's coding, accepting rules's suggestion"]
    assert evidence_lines("bob", "human", None, {"file": "sheet.xlsx", "row": 7}) == [
        "bob's coding, imported from sheet.xlsx row 7"]
