"""The job aids end to end: the real `handbook serve`, Debian's Chromium, a scratch records database.

One server for the module (started with ``handbook serve --port <free port>`` from the project
folder; the book may be unbuilt). The tests drive the scene-response checklist to a refused and
then an accepted completion, screen a case in and open its follow-on checklist, and make a
follow-up plan. Every request must stay on 127.0.0.1 and the console must show no errors.
Screenshots of the landing page and every aid, desktop and phone, go to artifacts/screenshots/.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser import launched_chromium, require_chromium
from protocols.serve.front_end_bundle import CHUNK_NAME, stale_list_note
from served import Served, Watch, handbook_serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 667}}
AIDS = ["index", "scene-response", "needs-and-referrals", "screening", "rights-notification",
        "confidentiality", "follow-up", "scenario-player", "tracker"]
LOAD_TIMEOUT = 60_000
"""Milliseconds to wait for an aid to draw (a kernel may still be starting)."""


Server = Served


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`handbook serve` on a free loopback port with its own records database; stopped at the end."""
    require_chromium()
    with handbook_serve(tmp_path_factory.mktemp("serve")) as served:
        yield served


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[object]:
    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture
def open_page(browser: object, server: Server) -> Iterator[object]:
    """A function that opens an aid in a fresh context (desktop unless told) and watches it."""
    contexts: list[object] = []
    watches: list[Watch] = []

    def opener(aid: str, view: str = "desktop", query: str = "") -> tuple[object, Watch]:
        context = browser.new_context(viewport=VIEWPORTS[view], is_mobile=view == "phone",  # type: ignore[attr-defined]
                                      device_scale_factor=1)
        contexts.append(context)
        watch = Watch(server.base)
        watches.append(watch)
        page = context.new_page()
        page.on("request", lambda r: watch.requests.append(r.url))
        page.on("websocket", lambda ws: watch.requests.append(ws.url))
        page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: watch.errors.append(str(e)))
        page.goto(f"{server.base}/voila/render/{aid}.ipynb{query}")
        page.wait_for_selector(".hb-aid", timeout=LOAD_TIMEOUT)
        return page, watch

    yield opener
    for context in contexts:
        context.close()  # type: ignore[attr-defined]
    for watch in watches:
        assert watch.off_machine() == [], "requests left 127.0.0.1"
        assert watch.errors == [], "the console shows errors"


def start_case(page: object, case_number: str) -> None:
    field_ = page.get_by_label("Case or incident number")  # type: ignore[attr-defined]
    field_.fill(case_number)
    field_.press("Enter")


