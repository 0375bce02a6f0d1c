"""Screenshots of the workbench's main views, for the README: ``make screenshots``.

    python tests/screenshots.py docs/screenshots

Builds the shipped sample as ``make demo`` does (ingest with the manifest and speakers
table, code with the mentoring codebook) in a temporary folder, lets a reviewer 'alice'
decide the rules' suggestions on the first part of one transcript the way the sample's
hand coding (transcripts_sample/gold_tuning.csv) codes those turns, serves the workbench
and photographs it in the system's Chromium (see tests/browser.py).
"""

from __future__ import annotations

import csv
import sys
import tempfile
from pathlib import Path

from browser import chromium, missing, serving
from qualcode.codebook import load_codebook
from qualcode.store import frames, reviews
from qualcode.store.project import open_project
from qualcode.web.app import Settings, create_app
from qualcode.workflows import review
from qualcode.workflows.code import code_project
from qualcode.workflows.ingest import ingest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "transcripts_sample"
DOCUMENT = "scholars_northfield_2024-03-14.docx"
REVIEWED_UP_TO = 44   # alice has reviewed the turns before this one
VIEWPORT = {"width": 1440, "height": 900}


def build(folder: Path) -> Path:
    path = folder / "sample.qcproj"
    with open_project(path, create=True) as project:
        ingest(project, manifest=SAMPLE / "manifest.csv", speakers=SAMPLE / "speakers.csv")
        code_project(project, load_codebook(REPO / "codebooks" / "mentoring_expectations.yaml"))
    return path


def gold_codes() -> dict[int, set[str]]:
    """Turn -> the hand coding's codes, for DOCUMENT."""
    with open(SAMPLE / "gold_tuning.csv", newline="", encoding="utf-8") as handle:
        return {int(row["turn"]): {c.strip() for c in row["codes"].split(";") if c.strip()}
                for row in csv.DictReader(handle) if row["document"] == DOCUMENT}


def review_like_the_hand_coding(path: Path) -> None:
    """alice accepts the suggestions the hand coding agrees with, rejects the others, codes
    what the rules missed on the whole turn, and marks the rest read."""
    gold = gold_codes()
    with open_project(path) as project:
        who = review.reviewer(project, "alice")
        doc_id = project.document_id(DOCUMENT)
        codings = frames.codings_frame(project)
        rules = codings[(codings["document"] == DOCUMENT) & (codings["coder"] == "rules")]
        for turn in frames.segments_frame(project, document=DOCUMENT, text=False).itertuples():
            if turn.turn >= REVIEWED_UP_TO or turn.turn not in gold:
                continue
            wanted = gold[turn.turn]
            mine = rules[rules["segment_id"] == turn.segment_id]
            for coding_id, code in zip(mine["coding_id"], mine["code"]):
                decide = review.accept if code in wanted else review.reject
                decide(project, who, int(coding_id))
            for code in sorted(wanted - set(mine["code"])):
                review.add_coding(project, who, doc_id, int(turn.start), int(turn.end), code)
            if not reviews.is_covered(project, who.coder, who.codebook_ids, int(turn.segment_id)):
                review.mark_reviewed(project, who, int(turn.segment_id))


def shoot(base: str, folder: Path, browser) -> list[Path]:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    shots = []

    def save(name: str, full_page: bool = False) -> None:
        target = folder / f"{name}.png"
        page.screenshot(path=str(target), full_page=full_page)
        shots.append(target)

    page.goto(f"{base}/")
    save("documents")
    page.goto(f"{base}/documents/1#t{REVIEWED_UP_TO - 6}")
    page.wait_for_selector("#turns[data-ready='1']")
    page.wait_for_selector("#agreement[data-loaded]")
    page.keyboard.press("n")          # the next suggestion alice has not decided, its evidence open
    page.wait_for_timeout(300)
    save("transcript")
    text = page.locator("article.turn:not(.fac) p.text").nth(REVIEWED_UP_TO // 2 + 4)
    text.scroll_into_view_if_needed()
    box = text.bounding_box()
    page.mouse.move(box["x"] + 40, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + 300, box["y"] + 10, steps=5)
    page.mouse.up()
    page.wait_for_selector("#picker:not([hidden])")
    page.keyboard.type("tool")
    page.wait_for_timeout(200)
    save("code-picker")
    page.keyboard.press("Escape")
    page.goto(f"{base}/agreement")
    save("agreement")
    page.goto(f"{base}/analysis?coder=rules&code=power_differential")
    page.wait_for_load_state("networkidle")
    save("analysis")
    context.close()
    return shots


def main(out: str) -> int:
    if missing():
        print(f"Error: cannot take screenshots: {missing()}", file=sys.stderr)
        return 1
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        path = build(Path(scratch))
        review_like_the_hand_coding(path)
        with serving(create_app(Settings(path, coder="alice"))) as base, chromium() as browser:
            for shot in shoot(base, folder, browser):
                print(f"wrote {shot}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
