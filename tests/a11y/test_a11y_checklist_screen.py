"""The live checklist's own screen on a 375-px phone: plain words, clear outcomes, two tabs.

One `handbook serve` for the module (scratch records database, a copy of the content so an edit
elsewhere in the tree cannot refuse a session). A success message is green with a tick and text
(contrast at least 4.5:1), not red; "Now" fills the time box; "Hold here" says what it does; a
refusal names items by their prompts, not their ids, and the checklist style is said in words;
Voila's "Executing 1 of 1" never shows; the message after "Finish and save" is shown where the
officer is and takes the focus; a tab whose save meets another tab's newer save, or that comes
back into view, shows what is saved now and says so. Shots of the success message, desktop and
375 px, go to artifacts/screenshots/.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from a11y_checks import DESKTOP, PHONE, SHOTS, check_state, contrast, in_live_region, parse_rgb

from protocols.engine import ChecklistRun
from protocols.library.loader import load_library
from protocols.records import Store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOAD_TIMEOUT = 60_000
ACTION_TIMEOUT = 45_000
OK_GREEN = (30.0, 107.0, 52.0)
"""The checklists' success colour (#1e6b34)."""


@pytest.fixture(scope="module", autouse=True)
def content_copy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The server (started after this) reads a copy of the content, as it is when the module starts."""
    folder = tmp_path_factory.mktemp("content") / "content"
    shutil.copytree(Path(__file__).resolve().parents[2] / "src" / "protocols" / "content", folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HANDBOOK_CONTENT", str(folder))
        yield


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A phone-sized browser context (pages in it share storage, as tabs do)."""
    made = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1,
                               bypass_csp=True)
    made.set_default_timeout(ACTION_TIMEOUT)
    yield made
    made.close()


def open_case(context: Any, server: Any, case_number: str, aid: str = "scene-response") -> Any:
    page = context.new_page()
    page.goto(f"{server.base}/voila/render/{aid}.ipynb")
    page.wait_for_selector(".hb-aid", timeout=LOAD_TIMEOUT)
    field = page.get_by_label("Case or incident number")
    page.wait_for_function("el => el.maxLength === 40", arg=field.element_handle())  # the engine's limit
    field.fill(case_number)
    field.press("Enter")
    page.get_by_text(f"Case {case_number}").first.wait_for(timeout=LOAD_TIMEOUT)
    return page


def item(page: Any, item_id: str) -> Any:
    return page.locator(f"#hb-scene-response-{item_id}")


def wait_text(locator: Any, text: str) -> str:
    """Wait until ``locator`` shows ``text`` (case as given), looked up afresh at each try: a
    checklist drawn again replaces its nodes, and a handle to the old one would never change."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    showing = locator.filter(has_text=re.compile(re.escape(text))).first
    try:
        showing.wait_for(state="attached")
    except PlaywrightTimeout:
        shown = locator.all_inner_texts()
        raise AssertionError(f"never showed {text!r}; it shows {shown}, and the page: "
                             f"{locator.page.locator('.hb-checklist').all_inner_texts()}") from None
    return str(showing.inner_text())


RECORD_ALERTS = """() => {
  window.hbAlertsSeen = [];
  const note = () => {
    for (const box of document.querySelectorAll('.hb-checklist .hb-alert')) {
      const text = box.textContent;
      if (text && window.hbAlertsSeen[window.hbAlertsSeen.length - 1] !== text) window.hbAlertsSeen.push(text);
    }
  };
  new MutationObserver(note).observe(document.body, {childList: true, subtree: true, characterData: true});
}"""
"""From now on, every text the checklist's alert shows is kept in ``window.hbAlertsSeen``: an
answer given clears the alert, so a notice that came just before it is gone by the time a test
looks, though the officer saw it."""


def alert_seen(page: Any, text: str) -> str:
    """The first alert (recorded by ``RECORD_ALERTS``) that contained ``text``; fails, saying
    what was shown, if none did within the default timeout."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        handle = page.wait_for_function("(text) => window.hbAlertsSeen.find(t => t.includes(text))", arg=text)
    except PlaywrightTimeout:
        raise AssertionError(f"never showed {text!r}; the alerts shown: {page.evaluate('window.hbAlertsSeen')}, "
                             f"and the page: {page.locator('.hb-checklist').all_inner_texts()}") from None
    return str(handle.json_value())