def screenshot(page: object, name: str, view: str) -> None:
    """A viewport shot and a whole-aid shot (the page scrolls inside Voila's cell area)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"aid-{name}-{view}.png"))  # type: ignore[attr-defined]
    height = page.evaluate("document.querySelector('#rendered_cells').scrollHeight")  # type: ignore[attr-defined]
    size = VIEWPORTS[view]
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 16, 12000)})  # type: ignore[attr-defined]
    page.wait_for_timeout(300)  # type: ignore[attr-defined]
    page.screenshot(path=str(SHOTS / f"aid-{name}-{view}-full.png"))  # type: ignore[attr-defined]
    page.set_viewport_size(size)  # type: ignore[attr-defined]


def assert_no_sideways_scroll(page: object, view: str) -> None:
    width = VIEWPORTS[view]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # type: ignore[attr-defined]
    inner = page.evaluate(  # type: ignore[attr-defined]
        "(() => { const c = document.querySelector('#rendered_cells'); return c.scrollWidth - c.clientWidth; })()")
    assert inner <= 0, f"the aid scrolls sideways by {inner}px"


# --------------------------------------------------------------------------- flows


def test_scene_response_refuses_completion_with_a_critical_item_open(open_page: object) -> None:
    page, _watch = open_page("scene-response")  # type: ignore[operator]
    start_case(page, "26-E2E-01")
    page.wait_for_selector(".hb-checklist", timeout=LOAD_TIMEOUT)
    held_back = "contact-details-left"
    items = page.locator(".hb-checklist li.hb-item")
    ids = [items.nth(i).get_attribute("id") for i in range(items.count())]
    assert len(ids) >= 15
    for item_id in ids:
        if item_id is None or item_id.endswith(held_back):
            continue
        answer_item(page, item_id)
    page.get_by_role("button", name="Complete checklist").click()
    alert = page.locator(".hb-checklist .hb-alert")
    prompt = page.locator(f"#hb-scene-response-{held_back} .hb-prompt").inner_text()
    page.wait_for_function("el => el.textContent.includes('unanswered')", arg=alert.element_handle())
    refusal = alert.inner_text()
    assert "1 critical item is unanswered" in refusal
    assert f"“{prompt[:40]}" in refusal and f"({held_back})" not in refusal, "the refusal names the item, not its id"
    answer_item(page, f"hb-scene-response-{held_back}")
    page.get_by_role("button", name="Complete checklist").click()
    page.wait_for_function("el => el.textContent.includes('Checklist complete and saved.')",
                           arg=alert.element_handle())
    assert alert.inner_text() == "Checklist complete and saved."


def answer_item(page: object, item_id: str) -> None:
    """Give an item a value the way an officer would, and wait until it says saved."""
    item = page.locator(f"#{item_id}")  # type: ignore[attr-defined]
    options = item.locator(".hb-option[data-value]")
    if options.count():
        options.first.click()
    elif item.get_by_role("button", name="Now").count():
        item.get_by_role("button", name="Now").click()
    else:
        value = "2" if item.locator("input[type=number]").count() else "Noted."
        item.locator("input.hb-input:not(.hb-reason)").fill(value)
        item.get_by_role("button", name="Record").click()
    status = item.locator(".hb-status")
    page.wait_for_function("el => el.textContent.includes('saved')", arg=status.element_handle())  # type: ignore[attr-defined]


def test_a_locked_database_keeps_the_answer_until_retry_saves_it(open_page: object, server: Server) -> None:
    """Another program holds the records database's write lock while an officer ticks an item."""
    page, _watch = open_page("scene-response")  # type: ignore[operator]
    start_case(page, "26-E2E-LOCK")
    page.wait_for_selector(".hb-checklist", timeout=LOAD_TIMEOUT)
    item = page.locator(".hb-checklist li.hb-item").filter(has=page.locator(".hb-option[data-value=yes]")).first
    status = item.locator(".hb-status")
    retry = page.locator(".hb-checklist .hb-sticky .hb-retry")
    assert retry.is_hidden()
    holder = sqlite3.connect(server.log.parent / "records.sqlite3", isolation_level=None, timeout=10)
    holder.execute("BEGIN IMMEDIATE")
    try:
        item.locator(".hb-option[data-value=yes]").click()
        page.wait_for_function("el => el.textContent.includes('Not saved yet')", arg=status.element_handle(),
                               timeout=30_000)
        assert retry.is_visible()
        assert status.locator(".hb-retry").is_visible(), "the item itself offers the retry"
        # "Not saved yet" comes after 5 s without a reply; the store's reason when the kernel's
        # save gives up waiting for the lock.
        alert = page.locator(".hb-checklist .hb-alert")
        page.wait_for_function("el => el.textContent.includes('the database is busy')", arg=alert.element_handle(),
                               timeout=30_000)
        assert "the database is busy (locked)" in alert.inner_text()
        assert "kept here but not saved yet" in alert.inner_text()
        screenshot(page, "scene-response-unsaved", "desktop")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    status.locator(".hb-retry").click()
    page.wait_for_function("el => el.textContent.includes('· saved')", arg=status.element_handle())
    assert retry.is_hidden()
    assert "Saved now: 1 kept answer." in page.locator(".hb-checklist .hb-alert").inner_text()


def test_screening_screens_in_and_opens_the_follow_on_checklist(open_page: object) -> None:
    page, _watch = open_page("screening")  # type: ignore[operator]
    assert page.locator(".hb-sample .hb-flag").inner_text() == "SAMPLE"
    start_case(page, "26-E2E-02")
    page.wait_for_selector(".hb-q-1", timeout=LOAD_TIMEOUT)
    page.locator(".hb-q-1").get_by_role("button", name="Yes", exact=True).click()
    page.locator(".hb-q-1").get_by_text("Answer: Yes").wait_for()
    page.locator(".hb-q-4").get_by_role("button", name="No", exact=True).click()
    page.locator(".hb-q-4").get_by_text("Answer: No").wait_for()
    assert "2 of 11 answered" in page.locator(".hb-progress").first.inner_text()
    page.get_by_role("button", name="Finish screening and see the result").click()
    result = page.locator(".hb-result")
    result.wait_for()
    assert result.locator(".hb-headline").inner_text() == "Screened in by the protocol"
    assert "Screens in if the victim answers yes to any of questions 1-3: 1 yes (needs 1)" in result.inner_text()
    checklist = page.locator(".hb-checklist")
    checklist.wait_for(timeout=LOAD_TIMEOUT)
    assert "Next: Act on a high-danger screen before you leave" in page.inner_text("#rendered_cells")
    basis = page.locator("#hb-screen-in-response-screen-in-basis")
    basis.get_by_role("button", name="A yes to one of questions 1-3").click()
    page.wait_for_function("el => el.textContent.includes('saved')",
                           arg=basis.locator(".hb-status").element_handle())


