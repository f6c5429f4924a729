"""The built book after interaction: axe-core finds nothing once a reader has used a page.

On each page with an embedded checklist: items ticked, "Complete" refused while critical
items are open, and the checklist complete; on a chapter's knowledge check: a wrong answer,
then the right one. axe (WCAG 2.0/2.1 A and AA) and the accessible-name check run after each
state at 375 x 667, and the last state of each page is checked at desktop size too (a hover
colour or the desktop sidebar only shows there). tests/book checks every page in its first
state, and every page at phone size (touch targets, names, sidebars).

The numbers checked go to the test report (``record_property``) and to the captured output.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from a11y_checks import DESKTOP, PHONE, axe_violations, unnamed_controls

pytestmark = [pytest.mark.browser, pytest.mark.slow]

KNOWLEDGE_CHECK_PAGE = "book/before-you-leave.html"
"""A chapter that ends with a knowledge check."""


class States:
    """The checks after each state of a page; what they found and which states they saw."""

    def __init__(self, page: Any, axe_js: Path) -> None:
        self.page, self.axe_js = page, axe_js
        self.problems: list[str] = []
        self.checked: list[str] = []

    def check(self, name: str, *, desktop: bool = False) -> None:
        self.page.wait_for_timeout(150)  # let the last update settle
        found = [f"375px: {p}" for p in [*axe_violations(self.page, self.axe_js), *unnamed_controls(self.page)]]
        if desktop:
            self.page.set_viewport_size(DESKTOP)
            self.page.wait_for_timeout(100)
            found += [f"desktop: {p}" for p in axe_violations(self.page, self.axe_js)]
            self.page.set_viewport_size(PHONE)
        self.problems += [f"{name}: {p}" for p in found]
        self.checked.append(name)


def test_book_pages_after_interaction_meet_wcag_2_1_aa(browser: Any, book_url: str, axe_js: Path, checklist_page: Any,
                                                       record_property: Callable[[str, object], None]) -> None:
    page = browser.new_context(viewport=PHONE, is_mobile=True).new_page()
    states = States(page, axe_js)
    for docname in checklist_page.NOTEBOOK_PAGES:
        checklist_page.open_checklist(page, f"{book_url}/{docname}.html")
        assert checklist_page.answer(page, ".hb-checklist .hb-item:not(.hb-critical)") > 0
        states.check(f"{docname} ticked")
        assert checklist_page.press_complete(page).startswith("Not complete:")
        states.check(f"{docname} refused (critical items unanswered)")
        checklist_page.answer(page, ".hb-checklist .hb-item.hb-critical")
        assert checklist_page.press_complete(page) == "Checklist complete."
        states.check(f"{docname} complete", desktop=True)
    page.goto(f"{book_url}/{KNOWLEDGE_CHECK_PAGE}", wait_until="load")
    assert checklist_page.answer_knowledge_check(page, right=False).startswith("Not quite.")
    states.check(f"{KNOWLEDGE_CHECK_PAGE} knowledge check, wrong answer")
    assert checklist_page.answer_knowledge_check(page, right=True).startswith("Right.")
    states.check(f"{KNOWLEDGE_CHECK_PAGE} knowledge check, right answer", desktop=True)

    pages = len(checklist_page.NOTEBOOK_PAGES) + 1
    record_property("axe_pages", pages)
    record_property("axe_states", len(states.checked))
    record_property("axe_problems", len(states.problems))
    print(f"axe after interaction: {pages} pages, {len(states.checked)} states, "
          f"{len(states.problems)} problems")
    assert len(states.checked) == 3 * len(checklist_page.NOTEBOOK_PAGES) + 2
    assert states.problems == [], "\n".join(states.problems)
