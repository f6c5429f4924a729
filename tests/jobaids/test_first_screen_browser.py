"""A job aid's first screen in the page: painted at once, usable before the kernel joins, handed over.

One `handbook serve` for the module (a free loopback port, a scratch records database) and
Debian's Chromium. The kernel is held back by keeping the page's first kernel request
(``/api/kernels/<id>``) unanswered, so the live widgets cannot arrive while the test looks at
the first screen; answering it lets them in. The tests check the served page itself (one first
screen, carried once), the first screen before the kernel (a usable field, an honest
"Connecting" after Enter, WCAG 2.1 AA at 375 and 1280 px), and the handover to the live aid: what
was typed, where the focus was and a press still waiting reach the live widgets, once.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from protocols.records import Store
from protocols.ui.first_screen import FIRST_SCREEN_KEY
from required import axe_core, load_module
from served import DESKTOP, PHONE, ROOT, Served, Watch, handbook_serve, launched_chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOAD_TIMEOUT = 60_000
"""Milliseconds for the live aid to draw once the kernel is let in (a loaded machine is slow)."""
AID = "scene-response"
CASE_LABEL = "Case or incident number"
START = "Start or resume"
CONNECTING = "Connecting to the server. “Start or resume” goes through as soon as the job aid has connected."
STILL_CONNECTING = "Still connecting. Nothing is saved yet."
REFUSAL = "Enter the case number as your agency writes it, for example {example}. Do not enter a name."
"""The engine's refusal of a missing case number; the example is the served agency's (the field's placeholder)."""
FIRST = "[data-hb-first-screen]"
CELL_OUTPUT = re.compile(r'<script\b[^>]*type="application/vnd\.voila\.cell-output\+json"[^>]*>(.*?)</script>', re.S)
STATUSES_JS = """(() => {
  // Every text any status line (.hb-aid-status) shows, in order, first screen and live aid alike.
  window.hbStatuses = [];
  const seen = new WeakMap();
  const note = () => {
    for (const el of document.querySelectorAll('.hb-aid-status')) {
      const text = el.textContent.trim();
      if (text && seen.get(el) !== text) { seen.set(el, text); window.hbStatuses.push(text); }
    }
  };
  new MutationObserver(note).observe(document, { subtree: true, childList: true, characterData: true });
})();"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def server(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with handbook_serve(tmp_path_factory.mktemp("first-screen-serve"), "--no-preheat") as served:
        yield served


@pytest.fixture(scope="module")
def axe_js(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return axe_core(tmp_path_factory.mktemp("axe"))


@pytest.fixture(scope="module")
def a11y() -> ModuleType:
    return load_module(ROOT / "tests" / "a11y" / "a11y_checks.py", "_first_screen_a11y_checks")


class Held:
    """A page whose kernel requests are held unanswered until :meth:`release`."""

    def __init__(self, page: Any, watch: Watch) -> None:
        self.page = page
        self.watch = watch
        self.routes: list[Any] = []
        self.released = False

    def hold(self, route: Any) -> None:
        if self.released:
            route.continue_()
        else:
            self.routes.append(route)

    def release(self) -> None:
        """Let the kernel in: answer every held request (from the test's own thread)."""
        for _ in range(100):  # the front end asks for its kernel soon after the page loads
            if self.routes:
                break
            self.page.wait_for_timeout(100)
        assert self.routes, "the page never asked for its kernel"
        self.released = True
        held, self.routes = self.routes, []
        for route in held:
            route.continue_()

    def statuses(self) -> list[str]:
        shown: list[str] = self.page.evaluate("window.hbStatuses")
        return shown


@pytest.fixture
def open_held(browser: Any, server: Served) -> Iterator[Callable[..., Held]]:
    """Open the aid with its kernel held back; at the end, the page must have shown no error."""
    contexts: list[Any] = []
    opened: list[Held] = []

    def opener(view: dict[str, int] = DESKTOP, *, fake_clock: bool = False) -> Held:
        phone = view == PHONE
        # bypass_csp: the server's script nonces would block the axe-core script the test injects.
        context = browser.new_context(viewport=view, is_mobile=phone, has_touch=phone, device_scale_factor=1,
                                      bypass_csp=True)
        contexts.append(context)
        context.set_default_timeout(30_000)
        context.add_init_script(STATUSES_JS)
        page = context.new_page()
        held = Held(page, Watch(server.base))
        opened.append(held)
        page.on("request", lambda r: held.watch.requests.append(r.url))
        page.on("websocket", lambda ws: held.watch.requests.append(ws.url))
        page.on("console", lambda m: held.watch.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: held.watch.errors.append(str(e)))
        if fake_clock:
            page.clock.install()  # timers run as usual until the test moves the clock on
        page.route("**/api/kernels/**", held.hold)
        page.goto(f"{server.base}/voila/render/{AID}.ipynb")
        page.locator(FIRST).wait_for(state="visible")
        return held

    yield opener
    for context in contexts:
        context.close()
    for held in opened:
        assert held.watch.off_machine() == [], "requests left 127.0.0.1"
        assert held.watch.errors == [], "the console shows errors"


def live_aid(page: Any) -> Any:
    """The live aid once it has drawn; the first screen must be gone at once."""
    from playwright.sync_api import expect

    page.wait_for_selector(".hb-aid", timeout=LOAD_TIMEOUT)
    expect(page.locator(FIRST)).to_have_count(0, timeout=1000)
    return page.locator(".hb-aid")


def hold_down(page: Any, button: Any) -> None:
    """The mouse pressed on the middle of ``button`` and kept down (``page.mouse.up()`` lets go)."""
    box = button.bounding_box()
    assert box is not None, "the button is not drawn"
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()


def store_of(server: Served) -> Store:
    return Store.open(server.database_url)


# --------------------------------------------------------------------------- the served page


def _get(server: Served, aid: str) -> str:
    with urllib.request.urlopen(f"{server.base}/voila/render/{aid}.ipynb", timeout=60) as answer:
        return str(answer.read().decode("utf-8"))


def _first_screen_of(page: str) -> str:
    """The first screen's markup: from its wrapper up to the output's script that follows it."""
    start = page.index("data-hb-first-screen hidden>") + len("data-hb-first-screen hidden>")
    return page[start:page.index("<script", start)]


def test_the_page_carries_the_first_screen_once(server: Served) -> None:
    page = _get(server, AID)
    assert page.count("data-hb-first-screen") == 1
    assert page.count('<div class="hb-first-screen" data-hb-first-screen hidden>') == 1
    outputs = [json.loads(found) for found in CELL_OUTPUT.findall(page)]
    assert len(outputs) == 1, "the notebook's one output goes to Voila's front end"
    assert FIRST_SCREEN_KEY not in outputs[0].get("metadata", {}), "the first screen travels once"
    assert FIRST_SCREEN_KEY not in page
    assert "application/vnd.jupyter.widget-view+json" in outputs[0]["data"]
    assert page.index("data-hb-first-screen") < page.index("application/vnd.voila.cell-output+json"), \
        "the first screen comes before the output it stands in for"
    screen = _first_screen_of(page)
    for drawn_once in ('<h1 class="hb-aid-title">Make the scene safe and start support</h1>',
                       'id="hb-first-field-1"', '<form class="hb-first-form" method="dialog" novalidate>',
                       ">Start or resume</button>"):
        assert screen.count(drawn_once) == 1 and page.count(drawn_once) == 1, drawn_once
    assert "static/first-screen.css" in page and "static/first-screen.js" in page


def test_the_any_checklist_page_paints_only_its_opening_message(server: Served) -> None:
    page = _get(server, "checklist")
    assert page.count("data-hb-first-screen") == 1
    screen = _first_screen_of(page)
    assert '<p role="status">Opening the checklist…</p>' in screen
    assert "<form" not in screen and "<input" not in screen and "<button" not in screen and "<h1" not in screen
    assert FIRST_SCREEN_KEY not in page


# --------------------------------------------------------------------------- before and after the kernel


def test_the_first_screen_works_before_the_kernel_and_hands_over_a_pending_start(
        open_held: Callable[..., Held], server: Served, axe_js: Path, a11y: ModuleType) -> None:
    from playwright.sync_api import expect

    case = "26-FIRST-01"
    held = open_held(PHONE)
    page = held.page
    screen = page.locator(FIRST)
    assert page.locator(".hb-aid").count() == 0, "the live aid has not arrived"
    assert page.locator("#loading").count() == 0 or page.locator("#loading").is_hidden(), \
        "the first screen shows instead of the loading message"
    field = page.get_by_label(CASE_LABEL)
    assert field.count() == 1 and screen.locator("input").count() == 1
    field.fill(case)
    expect(field).to_have_value(case)
    field.press("Enter")
    status = screen.locator("p.hb-aid-status[role=status]")
    expect(status).to_have_text(CONNECTING)
    button = screen.get_by_role("button", name=START)
    expect(button).to_have_attribute("aria-disabled", "true")
    shown = page.inner_text("#rendered_cells")
    assert "saved" not in shown.lower() and not re.search(r"Case \S+:", shown), shown
    assert a11y.in_live_region(page, "Connecting to the server.")

    problems = a11y.check_state(page, axe_js, "first-screen-connecting", photo=False)
    assert problems == [], "\n".join(problems)
    assert page.locator(".hb-aid").count() == 0, "the checks ran on the first screen, not the live aid"

    held.release()
    aid = live_aid(page)
    # The live field took the typed number: the case it opens is that number (the form itself
    # goes as the checklist opens, often before a check could read it; the next test reads it).
    opened = f"Case {case}: New checklist started."
    expect(aid.locator(".hb-aid-status").first).to_contain_text(opened, timeout=LOAD_TIMEOUT)
    aid.locator(".hb-checklist").wait_for(timeout=LOAD_TIMEOUT)
    page.wait_for_timeout(500)  # a second start, if the press were replayed twice, would show by now
    starts = [s for s in held.statuses() if s.startswith(f"Case {case}:")]
    assert starts == [opened], held.statuses()
    assert not any("Enter the case number" in s for s in held.statuses()), held.statuses()

    store = store_of(server)
    (record,) = store.find(AID, case)
    assert [entry["action"] for entry in store.audit_log(record.id)] == ["create"], "the case was started once"


def test_after_fifteen_seconds_the_first_screen_says_it_is_still_connecting(
        open_held: Callable[..., Held], axe_js: Path, a11y: ModuleType) -> None:
    """The browser's clock is run forward: the test does not wait 15 s."""
    from playwright.sync_api import expect

    held = open_held(DESKTOP, fake_clock=True)
    page = held.page
    screen = page.locator(FIRST)
    page.get_by_label(CASE_LABEL).fill("26-FIRST-02")
    page.get_by_label(CASE_LABEL).press("Enter")
    status = screen.locator("p.hb-aid-status")
    expect(status).to_have_text(CONNECTING)
    page.clock.fast_forward(16_000)
    expect(status).to_contain_text(STILL_CONNECTING)
    expect(status).to_have_class(re.compile(r"\bhb-bad\b"))
    assert a11y.axe_violations(page, axe_js) == []
    held.release()
    aid = live_aid(page)
    expect(aid.locator(".hb-aid-status").first).to_contain_text("Case 26-FIRST-02: New checklist started.",
                                                                timeout=LOAD_TIMEOUT)
    assert not any("Still connecting" in s for s in page.locator(".hb-aid-status").all_inner_texts())


def test_the_first_screen_waits_while_the_officer_types_and_starts_nothing_unpressed(
        open_held: Callable[..., Held], server: Served) -> None:
    """The live aid arrives while the officer is typing: the field is not pulled away mid-number
    (the live aid waits, hidden). Leaving the screen hands the number over without starting
    anything; the focus is not taken back."""
    from playwright.sync_api import expect

    case = "26-FIRST-03"
    held = open_held(DESKTOP)
    page = held.page
    field = page.locator(FIRST).get_by_label(CASE_LABEL)
    field.click()
    field.press_sequentially(case[:4])
    held.release()
    page.wait_for_selector(".hb-aid", state="attached", timeout=LOAD_TIMEOUT)
    page.wait_for_timeout(500)
    expect(page.locator(FIRST)).to_have_count(1)  # still the officer's screen
    expect(field).to_be_focused()
    expect(page.locator(".hb-aid")).to_be_hidden()
    field.press_sequentially(case[4:])
    page.keyboard.press("Tab")  # to the first screen's own button: still its screen
    page.wait_for_timeout(300)
    expect(page.locator(FIRST)).to_have_count(1)
    page.locator("body").click(position={"x": 5, "y": 5})  # leaves the screen
    aid = live_aid(page)
    expect(aid.get_by_label(CASE_LABEL)).to_have_value(case)
    page.wait_for_timeout(1500)  # long enough for a start to show, had the case been started
    assert aid.locator(".hb-checklist").count() == 0
    assert not any(s.startswith("Case ") for s in held.statuses()), held.statuses()
    assert store_of(server).find(AID, case) == [], "nothing was started or saved"


@pytest.mark.parametrize("press", ["live button", "Enter"])
def test_a_number_typed_before_the_live_aid_opens_the_case_when_pressed(
        open_held: Callable[..., Held], server: Served, press: str) -> None:
    """Typed in the first screen, then the live button pressed after the officer left the field
    (the live field sends its value before the press goes out), or Enter in the first screen
    after the live aid arrived: the case opens with that number, once."""
    from playwright.sync_api import expect

    case = f"26-FIRST-H{'B' if press == 'live button' else 'E'}"
    held = open_held(DESKTOP)
    page = held.page
    field = page.locator(FIRST).get_by_label(CASE_LABEL)
    field.click()
    field.press_sequentially(case)
    held.release()
    page.wait_for_selector(".hb-aid", state="attached", timeout=LOAD_TIMEOUT)
    if press == "live button":
        page.locator("body").click(position={"x": 5, "y": 5})  # leaves the field
        aid = live_aid(page)
        expect(aid.get_by_label(CASE_LABEL)).to_have_value(case)
        aid.get_by_role("button", name=START).click()
    else:
        field.press("Enter")
        aid = live_aid(page)
    expect(aid.locator(".hb-aid-status").first).to_contain_text(f"Case {case}: New checklist started.",
                                                                timeout=LOAD_TIMEOUT)
    assert not any("Enter the case number" in s for s in held.statuses()), held.statuses()
    (record,) = store_of(server).find(AID, case)
    assert [entry["action"] for entry in store_of(server).audit_log(record.id)] == ["create"]


@pytest.mark.parametrize("press", ["pointer", "Space"])
def test_a_press_under_way_when_the_live_aid_arrives_goes_through(
        open_held: Callable[..., Held], server: Served, press: str) -> None:
    """The button is down when the live aid arrives and up after: the button it went down on is
    gone by then, so the browser sends no click. The press still opens the case (the kernel
    takes one start only, so a press sent twice would not show here: first-screen.js keeps it
    to one)."""
    from playwright.sync_api import expect

    case = f"26-FIRST-D{'P' if press == 'pointer' else 'S'}"
    held = open_held(DESKTOP)
    page = held.page
    page.locator(FIRST).get_by_label(CASE_LABEL).fill(case)
    button = page.locator(FIRST).get_by_role("button", name=START)
    if press == "pointer":
        hold_down(page, button)
    else:
        button.focus()
        page.keyboard.down(" ")
    held.release()
    aid = live_aid(page)
    page.wait_for_timeout(300)  # the live aid settles while the button is still held
    if press == "pointer":
        page.mouse.up()
    else:
        page.keyboard.up(" ")
    opened = f"Case {case}: New checklist started."
    expect(aid.locator(".hb-aid-status").first).to_contain_text(opened, timeout=LOAD_TIMEOUT)
    assert [s for s in held.statuses() if s.startswith(f"Case {case}:")] == [opened], held.statuses()
    (record,) = store_of(server).find(AID, case)
    assert [entry["action"] for entry in store_of(server).audit_log(record.id)] == ["create"]


def test_a_press_held_while_voila_moves_the_screen_goes_through(open_held: Callable[..., Held]) -> None:
    """Voila's front end moves the cells into its panel as it starts, taking the button out and
    putting it back; the browser sends no click for a press held across that. The press is made
    when the officer lets go: the screen says it is connecting. (The move is done here the way
    Voila does it, on a page whose kernel is held back, so nothing else can answer the press.)"""
    from playwright.sync_api import expect

    held = open_held(DESKTOP)
    page = held.page
    screen = page.locator(FIRST)
    screen.get_by_label(CASE_LABEL).fill("26-FIRST-DM")
    hold_down(page, screen.get_by_role("button", name=START))
    page.evaluate("""() => {
        const cells = document.getElementById('rendered_cells');
        const panel = document.createElement('div');
        cells.parentElement.insertBefore(panel, cells);
        panel.append(cells);
    }""")
    page.wait_for_timeout(200)
    page.mouse.up()
    expect(screen.locator("p.hb-aid-status")).to_have_text(CONNECTING)
    expect(screen.get_by_role("button", name=START)).to_have_attribute("aria-disabled", "true")
    assert page.locator(".hb-aid").count() == page.locator(f"{FIRST} .hb-aid").count(), "no live aid yet"


def test_a_pressed_number_can_no_longer_be_changed(open_held: Callable[..., Held], server: Served) -> None:
    """After Start, the field holds what was pressed: an edit before the kernel joins could
    otherwise open a case under half a number."""
    from playwright.sync_api import expect

    case = "26-FIRST-05"
    held = open_held(DESKTOP)
    page = held.page
    field = page.locator(FIRST).get_by_label(CASE_LABEL)
    field.fill(case)
    page.locator(FIRST).get_by_role("button", name=START).click()
    expect(field).to_have_attribute("readonly", "")
    field.press("Backspace")
    field.press("Backspace")
    expect(field).to_have_value(case)
    held.release()
    aid = live_aid(page)
    expect(aid.locator(".hb-aid-status").first).to_contain_text(f"Case {case}: New checklist started.",
                                                                timeout=LOAD_TIMEOUT)
    assert len(store_of(server).find(AID, case)) == 1
    assert store_of(server).find(AID, case[:-2]) == []


def test_a_page_reopening_a_case_offers_no_first_form(browser: Any, server: Served) -> None:
    """After "Reopen the case" the live aid opens the remembered case by itself: the first
    screen says so and offers no form that could race it."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport=DESKTOP)
    try:
        path = json.dumps(f"/voila/render/{AID}.ipynb")
        context.add_init_script(f"sessionStorage.setItem('handbook-reopen:' + {path}, '1');"
                                f"sessionStorage.setItem('handbook-case:' + {path}, '26-FIRST-06');")
        page = context.new_page()
        page.route("**/api/kernels/**", lambda route: None)  # the kernel never joins here
        page.goto(f"{server.base}/voila/render/{AID}.ipynb")
        screen = page.locator(FIRST)
        expect(screen.locator("p.hb-aid-status")).to_have_text("Reopening case 26-FIRST-06…")
        expect(screen.get_by_label(CASE_LABEL)).to_be_disabled()
        expect(screen.get_by_role("button", name=START)).to_be_disabled()
    finally:
        context.close()


def test_a_press_with_no_number_is_refused_by_the_live_aid(open_held: Callable[..., Held]) -> None:
    from playwright.sync_api import expect

    held = open_held(DESKTOP)
    page = held.page
    screen = page.locator(FIRST)
    placeholder = str(screen.get_by_label(CASE_LABEL).get_attribute("placeholder"))
    assert placeholder.startswith("e.g. ")
    screen.get_by_role("button", name=START).click()
    status = screen.locator("p.hb-aid-status")
    expect(status).to_have_text(CONNECTING)
    held.release()
    aid = live_aid(page)
    refusal = aid.locator(".hb-aid-status.hb-bad")
    expect(refusal).to_contain_text(REFUSAL.format(example=placeholder.removeprefix("e.g. ")), timeout=LOAD_TIMEOUT)
    assert refusal.get_attribute("role") == "alert"
    expect(aid.get_by_label(CASE_LABEL)).to_have_value("")
    page.wait_for_timeout(500)  # a second replay, had there been one, would show by now
    refusals = [s for s in held.statuses() if "Enter the case number" in s]
    assert len(refusals) == 1, held.statuses()
    assert aid.locator(".hb-checklist").count() == 0
    assert not any(s.startswith("Case ") for s in held.statuses()), held.statuses()
