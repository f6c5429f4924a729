"""Keyboard only: the scene-response job aid and the book's embedded checklist, done without a mouse.

Only Tab, Shift+Tab, Space, Enter and typed characters are used (no clicks, no ``.click()``).
Every control that takes the focus must show a focus indicator (a computed outline or
box-shadow). The job aid first refuses completion with a critical item open (announced in a
live region), then completes once that item is answered by going back with Shift+Tab.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from a11y_checks import DESKTOP, focused, in_live_region

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOAD_TIMEOUT = 60_000
MAX_KEYS = 900
"""Upper bound on key presses in one walk (the book's navigation has many links before the checklist)."""
BOOK_CHECKLIST = "book/arrive/scene-checklist.html"
SERVE_ARGS = ["--no-preheat"]
"""One aid is opened here: no kernels kept ready for the others."""


@dataclass
class Walk:
    """A keyboard walk through a page: what took the focus, and what showed no focus indicator."""

    page: Any
    keys: int = 0
    no_indicator: list[str] = field(default_factory=list)
    seen: int = 0

    def press(self, key: str) -> dict[str, Any] | None:
        assert self.keys < MAX_KEYS, "the keyboard walk did not finish (focus trap or missing control?)"
        self.keys += 1
        self.page.keyboard.press(key)
        now = focused(self.page)
        if now is not None:
            self.seen += 1
            if not now["indicator"]:
                self.no_indicator.append(f"{now['what']} ({now['style']})")
        return now

    def until(self, wanted: Any, key: str = "Tab") -> dict[str, Any]:
        """Press ``key`` until the focused element matches ``wanted(info)``."""
        while True:
            now = self.press(key)
            if now is not None and wanted(now):
                return now


def item_done(page: Any, item_id: str) -> bool:
    return bool(page.evaluate("id => document.getElementById(id).classList.contains('hb-done')", item_id))


def wait_done(page: Any, item_id: str, live: bool) -> None:
    if live:
        page.wait_for_function("id => document.querySelector(`#${id} .hb-status`).textContent.includes('saved')",
                               arg=item_id, timeout=45_000)
    else:
        page.wait_for_function("id => document.getElementById(id).classList.contains('hb-done')", arg=item_id,
                               timeout=5_000)


def answer_focused(walk: Walk, now: dict[str, Any], live: bool) -> bool:
    """Answer the focused item with the keyboard if the focus is on a control that can; True if done."""
    page, item = walk.page, now["item"]
    cls = str(now["cls"])
    if "hb-option" in cls and now["value"]:
        page.keyboard.press("Space")  # a choice, Yes/No
    elif now["tag"] == "button" and now["what"].find("Record the time now") >= 0:
        page.keyboard.press("Enter")  # a time: "Now"
    elif now["tag"] == "input" and "hb-input" in cls and "hb-reason" not in cls and now["type"] in ("text", "number"):
        page.keyboard.type("2" if now["type"] == "number" else "Noted")
        page.keyboard.press("Enter")
    else:
        return False
    wait_done(page, item, live)
    return True


def answer_all(walk: Walk, live: bool, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Tab through the checklist answering every open item but ``skip``; stop on Complete."""
    page = walk.page
    while True:
        now = walk.press("Tab")
        if now is None:
            continue
        if "hb-complete" in str(now["cls"]):
            open_items = page.evaluate("""skip => [...document.querySelectorAll('.hb-checklist li.hb-item')]
                .filter(li => !li.classList.contains('hb-done') && !skip.includes(li.id)).map(li => li.id)""",
                                       sorted(skip))
            assert open_items == [], f"reached Complete with items still open: {open_items}"
            return now
        item = now["item"]
        if item and item not in skip and not item_done(page, item):
            answer_focused(walk, now, live)


@pytest.fixture
def keyboard_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(45_000)
    yield context.new_page()
    context.close()


def test_scene_response_job_aid_by_keyboard_alone(keyboard_page: Any, server: Any) -> None:
    page = keyboard_page
    page.goto(f"{server.base}/voila/render/scene-response.ipynb")
    page.wait_for_selector(".hb-aid input", timeout=LOAD_TIMEOUT)
    walk = Walk(page)
    walk.until(lambda f: f["tag"] == "input" and f["type"] == "text")
    page.keyboard.type("26-KEYS-01")
    page.keyboard.press("Enter")
    page.wait_for_selector(".hb-checklist li.hb-item", timeout=LOAD_TIMEOUT)

    critical = page.eval_on_selector_all(".hb-checklist li.hb-item.hb-critical", "els => els.map(e => e.id)")
    held_back = critical[-1]
    walk.until(lambda f: bool(f["item"]))  # into the checklist
    page.keyboard.press("Shift+Tab")  # and back one, so the walk starts before the first item
    answer_all(walk, live=True, skip=frozenset({held_back}))
    page.keyboard.press("Enter")  # Complete checklist: refused
    page.wait_for_function("() => document.querySelector('.hb-checklist .hb-alert').textContent.includes('unanswered')",
                           timeout=45_000)
    assert in_live_region(page, "1 critical item is unanswered"), "the refusal is not announced"

    now = walk.until(lambda f: f["item"] == held_back and "hb-option" in str(f["cls"]) and bool(f["value"]),
                     key="Shift+Tab")
    assert answer_focused(walk, now, live=True)
    walk.until(lambda f: "hb-complete" in str(f["cls"]))
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('.hb-checklist .hb-alert').textContent"
                           ".includes('Checklist complete and saved.')", timeout=45_000)
    assert in_live_region(page, "Checklist complete and saved.")
    assert walk.seen > 40
    assert walk.no_indicator == [], "no visible focus indicator on:\n" + "\n".join(walk.no_indicator)


def test_book_checklist_by_keyboard_alone(keyboard_page: Any, book_url: str) -> None:
    page = keyboard_page
    page.goto(f"{book_url}/{BOOK_CHECKLIST}", wait_until="load")
    page.wait_for_selector(".hb-checklist li.hb-item", timeout=20_000)
    walk = Walk(page)
    walk.until(lambda f: bool(f["item"]))
    page.keyboard.press("Shift+Tab")
    answer_all(walk, live=False)
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('.hb-checklist .hb-alert').textContent"
                           ".includes('Checklist complete.')", timeout=5_000)
    assert in_live_region(page, "Checklist complete.")
    assert walk.seen > 40
    assert walk.no_indicator == [], "no visible focus indicator on:\n" + "\n".join(walk.no_indicator)
