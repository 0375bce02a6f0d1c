"""The LLM measured against a person, and combined with the rules by a policy chosen on that
person's coding: evaluate --tagger llm, agreement with coder llm, code --tagger rules,llm."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from fake_llm import FakeLLM, Reply, answer, turn_of
from qualcode.cli import cli
from qualcode.store.frames import codings_frame
from qualcode.store.project import open_project

CODEBOOK = """\
name: Tools book
version: "1"
description: Formal tools in mentoring.
codes:
  - id: tools
    name: Formal tools
    definition: Contracts, agreements and other formal tools.
    rules:
      phrases: [contract]
  - id: credit
    name: Credit
    definition: Authorship and credit.
    rules:
      phrases: [first author]
"""
# 12 participant turns: 6 about formal tools (3 say "contract", 3 "agreement"), 3 about credit
TURNS = [
    ("Ana", "We signed a contract in week one."), ("Ben", "The agreement listed our meetings."),
    ("Ana", "I liked the weather."), ("Ben", "Our contract said who reviews drafts."),
    ("Ana", "A written agreement saved us."), ("Ben", "Nothing to add."),
    ("Ana", "The contract was too long."), ("Ben", "We never looked at the agreement again."),
    ("Ana", "I was first author on the paper."), ("Ben", "Credit went to the lab head, not me."),
    ("Ana", "Authorship was discussed late."), ("Ben", "Lunch was good."),
]
GOLD = {0: "tools", 1: "tools", 3: "tools", 4: "tools", 6: "tools", 7: "tools", 8: "credit", 9: "credit",
        10: "credit"}


def llm_replies() -> dict[str, list[Reply]]:
    """The LLM finds every tools turn (the rules only the three saying 'contract') and no credit."""
    replies = {}
    for text in (t for _, t in TURNS):
        for word in ("contract", "agreement"):
            if word in text:
                replies[text] = [answer(("tools", word, "A formal tool."))]
    return replies


@pytest.fixture
def study(tmp_path):
    lines = ["Moderator: Tell me about formal tools."] + [f"{who}: {text}" for who, text in TURNS]
    (tmp_path / "group.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "book.yaml").write_text(CODEBOOK, encoding="utf-8")
    sheet = ["document,turn,codes"] + [f"group.txt,{i + 1},{GOLD.get(i, '')}" for i in range(len(TURNS))]
    (tmp_path / "gold.csv").write_text("\n".join(sheet) + "\n", encoding="utf-8")
    project = tmp_path / "study.qcproj"
    for args in (["ingest", project, tmp_path / "group.txt", "--attr", "role=scholar"],
                 ["code", project, "--codebook", tmp_path / "book.yaml"],
                 ["import-codings", project, tmp_path / "gold.csv", "--coder", "gold"]):
        result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return tmp_path


def qualcode(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_evaluate_scores_the_llm_on_the_coders_turns_without_training(study):
    with FakeLLM(llm_replies()) as server:
        out = qualcode("evaluate", study / "study.qcproj", "--coder", "gold", "--folds", "2", "--no-curve",
                       "--tagger", "llm", "--tagger", "rules", "--llm-url", server.url, "--llm-model", "m",
                       "-o", study / "scores.csv")
    assert len(server.requests) == 12  # each of gold's turns once
    assert "12 turns sent, 0 from the project's cache; 6 codings kept" in out
    import pandas as pd
    scores = pd.read_csv(study / "scores.csv", encoding="utf-8-sig")
    rows = {(r.tagger, r.code): (r.tp, r.fp, r.fn) for r in scores.itertuples()}
    assert rows[("llm", "tools")] == (6, 0, 0) and rows[("llm", "credit")] == (0, 0, 3)
    assert rows[("rules", "tools")] == (3, 0, 3) and rows[("rules", "credit")] == (1, 0, 2)


def test_agreement_accepts_the_llm_coder(study):
    with FakeLLM(llm_replies()) as server:
        qualcode("code", study / "study.qcproj", "--codebook", study / "book.yaml", "--tagger", "llm",
                 "--llm-url", server.url, "--llm-model", "m")
    out = qualcode("agreement", study / "study.qcproj", "--coders", "gold,llm", "--reference", "gold")
    lines = [line.split() for line in out.splitlines()]
    assert ["llm", "tools", "6", "0", "0", "1.000", "1.000", "1.000"] in lines
    assert ["llm", "credit", "0", "0", "3", "n/a", "0.000", "0.000"] in lines


def test_rules_and_llm_combine_by_the_policy_chosen_on_the_coders_turns(study):
    project = study / "study.qcproj"
    with FakeLLM(llm_replies()) as server:
        out = qualcode("code", project, "--codebook", study / "book.yaml", "--tagger", "rules,llm",
                       "--coder", "gold", "--llm-url", server.url, "--llm-model", "m")
    lines = out.splitlines()
    assert lines[0] == "sending 12 turns to 127.0.0.1 (m)"
    assert lines[2:] == ["coded 12 turns with Tools book 1 (rules+llm): stored 7 codings, replaced 0",
                         "combined code by code: policies chosen now on 'gold''s 12 turns",
                         "  tools   6  (llm)",    # llm F1 1.0, rules 0.67, union 1.0 (no gain)
                         "  credit  1  (rules)"]  # 3 coded turns: too few to choose; its own theme: rules
    with open_project(project) as proj:
        frame = codings_frame(proj)
        mine = frame[frame["coder"] == "rules+llm"]
        assert set(mine["status"]) == {"suggested"}
        tools = mine[mine["code"] == "tools"]
        # the rules' sentence where they fired, else the LLM's quote
        assert sorted(tools["text"]) == ["Our contract said who reviews drafts.", "The contract was too long.",
                                         "We signed a contract in week one.", "agreement", "agreement",
                                         "agreement"]
        evidence = [json.loads(e) for e in tools["evidence"]]
        assert {tuple(e["sources"]) for e in evidence} == {("rules", "llm"), ("llm",)}
        assert {e["policy"] for e in evidence} == {"llm"}
        stored = json.loads(proj.setting("combination.Tools book.rules+llm"))
        assert stored["policies"]["tools"]["policy"] == "llm"
        assert stored["policies"]["tools"]["f1"] == {"rules": pytest.approx(0.6667), "llm": 1.0, "union": 1.0,
                                                     "intersection": pytest.approx(0.6667)}


def test_without_coded_turns_the_rules_alone(study):
    with FakeLLM(llm_replies()) as server:
        out = qualcode("code", study / "study.qcproj", "--codebook", study / "book.yaml", "--tagger", "rules,llm",
                       "--coder", "nobody", "--llm-url", server.url, "--llm-model", "m")
    assert "combined code by code: no coded turns to choose policies on (--coder NAME): rules alone" in out
    assert "  tools   3  (rules)" in out


def test_the_combined_coders_version_names_every_tagger(study):
    with FakeLLM(llm_replies()) as server:
        qualcode("code", study / "study.qcproj", "--codebook", study / "book.yaml", "--tagger", "rules,llm",
                 "--coder", "gold", "--llm-url", server.url, "--llm-model", "m")
    with open_project(study / "study.qcproj") as proj:
        frame = codings_frame(proj)
        versions = set(frame.loc[frame["coder"] == "rules+llm", "tagger_version"])
        rules = set(frame.loc[frame["coder"] == "rules", "tagger_version"])
    (version,) = versions
    (rules_version,) = rules
    words = version.split()
    assert words[2] == "rules+llm" and words[3:5] == ["rules", rules_version.split()[-1]]
    assert words[5:7] == ["llm", "m"] and words[7] == "prompt" and len(words[8]) == 16
