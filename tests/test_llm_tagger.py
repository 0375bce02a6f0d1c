"""The LLM tagger against a fake OpenAI-compatible server on 127.0.0.1 (tests/fake_llm.py):
what is sent, stored, retried and counted; the answer contract; privacy."""

from __future__ import annotations

import json
import socket
import textwrap

import pytest
from click.testing import CliRunner

from fake_llm import FakeLLM, Reply, answer, turn_of
from qualcode.cli import cli
from qualcode.core.errors import LLMError
from qualcode.store.frames import codings_frame, coverage_frame
from qualcode.store.project import open_project
from qualcode.tagging.llm.client import check_endpoint
from qualcode.workflows.code import code_project
from qualcode.workflows.llm import LLMOptions

TRANSCRIPT = """\
Moderator: Ruth Abernathy, what did you expect from your mentor when you started?
Ruth Abernathy: Honestly I expected my mentor to tell me what \u201cindependence\u201d meant \u2014 nobody ever did.
Jordan Pike: We signed a mentoring contract in the first month, and Ruth said it helped.
Unknown Speaker: Can you hear me? This is Jordan's phone.
Moderator: Thank you. Anything about credit?
Ruth Abernathy: I never knew who would be first author on the grant paper.
Dr. Okafor: I agree with Jordan about the contract.
"""
CODEBOOK = """\
name: LLM test book
version: "1"
description: How scholars talk about independence and formal tools.
codes:
  - id: independence
    name: Independence
    definition: The scholar's path to independence.
    include: [Talk about becoming independent]
    examples: ["I want my own lab one day."]
    rules:
      phrases: [independence]
    children:
      - id: independence.credit
        name: Credit and authorship
        definition: Who gets credit, authorship order.
        rules:
          phrases: [first author]
  - id: tools
    name: Formal tools
    definition: Contracts, agreements and other formal tools.
    exclude: [Informal chats]
    rules:
      phrases: [contract]
"""
NAMES = ("Ruth", "Abernathy", "Jordan", "Pike", "Okafor")
FAST = {"timeout": 0.5, "retries": 2, "backoff": 0.01}
TURN1, TURN2, TURN5, TURN6 = "Honestly I expected", "We signed a mentoring", "I never knew", "I agree with"


