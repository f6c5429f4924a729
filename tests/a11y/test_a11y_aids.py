"""WCAG 2.1 AA on every job aid, at phone size, before and after it is used.

One `handbook serve` for the module (scratch records database). Each aid is opened at 375x667
and checked in its first state and after the interactions an officer makes: axe-core (WCAG 2.0
and 2.1, A and AA; nothing excluded; at 375 px and again at 1280 px), an accessible name on
every control, no sideways scrolling or clipped content, 44x44 px touch targets. A 375-px shot of each state is saved to
artifacts/screenshots/a11y-<aid>-<state>.png. Refusals and progress must land in live regions;
critical checklist items are marked in words; the rights notice is chosen in Spanish, recorded,
and the saved record says so.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from a11y_checks import PHONE, check_state, in_live_region

from protocols.engine import FollowUpPlan, RightsDeliveryState, load_state
from protocols.library.loader import load_library
from protocols.records import Store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOAD_TIMEOUT = 60_000
"""Milliseconds to wait for an aid to draw (a kernel may still be starting)."""
ACTION_TIMEOUT = 45_000
"""Milliseconds for a click, or a saved answer to show (generous: a loaded machine is slow)."""


@pytest.fixture
def open_aid(browser: Any, server: Any) -> Iterator[Any]:
    """Open a job aid at phone size in a fresh context.

    ``bypass_csp``: the server's Content-Security-Policy (script nonces) would block the
    axe-core script the test injects; the aid itself runs the same either way.
    """
    contexts: list[Any] = []

    def opener(aid: str, query: str = "") -> Any:
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1,
                                      bypass_csp=True)
        contexts.append(context)
        context.set_default_timeout(ACTION_TIMEOUT)
        page = context.new_page()
        page.goto(f"{server.base}/voila/render/{aid}.ipynb{query}")
        page.wait_for_selector(".hb-aid", timeout=LOAD_TIMEOUT)
        return page

    yield opener
    for context in contexts:
        context.close()


def start_case(page: Any, case_number: str) -> None:
    field = page.get_by_label("Case or incident number")
    field.fill(case_number)
    field.press("Enter")
    page.get_by_text(f"Case {case_number}").first.wait_for(timeout=LOAD_TIMEOUT)


def answer_item(page: Any, item_id: str) -> None:
    """Give a checklist item a value the way an officer would, and wait until it says saved."""
    item = page.locator(f"#{item_id}")
    options = item.locator(".hb-option[data-value]")
    if options.count():
        options.first.click()
    elif item.get_by_role("button", name="Record the time now", exact=False).count():
        item.get_by_role("button", name="Record the time now", exact=False).click()
    else:
        value = "2" if item.locator("input[type=number]").count() else "Noted."
        item.locator("input.hb-input:not(.hb-reason)").fill(value)
        item.get_by_role("button", name="Record", exact=True).click()
    page.wait_for_function("el => el.textContent.includes('saved')",
                           arg=item.locator(".hb-status").element_handle())


# --------------------------------------------------------------------------- the page around the aids


def test_loading_page_is_accessible(browser: Any, server: Any, axe_js: Path) -> None:
    """Voila's page before the aid draws: the loading message, language, title, landmarks.

    The page is served as it comes from the server with its scripts taken out, so it stays
    in its loading state (as it is for a moment on a slow kernel) while axe-core checks it.
    """
    url = f"{server.base}/voila/render/scene-response.ipynb"
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    try:
        page = context.new_page()
        raw = page.request.get(url).text()
        still = re.sub(r"<script\b[^>]*>.*?</script>", "", raw, flags=re.S | re.I)
        page.route(url, lambda route: route.fulfill(body=still, content_type="text/html"))
        page.goto(url)
        assert page.locator("#loading[role=status]").is_visible()
        assert page.evaluate("document.documentElement.lang") == "en"
        assert page.title().startswith("Scene response")
        assert page.locator("#rendered_cells[role=main]").count() == 1
        problems = check_state(page, axe_js, "loading")
    finally:
        context.close()
    assert problems == [], "\n".join(problems)


# --------------------------------------------------------------------------- the aids


def test_index(open_aid: Any, axe_js: Path) -> None:
    page = open_aid("index")
    problems = check_state(page, axe_js, "index")
    assert problems == [], "\n".join(problems)


def test_scene_response_answered_and_refused(open_aid: Any, axe_js: Path) -> None:
    page = open_aid("scene-response")
    problems = check_state(page, axe_js, "scene-response-start")
    start_case(page, "26-A11Y-01")
    page.wait_for_selector(".hb-checklist", timeout=LOAD_TIMEOUT)
    items = page.locator(".hb-checklist li.hb-item")
    ids = [str(items.nth(i).get_attribute("id")) for i in range(items.count())]
    critical = [i for i in ids if "hb-critical" in str(page.locator(f"#{i}").get_attribute("class"))]
    assert len(critical) >= 3
    # Critical items are marked in words, not by colour alone; other items are not.
    for item_id in ids:
        badge = page.locator(f"#{item_id} .hb-badge")
        if item_id in critical:
            assert badge.inner_text() == "Critical", item_id
            assert "critical" in page.locator(f"#{item_id} .hb-status").inner_text().lower(), item_id
        else:
            assert badge.count() == 0, item_id
    problems += check_state(page, axe_js, "scene-response-open")
    assert page.locator("main, [role=main]").count() == 1, "one main landmark"
    assert page.locator("[role=main] .hb-checklist").count() == 1, "the aid is inside the main landmark"

    held_back = critical[-2:]
    not_applicable = next((i for i in ids if i not in held_back
                           and page.locator(f"#{i} .hb-na").count()), None)
    for item_id in ids:
        if item_id in held_back or item_id == not_applicable:
            continue
        answer_item(page, item_id)
    if not_applicable is not None:  # N/A needs a reason: the field opens, is named, and is checked too
        page.locator(f"#{not_applicable} .hb-na").click()
        reason = page.locator(f"#{not_applicable} .hb-reason")
        reason.wait_for()
        problems += check_state(page, axe_js, "scene-response-na-reason")
        reason.fill("No children live here.")
        page.locator(f"#{not_applicable} .hb-na").click()
        page.wait_for_function("el => el.textContent.includes('saved')",
                               arg=page.locator(f"#{not_applicable} .hb-status").element_handle())
    page.get_by_role("button", name="Complete checklist").click()
    alert = page.locator(".hb-checklist .hb-alert")
    page.wait_for_function("el => el.textContent.includes('unanswered')", arg=alert.element_handle())
    refusal = alert.inner_text()
    assert "2 critical items are unanswered" in refusal
    assert in_live_region(page, "2 critical items are unanswered"), "the refusal is not announced"
    progress = page.locator(".hb-checklist .hb-progress").inner_text()
    assert "2 critical open" in progress
    assert in_live_region(page, progress), "progress is not announced"
    problems += check_state(page, axe_js, "scene-response-refused")
    assert problems == [], "\n".join(problems)


def test_needs_and_referrals_with_services(open_aid: Any, axe_js: Path) -> None:
    page = open_aid("needs-and-referrals")
    problems = check_state(page, axe_js, "needs-and-referrals-start")
    start_case(page, "26-A11Y-02")
    page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Refer to this service").first.wait_for(timeout=LOAD_TIMEOUT)
    page.get_by_role("button", name="Refer to this service").first.click()
    page.get_by_text("Referral saved.").wait_for()
    assert in_live_region(page, "Referral saved.")
    problems += check_state(page, axe_js, "needs-and-referrals-referred")
    assert problems == [], "\n".join(problems)


def test_screening_screened_in_with_follow_on_checklist(open_aid: Any, axe_js: Path) -> None:
    page = open_aid("screening")
    problems = check_state(page, axe_js, "screening-start")
    start_case(page, "26-A11Y-03")
    page.wait_for_selector(".hb-q-1", timeout=LOAD_TIMEOUT)
    page.locator(".hb-q-1").get_by_role("button", name="Yes", exact=True).click()
    page.locator(".hb-q-1").get_by_text("Answer: Yes").wait_for()
    assert in_live_region(page, "1 of 11 answered")
    problems += check_state(page, axe_js, "screening-answering")
    page.get_by_role("button", name="Finish screening and see the result").click()
    page.locator(".hb-result").wait_for()
    page.locator(".hb-checklist").wait_for(timeout=LOAD_TIMEOUT)
    assert page.locator(".hb-result .hb-headline").inner_text() == "Screened in by the protocol"
    problems += check_state(page, axe_js, "screening-screened-in")
    assert problems == [], "\n".join(problems)


def test_the_rights_record_action_stays_in_reach_on_a_phone(open_aid: Any) -> None:
    """The notice is long on a phone: while the officer reads it out, one tap away is the record."""
    page = open_aid("rights-notification")
    start_case(page, "26-A11Y-07")
    page.locator(".hb-card ol li").first.wait_for()
    page.locator(".hb-card ol li").nth(2).scroll_into_view_if_needed()
    jump = page.get_by_role("link", name="Given it? Record how you gave it ↓")
    box = jump.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    assert page.get_by_label("How you gave it").bounding_box()["y"] > PHONE["height"], "the notice is not long here"
    jump.click()
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'hb-rights-record'")
    method = page.get_by_label("How you gave it").bounding_box()
    assert method is not None and method["y"] + method["height"] <= PHONE["height"]


def test_rights_notification_in_spanish_is_recorded(open_aid: Any, axe_js: Path, server: Any) -> None:
    page = open_aid("rights-notification")
    problems = check_state(page, axe_js, "rights-notification-start")
    start_case(page, "26-A11Y-04")
    marsy = load_library().notices_in_family("ca-marsy")[0].title
    page.get_by_label("Which notice (the jurisdiction)").select_option(label=marsy)
    language = page.get_by_label("Language the victim reads")
    language.select_option(label="Spanish (español) (needs translator review)")
    spanish = page.locator('.hb-card[lang="es"]')
    spanish.wait_for()
    assert "Sus derechos" in spanish.inner_text()
    assert page.evaluate("() => document.querySelector('.hb-card[lang=es] h3').closest('[lang]').lang") == "es"
    problems += check_state(page, axe_js, "rights-notification-spanish")
    method = page.get_by_label("How you gave it")
    method.select_option(index=1)
    page.get_by_role("button", name="Record that the notice was given").click()
    page.get_by_text("Recorded and saved:").first.wait_for()
    assert in_live_region(page, "Recorded and saved:")
    problems += check_state(page, axe_js, "rights-notification-recorded")
    assert problems == [], "\n".join(problems)

    (record,) = Store.open(server.database_url).find("rights-notification", "26-A11Y-04")
    assert record.content_id == "ca-marsy-es"
    state = load_state(record.state)
    assert isinstance(state, RightsDeliveryState)
    assert [given.language for given in state.deliveries] == ["es"]
    assert json.loads(record.state)["deliveries"][0]["language"] == "es"


def test_confidentiality_outcome(open_aid: Any, axe_js: Path) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = open_aid("confidentiality")
    problems = check_state(page, axe_js, "confidentiality-start")
    start_case(page, "26-A11Y-05")
    yes = page.get_by_role("button", name="Yes", exact=True)
    # The progress line and the next question (or the answer) are separate widgets that the
    # page redraws one after the other: wait for the progress to move AND for the next thing to
    # press or read to be drawn, or the loop may look for a "Yes" that is not there yet.
    settled = """b => document.querySelector('.hb-progress').textContent !== b
        && (document.querySelector('.hb-result')
            || [...document.querySelectorAll('button')].some(x => x.textContent.trim() === 'Yes'
                                                             && x.offsetParent !== null && !x.disabled))"""
    for _ in range(20):  # the guide is a tree of a few questions; Yes until an answer is reached
        if page.locator(".hb-result").count():
            break
        before = page.locator(".hb-progress").inner_text()
        try:
            yes.click(timeout=5_000)
        except PlaywrightTimeout:
            # The last answer's Yes can still show for a moment after the progress moved, then
            # hide as the answer is drawn: look again for the answer rather than press.
            continue
        page.wait_for_function(settled, arg=before)
    page.locator(".hb-result").wait_for()
    assert in_live_region(page, "answer reached after")
    problems += check_state(page, axe_js, "confidentiality-outcome")
    assert problems == [], "\n".join(problems)


def test_follow_up_plan(open_aid: Any, axe_js: Path) -> None:
    page = open_aid("follow-up")
    problems = check_state(page, axe_js, "follow-up-start")
    start_case(page, "26-A11Y-06")
    page.get_by_text("Make a follow-up plan").wait_for(timeout=LOAD_TIMEOUT)
    problems += check_state(page, axe_js, "follow-up-form")
    page.get_by_label("Safe way to contact the victim").select_option(label="Phone call")
    page.get_by_role("button", name="Make the follow-up plan").click()
    page.get_by_text("Follow-up plan made and saved").wait_for()
    page.locator(".hb-check-in-first-contact").wait_for()
    assert in_live_region(page, "Follow-up plan made and saved")
    problems += check_state(page, axe_js, "follow-up-plan")
    assert problems == [], "\n".join(problems)


def test_scenario_player_to_the_debrief(open_aid: Any, axe_js: Path) -> None:
    page = open_aid("scenario-player")
    problems = check_state(page, axe_js, "scenario-player-start")
    page.get_by_role("button", name="Continue").click()
    page.get_by_text("Content warning:").wait_for()
    page.get_by_role("button", name="I am ready: start the scenario").click()
    page.locator(".hb-options button").first.wait_for()
    problems += check_state(page, axe_js, "scenario-player-decision")
    for turn in range(30):  # bounded: a scenario has a handful of decisions
        page.locator(".hb-options button").first.click()
        page.locator(".hb-result .hb-headline").wait_for()
        if turn == 0:
            problems += check_state(page, axe_js, "scenario-player-feedback")
        debrief = page.get_by_role("button", name="See the debrief")
        if debrief.count():
            debrief.click()
            break
        page.get_by_role("button", name="Next decision").click()
        page.locator(".hb-options button").first.wait_for()
    page.get_by_text("Debrief:").wait_for()
    problems += check_state(page, axe_js, "scenario-player-debrief")
    assert problems == [], "\n".join(problems)


def test_scenario_player_in_roll_call_mode(open_aid: Any, axe_js: Path) -> None:
    """Large type for a projector is still axe-clean, named and reflows at 375 px, to the debrief."""
    page = open_aid("scenario-player", "?mode=roll-call&scenario=crisis-hotline-night&label=a11y-roll-call")
    page.locator(".hb-aid.hb-roll-call").wait_for(timeout=LOAD_TIMEOUT)
    assert page.get_by_label("Roll-call mode: for a projector, the group decides together").is_checked()
    problems = check_state(page, axe_js, "scenario-player-roll-call-start")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="I am ready: start the scenario").click()
    page.locator(".hb-rc-option").first.wait_for()
    page.get_by_label("Hands up for A").fill("7")
    page.get_by_label("Hands up for B").fill("2")
    page.get_by_label("Hands up for B").press("Tab")
    problems += check_state(page, axe_js, "scenario-player-roll-call-decision")
    for turn in range(30):  # bounded: a scenario has a handful of decisions
        page.get_by_role("button", name="The group chose A").click()
        page.get_by_text("Show of hands").first.wait_for()
        if turn == 0:
            assert in_live_region(page, "Saved.")
            problems += check_state(page, axe_js, "scenario-player-roll-call-feedback")
        last = page.get_by_role("button", name="See the group debrief")
        if last.count():
            last.click()
            break
        page.get_by_role("button", name="Next decision").click()
        page.locator(".hb-rc-option").first.wait_for()
    page.get_by_text("Group debrief:").wait_for()
    page.locator("table.hb-summary").wait_for()
    problems += check_state(page, axe_js, "scenario-player-roll-call-debrief")
    assert problems == [], "\n".join(problems)


def test_tracker_with_check_ins_due(open_aid: Any, axe_js: Path, server: Any) -> None:
    first = open_aid("tracker")
    problems = check_state(first, axe_js, "tracker-start")
    first.context.close()
    library = load_library()
    template = next(iter(library.followup.values()))
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    plan = FollowUpPlan.create(template, "26-A11Y-07", start, method="phone")
    state = plan.state
    Store.open(server.database_url).create("follow-up", state.content_id, state.content_version,
                                           "26-A11Y-07", "in-progress", state.model_dump_json())
    page = open_aid("tracker")  # a kernel kept ready drew it before the plan existed: it reads again
    page.get_by_text("case 26-A11Y-07").first.wait_for(timeout=LOAD_TIMEOUT)
    problems += check_state(page, axe_js, "tracker-due")
    page.get_by_role("button", name="Reached").first.click()
    page.get_by_text("Recorded for case 26-A11Y-07").wait_for()
    assert in_live_region(page, "Recorded for case 26-A11Y-07")
    problems += check_state(page, axe_js, "tracker-recorded")
    assert problems == [], "\n".join(problems)