def answer(page: Any, item_id: str, value: str | None = None) -> None:
    """Answer an item (the first choice unless told) and wait until it says saved."""
    options = item(page, item_id).locator(".hb-option[data-value]")
    (options.first if value is None else item(page, item_id).locator(f".hb-option[data-value={value}]")).click()
    wait_text(item(page, item_id).locator(".hb-status"), "· saved")


def critical_items(page: Any) -> list[str]:
    ids = page.eval_on_selector_all(".hb-checklist li.hb-item.hb-critical", "els => els.map(e => e.dataset.item)")
    return [str(i) for i in ids]


def test_refusal_in_plain_words_then_success_in_green(context: Any, server: Any, axe_js: Path) -> None:
    page = open_case(context, server, "26-SCREEN-01")
    kind = page.locator(".hb-checklist .hb-kind")
    assert kind.get_attribute("data-kind") == "DO-CONFIRM"
    assert kind.inner_text().startswith("Do, then check · ")
    critical = critical_items(page)
    held_back = critical[-1]
    for item_id in critical[:-1]:
        answer(page, item_id)
    page.get_by_role("button", name="Complete checklist").click()
    alert = page.locator(".hb-checklist .hb-alert")
    refusal = wait_text(alert, "unanswered")
    prompt = item(page, held_back).locator(".hb-prompt").inner_text()
    assert refusal.startswith("1 critical item is unanswered: “") and f"“{prompt[:30]}" in refusal
    assert f"({held_back})" not in refusal and "`" not in refusal
    assert "hb-bad" in str(alert.get_attribute("class")) and alert.get_attribute("role") == "alert"

    answer(page, held_back)
    page.get_by_role("button", name="Complete checklist").click()
    assert wait_text(alert, "Checklist complete and saved.") == "Checklist complete and saved."
    assert in_live_region(page, "Checklist complete and saved.")
    assert alert.get_attribute("role") == "status", "a success is announced politely, not as an alert"
    style = alert.evaluate("""el => {
        let back = 'rgba(0, 0, 0, 0)';
        for (let n = el; n && back.endsWith(', 0)'); n = n.parentElement) back = getComputedStyle(n).backgroundColor;
        return {color: getComputedStyle(el).color, icon: getComputedStyle(el, '::before').content, back};
    }""")
    colour = parse_rgb(style["color"])[:3]
    assert colour == OK_GREEN, f"the success message is {style['color']}, not the success green"
    assert contrast(colour, parse_rgb(style["back"])[:3]) >= 4.5
    assert "✓" in style["icon"], "a tick marks the success, not colour alone"
    alert.scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "checklist-success-phone.png"))
    page.set_viewport_size(DESKTOP)
    alert.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "checklist-success-desktop.png"))
    page.set_viewport_size(PHONE)
    problems = check_state(page, axe_js, "scene-response-completed")
    assert problems == [], "\n".join(problems)


def test_now_fills_the_time_box(context: Any, server: Any) -> None:
    page = open_case(context, server, "26-SCREEN-02")
    arrival = item(page, "arrival-time")
    arrival.get_by_role("button", name="Record the time now", exact=False).click()
    shown = wait_text(arrival.locator(".hb-status"), "· saved")
    box = arrival.locator("input.hb-input:not(.hb-reason)")
    assert re.fullmatch(r"\d\d:\d\d", box.input_value()), "the time box shows the time recorded"
    assert shown.startswith(box.input_value())


