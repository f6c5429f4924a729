"""An officer on a phone reaches the live checklist and the job aids from the home page's first
screen, and nothing floats over a checklist's answer buttons."""

from __future__ import annotations

import pytest
from book_site import CHROMIUM_ARGS, CHROMIUM_PATH, serve
from checklist_page import open_checklist

PHONE = {"width": 375, "height": 667}
LAPTOP = {"width": 1024, "height": 768}
"""The widest screen on which the book theme shows its "Back to top" button."""


SHOW_PILL = "document.getElementById('pst-back-to-top').style.display = 'block'"
"""What the theme's script does when a reader scrolls up (an inline style on the button)."""


def _overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


@pytest.mark.browser
@pytest.mark.slow
def test_the_live_checklist_and_the_job_aids_are_one_tap_from_the_first_screen(book, sync_api) -> None:
    with serve(book.html) as base, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=PHONE)
            page.goto(f"{base}/book/index.html", wait_until="load")
            checklist = page.get_by_role("link", name="Open the scene checklist")
            aids = page.locator(".hc-job-aid-links a")
            assert aids.count() == 3
            for link in (checklist, *[aids.nth(i) for i in range(aids.count())]):
                box = link.bounding_box()
                assert box is not None and box["y"] + box["height"] <= PHONE["height"], link
                assert box["height"] >= 44 or link == checklist
            checklist.click()
            page.wait_for_selector(".hb-checklist .hb-item .hb-option", timeout=20_000)
            assert page.locator(".hb-checklist .hb-option").first.is_enabled()
        finally:
            browser.close()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_back_to_top_never_covers_an_answer_button(book, sync_api, viewport: dict[str, int]) -> None:
    with serve(book.html) as base, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=viewport)
            open_checklist(page, f"{base}/book/arrive/scene-checklist.html")
            pill = page.locator("#pst-back-to-top")
            buttons = page.locator(".hb-checklist button")
            for y in (0, 600, 1200, 1800, 2400):
                page.evaluate(f"window.scrollTo(0, {y})")
                page.evaluate(SHOW_PILL)
                if pill.is_visible():
                    box = pill.bounding_box()
                    assert box is not None
                    covered = [i for i in range(buttons.count())
                               if (b := buttons.nth(i).bounding_box()) is not None and _overlaps(box, b)]
                    assert not covered, f"at {y} px, Back to top covers {len(covered)} answer buttons"
        finally:
            browser.close()
