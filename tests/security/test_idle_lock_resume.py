"""A locked job aid comes back only on the server's yes (CJIS session lock: sign in again).

With ``--token`` Resume wants the token again (five wrong ones in a row refuse every token from
that address for ten minutes); behind a sign-on proxy the proxy's header must name the user who
opened the job aid; without sign-in the lock screen says it is a privacy screen only. While a
page is locked its kernel takes no widget message. The browser tests run servers whose kernels
lock after 6 seconds (the test-only variable; the real setting allows 1 to 240 minutes).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from secserver import AID, KernelChannel, Server, case_box, replies_to, running_server

from browser import CHROMIUM_ARGS, CHROMIUM_PATH, require_chromium
from protocols.serve.kernel_owners import KernelOwners
from protocols.serve.session_lock import FailedSignIns, message_type, token_matches
from protocols.ui import idle_lock

TOKEN = "resume-token-for-tests-0123456789"
HEADER = "X-Forwarded-User"
LOCK_SECONDS = {idle_lock.TEST_ENV: "6"}


# --- unit ---------------------------------------------------------------------------------------


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_five_wrong_tokens_in_a_row_refuse_that_address_for_ten_minutes() -> None:
    clock = _Clock()
    attempts = FailedSignIns(clock=clock)
    for _ in range(4):
        assert attempts.check("10.0.0.5", "wrong", TOKEN) == "wrong"
    assert attempts.tries_left("10.0.0.5") == 1
    assert attempts.check("10.0.0.5", TOKEN, TOKEN) == "ok"  # a right token starts the count again
    for _ in range(4):
        assert attempts.check("10.0.0.5", "wrong", TOKEN) == "wrong"
    assert attempts.check("10.0.0.5", "wrong", TOKEN) == "wrong"  # the fifth
    assert attempts.check("10.0.0.5", TOKEN, TOKEN) == "refused"  # even the right one, for now
    assert attempts.check("10.0.0.9", TOKEN, TOKEN) == "ok"  # another address is not refused
    clock.now += 9 * 60 + 59
    assert attempts.check("10.0.0.5", TOKEN, TOKEN) == "refused"
    clock.now += 2
    assert attempts.wait_seconds("10.0.0.5") == 0
    assert attempts.check("10.0.0.5", TOKEN, TOKEN) == "ok"


def test_tokens_are_compared_whole() -> None:
    assert token_matches(TOKEN, TOKEN)
    assert not any(token_matches(typed, TOKEN) for typed in ("", TOKEN[:-1], TOKEN + "x", TOKEN.upper()))


def test_the_kernel_lock_state_follows_its_owner() -> None:
    owners = KernelOwners()
    owners.bind("k1", user="officer.jones")
    owners.lock("k1")
    owners.lock("no-such-kernel")
    assert owners.is_locked("k1") and not owners.is_locked("no-such-kernel")
    assert owners.user_of("k1") == "officer.jones" and owners.owned("k1")
    owners.unlock("k1")
    assert not owners.is_locked("k1")
    owners.lock("k1")
    owners.bind("k2", alive=["k2"])  # k1 has gone: forgotten, lock and user too
    assert not owners.owned("k1") and not owners.is_locked("k1") and owners.user_of("k1") is None


def test_message_types_are_read_from_every_wire_format() -> None:
    from jupyter_server.services.kernels.connection.base import serialize_binary_message, serialize_msg_to_ws_v1

    header = {"msg_type": "comm_msg", "msg_id": "1"}
    as_json = json.dumps({"header": header, "parent_header": {}, "metadata": {}, "content": {}, "channel": "shell"})
    legacy = serialize_binary_message({"header": header, "parent_header": {}, "metadata": {},  # type: ignore[no-untyped-call]
                                       "content": {}, "buffers": [b"x"]})
    v1 = serialize_msg_to_ws_v1([json.dumps(part).encode() for part in (header, {}, {}, {})],  # type: ignore[no-untyped-call]
                                "shell")
    assert message_type(as_json, None) == "comm_msg"
    assert message_type(legacy, None) == "comm_msg"
    assert message_type(v1, "v1.kernel.websocket.jupyter.org") == "comm_msg"
    for garbage in ("", "{", "[]", '{"header": 3}', b"\x00\x01", b""):
        assert message_type(garbage, None) is None
    assert message_type(b"\x00" * 8, "v1.kernel.websocket.jupyter.org") is None


# --- the server's answers -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def token_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("resume-token"),
                        env={"HANDBOOK_TOKEN": TOKEN, **LOCK_SECONDS}) as srv:
        yield srv


@pytest.fixture(scope="module")
def header_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("resume-header"), args=["--trusted-header", HEADER],
                        env=LOCK_SECONDS) as srv:
        yield srv


@pytest.fixture(scope="module")
def loopback_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("resume-loopback"), env=LOCK_SECONDS) as srv:
        yield srv


def _cookie(cookies: str, name: str) -> str:
    return next(c.split("=", 1)[1] for c in cookies.split("; ") if c.split("=", 1)[0] == name)


def _post(server: Server, kernel_id: str, action: str, cookies: str, body: dict[str, Any] | None = None,
          headers: dict[str, str] | None = None, xsrf: bool = True) -> tuple[int, dict[str, Any]]:
    payload = json.dumps(body or {}).encode()
    sent = {"Cookie": cookies, "Content-Type": "application/json", "Content-Length": str(len(payload)),
            **(headers or {})}
    if xsrf:
        sent["X-XSRFToken"] = _cookie(cookies, "_xsrf")
    status, _head, data = server.request(f"/api/kernels/{kernel_id}/handbook-{action}", method="POST",
                                         headers=sent, body=payload)
    try:
        answer = json.loads(data)
    except ValueError:
        answer = {"raw": data.decode("utf-8", "replace")}
    return status, answer


def _opens_a_checklist(channel: KernelChannel, case_box: str, case_number: str) -> bool:
    """Type a case number; True when the kernel opened a checklist for it (before it answered a
    kernel-info request sent right after, plus two seconds for the last output to arrive)."""
    channel.send("comm_msg", {"comm_id": case_box, "data": {
        "method": "update", "state": {"value": case_number}, "buffer_paths": []}})
    probe = channel.send("kernel_info_request", {})
    got = channel.collect(20, until=lambda m: m["header"]["msg_type"] == "kernel_info_reply")
    assert replies_to(got, probe), "the kernel did not answer a kernel-info request"
    got += channel.collect(2, until=lambda m: case_number in str(m["content"]))
    return any(case_number in str(m["content"]) for m in got)


@pytest.mark.slow
def test_a_locked_kernel_takes_no_widget_message_until_the_token_is_given_again(token_server: Server) -> None:
    _html, kernel_id, cookies = token_server.job_aid(f"{AID}?token={TOKEN}")
    channel = KernelChannel(token_server, kernel_id, cookies)
    try:
        box = case_box(channel)
        status, answer = _post(token_server, kernel_id, "lock", cookies)
        assert (status, answer["sign_in"]) == (200, "token")
        assert not _opens_a_checklist(channel, box, "LOCKED-1"), "a locked page changed its kernel"

        assert _post(token_server, kernel_id, "unlock", cookies, {"token": TOKEN}, xsrf=False)[0] == 403
        _other_html, _other_kernel, other_cookies = token_server.job_aid(f"{AID}?token={TOKEN}")
        status, answer = _post(token_server, kernel_id, "unlock", other_cookies, {"token": TOKEN})
        assert status == 403 and "belongs to another page" in json.dumps(answer)
        status, answer = _post(token_server, kernel_id, "unlock", cookies, {})
        assert (status, answer["reason"], answer["unlocked"]) == (400, "no-token", False)
        status, answer = _post(token_server, kernel_id, "unlock", cookies, {"token": TOKEN + "x"})
        assert (status, answer["reason"], answer["tries_left"]) == (403, "wrong-token", 4)
        assert not _opens_a_checklist(channel, box, "LOCKED-2")

        status, answer = _post(token_server, kernel_id, "unlock", cookies, {"token": TOKEN})
        assert (status, answer["unlocked"]) == (200, True)
        assert _opens_a_checklist(channel, box, "UNLOCKED-1"), "the unlocked page cannot reach its kernel"
    finally:
        channel.close()


@pytest.mark.slow
def test_locking_signs_the_browser_out(token_server: Server) -> None:
    """A reload of a locked page must not get past the lock: the sign-in cookie is cleared."""
    _html, kernel_id, cookies = token_server.job_aid(f"{AID}?token={TOKEN}")
    login = next(c for c in cookies.split("; ") if c.startswith("username-"))
    status, _head, _body = token_server.request(AID, headers={"Cookie": login})
    assert status == 200  # positive control: the cookie alone opens a job aid
    status, head, _body = token_server.request(f"/api/kernels/{kernel_id}/handbook-lock", method="POST", body=b"{}",
                                               headers={"Cookie": cookies, "Content-Length": "2",
                                                        "X-XSRFToken": _cookie(cookies, "_xsrf")})
    assert status == 200
    cleared = [c for c in head["set-cookie"].split("\n") if c.startswith(login.split("=", 1)[0] + "=")]
    assert cleared and ("expires=" in cleared[0].lower() or "max-age=0" in cleared[0].lower()), head["set-cookie"]


@pytest.mark.slow
def test_resume_behind_a_proxy_needs_the_user_who_opened_the_job_aid(header_server: Server) -> None:
    jones = {HEADER: "officer.jones"}
    _html, kernel_id, cookies = header_server.job_aid(headers=jones)
    status, answer = _post(header_server, kernel_id, "lock", cookies, headers=jones)
    assert (status, answer["sign_in"]) == (200, "header")
    status, answer = _post(header_server, kernel_id, "unlock", cookies, headers={HEADER: "sgt.lee"})
    assert (status, answer["reason"]) == (403, "other-user")
    status, _answer = _post(header_server, kernel_id, "unlock", cookies)
    assert status == 401  # no header: the proxy did not sign anyone in
    status, answer = _post(header_server, kernel_id, "unlock", cookies, headers=jones)
    assert (status, answer["unlocked"]) == (200, True)


# --- in the browser -----------------------------------------------------------------------------


def _browser(playwright: Any) -> Any:
    require_chromium()
    return playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)


def _wait_for_lock(page: Any) -> tuple[Any, Any]:
    case_box = page.get_by_label("Case or incident number")
    screen = page.locator(".hb-idle-screen")
    screen.wait_for(state="visible", timeout=20_000)
    assert not case_box.is_visible(), "locked, but the case form still shows"
    return screen, case_box


@pytest.mark.browser
@pytest.mark.slow
def test_with_a_token_resume_wants_the_token_again(token_server: Server) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = _browser(p)
        try:
            page = browser.new_page()
            page.goto(token_server.base + AID + f"?token={TOKEN}")
            page.get_by_label("Case or incident number").wait_for(timeout=30_000)
            assert "token" not in page.url, "the token stayed in the address: a reload would sign in again"
            screen, case_box = _wait_for_lock(page)
            token_box = page.get_by_label("Access token")
            token_box.wait_for(state="visible", timeout=10_000)
            assert "enter the access token" in screen.inner_text()

            token_box.fill("not-the-token-0123456789")
            page.get_by_role("button", name="Resume").click()
            message = page.locator(".hb-idle-message")
            message.filter(has_text="not right").wait_for(timeout=10_000)
            assert screen.is_visible() and not case_box.is_visible(), "a wrong token showed the job aid"
            assert page.locator(".hb-aid [inert]").count() >= 1

            token_box.fill(TOKEN)
            token_box.press("Enter")
            screen.wait_for(state="hidden", timeout=10_000)
            assert case_box.is_visible()
            case_box.fill("26-RESUME-TOKEN-1")  # and the job aid works again
            page.get_by_role("button", name="Start or resume").click()
            page.wait_for_selector(".hb-checklist", timeout=30_000)
        finally:
            browser.close()


@pytest.mark.browser
@pytest.mark.slow
def test_behind_a_proxy_only_the_same_user_resumes(header_server: Server) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = _browser(p)
        try:
            context = browser.new_context(extra_http_headers={HEADER: "officer.jones"})
            page = context.new_page()
            page.goto(header_server.base + AID)
            page.get_by_label("Case or incident number").wait_for(timeout=30_000)
            screen, case_box = _wait_for_lock(page)
            explain = page.locator(".hb-idle-explain")
            explain.filter(has_text="sign-in").wait_for(timeout=10_000)
            # It says what is checked: the proxy's user, no password (anyone at this browser
            # passes while the proxy's session lasts), not "that you are the person".
            assert "does not ask for a password" in explain.inner_text()
            assert "still names the user who opened this job aid" in explain.inner_text()
            assert "that you are the person" not in explain.inner_text()
            assert not page.get_by_label("Access token").is_visible()

            context.set_extra_http_headers({HEADER: "sgt.lee"})  # someone else is signed in at the proxy
            page.get_by_role("button", name="Resume").click()
            page.locator(".hb-idle-message").filter(has_text="Another user").wait_for(timeout=10_000)
            assert "Reload the page" in page.locator(".hb-idle-message").inner_text()
            assert screen.is_visible() and not case_box.is_visible(), "another user resumed the job aid"

            context.set_extra_http_headers({HEADER: "officer.jones"})
            page.get_by_role("button", name="Resume").click()
            screen.wait_for(state="hidden", timeout=10_000)
            assert case_box.is_visible()
        finally:
            browser.close()


@pytest.mark.browser
@pytest.mark.slow
def test_without_sign_in_the_lock_says_it_is_a_privacy_screen_only(loopback_server: Server) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = _browser(p)
        try:
            page = browser.new_page()
            page.goto(loopback_server.base + AID)
            page.get_by_label("Case or incident number").wait_for(timeout=30_000)
            screen, case_box = _wait_for_lock(page)
            explain = page.locator(".hb-idle-explain")
            explain.filter(has_text="privacy screen only").wait_for(timeout=10_000)
            assert "Anyone at this computer can resume." in explain.inner_text()
            assert "not a sign-in check" in explain.inner_text()
            assert not page.get_by_label("Access token").is_visible()
            page.get_by_role("button", name="Resume").click()
            screen.wait_for(state="hidden", timeout=10_000)
            assert case_box.is_visible()
        finally:
            browser.close()


# --- last: these refuse tokens from this address for the rest of the module ----------------------


@pytest.mark.slow
def test_five_wrong_tokens_refuse_even_the_right_one(token_server: Server) -> None:
    _html, kernel_id, cookies = token_server.job_aid(f"{AID}?token={TOKEN}")
    assert _post(token_server, kernel_id, "lock", cookies)[0] == 200
    answers = [_post(token_server, kernel_id, "unlock", cookies, {"token": f"wrong-{n}"}) for n in range(5)]
    assert [a["tries_left"] for _s, a in answers[:4]] == [4, 3, 2, 1]
    assert answers[4][0] == 429 and answers[4][1]["reason"] == "refused" and answers[4][1]["wait_minutes"] == 10
    status, answer = _post(token_server, kernel_id, "unlock", cookies, {"token": TOKEN})
    assert (status, answer["reason"], answer["unlocked"]) == (429, "refused", False)
    # Jupyter's own sign-in is refused from this address too: the count is shared.
    status, _head, body = token_server.request(f"{AID}?token={TOKEN}")
    assert status in (302, 401, 403) and b"kernelId" not in body
    assert "wrong tokens in a row from 127.0.0.1" in token_server.log()


@pytest.mark.parametrize("fixture", ["token_server", "header_server", "loopback_server"])
def test_no_traceback_in_the_server_log(fixture: str, request: pytest.FixtureRequest) -> None:
    log = request.getfixturevalue(fixture).log()
    assert "Traceback" not in log, log[-3000:]
