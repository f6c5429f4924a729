"""Driving an embedded checklist (and a knowledge check) in a built book page, for the tests.

Shared by tests/book and tests/a11y: which protocol a notebook page embeds, and the clicks
that answer its items the way an officer would (a choice, "Now" for a time).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_PAGES = ("book/arrive/scene-checklist", "book/assess/screen-in-checklist")
"""The book pages that embed a live checklist (their .ipynb sources)."""
FOR_PROTOCOL = re.compile(r"""for_protocol\(\s*["']([a-z0-9-]+)["']""")
LOAD_TIMEOUT_MS = 20_000


def embedded_protocol(docname: str) -> str:
    """The protocol id the notebook ``docname`` embeds (read from its code, not retyped)."""
    notebook = json.loads((ROOT / f"{docname}.ipynb").read_text(encoding="utf-8"))
    code = "".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    found = FOR_PROTOCOL.findall(code)
    assert len(found) == 1, f"{docname}.ipynb should build exactly one checklist, found {found}"
    return found[0]


def open_checklist(page: Any, url: str) -> None:
    """Open a page and wait until its checklist widget is drawn."""
    page.goto(url, wait_until="load")
    page.wait_for_selector(".hb-checklist .hb-item", timeout=LOAD_TIMEOUT_MS)


def answer(page: Any, selector: str) -> int:
    """Answer every item matching ``selector`` (first choice, or "Now" for a time); how many."""
    answered: int = page.evaluate("""(selector) => {
        let n = 0;
        for (const li of document.querySelectorAll(selector)) {
          const option = li.querySelector('.hb-option[data-value]')
            || [...li.querySelectorAll('.hb-option')].find(b => b.textContent.trim() === 'Now');
          if (!option) continue;
          option.click();
          n += 1;
        }
        return n;
    }""", selector)
    page.wait_for_timeout(100)
    return answered


def progress(page: Any) -> str:
    text: str = page.locator(".hb-checklist .hb-progress").inner_text()
    return text


def press_complete(page: Any) -> str:
    """Press "Complete checklist" and return what the alert says."""
    page.locator(".hb-checklist .hb-complete").click()
    page.wait_for_function("document.querySelector('.hb-checklist .hb-alert').textContent !== ''",
                           timeout=5_000)
    text: str = page.locator(".hb-checklist .hb-alert").inner_text()
    return text


def answer_knowledge_check(page: Any, right: bool) -> str:
    """Pick the right (or a wrong) option of the first knowledge-check question; the feedback."""
    form = page.locator("form.hc-kc-question").first
    wanted = form.get_attribute("data-answer")
    values = [v for v in form.locator("input[type=radio]").evaluate_all("els => els.map(e => e.value)")]
    value = wanted if right else next(v for v in values if v != wanted)
    form.locator(f"input[type=radio][value='{value}']").check()
    form.locator(".hc-kc-check").click()
    feedback = form.locator(".hc-kc-feedback")
    feedback.locator("text=/Right|Not quite/").wait_for(timeout=5_000)
    text: str = feedback.inner_text()
    return text
