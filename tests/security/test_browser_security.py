"""In Chromium: the job aid works under the strict policy, typed markup stays text,
and one browser's session never shows another's.

The strict policy (no 'unsafe-eval', scripts only with the response's nonce) is
proven here by use: a checklist starts, an answer is saved, and the browser reports
no policy violation. If the policy broke the widgets, these tests would fail.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from secserver import AID, Server, Watched, launched_chromium, real_book, running_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

XSS = '<img src=x onerror="window.__pwned=1;document.title=\'pwned\'">'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`handbook serve` with a copy of the real book: its embedded checklist runs under the book's policy."""
    base = tmp_path_factory.mktemp("browser")
    book = base / "book"
    shutil.copytree(real_book(tmp_path_factory), book, symlinks=True)
    with running_server(base, book) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_chromium() as instance:
        yield instance


def _start_case(page: Any, case: str) -> None:
    page.get_by_label("Case or incident number").fill(case)
    page.get_by_role("button", name="Start or resume").click()
    page.wait_for_selector(".hb-checklist", timeout=30_000)


def _kernel_id(page: Any) -> str:
    kernel: str = page.evaluate("() => JSON.parse(document.getElementById('jupyter-config-data')"
                                ".textContent).kernelId || ''")
    if not kernel:
        html = page.content()
        import re

        match = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', html)
        kernel = match.group(1) if match else ""
    return kernel


def test_job_aid_works_under_the_strict_policy(server: Server, browser: Any) -> None:
    context = browser.new_context()
    try:
        watched = Watched(context)
        page = watched.page
        page.goto(server.base + AID)
        _start_case(page, f"26-CSP-{uuid.uuid4().hex[:8]}")
        page.locator(".hb-item", has_text="safe from harm right now").get_by_role("button", name="Yes").click()
        page.wait_for_selector(".hb-status.hb-saved", timeout=15_000)
        page.wait_for_timeout(300)
        assert watched.problems == [], watched.problems
    finally:
        context.close()


def test_book_checklist_works_under_the_book_policy(server: Server, browser: Any) -> None:
    context = browser.new_context()
    try:
        watched = Watched(context)
        page = watched.page
        page.goto(server.base + "/book/arrive/scene-checklist.html")
        page.wait_for_selector(".hb-checklist", timeout=30_000)
        page.locator(".hb-option").first.click()
        page.wait_for_timeout(300)
        assert watched.problems == [], watched.problems
    finally:
        context.close()


def test_typed_markup_is_shown_as_text_never_run(server: Server, browser: Any) -> None:
    context = browser.new_context()
    try:
        watched = Watched(context)
        page = watched.page
        page.goto(server.base + AID)
        # In the case-number box first: refused, and the refusal is plain text.
        page.get_by_label("Case or incident number").fill(XSS)
        page.get_by_role("button", name="Start or resume").click()
        page.wait_for_selector(".hb-aid-status.hb-bad", timeout=15_000)
        _start_case(page, f"26-XSS-{uuid.uuid4().hex[:8]}")
        item = page.locator(".hb-item", has_text="safe from harm right now")
        item.locator(".hb-na").click()
        item.locator(".hb-reason").fill(XSS)
        item.locator(".hb-na").click()
        item.locator(".hb-status.hb-saved").wait_for(timeout=15_000)
        assert XSS in item.locator(".hb-status").inner_text()
        page.wait_for_timeout(500)
        found = page.evaluate("""() => ({
            pwned: window.__pwned === 1 || document.title === 'pwned',
            images: document.querySelectorAll('img[src="x"], [onerror]').length,
        })""")
        assert found == {"pwned": False, "images": 0}, found
        assert not [p for p in watched.problems if "script-src" in p or "inline" in p], watched.problems
    finally:
        context.close()


def test_sessions_do_not_see_each_other(server: Server, browser: Any) -> None:
    """Two browsers get two kernels. A run shows in the other only after its case number is typed:
    in a deployment without sign-in, the case number is the key to a case's records."""
    case_a = f"26-ISO-A-{uuid.uuid4().hex[:8]}"
    first, second = browser.new_context(), browser.new_context()
    try:
        page_a = first.new_page()
        page_a.goto(server.base + AID)
        _start_case(page_a, case_a)
        item_a = page_a.locator(".hb-item", has_text="safe from harm right now")
        item_a.get_by_role("button", name="Yes").click()
        item_a.locator(".hb-status.hb-saved").wait_for(timeout=15_000)

        page_b = second.new_page()
        page_b.goto(server.base + AID)
        page_b.get_by_label("Case or incident number").wait_for()
        kernel_a, kernel_b = _kernel_id(page_a), _kernel_id(page_b)
        assert kernel_a and kernel_b and kernel_a != kernel_b
        assert case_a not in page_b.content()
        _start_case(page_b, f"26-ISO-B-{uuid.uuid4().hex[:8]}")
        assert "New checklist started" in page_b.locator(".hb-aid-status").inner_text()
        assert page_b.locator(".hb-status.hb-saved").count() == 0
        assert case_a not in page_b.content()

        page_b.goto(server.base + AID)
        _start_case(page_b, case_a)
        assert "Resumed" in page_b.locator(".hb-aid-status").inner_text()
        item_b = page_b.locator(".hb-item", has_text="safe from harm right now")
        assert "Yes" in item_b.locator(".hb-status").inner_text()
    finally:
        first.close()
        second.close()
