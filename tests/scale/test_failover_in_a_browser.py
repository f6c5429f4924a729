"""What an officer sees in Chromium when the replica behind their page dies.

Two replicas behind nginx on PostgreSQL. A page that landed on the first replica saves an
answer; that replica is killed with its kernels. The page says it can no longer save and
offers to reopen the case (nginx sends its "is my kernel still there?" question to the live
replica, which does not know it). Reopening resumes the same case on the live replica, with
the saved answer shown as saved.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aid_client import AidPage
from cluster import Cluster, running_cluster
from failover import owner_of, stored_answers

from browser import launched_chromium

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.slow]

OFFICER = "officer-in-chromium"
CASE = "26-SCALE-BROWSER"
GONE = "the handbook server was restarted. Reopen the case to go on."


@pytest.fixture
def browser() -> Iterator[Any]:
    with launched_chromium() as instance:
        yield instance


NEW_BROWSERS = 40
"""How many fresh browsers may be tried to land one on a given replica (nginx hashes a new
browser's random route onto the ring). Twelve once all landed on the other replica: about one
chance in 4,000 at an even split, likelier when the ring splits unevenly. Forty makes a miss
negligible even at four to one; a try costs only when the ones before it missed."""


def _page_on(cluster: Cluster, browser: Any, replica: str) -> Any:
    """A page (each in a browser of its own: its own cookies) that nginx placed on ``replica``."""
    for _attempt in range(NEW_BROWSERS):
        context = browser.new_context(viewport={"width": 375, "height": 667})
        context.set_default_timeout(60_000)
        page = context.new_page()
        page.goto(f"{cluster.base}/voila/render/scene-response.ipynb")
        page.wait_for_selector(".hb-aid", timeout=90_000)
        kernel_id = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
        cookies = {c["name"]: c["value"] for c in context.cookies()}
        probe = AidPage(cluster.base, OFFICER, "X-Test-Officer", cookies=cookies, kernel_id=kernel_id)
        if owner_of(probe, cluster.replicas) == replica:
            return page
        context.close()
    raise AssertionError(f"{NEW_BROWSERS} new browsers never landed on {replica}")


def test_the_page_on_a_killed_replica_says_so_and_reopens_on_a_live_one(
        postgres_url: str, tmp_path: Path, browser: Any) -> None:
    with running_cluster(tmp_path, postgres_url, replicas=2, officer=OFFICER) as cluster:
        victim = cluster.replicas[0]
        page = _page_on(cluster, browser, victim.name)
        field = page.get_by_label("Case or incident number")
        field.fill(CASE)
        field.press("Enter")
        page.wait_for_selector(".hb-checklist", timeout=90_000)
        item = page.locator("#hb-scene-response-suspect-status")
        item.locator(".hb-option[data-value=in-custody]").click()
        page.wait_for_function("el => el.textContent.includes('· saved')",
                               arg=item.locator(".hb-status").element_handle(), timeout=30_000)

        victim.kill()
        bar = page.locator(".hb-link-bar")
        page.wait_for_function("([el, text]) => el.textContent.includes(text)", arg=[bar.element_handle(), GONE],
                               timeout=30_000)
        assert bar.get_attribute("role") == "alert"
        reopen = page.get_by_role("button", name="Reopen the case")
        reopen.click()
        page.wait_for_selector(".hb-checklist", timeout=90_000)  # the case starts again by itself
        assert page.get_by_text(f"Case {CASE}: Resumed where you stopped.").count() == 1
        status = page.locator("#hb-scene-response-suspect-status .hb-status")
        page.wait_for_function("el => el.textContent.includes('· saved')", arg=status.element_handle(),
                               timeout=30_000)
        assert status.inner_text().startswith("In custody · ")
        kernel_id = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
        probe = AidPage(cluster.base, OFFICER, "X-Test-Officer",
                        cookies={c["name"]: c["value"] for c in page.context.cookies()}, kernel_id=kernel_id)
        assert owner_of(probe, cluster.living()) == cluster.replicas[1].name
        page.context.close()
        assert stored_answers(cluster.database_url)[CASE] == {"suspect-status": "in-custody"}
