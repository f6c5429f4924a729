"""The idle lock and a live checklist's saving work together: nothing is lost, nothing is said falsely.

While a page is locked the server drops its widget messages. So the page sends none (not even
the "saved elsewhere?" question when the tab comes back into view, which is when the officer
returns to the lock screen); a refusal to sign in (403 after the lock cleared the sign-in cookie)
is not taken for a restarted server; an answer the server dropped is sent again by itself; and
Resume never overtakes the lock request, which would leave the server locked behind a page that
looks unlocked. Real `handbook serve`, Debian's Chromium, kernels locking after 8 seconds (the
test-only variable; the real setting allows 1 to 240 minutes).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from secserver import AID, Server, launched_chromium, running_server

from protocols.engine import ChecklistState
from protocols.records import Store
from protocols.ui import idle_lock

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TOKEN = "checklist-lock-token-0123456789"
LOCK_SECONDS = {idle_lock.TEST_ENV: "8"}
LOAD_TIMEOUT = 60_000
FIRST, SECOND, THIRD = ("suspect-status", "in-custody"), ("weapons-status", "secured"), ("medical-need", "none")
WATCH_JS = """() => {
  // Widget messages the page sends while it is locked, and every false 'the server restarted'.
  window.sentWhileLocked = [];
  window.saidGone = [];
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (document.querySelector('.hb-idle-locked')) {
      let text = '';
      try { text = typeof data === 'string' ? data : new TextDecoder().decode(data); } catch (e) { text = '?'; }
      if (text.includes('comm_msg')) window.sentWhileLocked.push(text.slice(0, 400));
    }
    return send.call(this, data);
  };
  const phrases = ['server was restarted', 'reopen the case to save'];
  new MutationObserver(() => {
    const text = (document.body && document.body.textContent || '').toLowerCase();
    for (const phrase of phrases) {
      if (text.includes(phrase) && !window.saidGone.includes(phrase)) window.saidGone.push(phrase);
    }
  }).observe(document, { subtree: true, childList: true, characterData: true });
}"""


@pytest.fixture(scope="module")
def token_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("lock-checklist-token"),
                        env={"HANDBOOK_TOKEN": TOKEN, **LOCK_SECONDS}) as srv:
        yield srv


@pytest.fixture(scope="module")
def loopback_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("lock-checklist-loopback"), env=LOCK_SECONDS) as srv:
        yield srv


@pytest.fixture
def browser() -> Iterator[Any]:
    with launched_chromium() as instance:
        yield instance


def _status(page: Any, item: str) -> Any:
    return page.locator(f"#hb-scene-response-{item} .hb-status")


def _busy_until(page: Any, predicate: str, arg: Any = None, seconds: float = 60) -> None:
    """Wait for ``predicate`` (a JS function of ``arg``) while the officer keeps using the page
    (a key press every half second), so the idle lock stays away."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(predicate, arg):
        if time.monotonic() > deadline:
            lines = str(page.evaluate("document.body.innerText")).splitlines()
            shown = " | ".join(line.strip() for line in lines if line.strip())[:2000]
            raise AssertionError(f"still waiting for {predicate} ({arg}); the page shows: {shown}")
        page.keyboard.press("Shift")
        page.wait_for_timeout(500)


def _busy_for(page: Any, seconds: float) -> None:
    """The officer keeps using the page for ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page.keyboard.press("Shift")
        page.wait_for_timeout(500)


def _status_shows(page: Any, item: str, *texts: str, seconds: float = 60) -> str:
    """The item's status once it shows one of ``texts``, the officer busy meanwhile."""
    _busy_until(page, """([item, texts]) => {
        const status = document.querySelector(`#hb-scene-response-${item} .hb-status`);
        return Boolean(status) && texts.some((text) => status.textContent.includes(text));
    }""", [item, list(texts)], seconds)
    return str(_status(page, item).inner_text())


STATE_JS = """() => ({
  firstScreen: document.querySelectorAll('[data-hb-first-screen]').length,
  aids: document.querySelectorAll('.hb-aid').length,
  fields: [...document.querySelectorAll('input[type=text]')].map((i) => [i.id, i.value, i.readOnly]),
  statuses: [...document.querySelectorAll('.hb-aid-status')].map((s) => s.textContent.trim()),
  locked: document.querySelector('.hb-idle-locked') !== null,
})"""
"""What the page holds when a wait runs out: enough to tell a lost press from a slow kernel."""


def _open_checklist(page: Any, server: Server, address: str, case: str) -> None:
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"[:300]))
    page.on("pageerror", lambda error: console.append(f"page error: {error}"[:300]))
    page.add_init_script(f"({WATCH_JS})()")
    page.goto(address)
    box = page.get_by_label("Case or incident number")
    box.wait_for(timeout=LOAD_TIMEOUT)
    box.fill(case)
    page.get_by_role("button", name="Start or resume").click()
    try:
        _busy_until(page, "() => Boolean(document.querySelector('.hb-checklist .hb-item'))",
                    seconds=LOAD_TIMEOUT / 1000)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nstate: {page.evaluate(STATE_JS)}\nconsole: {console[-30:]}\n"
                             f"server log: {server.log()[-4000:]}") from None


def _answer(page: Any, item: str, value: str) -> str:
    page.locator(f"#hb-scene-response-{item} .hb-option[data-value={value}]").click()
    return _status_shows(page, item, "· saved", "Not saved yet")


def _stored_answers(server: Server, case: str) -> dict[str, Any]:
    (record,) = Store.open(f"sqlite:///{server.database}").find("scene-response", case)
    return {a.item_id: a.value for a in ChecklistState.model_validate_json(record.state).answers}


