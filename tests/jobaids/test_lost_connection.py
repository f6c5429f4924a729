"""No answer is lost when the server dies under an open checklist: the real `handbook serve`,
Debian's Chromium at 375 px, a SQLite records database in a temporary folder.

An officer answers one item (saved), the server's whole process group is killed (SIGKILL), and
the officer answers another item. Within seconds the page says that answer is not saved, shows
it as chosen but unsaved (words and an icon) and keeps it in the browser's storage. A new server
on the same port and database cannot know the old kernel, so the page asks to reopen the case;
reopening starts the same case again from the store and sends the kept answer with the time it
was given. The store then holds exactly the answers the page showed as saved. The server runs
on a copy of the content, so an edit elsewhere in the tree cannot refuse the reopened session.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import CHROMIUM_ARGS, CHROMIUM_PATH, require_chromium
from protocols.engine import ChecklistState
from protocols.records import Store
from required import axe_core, load_module
from served import HANDBOOK, ROOT, abandon, free_port, kill_group, stop_cleanly, wait_for_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = ROOT / "artifacts" / "screenshots"
LOAD_TIMEOUT = 90_000
"""Milliseconds for a server's first kernel to draw the aid (a loaded machine is slow)."""
NOTICE_TIMEOUT = 15_000
"""Milliseconds within which a failed save must be reported (the page waits 5 s for a reply)."""
CASE = "26-LOST-01"
SAVED_FIRST = "suspect-status"
WHILE_DOWN = "weapons-status"
SAVED_SHOWN_JS = """() => {
  // Every "· saved" an item ever shows, kept across reloads in this tab's session storage.
  const note = (li) => {
    const status = li.querySelector('.hb-status');
    if (!status || !status.textContent.includes('· saved')) return;
    const seen = JSON.parse(sessionStorage.getItem('test-saved-shown') || '[]');
    const entry = `${li.dataset.item}=${status.textContent}`;
    if (!seen.includes(entry)) sessionStorage.setItem('test-saved-shown', JSON.stringify([...seen, entry]));
  };
  new MutationObserver(() => document.querySelectorAll('li.hb-item').forEach(note))
    .observe(document, { subtree: true, childList: true, characterData: true });
}"""


class Servers:
    """`handbook serve` on one port and one records database, started again after it is killed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.database_url = f"sqlite:///{folder}/records.sqlite3"
        content = folder / "content"
        shutil.copytree(ROOT / "src" / "protocols" / "content", content)
        self.env = {**os.environ, "HANDBOOK_DATABASE_URL": self.database_url, "HANDBOOK_CONTENT": str(content),
                    "PYTHONUNBUFFERED": "1"}
        self.env.pop("HANDBOOK_DEBUG", None)
        self.process: subprocess.Popen[bytes] | None = None
        self.log = folder / "serve.log"

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen([str(HANDBOOK), "serve", "--port", str(self.port), "--no-preheat"],
                                            cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        try:
            wait_for_port(self.port, self.process, self.log)
        except BaseException:
            abandon(self.process)
            raise

    def kill(self) -> None:
        """SIGKILL to the server and everything it started (kernels, the fork server)."""
        assert self.process is not None
        kill_group(self.process)
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            stop_cleanly(self.process, self.log)
            self.process = None


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Servers]:
    require_chromium()
    running = Servers(tmp_path)
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def page(servers: Servers) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1,
                                      bypass_csp=True)  # the axe-core script is injected by the test
        context.set_default_timeout(45_000)
        context.add_init_script(f"({SAVED_SHOWN_JS})()")
        yield context.new_page()
        browser.close()


def item(page: Any, item_id: str) -> Any:
    return page.locator(f"#hb-scene-response-{item_id}")


def wait_status(page: Any, item_id: str, text: str, timeout: float = 45_000) -> str:
    status = item(page, item_id).locator(".hb-status")
    page.wait_for_function("([el, text]) => el.textContent.includes(text)", arg=[status.element_handle(), text],
                           timeout=timeout)
    return str(status.inner_text())


def shots(page: Any, name: str) -> None:
    """The screen as the officer sees it, at 375 px and on a desktop."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-phone.png"))
    page.set_viewport_size(DESKTOP)
    page.wait_for_timeout(200)
    page.screenshot(path=str(SHOTS / f"{name}-desktop.png"))
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(200)


