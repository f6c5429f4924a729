"""Screenshots of the scenario player in roll-call mode: a decision screen and the group debrief.

    python tests/jobaids/rollcall_screenshots.py [OUT_DIR]

Starts `handbook serve` on a free loopback port with a scratch records database, saves two
phone play-throughs under the session label, then plays the scenario as a roll-call group in
Debian's Chromium, at desktop (1280x800) and phone (375x667) size. Writes
aid-rollcall-{decision,feedback,debrief,summary}-{desktop,phone}.png (and -full shots of the
decision and the debrief) to OUT_DIR (default artifacts/screenshots), and reports sideways
scrolling and text smaller than 18 px.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from browser import CHROMIUM_ARGS, CHROMIUM_PATH  # noqa: E402
from served import handbook_serve  # noqa: E402

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 667}}
SCENARIO = "crisis-hotline-night"
LABEL = "roll-call-12"
TIMEOUT = 60_000


def seed(database_url: str) -> None:
    """Two trainees who played on their phones under the session label."""
    from protocols.engine import ScenarioPlayer
    from protocols.library.loader import load_library
    from protocols.records import Store

    scenario = load_library().scenario(SCENARIO)
    store = Store.open(database_url)
    for best in (True, False):
        player = ScenarioPlayer.start(scenario, dt.datetime.now(dt.UTC))
        while player.current_node is not None:
            node = player.current_node
            option = next(o for o in node.options if (o.rating.value == "correct") == best)
            player.choose(option.id, dt.datetime.now(dt.UTC))
        state = player.state
        store.create("scenario-player", state.content_id, state.content_version, LABEL, "completed",
                     state.model_dump_json())


def check(page: object, view: str, name: str, problems: list[str]) -> None:
    width = VIEWPORTS[view]["width"]
    wide = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    inner = page.evaluate(  # type: ignore[attr-defined]
        "(() => { const c = document.querySelector('#rendered_cells') || document.body;"
        " return c.scrollWidth - c.clientWidth; })()")
    if wide > width or inner > 0:
        problems.append(f"{view} {name}: scrolls sideways ({wide}px page, {inner}px inside)")
    small = page.evaluate(  # type: ignore[attr-defined]
        "[...document.querySelectorAll('.hb-aid p, .hb-aid li, .hb-aid td, .hb-aid th, .hb-aid button, "
        ".hb-aid label, .hb-aid input')].filter(e => e.getClientRects().length && !e.closest('.hb-aid-header')"
        " && parseFloat(getComputedStyle(e).fontSize) < 18)"
        ".map(e => `${e.tagName.toLowerCase()}.${e.className} ${getComputedStyle(e).fontSize}`"
        " + ` \"${(e.innerText || '').slice(0, 30)}\"`)")
    if small:
        problems.append(f"{view} {name}: small text: {'; '.join(small[:5])}")


def full_shot(page: object, view: str, path: Path) -> None:
    """The whole aid in one picture (the page scrolls inside Voila's cell area)."""
    size = VIEWPORTS[view]
    height = page.evaluate("document.querySelector('#rendered_cells').scrollHeight")  # type: ignore[attr-defined]
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 16, 12000)})  # type: ignore[attr-defined]
    page.wait_for_timeout(300)  # type: ignore[attr-defined]
    page.screenshot(path=str(path))  # type: ignore[attr-defined]
    page.set_viewport_size(size)  # type: ignore[attr-defined]


def main(argv: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    out = Path(argv[0] if argv else ROOT / "artifacts" / "screenshots").resolve()
    out.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        seed(f"sqlite:///{folder}/records.sqlite3")  # the database handbook_serve gives the server
        with handbook_serve(folder) as served:
            url = (f"{served.base}/voila/render/scenario-player.ipynb"
                   f"?mode=roll-call&scenario={SCENARIO}&label={LABEL}")
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
                for view, size in VIEWPORTS.items():
                    context = browser.new_context(viewport=size, is_mobile=view == "phone", device_scale_factor=1)
                    context.set_default_timeout(TIMEOUT)
                    page = context.new_page()
                    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
                    page.goto(url)
                    page.wait_for_selector(".hb-aid.hb-roll-call", timeout=TIMEOUT)
                    page.get_by_role("button", name="Continue").click()
                    page.get_by_role("button", name="I am ready: start the scenario").click()
                    turn = 0
                    while True:
                        page.locator(".hb-rc-option").first.wait_for()
                        page.get_by_label("Hands up for A").fill("9")
                        page.get_by_label("Hands up for B").fill("3")
                        page.get_by_label("Hands up for B").press("Tab")
                        page.wait_for_timeout(300)
                        if turn == 0:
                            page.evaluate("document.querySelector('#rendered_cells')?.scrollTo(0, 0)")
                            check(page, view, "decision", problems)
                            page.screenshot(path=str(out / f"aid-rollcall-decision-{view}.png"))
                            full_shot(page, view, out / f"aid-rollcall-decision-{view}-full.png")
                        page.get_by_role("button", name="The group chose A").click()
                        page.get_by_text("Show of hands").first.wait_for()
                        if turn == 0:
                            check(page, view, "feedback", problems)
                            page.screenshot(path=str(out / f"aid-rollcall-feedback-{view}.png"))
                        last = page.get_by_role("button", name="See the group debrief")
                        if last.count():
                            last.click()
                            break
                        page.get_by_role("button", name="Next decision").click()
                        turn += 1
                    page.get_by_text("Group debrief:").wait_for()
                    page.wait_for_timeout(300)
                    check(page, view, "debrief", problems)
                    page.screenshot(path=str(out / f"aid-rollcall-debrief-{view}.png"))
                    summary = page.locator(".hb-table-wrap")
                    summary.scroll_into_view_if_needed()
                    page.screenshot(path=str(out / f"aid-rollcall-summary-{view}.png"))
                    full_shot(page, view, out / f"aid-rollcall-debrief-{view}-full.png")
                    context.close()
                browser.close()
    for problem in problems:
        print(problem)
    print(f"screenshots in {out}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