def _tell_server(page: Any, action: str, body: dict[str, str] | None = None) -> int:
    """Lock or unlock the page's kernel on the server only, as a lock request that arrived late
    would (the page itself stays as it looks)."""
    return int(page.evaluate("""async ([action, body]) => {
        const config = JSON.parse(document.getElementById('jupyter-config-data').textContent);
        const xsrf = document.cookie.split('; ').find((c) => c.startsWith('_xsrf=')).slice(6);
        const reply = await fetch(`/api/kernels/${config.kernelId}/handbook-${action}`, {
          method: 'POST', headers: { 'Content-Type': 'application/json', 'X-XSRFToken': decodeURIComponent(xsrf) },
          body: JSON.stringify(body) });
        return reply.status;
    }""", [action, body or {}]))


def test_a_checklist_locked_and_resumed_with_the_token_goes_on_saving(token_server: Server, browser: Any) -> None:
    case = "26-LOCK-CHECK-1"
    context = browser.new_context()
    page = context.new_page()
    _open_checklist(page, token_server, f"{token_server.base}{AID}?token={TOKEN}", case)
    assert _answer(page, *FIRST).startswith("In custody · "), "the first answer is saved"

    screen = page.locator(".hb-idle-screen")
    screen.wait_for(state="visible", timeout=30_000)
    page.get_by_label("Access token").wait_for(state="visible", timeout=10_000)
    other = context.new_page()  # the officer goes to another tab, then comes back to the lock screen
    other.bring_to_front()
    page.bring_to_front()
    page.evaluate("""() => {
        window.dispatchEvent(new Event('blur'));
        window.dispatchEvent(new Event('focus'));
        document.dispatchEvent(new Event('visibilitychange'));
    }""")
    page.wait_for_timeout(7_000)  # longer than the page waits for a reply
    other.close()

    token_box = page.get_by_label("Access token")
    token_box.fill(TOKEN)
    token_box.press("Enter")
    screen.wait_for(state="hidden", timeout=10_000)
    shown = _answer(page, *SECOND)
    assert shown.startswith("Found and secured · ") and "· saved" in shown, shown

    assert page.evaluate("window.sentWhileLocked") == [], "the locked page sent widget messages the server drops"
    assert page.evaluate("window.saidGone") == [], "the page said the server was restarted"
    assert page.locator(".hb-link-bar").is_hidden()
    assert _stored_answers(token_server, case) == {FIRST[0]: FIRST[1], SECOND[0]: SECOND[1]}


def test_an_answer_the_locked_server_dropped_is_saved_by_itself(token_server: Server, browser: Any) -> None:
    """The server locked (and signed the browser out) while the page looked open: the answer is
    not saved, the page says it will send it again (not that the server restarted), and does."""
    case = "26-LOCK-CHECK-2"
    page = browser.new_context().new_page()
    _open_checklist(page, token_server, f"{token_server.base}{AID}?token={TOKEN}", case)
    assert "· saved" in _answer(page, *FIRST)

    assert _tell_server(page, "lock") == 200
    shown = _answer(page, *SECOND)
    assert shown.startswith("⚠ Not saved yet: Found and secured"), shown
    _busy_for(page, 3)  # the page asks the server about the kernel meanwhile (403: signed out)
    assert "sent again by itself" in str(_status(page, SECOND[0]).inner_text()), "the page gave up on the answer"
    assert _tell_server(page, "unlock", {"token": TOKEN}) == 200

    assert "· saved" in _status_shows(page, SECOND[0], "· saved"), "the dropped answer was never sent again"
    assert page.evaluate("window.saidGone") == [], "the page said the server was restarted"
    assert _stored_answers(token_server, case) == {FIRST[0]: FIRST[1], SECOND[0]: SECOND[1]}


def test_a_quick_resume_waits_for_the_lock_request(loopback_server: Server, browser: Any) -> None:
    """Resume pressed before the lock request has reached the server: the server must not end up
    locked behind an unlocked page (every answer would be dropped)."""
    case = "26-LOCK-CHECK-3"
    page = browser.new_context().new_page()
    _open_checklist(page, loopback_server, loopback_server.base + AID, case)
    assert "· saved" in _answer(page, *FIRST)

    held: list[Any] = []
    unlocks: list[str] = []
    page.route("**/handbook-lock", lambda route: held.append(route))  # the lock request is slow on its way
    page.on("request", lambda request: unlocks.append(request.url) if "handbook-unlock" in request.url else None)
    screen = page.locator(".hb-idle-screen")
    screen.wait_for(state="visible", timeout=30_000)
    page.wait_for_function("() => document.activeElement && document.activeElement.textContent === 'Resume'")
    page.keyboard.press("Enter")  # at once
    page.wait_for_timeout(1_500)
    assert len(held) == 1
    unlocks_before_the_lock = list(unlocks)
    held[0].continue_()
    screen.wait_for(state="hidden", timeout=10_000)

    assert unlocks_before_the_lock == [], "Resume overtook the lock request"
    shown = _answer(page, *THIRD)
    assert shown.startswith("No injury seen or reported · ") and "· saved" in shown, shown
    assert _stored_answers(loopback_server, case) == {FIRST[0]: FIRST[1], THIRD[0]: THIRD[1]}


@pytest.mark.parametrize("fixture", ["token_server", "loopback_server"])
def test_no_traceback_in_the_server_log(fixture: str, request: pytest.FixtureRequest) -> None:
    log = request.getfixturevalue(fixture).log()
    assert "Traceback" not in log, log[-3000:]