def test_follow_up_plan_is_made_and_a_check_in_recorded(open_page: object) -> None:
    page, _watch = open_page("follow-up")  # type: ignore[operator]
    start_case(page, "26-E2E-03")
    page.get_by_text("Make a follow-up plan").wait_for(timeout=LOAD_TIMEOUT)
    page.get_by_label("Safe way to contact the victim").select_option(label="Phone call")
    page.get_by_label("May we leave a message?").select_option(label="No, leave no message")
    page.get_by_role("button", name="Make the follow-up plan").click()
    page.get_by_text("Follow-up plan made and saved: 4 check-ins.").wait_for()
    first = page.locator(".hb-check-in-first-contact")
    first.wait_for()
    text = page.inner_text("#rendered_cells")
    assert re.search(r"Case 26-E2E-03 · \d+ upcoming", text)
    assert "Safe contact: by phone; leave no message" in text
    assert "First check-in (about 24 hours)" in first.inner_text()
    first.get_by_role("button", name="Record this check-in").click()
    page.get_by_text("Check-in recorded and saved: Reached the victim.").wait_for()
    assert page.locator(".hb-check-in-first-contact .hb-badge").inner_text() == "Done"
    assert "Reached the victim" in page.locator(".hb-check-in-first-contact").inner_text()


@pytest.mark.parametrize("view", list(VIEWPORTS))
def test_every_aid_fits_the_screen_and_is_photographed(open_page: object, server: Server, view: str) -> None:
    for aid in AIDS:
        page, watch = open_page(aid, view)  # type: ignore[operator]
        if aid == "index":
            links = page.locator(".hb-aid-list a")
            hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
            assert "/voila/render/screening.ipynb" in hrefs
            assert page.get_by_role("link", name="Back to the handbook").count() == 1
            for href in hrefs:
                assert page.request.get(f"{server.base}{href}").status == 200, href
        elif aid == "scenario-player":
            page.get_by_role("button", name="Continue").click()
            page.get_by_text("Content warning:").wait_for()
        elif aid == "tracker":  # the follow-up plan test above left a plan with check-ins due
            page.get_by_text("This unit, week by week").wait_for(timeout=LOAD_TIMEOUT)
            assert page.locator(".hb-aid svg").count() >= 1, "the weekly chart is drawn"
        else:
            start_case(page, f"26-SHOT-{view[0]}")
            page.get_by_text("Case 26-SHOT-").first.wait_for(timeout=LOAD_TIMEOUT)
            page.wait_for_timeout(300)
        assert_no_sideways_scroll(page, view)
        fetched = [url for url in watch.requests if re.search(rf"/voila/static/{CHUNK_NAME.pattern}", url)]
        if stale_list_note() is None:  # another Voila release: `handbook serve` says so at start
            assert fetched == [], (f"{aid} fetched Voila chunks one by one: run "
                                   "scripts/record_front_end_chunks.py to add them to the page's bundle")
        screenshot(page, aid, view)
        page.context.close()  # its kernel can go before the next aid opens


def test_closing_the_tab_shuts_its_kernel_down(open_page: object, server: Server) -> None:
    """The page's closing beacon reaches the server: the kernel does not wait 35 minutes for the culler.

    The kernel's REST route answers only its own page's browser (the owner cookie), so the
    checks go through that browser context, which outlives the closed tab.
    """
    import time

    page, _ = open_page("scene-response")
    kernel_id = page.evaluate(  # type: ignore[attr-defined]
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
    url = f"{server.base}/api/kernels/{kernel_id}"
    browser = page.context.request  # type: ignore[attr-defined]

    def kernel_status() -> int:
        return int(browser.get(url, timeout=5000).status)

    answer = browser.get(url, timeout=5000)
    assert answer.status == 200 and answer.json()["id"] == kernel_id
    page.close(run_before_unload=True)  # type: ignore[attr-defined]
    deadline = time.monotonic() + 20
    while kernel_status() == 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert kernel_status() == 404, "the closed tab's kernel is still running"