def test_hold_here_says_what_it_does(context: Any, server: Any) -> None:
    page = open_case(context, server, "26-SCREEN-03")
    hold = page.get_by_role("button", name="Hold here")
    note = page.locator(f"#{hold.get_attribute('aria-describedby')}")
    assert note.is_visible()
    assert "marks where you stopped" in note.inner_text() and "resume" in note.inner_text()
    hold.click()
    page.get_by_role("button", name="Resume checklist").wait_for()
    assert note.inner_text().startswith("On hold. Press “Resume checklist”")


def test_voila_progress_text_never_shows(server: Any, context: Any) -> None:
    raw = context.new_page().request.get(f"{server.base}/voila/render/scene-response.ipynb").text()
    assert "Opening the job aid…" in raw
    cells = raw.split('id="rendered_cells"', 1)[1]
    assert "voila_process(" not in cells, "each cell would replace the loading message with 'Executing 1 of 1'"


def test_finish_and_save_shows_its_message_where_the_officer_is(context: Any, server: Any) -> None:
    page = open_case(context, server, "26-SCREEN-04", "needs-and-referrals")
    page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Refer to this service").first.click()
    page.get_by_text("Referral saved.").first.wait_for()
    status = page.locator(".hb-aid-status")
    before = status.inner_text()
    finish = page.get_by_role("button", name="Finish and save the assessment")
    finish.scroll_into_view_if_needed()
    finish.click()
    page.wait_for_function("before => document.querySelector('.hb-aid-status').textContent !== before", arg=before)
    message = status.inner_text()
    assert "saved" in message
    page.wait_for_function("""text => { const el = document.activeElement;
        return el && el !== document.body && el.textContent.trim().replace(/^⚠ /, '') === text; }""", arg=message)
    focus = page.evaluate("""() => { const r = document.activeElement.getBoundingClientRect();
        return {top: r.top, bottom: r.bottom, height: innerHeight}; }""")
    assert focus["top"] >= 0 and focus["bottom"] <= focus["height"], f"the message is off screen: {focus}"
    assert in_live_region(page, message)


def saved_value(server: Any, case_number: str, item_id: str) -> object:
    (record,) = Store.open(server.database_url).find("scene-response", case_number)
    answer = ChecklistRun.restore(load_library().protocol("scene-response"), record.state).answer_for(item_id)
    return None if answer is None else answer.value


def test_two_tabs_show_what_is_saved_now(context: Any, server: Any) -> None:
    """Two tabs on one case. A tab that answers after the other saved is told, and shows what is
    saved: its save is refused for the conflict, or (if it came into view first) it reloaded
    before answering. A tab that comes back into view shows what the other one saved since."""
    case = "26-SCREEN-05"
    first = open_case(context, server, case)
    second = open_case(context, server, case)
    answer(first, "suspect-status", "in-custody")
    second.evaluate(RECORD_ALERTS)
    item(second, "suspect-status").locator(".hb-option[data-value=left-scene]").click()
    told = alert_seen(second, "changed in another tab")
    status = item(second, "suspect-status").locator(".hb-status")
    if told.startswith("Not saved: this checklist was changed in another tab"):  # refused for the conflict
        refused = wait_text(status, "not saved")
        assert refused.startswith("Your answer was not saved: this checklist was changed in another tab")
        assert "Saved there: In custody" in refused
        pressed = item(second, "suspect-status").locator(".hb-option[aria-pressed=true]")
        assert pressed.get_attribute("data-value") == "in-custody", "the tab shows the saved answer"
        assert saved_value(server, case, "suspect-status") == "in-custody"
        answer(second, "suspect-status", "left-scene")
    else:
        assert told.startswith("This checklist was changed in another tab or by another officer.")
        wait_text(status, "· saved")
    assert saved_value(server, case, "suspect-status") == "left-scene"

    first.bring_to_front()
    first.evaluate("window.dispatchEvent(new Event('focus'))")  # what the browser sends on a tab switch
    now = wait_text(item(first, "suspect-status").locator(".hb-status"), "Left the scene")
    assert now.startswith("Left the scene · ") and now.endswith("· saved")
    notice = first.locator(".hb-checklist .hb-alert").inner_text()
    assert notice.startswith("This checklist was changed in another tab or by another officer.")
