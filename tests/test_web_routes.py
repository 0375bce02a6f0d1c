"""The workbench's routes through Starlette's TestClient (no browser): pages, decisions,
agreement figures, downloads, and the security checks.  Project: tests/projects.py's STUDY
(the rules suggested codes on three documents; alice coded one turn by hand)."""

from __future__ import annotations

import re
import sqlite3

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from projects import build_project
from qualcode.cli import cli
from qualcode.store import frames, reviews
from qualcode.store.project import open_project
from qualcode.web.app import Settings, create_app

BASE = "http://127.0.0.1:8765"


@pytest.fixture
def study(tmp_path):
    return build_project(tmp_path / "study.qcproj")


def client(path, **settings) -> TestClient:
    return TestClient(create_app(Settings(path, **settings)), base_url=BASE, follow_redirects=False)


def csrf_of(page: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([0-9a-f]{64})">', page).group(1)


def ids(project, document, turn, code, coder="rules"):
    frame = frames.codings_frame(project)
    hit = frame[(frame["document"] == document) & (frame["turn"] == turn) & (frame["code"] == code)
                & (frame["coder"] == coder)]
    return [int(i) for i in hit["coding_id"]]


@pytest.fixture
def bob(study):
    """A client whose person is bob, with the CSRF token of its session."""
    web = client(study, coder="bob")
    page = web.get("/documents/1")
    assert page.status_code == 200
    web.headers["x-csrf-token"] = csrf_of(page.text)
    return web


def post(web, url, body):
    return web.post(url, json={**body, "view": {"document": 1}}, headers={"origin": BASE})


# ---------------------------------------------------------------------------- pages
def test_a_first_visit_asks_who_is_coding_and_the_name_goes_into_a_cookie(study):
    web = client(study)
    first = web.get("/documents/1")
    assert first.status_code == 303 and first.headers["location"] == "/coder?next=/documents/1"
    form = web.get("/coder?next=/documents/1")
    token = re.search(r'name="csrf" value="([0-9a-f]{64})"', form.text).group(1)
    assert "<code>alice</code>" in form.text  # people who coded already
    refused = web.post("/coder?next=/documents/1", data={"name": "rules", "csrf": token})
    assert refused.status_code == 400 and "name of a machine tagger" in refused.text
    stale = web.post("/coder?next=/documents/1", data={"name": "bob", "csrf": "0" * 64})
    assert stale.status_code == 400 and "expired" in stale.text
    taken = web.post("/coder?next=//evil.example/", data={"name": "bob", "csrf": token})
    assert taken.status_code == 303 and taken.headers["location"] == "/"  # no redirect off the site
    assert web.cookies["qc_coder"] == "bob"
    assert "Coding as <strong>bob</strong>" in web.get("/documents/1").text


def test_a_name_in_any_letters_goes_through_the_cookie(study):
    web = client(study)
    token = re.search(r'name="csrf" value="([0-9a-f]{64})"', web.get("/coder").text).group(1)
    named = web.post("/coder?next=/documents/1", data={"name": " Łucja  Wójcik-李 ", "csrf": token})
    assert named.status_code == 303 and web.cookies["qc_coder"] == "%C5%81ucja%20W%C3%B3jcik-%E6%9D%8E"
    assert "Coding as <strong>Łucja Wójcik-李</strong>" in web.get("/documents/1").text


def test_the_transcript_carries_the_stable_hooks(bob, study):
    page = bob.get("/documents/1").text
    turns = re.findall(r'data-turn="([^"]+)"', page)
    assert turns == [f"scholars_north.txt:{n}" for n in range(6)]
    with open_project(study) as project:
        clarity, = ids(project, "scholars_north.txt", 1, "value.clarity")
    chip = re.search(rf'<button[^>]*data-coding="{clarity}"[^>]*>', page).group(0)
    assert 'data-code="value.clarity"' in chip and 'data-status="suggested"' in chip
    # the facilitator's turn 3 has a rules suggestion, which is not shown: never coded
    turn3 = page[page.index('data-turn="scholars_north.txt:3"'):page.index('data-turn="scholars_north.txt:4"')]
    assert 'class="turn fac' in page[page.index('data-turn="scholars_north.txt:3"') - 40:][:60]
    assert "data-coding" not in turn3
    # alice's codings are kept apart from bob's view
    assert 'data-code="tools"' not in page
    assert "S01" in page and ">Ana<" not in page
    assert ">Ana<" in bob.get("/documents/1?names=real").text


def test_the_code_filter_shows_only_turns_with_that_code_or_one_below_it(bob):
    page = bob.get("/documents/1?code=power").text
    assert re.findall(r'data-turn="([^"]+)"', page) == ["scholars_north.txt:4"]
    assert "unknown code &#39;nope&#39;" in bob.get("/documents/1?code=nope").text


def test_the_documents_list_shows_attributes_roles_counts_and_progress(bob):
    page = bob.get("/").text
    row = page[page.index("scholars_south.txt"):]
    row = row[:row.index("</tr>")]
    assert "South" in row and "1 facilitator" in row and "2 scholar" in row
    assert 'aria-label="bob: 0 of 3 turns reviewed"' in row


# -------------------------------------------------------------------------- decisions
def test_accept_reject_code_and_undo_through_the_api(bob, study):
    with open_project(study) as project:
        clarity, = ids(project, "scholars_north.txt", 1, "value.clarity")
        trust, = ids(project, "scholars_north.txt", 1, "value.trust")
        text = project.document_text(1)
    answer = post(bob, "/api/decide", {"action": "accept", "coding": clarity})
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["message"] == "accepted value.clarity in turn 1 of scholars_north.txt"
    assert f'data-coding="{clarity}"' in data["turn_html"] and 'data-status="accepted"' in data["turn_html"]
    assert data["progress"]["document"] == {"turns": 4, "reviewed": 1, "suggestions": 4, "decided": 1}
    assert post(bob, "/api/decide", {"action": "reject", "coding": trust}).status_code == 200
    at = text.index("signed an agreement")
    coded = post(bob, "/api/code", {"document": 1, "start": at + 2, "end": at + 14, "code": "tools"}).json()
    assert coded["message"] == "coded tools in turn 5 of scholars_north.txt"
    with open_project(study) as project:
        assert reviews.coding_row(project, clarity)["status"] == "accepted"
        assert reviews.coding_row(project, trust)["status"] == "rejected"
        own = frames.codings_frame(project).query("coder == 'bob'")
        assert own[["turn", "code", "text"]].values.tolist() == [
            [1, "value.clarity", "We set clear expectations early."], [5, "tools", "signed an agreement"]]
    undone = post(bob, "/api/undo", {}).json()
    assert undone["message"] == "undid add in turn 5 of scholars_north.txt" and "turn_html" in undone
    with open_project(study) as project:
        assert frames.codings_frame(project).query("coder == 'bob'")["code"].tolist() == ["value.clarity"]


@pytest.mark.parametrize("body, message", [
    ({"action": "accept", "coding": "12"}, "coding must be a whole number"),
    ({"action": "dance", "coding": 1}, "unknown action 'dance'"),
    ({"action": "accept", "coding": 99999}, "no machine suggestion 99999"),
    ({"document": 1, "start": 0, "end": 5, "code": "tools"}, "lie in no turn"),
])
def test_bad_requests_get_one_clear_message(bob, body, message):
    url = "/api/code" if "code" in body else "/api/decide"
    answer = post(bob, url, body)
    assert answer.status_code == 400 and message in answer.json()["error"]


def test_a_decision_while_another_process_writes_answers_409_and_changes_nothing(bob, study, monkeypatch):
    import qualcode.store.project as store
    monkeypatch.setattr(store, "LOCK_TIMEOUT_SECONDS", 0.2)
    with open_project(study) as project:
        clarity, = ids(project, "scholars_north.txt", 1, "value.clarity")
    other = sqlite3.connect(study, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        answer = post(bob, "/api/decide", {"action": "accept", "coding": clarity})
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert answer.status_code == 409
    assert "in use by another qualcode command" in answer.json()["error"]
    with open_project(study) as project:
        assert reviews.coding_row(project, clarity)["status"] == "suggested"
        assert reviews.reviews_frame(project).empty


def test_agreement_figures_follow_the_decisions(bob, study):
    """bob reads turns 1, 2 and 4 of scholars_north.txt: accepts clarity and rejects trust on
    turn 1, marks turn 2 read (leaving the rules' clarity undecided: not coded by him),
    rejects power.fear on turn 4.  By theme, rules against bob: value tp 1 fp 1 fn 0 on
    turns [1,1,0] vs [1,0,0] (kappa 0.4); power tp 0 fp 1 (kappa 0); tools, used by neither,
    undefined; overall over the 9 decisions, rules [1,1,0, 0,0,1, 0,0,0] vs bob
    [1,0,0, 0,0,0, 0,0,0]: tp 1 fp 2, kappa (7/9 - 51/81) / (1 - 51/81) = 0.4."""
    with open_project(study) as project:
        clarity, = ids(project, "scholars_north.txt", 1, "value.clarity")
        trust, = ids(project, "scholars_north.txt", 1, "value.trust")
        fear, = ids(project, "scholars_north.txt", 4, "power.fear")
        turn2 = int(frames.segments_frame(project, document="scholars_north.txt").query("turn == 2")["segment_id"].iloc[0])
    assert "has not reviewed a turn yet" in bob.get("/agreement?fragment=1").text
    for body in ({"action": "accept", "coding": clarity}, {"action": "reject", "coding": trust},
                 {"action": "reviewed", "segment": turn2}, {"action": "reject", "coding": fear}):
        assert post(bob, "/api/decide", body).status_code == 200
    panel = bob.get("/agreement?fragment=1").text
    rows = {code: [units] + re.findall(r'<td class="num">([^<]*)</td>', row) for code, units, row in
            re.findall(r'<tr[^>]*data-code="([^"]+)" data-units="(\d+)">(.*?)</tr>', panel, re.S)}
    #                    turns  P       R       F1      kappa
    assert rows == {"value": ["3", "0.50", "1.00", "0.67", "0.40"],
                    "power": ["3", "0.00", "n/a", "0.00", "0.00"],
                    "tools": ["3", "n/a", "n/a", "n/a", "n/a"],
                    "overall": ["9", "0.33", "1.00", "0.50", "0.40"]}
    assert "<caption>rules <span class=\"hint\">· 3 turns</span></caption>" in panel
    assert "Value of expectations" in panel


# ---------------------------------------------------------------------------- security
def test_state_changes_need_the_pages_csrf_token_and_the_same_origin(bob, study):
    with open_project(study) as project:
        clarity, = ids(project, "scholars_north.txt", 1, "value.clarity")
    body = {"action": "accept", "coding": clarity}
    no_token = bob.post("/api/decide", json=body, headers={"x-csrf-token": "", "origin": BASE})
    assert no_token.status_code == 403 and "CSRF" in no_token.text
    elsewhere = bob.post("/api/decide", json=body, headers={"origin": "http://evil.example"})
    assert elsewhere.status_code == 403 and "another site" in elsewhere.text
    sibling = bob.post("/api/decide", json=body, headers={"sec-fetch-site": "same-site"})
    assert sibling.status_code == 403
    with open_project(study) as project:
        assert reviews.reviews_frame(project).empty


def test_without_a_token_only_loopback_names_are_answered(study):
    web = TestClient(create_app(Settings(study, coder="bob")), base_url="http://evil.example:8765")
    answer = web.get("/")
    assert answer.status_code == 400 and "answers only at 127.0.0.1" in answer.text


def test_with_a_token_every_request_needs_it(study):
    web = TestClient(create_app(Settings(study, coder="bob", token="s3cret", port_tag="9000")),
                     base_url="http://192.0.2.7:9000", follow_redirects=False)
    for url in ("/", "/documents/1", "/static/app.css", "/agreement?fragment=1"):
        assert web.get(url).status_code == 403
    assert web.get("/?token=wrong").status_code == 403
    entered = web.get("/documents/1?token=s3cret&names=real")
    assert entered.status_code == 303 and entered.headers["location"] == "/documents/1?names=real"
    assert web.cookies["qc_token_9000"] == "s3cret"
    assert web.get("/documents/1").status_code == 200
    assert web.get("/static/app.css").status_code == 200


def test_every_answer_has_the_protective_headers(bob):
    answer = bob.get("/documents/1")
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "'unsafe-inline'" not in policy
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["x-frame-options"] == "DENY"


# ---------------------------------------------------------------------------- analysis
def test_downloads_are_the_files_the_command_line_writes(bob, study, tmp_path):
    for what, command in (("counts.csv", ["export", "counts"]), ("quotes.csv", ["export", "excerpts"]),
                          ("comparison.csv", ["compare"])):
        cli_file = tmp_path / f"cli_{what}"
        result = CliRunner().invoke(cli, [*command, str(study), "--coder", "rules", "-o", str(cli_file)])
        assert result.exit_code == 0, result.output
        answer = bob.get(f"/download/{what}?coder=rules")
        assert answer.status_code == 200
        assert answer.headers["content-disposition"] == f'attachment; filename="study_{what}"'
        assert answer.content == cli_file.read_bytes()


def test_downloads_take_no_file_name_from_the_request(bob):
    assert bob.get("/download/..%2f..%2fetc%2fpasswd").status_code in (400, 404)
    assert "nothing to download as &#39;notes.txt&#39;" in bob.get("/download/notes.txt").text


def test_the_analysis_page_shows_counts_chart_comparison_and_quotes(bob):
    page = bob.get("/analysis?coder=rules&code=power").text
    assert '<img src="/analysis/chart.svg?coder=rules&amp;code=power"' in page
    assert "Power differential" in page and "scholar turns" in page
    quotes = page[page.index('id="quotes-title"'):]
    # the rules' power codings on participant turns, less the one rejected on mentors_north.txt
    assert quotes.count("<tr><th scope=\"row\">") == 3
    chart = bob.get("/analysis/chart.svg?coder=rules")
    assert chart.headers["content-type"] == "image/svg+xml" and chart.content.startswith(b"<?xml")


# ---------------------------------------------------------------------------- serve
def test_serve_refuses_a_missing_project_with_one_error_line(tmp_path):
    result = CliRunner().invoke(cli, ["serve", str(tmp_path / "none.qcproj"), "--no-browser"])
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'none.qcproj'}: project not found (run `qualcode ingest` to create it)\n"


def test_serve_listens_on_loopback_without_a_token_and_elsewhere_only_with_one(study, monkeypatch):
    import uvicorn
    from browser import free_port
    from qualcode.web import server

    runs = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: runs.append((app, kw)))
    lines: list[str] = []
    port = free_port()
    server.serve(study, port=port, coder="bob", open_browser=False, announce=lines.append)
    assert runs[0][1]["host"] == "127.0.0.1" and runs[0][1]["port"] == port
    assert lines == [f"qualcode workbench for study.qcproj: open http://127.0.0.1:{port}/",
                     "only this computer can reach it; Ctrl-C stops"]
    lines.clear()
    server.serve(study, host="0.0.0.0", port=port, open_browser=False, announce=lines.append)
    token = runs[1][0].state.bench.settings.token
    assert len(token) >= 40 and runs[1][1]["host"] == "0.0.0.0"
    assert lines[0] == f"qualcode workbench for study.qcproj: open http://127.0.0.1:{port}/?token={token}"
    assert "every request needs the access token" in lines[1]
    assert server.plan("0.0.0.0", port).token != token  # a new token each start


def test_every_template_and_static_file_ships_in_the_wheel():
    """setup.cfg's package data names every file the workbench serves (no CDN: a file left
    out of the wheel would be missing offline)."""
    import configparser
    from fnmatch import fnmatch
    from pathlib import Path

    import qualcode.web

    config = configparser.ConfigParser()
    config.read(Path(__file__).parents[1] / "setup.cfg")
    patterns = [p.strip() for p in config["options.package_data"]["qualcode.web"].split(",")]
    here = Path(qualcode.web.__file__).parent
    files = [p.relative_to(here).as_posix() for folder in ("static", "templates")
             for p in (here / folder).iterdir()]
    assert files and all(any(fnmatch(f, pattern) for pattern in patterns) for f in files), files


def test_serve_names_a_port_in_use(study):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", str(study), "--port", str(port), "--no-browser"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot listen on 127.0.0.1:{port} (")
    assert result.output.endswith("choose another --port (0 takes a free one)\n")