@pytest.fixture
def study(tmp_path):
    (tmp_path / "group.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (tmp_path / "book.yaml").write_text(CODEBOOK, encoding="utf-8")
    project = tmp_path / "study.qcproj"
    result = CliRunner().invoke(cli, ["ingest", str(project), str(tmp_path / "group.txt"),
                                      "--attr", "role=scholar"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return tmp_path


def book(study):
    from qualcode.codebook import load_codebook
    return load_codebook(study / "book.yaml")


def run(study, server, **options):
    with open_project(study / "study.qcproj") as project:
        return code_project(project, book(study), "llm",
                            llm=LLMOptions(url=server.url, model="fake-model", **{**FAST, **options}))


def stored(study):
    with open_project(study / "study.qcproj") as project:
        frame = codings_frame(project)
        frame = frame[frame["coder"] == "llm"]
        return [(r.turn, r.code, r.text, json.loads(r.evidence)["quote"]) for r in frame.itertuples()]


GOOD = {
    TURN1: [answer(("independence", "what \"independence\" meant - nobody", "Defines independence."))],
    TURN2: [answer(("tools", "We signed a mentoring contract", "A contract."))],
    TURN5: [answer(("independence.credit", "first author on the grant paper", "Authorship."))],
}


def test_valid_answers_become_suggested_codings_spanning_their_quotes(study):
    with FakeLLM(GOOD) as server:
        result = run(study, server)
    stats = result.llm.stats
    # participant turns only: not the facilitator's two, not the unidentified speaker's
    assert sorted(turn_of(r) for r in server.requests) == [
        'Honestly I expected my mentor to tell me what \u201cindependence\u201d meant \u2014 nobody ever did.',
        "I agree with [S02] about the contract.",
        "I never knew who would be first author on the grant paper.",
        "We signed a mentoring contract in the first month, and [S01] said it helped."]
    assert (stats.turns, stats.sent, stats.cached, stats.kept, stats.failed) == (4, 4, 0, 3, 0)
    assert (stats.prompt_tokens, stats.completion_tokens) == (400, 40)
    # the quote's curly quotes and dash matched the straight ones the model wrote; the span is exact
    assert stored(study) == [
        (1, "independence", "what \u201cindependence\u201d meant \u2014 nobody",
         "what \u201cindependence\u201d meant \u2014 nobody"),
        (2, "tools", "We signed a mentoring contract", "We signed a mentoring contract"),
        (5, "independence.credit", "first author on the grant paper", "first author on the grant paper")]
    with open_project(study / "study.qcproj") as project:
        frame = codings_frame(project)
        llm = frame[frame["coder"] == "llm"]
        assert set(llm["status"]) == {"suggested"} and set(llm["coder_kind"]) == {"machine"}
        evidence = json.loads(llm["evidence"].iloc[0])
        assert evidence == {"sources": ["llm"], "model": "fake-model",
                            "quote": "what \u201cindependence\u201d meant \u2014 nobody",
                            "rationale": "Defines independence.", "prompt_hash": result.llm.prompt_hash}
        assert sorted(coverage_frame(project).query("coder == 'llm'")["segment_id"]) == [2, 3, 6, 7]
        assert project.setting("llm.url") == server.url and project.setting("llm.model") == "fake-model"


def test_requests_ask_for_json_at_temperature_0_with_a_seed_and_the_codebook_first(study):
    with FakeLLM(GOOD) as server:
        run(study, server)
    body = next(r for r in server.requests if turn_of(r).startswith(TURN1))
    assert (body["model"], body["temperature"], body["seed"], body["stream"]) == ("fake-model", 0, 0, False)
    schema = body["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["codes"]["items"]["properties"]["code"]["enum"] == [
        "independence", "independence.credit", "tools"]
    system, user = body["messages"]
    assert system["role"] == "system" and "Code id: independence.credit" in system["content"]
    assert "Research question and scope of the codebook:\nHow scholars talk" in system["content"]
    assert "Example: \"I want my own lab one day.\"" in system["content"]
    assert user["content"] == (
        "Speaker: S01 (scholar)\n"
        "Context, the facilitator's preceding question (do not code):\n<<<\n"
        "[S01], what did you expect from your mentor when you started?\n>>>\n"
        "Turn to code:\n<<<\nHonestly I expected my mentor to tell me what \u201cindependence\u201d "
        "meant \u2014 nobody ever did.\n>>>")
    assert len({r["messages"][0]["content"] for r in server.requests}) == 1  # one stable system part


def test_no_real_name_leaves_in_any_request(study):
    with FakeLLM(GOOD) as server:
        run(study, server)
    sent = b"\n".join(server.bodies).decode("utf-8")
    assert [name for name in NAMES if name.casefold() in sent.casefold()] == []
    assert "[S02]" in sent and "S03 (scholar)" in sent


def test_names_are_sent_when_redaction_is_turned_off(study):
    with FakeLLM(GOOD) as server:
        run(study, server, redact_names=False)
    sent = b"\n".join(server.bodies).decode("utf-8")
    assert "and Ruth said it helped" in sent
    assert "Dr. Okafor" not in sent  # speaker labels still go as pseudonyms


def test_a_second_run_sends_nothing_and_stores_the_same_codings(study):
    with FakeLLM(GOOD) as server:
        run(study, server)
        first = stored(study)
        second = run(study, server)
    assert len(server.requests) == 4
    assert (second.llm.stats.sent, second.llm.stats.cached, second.llm.stats.kept) == (0, 4, 3)
    assert stored(study) == first
    with FakeLLM(GOOD) as server:
        run(study, server, refresh=True)
    assert len(server.requests) == 4


def test_quotes_not_in_the_turn_and_unknown_codes_are_rejected_and_counted(study):
    replies = {
        TURN1: [answer(("independence", "I want to run my own lab", "Invented."),
                       ("independence", "what did you expect from your mentor", "From the context."))],
        TURN2: [answer(("tools.contract", "mentoring contract", "Not a code."),
                       ("tools", "mentoring contract", "Kept."))],
    }
    with FakeLLM(replies) as server:
        result = run(study, server)
    stats = result.llm.stats
    assert (stats.kept, stats.quotes_rejected, stats.unknown_codes, stats.failed) == (1, 2, 1, 0)
    assert [(t, c, e) for t, c, e, _ in stored(study)] == [(2, "tools", "mentoring contract")]
    first = result.llm.results[0]
    assert first.rejected == [("independence", "I want to run my own lab", "not in the turn"),
                              ("independence", "what did you expect from your mentor",
                               "in the context, not the turn")]
    assert result.llm.results[1].unknown == ["tools.contract"]


def test_a_quote_in_redacted_text_maps_back_onto_the_stored_turn(study):
    replies = {TURN2: [answer(("tools", "and [S01] said it helped", "Praise."))]}
    with FakeLLM(replies) as server:
        run(study, server)
    assert [(t, c, e) for t, c, e, _ in stored(study)] == [(2, "tools", "and Ruth said it helped")]


def test_malformed_json_is_asked_again_then_the_turn_fails(study):
    bad = Reply("I think the codes are independence and tools.")
    replies = {TURN1: [bad, answer(("independence", "nobody ever did", "Ok."))],  # valid on re-ask
               TURN2: [bad]}                                                      # always malformed
    with FakeLLM(replies) as server:
        result = run(study, server)
    stats = result.llm.stats
    asked = [turn_of(r)[:len(TURN1)] for r in server.requests]
    assert asked.count(TURN1) == 2 and asked.count(TURN2[:len(TURN1)]) == 3
    reask = [r for r in server.requests if turn_of(r).startswith(TURN1)][1]["messages"]
    assert [m["role"] for m in reask] == ["system", "user", "assistant", "user"]
    assert reask[3]["content"].startswith("That answer cannot be used: the answer is not a JSON object.")
    assert (stats.sent, stats.failed, stats.reasked, stats.kept) == (4, 1, 3, 1)
    with open_project(study / "study.qcproj") as project:  # the failed turn is not covered
        assert sorted(coverage_frame(project).query("coder == 'llm'")["segment_id"]) == [2, 6, 7]
        rows = project.conn.execute("SELECT status, attempts FROM llm_answers ORDER BY attempts").fetchall()
        assert [tuple(r) for r in rows] == [("answered", 1), ("answered", 1), ("answered", 2), ("failed", 3)]
    with FakeLLM(replies) as server:  # a failed answer is stored: not asked again
        again = run(study, server)
    assert server.requests == [] and again.llm.stats.failed == 1


def test_http_500_and_timeouts_are_retried_with_backoff(study):
    replies = {TURN1: [Reply(None, status=500), answer(("independence", "nobody ever did", "Ok."))],
               TURN2: [Reply(None, status=429), Reply(None, delay=1.0),
                       answer(("tools", "mentoring contract", "Ok."))]}
    with FakeLLM(replies) as server:
        result = run(study, server)
    asked = [turn_of(r)[:8] for r in server.requests]
    assert asked.count(TURN1[:8]) == 2 and asked.count(TURN2[:8]) == 3
    assert (result.llm.stats.retried, result.llm.stats.failed, result.llm.stats.kept) == (3, 0, 2)


def test_a_turn_without_any_answer_fails_for_this_run_only(study):
    replies = {TURN5: [Reply(None, status=503)]}
    with FakeLLM(replies) as server:
        result = run(study, server)
    assert (result.llm.stats.failed, result.llm.stats.sent) == (1, 4)
    assert len([r for r in server.requests if turn_of(r).startswith(TURN5)]) == 3  # 1 + 2 retries
    with FakeLLM(GOOD) as server:  # resumed: only that turn is asked again
        again = run(study, server)
    assert [turn_of(r)[:12] for r in server.requests] == [TURN5]
    assert (again.llm.stats.sent, again.llm.stats.cached, again.llm.stats.failed) == (1, 3, 0)


@pytest.mark.parametrize("refused, used", [(("json_schema",), "json_object"),
                                           (("json_schema", "json_object"), None)])
def test_a_server_that_refuses_response_format_is_asked_more_simply_from_then_on(study, refused, used):
    replies = {TURN2: [Reply("Here you are: " + answer(("tools", "mentoring contract", "Ok.")).content)]}
    with FakeLLM(replies, refuse_formats=refused) as server:
        result = run(study, server, concurrency=1)
    formats = [(r.get("response_format") or {}).get("type") for r in server.requests]
    assert formats == list(refused) + [used] * 4  # refused once each, remembered for the run
    assert (result.llm.stats.kept, result.llm.stats.failed) == (1, 0)


def test_an_interrupted_run_keeps_its_answers_and_resumes(study):
    with FakeLLM(GOOD) as server:
        with open_project(study / "study.qcproj") as project:
            from qualcode.workflows.llm import llm_tagging

            def stop(done, total):
                if done == 2:
                    raise KeyboardInterrupt
            with pytest.raises(KeyboardInterrupt):
                llm_tagging(project, book(study), LLMOptions(url=server.url, model="fake-model",
                                                             concurrency=1, **FAST), progress=stop)
        assert stored(study) == []  # no coding written
        before = len(server.requests)
        again = run(study, server)
    assert again.llm.stats.cached >= 2 and len(server.requests) - before == again.llm.stats.sent
    assert again.llm.stats.cached + again.llm.stats.sent == 4


@pytest.mark.parametrize("url", ["http://127.0.0.1:1/v1", "http://127.8.9.10:8080", "http://[::1]:8080/v1",
                                 "http://localhost:11434/v1", "https://127.0.0.1/v1"])
def test_loopback_urls_are_accepted(url):
    endpoint = check_endpoint(url)
    assert not endpoint.remote and endpoint.url == url.rstrip("/")


@pytest.mark.parametrize("url, message", [
    ("http://10.0.0.5:11434/v1", "host 10.0.0.5 is not this machine"),
    ("http://192.168.1.2/v1", "host 192.168.1.2 is not this machine"),
    ("ftp://127.0.0.1/v1", "must be an http:// or https:// URL"),
    ("127.0.0.1:11434", "must be an http:// or https:// URL"),
    ("http://", "must be an http:// or https:// URL")])
def test_other_urls_are_refused(url, message):
    with pytest.raises(LLMError, match=message):
        check_endpoint(url)


def test_a_name_that_resolves_elsewhere_is_refused(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("93.184.216.34", 80))])
    with pytest.raises(LLMError, match="host llm.example.org is not this machine"):
        check_endpoint("http://llm.example.org/v1")
    assert check_endpoint("http://llm.example.org/v1", allow_remote=True).remote


def qualcode(*args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)


def test_cli_codes_with_the_llm_and_prints_the_summary(study):
    project, codebook = study / "study.qcproj", study / "book.yaml"
    with FakeLLM(GOOD) as server:
        result = qualcode("code", project, "--codebook", codebook, "--tagger", "llm",
                          "--llm-url", server.url, "--llm-model", "fake-model")
        assert result.exit_code == 0, result.output
        assert "asking the LLM" in result.stderr  # the progress bar
        lines = result.stdout.splitlines()
        assert lines[0] == "sending 4 turns to 127.0.0.1 (fake-model)"
        assert lines[1].startswith("llm fake-model (prompt ")
        assert lines[1].split("): ", 1)[1].startswith(
            "4 turns sent, 0 from the project's cache; 3 codings kept, 0 quotes rejected, 0 unknown codes, "
            "0 failed turns; ")
        assert lines[1].endswith(" tokens/s")
        assert lines[2:] == ["coded 4 turns with LLM test book 1 (llm): stored 3 codings, replaced 0",
                             "  independence         1", "  independence.credit  1", "  tools                1"]
        # remembered by the project: a second run needs neither option and sends nothing
        again = qualcode("code", project, "--codebook", codebook, "--tagger", "llm")
        assert again.exit_code == 0, again.output
        assert "0 turns sent, 4 from the project's cache; 3 codings kept" in again.output
        assert "sending" not in again.output
    assert len(server.requests) == 4


def test_cli_reads_the_endpoint_from_the_environment_and_counts_in_a_dry_run(study):
    with FakeLLM(GOOD) as server:
        result = qualcode("code", study / "study.qcproj", "--codebook", study / "book.yaml", "--tagger", "llm",
                          "--dry-run", env={"QUALCODE_LLM_URL": server.url, "QUALCODE_LLM_MODEL": "m"})
    assert result.exit_code == 0, result.output
    assert result.output == ("4 participant turns: 0 answered in the project, 4 would be sent to "
                             "127.0.0.1 (m)\n")
    assert server.requests == []


def test_cli_refuses_a_remote_url_and_announces_it_when_allowed(study, monkeypatch):
    args = ["code", study / "study.qcproj", "--codebook", study / "book.yaml", "--tagger", "llm",
            "--llm-model", "m"]
    result = qualcode(*args, "--llm-url", "http://10.1.2.3:8000/v1")
    assert result.exit_code == 1
    assert result.output == ("Error: --llm-url host 10.1.2.3 is not this machine: transcripts are "
                             "confidential, so qualcode sends turns only to a server on 127.0.0.1, ::1 or "
                             "localhost; add --allow-remote to send them to this host\n")
    with FakeLLM(GOOD) as server:  # a "remote" name that resolves to the fake server's address
        port = server.url.split(":")[2].split("/")[0]
        monkeypatch.setattr("qualcode.tagging.llm.client.is_loopback", lambda host, port=None: False)
        result = qualcode(*args, "--llm-url", f"http://127.0.0.1:{port}/v1", "--allow-remote")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == \
        "sending 4 turns to 127.0.0.1 (not this machine: --allow-remote) (m)"


def test_cli_without_an_endpoint_says_what_is_missing(study):
    result = qualcode("code", study / "study.qcproj", "--codebook", study / "book.yaml", "--tagger", "llm",
                      env={"QUALCODE_LLM_URL": "", "QUALCODE_LLM_MODEL": ""})
    assert result.exit_code == 1
    assert result.output.startswith("Error: the LLM tagger needs --llm-url and --llm-model")


def test_llm_prompt_prints_the_system_part(study):
    result = qualcode("llm", "prompt", "--codebook", study / "book.yaml")
    assert result.exit_code == 0
    text = result.output
    assert text.startswith("You code one turn of a focus-group transcript")
    assert textwrap.dedent("""\
        Code id: independence.credit
        Name: Credit and authorship
        Subcode of: independence
        Definition: Who gets credit, authorship order.
        """) in text
    assert 'Answer with one JSON object and nothing else' in text
    assert text.splitlines()[-1].startswith("(prompt hash ")


# ------------------------------------------------------------------ the answer contract, unit by unit
from qualcode.tagging.llm.validate import MalformedAnswer, check_answer, find_quote, parse_answer  # noqa: E402


@pytest.mark.parametrize("content", [
    '{"codes": [{"code": "tools", "quote": "a contract", "rationale": "r"}]}',
    '```json\n{"codes": [{"code": "tools", "quote": "a contract", "rationale": "r"}]}\n```',
    'Sure! {"codes": [{"code": "tools", "quote": "a contract", "rationale": "r"}]} Hope this helps.'])
def test_the_answer_is_read_from_json_a_fenced_block_or_prose_around_it(content):
    assert parse_answer(content) == [{"code": "tools", "quote": "a contract", "rationale": "r"}]


@pytest.mark.parametrize("content, message", [
    ("tools", "not a JSON object"), ('{"code": "tools"}', 'no "codes" list'),
    ('{"codes": ["tools"]}', 'needs a "code" and a "quote"'), ('{"codes": [{"code": "tools"}]}', "quote")])
def test_anything_else_is_malformed(content, message):
    with pytest.raises(MalformedAnswer, match=message):
        parse_answer(content)


def test_quotes_match_across_case_spacing_quote_marks_and_dashes():
    text = "It\u2019s   the \u201cRules of the Road\u201d \u2013 and\nnothing else."
    assert find_quote("it's the \"rules of the road\" - and nothing", text) == (0, 44)
    assert text[0:44] == "It\u2019s   the \u201cRules of the Road\u201d \u2013 and\nnothing"
    assert find_quote('"Rules of the road..."', text) == (12, 29)  # surrounding quote marks and dots
    assert find_quote("rules of the rod", text) is None
    assert find_quote(" ... ", text) is None


def test_a_code_quoted_twice_at_the_same_place_is_kept_once():
    items = [{"code": "a", "quote": "x y", "rationale": ""}, {"code": "a", "quote": "X  Y", "rationale": ""}]
    assert [(q.code, q.start, q.end) for q in check_answer(items, "w x y z", None, ["a"]).kept] == [("a", 2, 5)]
