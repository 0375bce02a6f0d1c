"""The workbench in a real browser (the system's Chromium, driven by Playwright): a person
reviews with the keyboard and codes selected words, and the project holds exactly those
decisions; hostile transcript text renders as text; the token and cross-site checks hold."""

from __future__ import annotations

import pytest

from browser import chromium, missing, serving
from projects import CODES, DOCUMENTS, build_project
from qualcode.store import frames, reviews
from qualcode.store.project import open_project
from qualcode.web.app import Settings, create_app

if missing():
    pytest.skip(f"browser tests skipped: {missing()}", allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    yield page
    context.close()
    assert errors == []  # no script error and no alert in any test


def suggestion(project, turn, code):
    frame = frames.codings_frame(project)
    hit = frame[(frame["document"] == "scholars_north.txt") & (frame["turn"] == turn) & (frame["code"] == code)
                & (frame["coder"] == "rules")]
    return int(hit["coding_id"].iloc[0])


def select_words(page, turn_ref: str, words: str, skip_start: int = 0, skip_end: int = 0) -> None:
    """Drag the mouse over ``words`` in a turn's text (less ``skip_*`` characters at each end)."""
    box = page.evaluate("""([ref, words, a, b]) => {
        const text = document.querySelector(`article[data-turn="${ref}"] p.text`);
        const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
        let node;
        while ((node = walker.nextNode())) {
            const at = node.data.indexOf(words);
            if (at >= 0) {
                const range = document.createRange();
                range.setStart(node, at + a); range.setEnd(node, at + a + 1);
                const first = range.getBoundingClientRect();
                range.setStart(node, at + words.length - b - 1); range.setEnd(node, at + words.length - b);
                const last = range.getBoundingClientRect();
                return {x0: first.left + 1, y0: first.top + first.height / 2,
                        x1: last.right - 1, y1: last.top + last.height / 2};
            }
        }
        return null;
    }""", [turn_ref, words, skip_start, skip_end])
    assert box is not None, f"{words!r} not found in {turn_ref}"
    page.mouse.move(box["x0"], box["y0"])
    page.mouse.down()
    page.mouse.move(box["x1"], box["y1"], steps=5)
    page.mouse.up()


def test_review_with_the_keyboard_and_code_selected_words(tmp_path, page):
    path = build_project(tmp_path / "study.qcproj")
    with open_project(path) as project:
        clarity, trust = suggestion(project, 1, "value.clarity"), suggestion(project, 1, "value.trust")
        span = reviews.coding_row(project, clarity)
    with serving(create_app(Settings(path))) as base:
        page.goto(f"{base}/documents/1")
        page.fill("#name", "bob")
        page.click("button[type=submit]")
        page.wait_for_selector("#turns[data-ready='1']")
        page.keyboard.press("n")  # the first undecided suggestion
        assert page.evaluate("document.activeElement.dataset.coding") == str(clarity)
        page.keyboard.press("a")
        page.wait_for_selector(f'button[data-coding="{clarity}"][data-status="accepted"]')
        # the next item comes at once: focus is on the turn's second suggestion
        page.wait_for_function(f'document.activeElement.dataset.coding === "{trust}"')
        page.keyboard.press("x")
        page.wait_for_selector(f'button[data-coding="{trust}"][data-status="rejected"]')
        assert page.text_content("#p-doc-text") == "1 of 4 turns reviewed"
        # "ned an agreeme": the selection cuts two words, the coding takes them whole
        select_words(page, "scholars_north.txt:5", "signed an agreement", skip_start=3, skip_end=2)
        page.wait_for_selector("#picker:not([hidden]) #picker-input:focus")
        page.keyboard.type("tool")
        assert page.text_content("#picker-list li[aria-selected=true] code") == "tools"
        page.keyboard.press("Enter")
        page.wait_for_selector('article[data-turn="scholars_north.txt:5"] button[data-code="tools"][data-kind="own"]')
        page.reload()
        page.wait_for_selector("#turns[data-ready='1']")
        assert page.get_attribute(f'button[data-coding="{clarity}"]', "data-status") == "accepted"
        assert page.get_attribute(f'button[data-coding="{trust}"]', "data-status") == "rejected"
        assert page.text_content("#p-doc-text") == "2 of 4 turns reviewed"
    with open_project(path) as project:
        assert reviews.coding_row(project, clarity)["status"] == "accepted"
        assert reviews.coding_row(project, trust)["status"] == "rejected"
        own = frames.codings_frame(project).query("coder == 'bob'")
        assert own[["turn", "code", "start", "end", "text", "coder_kind", "status"]].values.tolist() == [
            [1, "value.clarity", span["start"], span["end"], "We set clear expectations early.", "human", "accepted"],
            [5, "tools", own["start"].iloc[1], own["end"].iloc[1], "signed an agreement", "human", "accepted"]]
        covered = frames.coverage_frame(project).query("coder == 'bob'")["segment_id"].tolist()
        turns = frames.segments_frame(project, document="scholars_north.txt").set_index("turn")["segment_id"]
        assert sorted(covered) == [turns[1], turns[5]]
        log = reviews.reviews_frame(project)
        assert log[["coder", "action", "suggestion_id"]].fillna(0).values.tolist() == [
            ["bob", "accept", clarity], ["bob", "reject", trust], ["bob", "add", 0]]
        assert log["undone_at"].isna().all() and log["created_at"].str.startswith("20").all()


def test_undo_with_u_takes_the_last_decision_back(tmp_path, page):
    path = build_project(tmp_path / "study.qcproj")
    with open_project(path) as project:
        fear = suggestion(project, 4, "power.fear")
    with serving(create_app(Settings(path, coder="bob"))) as base:
        page.goto(f"{base}/documents/1?code=power")
        page.wait_for_selector("#turns[data-ready='1']")
        page.keyboard.press("j")
        page.keyboard.press("x")
        page.wait_for_selector(f'button[data-coding="{fear}"][data-status="rejected"]')
        page.keyboard.press("u")
        page.wait_for_selector(f'button[data-coding="{fear}"][data-status="suggested"]')
        assert page.text_content("#status") == "undid reject in turn 4 of scholars_north.txt"
    with open_project(path) as project:
        assert reviews.coding_row(project, fear)["status"] == "suggested"
        assert frames.coverage_frame(project).query("coder == 'bob'").empty


def test_r_marks_a_turn_reviewed_and_c_codes_the_whole_turn(tmp_path, page):
    path = build_project(tmp_path / "study.qcproj")
    with serving(create_app(Settings(path, coder="bob"))) as base:
        page.goto(f"{base}/documents/2")  # scholars_south.txt: suggestions on turns 1 and 2 only
        page.wait_for_selector("#turns[data-ready='1']")
        for _ in range(4):                 # turn 1's two suggestions, turn 2's, then turn 3 itself
            page.keyboard.press("j")
        assert page.evaluate("document.activeElement.dataset.turn") == "scholars_south.txt:3"
        page.keyboard.press("r")
        page.wait_for_selector('article[data-turn="scholars_south.txt:3"].reviewed')
        page.keyboard.press("c")
        page.wait_for_selector("#picker:not([hidden]) #picker-input:focus")
        page.keyboard.type("fear")
        page.keyboard.press("Enter")
        page.wait_for_selector('article[data-turn="scholars_south.txt:3"] button[data-code="power.fear"][data-kind="own"]')
    with open_project(path) as project:
        own = frames.codings_frame(project).query("coder == 'bob'")
        assert own[["turn", "code", "text"]].values.tolist() == [[3, "power.fear", "Nothing else to add. Thanks."]]
        assert reviews.reviews_frame(project)["action"].tolist() == ["reviewed", "add"]


def test_a_decision_while_another_process_writes_shows_why_and_changes_nothing(tmp_path, page, monkeypatch):
    import sqlite3

    import qualcode.store.project as store
    monkeypatch.setattr(store, "LOCK_TIMEOUT_SECONDS", 0.3)
    path = build_project(tmp_path / "study.qcproj")
    with open_project(path) as project:
        clarity = suggestion(project, 1, "value.clarity")
    with serving(create_app(Settings(path, coder="bob"))) as base:
        page.goto(f"{base}/documents/1")
        page.wait_for_selector("#turns[data-ready='1']")
        page.keyboard.press("n")
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another qualcode command writing
        try:
            page.keyboard.press("a")
            page.wait_for_selector("#status.error")
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert "project is in use by another qualcode command" in page.text_content("#status")
        assert page.get_attribute(f'button[data-coding="{clarity}"]', "data-status") == "suggested"
        page.keyboard.press("a")  # once the other command is done, the same key works
        page.wait_for_selector(f'button[data-coding="{clarity}"][data-status="accepted"]')
    with open_project(path) as project:
        assert reviews.reviews_frame(project)["action"].tolist() == ["accept"]


HOSTILE_LABEL = '<script>window.__xss = "label"</script>'
HOSTILE_TEXT = '"><img src=x onerror="window.__xss = \'text\'">'


def test_hostile_transcript_text_shows_as_text_and_runs_nothing(tmp_path, page):
    documents = {"evil.txt": ({"role": "scholar", "site": '<b onmouseover="x()">North</b>'}, [
        (HOSTILE_LABEL, "S01", "scholar", HOSTILE_TEXT, "<script>window.__xss = 'body'</script>", None),
        ("Ben", "S02", "scholar", "We signed an agreement.", "Fine.", None)]),
        **{k: v for k, v in DOCUMENTS.items() if k == "mentors_north.txt"}}
    codes = [(*CODES[0][:3], '<img src=x onerror="window.__xss=\'code\'">', CODES[0][4]), *CODES[1:]]
    codings = [("evil.txt", 0, 0, "value", "rules", "suggested"), ("evil.txt", 0, 1, "power", "rules", "suggested")]
    path = build_project(tmp_path / "evil.qcproj", documents=documents, codings=codings, codes=codes)
    with serving(create_app(Settings(path, coder="bob"))) as base:
        for url in ("/", "/documents/1", "/documents/1?names=real", "/analysis?coder=rules", "/agreement"):
            page.goto(base + url)
            page.wait_for_load_state("load")
            page.mouse.move(300, 300)
            assert page.evaluate("window.__xss") is None, url
            assert page.locator("main img:not(.chart img)").count() == 0, url
        page.goto(f"{base}/documents/1?names=real")
        page.wait_for_selector("#turns[data-ready='1']")  # the keys work once the page's script is ready
        turn = page.locator('article[data-turn="evil.txt:0"]')
        assert turn.locator(".speaker").text_content() == HOSTILE_LABEL
        assert turn.locator("p.text").text_content() == f"{HOSTILE_TEXT} <script>window.__xss = 'body'</script>"
        assert turn.locator("button.chip .name").first.text_content() == codes[0][3]
        page.keyboard.press("j")
        page.keyboard.press("a")  # an answer drawn into the page keeps the text inert too
        page.wait_for_selector('article[data-turn="evil.txt:0"] button[data-status="accepted"]')
        assert page.evaluate("window.__xss") is None
        select_words(page, "evil.txt:1", "signed an agreement")
        page.wait_for_selector("#picker:not([hidden]) #picker-input:focus")
        page.keyboard.type("img")  # the picker lists code names as text
        page.wait_for_selector("#picker-list li[aria-selected=true]")
        assert page.text_content("#picker-list li[aria-selected=true] span") == codes[0][3]
        assert page.evaluate("window.__xss") is None


def test_a_request_without_the_token_is_refused_when_one_is_required(tmp_path, page):
    path = build_project(tmp_path / "study.qcproj")
    from browser import free_port
    port = free_port()
    app = create_app(Settings(path, coder="bob", token="t0k3n-for-the-test", port_tag=str(port)))
    with serving(app, port) as base:
        refused = page.goto(f"{base}/documents/1")
        assert refused.status == 403 and "needs its access token" in page.text_content("body")
        entered = page.goto(f"{base}/documents/1?token=t0k3n-for-the-test")
        assert entered.status == 200 and page.url == f"{base}/documents/1"
        page.wait_for_selector("#turns[data-ready='1']")
        page.keyboard.press("n")
        page.keyboard.press("a")  # the cookie carries the token for the page's own requests
        page.wait_for_selector('button[data-status="accepted"]')


def test_a_cross_site_post_is_refused(tmp_path, page):
    path = build_project(tmp_path / "study.qcproj")
    with open_project(path) as project:
        clarity = suggestion(project, 1, "value.clarity")
    with serving(create_app(Settings(path, coder="bob"))) as base:
        page.goto(f"{base}/documents/1")  # the person has a session with the workbench
        attack = (f'<form method="post" action="{base}/api/decide" enctype="text/plain">'
                  f'<input name=\'{{"action": "accept", "coding": {clarity}, "x": "\' value=\'"}}\'>'
                  '</form><script>document.forms[0].submit()</script>')
        page.route("http://evil.example/", lambda route: route.fulfill(body=attack, content_type="text/html"))
        answer = page.expect_navigation(url=f"{base}/api/decide")
        with answer as navigation:
            page.goto("http://evil.example/")
        assert navigation.value.status == 403
        assert "Refused: a request from another site." in page.text_content("body")
    with open_project(path) as project:
        assert reviews.coding_row(project, clarity)["status"] == "suggested"
        assert reviews.reviews_frame(project).empty