def test_a_killed_server_loses_no_answer(servers: Servers, page: Any, tmp_path: Path) -> None:
    a11y = load_module(ROOT / "tests" / "a11y" / "a11y_checks.py", "_lost_connection_a11y_checks")
    axe_js = axe_core(tmp_path / "axe")
    page.goto(f"{servers.base}/voila/render/scene-response.ipynb")
    page.wait_for_selector(".hb-aid", timeout=LOAD_TIMEOUT)
    field = page.get_by_label("Case or incident number")
    field.fill(CASE)
    field.press("Enter")
    page.wait_for_selector(".hb-checklist", timeout=LOAD_TIMEOUT)
    item(page, SAVED_FIRST).locator(".hb-option[data-value=in-custody]").click()
    wait_status(page, SAVED_FIRST, "· saved")

    servers.kill()
    chosen = item(page, WHILE_DOWN).locator(".hb-option[data-value=secured]")
    chosen.click()
    shown = wait_status(page, WHILE_DOWN, "Not saved yet", timeout=NOTICE_TIMEOUT)
    assert shown.startswith("⚠ Not saved yet: Found and secured · ")
    assert "kept in this browser" in shown and "· saved" not in shown
    assert chosen.get_attribute("aria-pressed") == "true", "the answer stays chosen, marked unsaved"
    assert "hb-unsaved" in str(item(page, WHILE_DOWN).get_attribute("class"))
    assert page.locator(".hb-checklist .hb-unsaved-note").inner_text() == "⚠ 1 answer is not saved yet."
    bar = page.locator(".hb-link-bar")
    page.wait_for_function("el => el.textContent.includes('No connection')", arg=bar.element_handle(),
                           timeout=NOTICE_TIMEOUT)
    assert bar.get_attribute("role") == "alert"
    stored = page.evaluate("""() => Object.entries(localStorage)
        .filter(([k]) => k.startsWith('handbook-unsaved:')).map(([, v]) => JSON.parse(v))""")
    assert len(stored) == 1 and set(stored[0]) == {WHILE_DOWN}
    kept = stored[0][WHILE_DOWN]
    assert kept["answer"] == {"value": "secured"}
    given = dt.datetime.fromisoformat(kept["given"])
    shots(page, "checklist-connection-lost")
    problems = a11y.check_state(page, axe_js, "checklist-connection-lost")

    servers.start()  # same port, same database: the old kernel is not there any more
    reopen = page.get_by_role("button", name="Reopen the case")
    reopen.wait_for(timeout=30_000)
    assert "the handbook server was restarted. Reopen the case to go on." in bar.inner_text()
    assert "reopen the case to save it" in wait_status(page, WHILE_DOWN, "Not saved yet")
    box = reopen.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44
    shots(page, "checklist-kernel-gone")
    problems += a11y.check_state(page, axe_js, "checklist-kernel-gone")
    assert problems == [], "\n".join(problems)

    reopened_at = dt.datetime.now(dt.UTC)
    reopen.click()
    page.wait_for_selector(".hb-checklist", timeout=LOAD_TIMEOUT)  # the case starts again by itself
    assert page.get_by_text(f"Case {CASE}: Resumed where you stopped.").count() == 1
    assert wait_status(page, SAVED_FIRST, "· saved").startswith("In custody · ")
    assert wait_status(page, WHILE_DOWN, "· saved").startswith("Found and secured · ")
    page.wait_for_function("() => !Object.keys(localStorage).some(k => k.startsWith('handbook-unsaved:'))")
    shown_saved = page.evaluate("JSON.parse(sessionStorage.getItem('test-saved-shown') || '[]')")
    servers.stop()

    (record,) = Store.open(servers.database_url).find("scene-response", CASE)
    state = ChecklistState.model_validate_json(record.state)
    held = {a.item_id: a for a in state.answers}
    assert {key: a.value for key, a in held.items()} == {SAVED_FIRST: "in-custody", WHILE_DOWN: "secured"}
    assert {entry.split("=", 1)[0] for entry in shown_saved} == set(held), shown_saved
    late = held[WHILE_DOWN].answered_at
    assert abs((late - given).total_seconds()) < 5, "the kept answer keeps the time it was given"
    assert late < reopened_at - dt.timedelta(seconds=5)
    assert json.loads(record.state)["case_number"] == CASE
