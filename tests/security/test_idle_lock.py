"""An idle job aid warns, then hides its content; one action keeps working or resumes.

The browser test runs a server whose kernels get a 6-second lock (warning 3 s ahead)
through the test-only variable; the real setting allows 1 to 240 minutes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from secserver import AID, Server, free_port, running_server
from typer.testing import CliRunner

from browser import CHROMIUM_ARGS, CHROMIUM_PATH, require_chromium
from protocols.ui import idle_lock
from protocols.ui.checklist_aid import checklist_aid
from protocols.ui.idle_lock import (
    IdleLock,
    lock_minutes,
    lock_seconds,
    parse_lock_minutes,
    parse_test_seconds,
    warning_seconds,
)

# --- unit ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("30", 30.0), (" 15 ", 15.0), ("1", 1.0), ("240", 240.0), ("1e1", 10.0), ("1.5", 1.5),
    ("0.1", None), ("0.5", None), ("0.99", None), ("0", None), ("-5", None), ("241", None), ("240.01", None),
    ("nan", None), ("inf", None), ("", None), ("ten", None),
    ("30 min", None), (None, None),
])
def test_lock_minutes_from_the_environment(text: str | None, expected: float | None) -> None:
    assert parse_lock_minutes(text) == expected


def test_a_bad_value_falls_back_to_thirty_minutes() -> None:
    assert lock_minutes({}) == 30.0
    assert lock_minutes({idle_lock.ENV: "never"}) == 30.0
    assert lock_minutes({idle_lock.ENV: "0"}) == 30.0
    assert lock_minutes({idle_lock.ENV: "5"}) == 5.0


def test_the_warning_comes_at_least_twenty_seconds_ahead_for_any_lock_the_rule_allows() -> None:
    """WCAG 2.2.1: at least 20 seconds to extend, for every value the variable or the flag accepts."""
    texts = ["1", "1.0001", "1.5", "2", "5", "30", "240", *(f"{m / 100:g}" for m in range(0, 24_001, 7))]
    accepted = [minutes for text in texts if (minutes := parse_lock_minutes(text)) is not None]
    assert min(accepted) == 1.0 and max(accepted) == 240.0
    for minutes in accepted:
        seconds = lock_minutes({idle_lock.ENV: f"{minutes!r}"}) * 60
        assert seconds >= 60 and warning_seconds(seconds) >= 20, minutes
    assert warning_seconds(30 * 60) == 60


def test_only_the_clearly_named_test_variable_gives_a_shorter_lock() -> None:
    assert lock_seconds({idle_lock.ENV: "0.1"}) == 30 * 60  # refused: the default, not 6 s
    assert lock_seconds({idle_lock.TEST_ENV: "6"}) == 6 and warning_seconds(6) == 3
    assert lock_seconds({idle_lock.TEST_ENV: "0", idle_lock.ENV: "5"}) == 300
    assert [parse_test_seconds(t) for t in ("6", "0.5", "601", "nan", "x", None)] == [6, None, None, None, None, None]


def _never_started(options: Any) -> Any:
    raise AssertionError("serve accepted the lock time and went on to start the server")


@pytest.mark.parametrize("value", ["0.5", "0.1", "0.99", "0", "241", "soon"])
def test_serve_refuses_a_lock_variable_outside_the_rule(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    """The variable obeys the same 1-to-240-minute rule as the flag: 0.5 would warn only 15 s ahead."""
    import protocols.serve.app as server_module
    from protocols.cli.app import app

    monkeypatch.setattr(server_module, "make_app", _never_started)
    monkeypatch.setenv(idle_lock.ENV, value)
    result = CliRunner().invoke(app, ["serve", "--port", str(free_port())])
    assert result.exit_code == 2, result.output
    assert f"HANDBOOK_IDLE_LOCK_MINUTES={value!r} is not a number of minutes from 1 to 240" in result.output
    assert "at least 20 seconds" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("value", ["0.5", "0"])
def test_the_flag_refuses_under_a_minute(value: str) -> None:
    from protocols.cli.app import app

    result = CliRunner().invoke(app, ["serve", "--idle-lock-minutes", value])
    assert result.exit_code == 2 and "--idle-lock-minutes" in result.output


def test_every_job_aid_box_carries_the_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(idle_lock.ENV, "12")
    box = checklist_aid("scene-response", aid="scene-response")
    locks = [w for w in box.children if isinstance(w, IdleLock)]
    assert len(locks) == 1
    assert locks[0].lock_after_seconds == 720 and locks[0].warn_seconds == 60
    assert "hb-idle-lock" in locks[0]._dom_classes


def test_serve_passes_the_lock_time_to_the_kernels(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`handbook serve --idle-lock-minutes N` sets the variable the kernels read."""
    import protocols.serve.app as server_module
    from protocols.cli.app import app

    seen: dict[str, Any] = {}

    class FakeApp:
        def start(self) -> None:
            import os

            seen["env"] = os.environ.get(idle_lock.ENV)

    def fake_make_app(options: Any) -> FakeApp:
        seen["options"] = options
        return FakeApp()

    monkeypatch.setattr(server_module, "make_app", fake_make_app)
    monkeypatch.setenv("HANDBOOK_DATABASE_URL", f"sqlite:///{tmp_path / 'r.sqlite3'}")
    for name in (idle_lock.ENV, "HANDBOOK_AGENCY", "HANDBOOK_TOKEN"):
        monkeypatch.delenv(name, raising=False)  # restored after the test, whatever serve sets
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    result = CliRunner().invoke(app, ["serve", "--port", str(free_port()), "--idle-lock-minutes", "12",
                                      "--book", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert seen["env"] == "12"
    assert seen["options"].cull_idle_seconds >= 12 * 60 + 300
    assert "idle lock after 12 min" in result.output


# --- in the browser -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("idle-lock"), env={idle_lock.TEST_ENV: "6"}) as srv:
        yield srv


@pytest.mark.browser
@pytest.mark.slow
def test_idle_job_aid_warns_then_locks_and_one_action_resumes(server: Server) -> None:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(server.base + AID)
            case_box = page.get_by_label("Case or incident number")
            case_box.wait_for(timeout=30_000)
            warning = page.locator(".hb-idle-warning")
            screen = page.locator(".hb-idle-screen")

            warning.wait_for(state="visible", timeout=15_000)
            assert "seconds" in warning.inner_text() and warning.get_attribute("role") == "alert"
            assert screen.is_hidden() and case_box.is_visible()
            page.get_by_role("button", name="Keep working").click()
            assert warning.is_hidden()
            kept = time.monotonic()

            screen.wait_for(state="visible", timeout=15_000)
            assert time.monotonic() - kept > 4, "Keep working did not restart the full idle time"
            assert not case_box.is_visible(), "locked, but the case form still shows"
            assert page.locator(".hb-aid [inert]").count() >= 1
            assert page.evaluate("document.activeElement.textContent") == "Resume"
            page.keyboard.press("Shift")  # activity does not unlock; only Resume does
            page.wait_for_timeout(300)
            assert screen.is_visible() and not case_box.is_visible()

            page.keyboard.press("Enter")  # one action: Resume has the focus
            screen.wait_for(state="hidden", timeout=5_000)
            assert case_box.is_visible()
            case_box.fill("26-LOCK-1")  # and the aid works again
            page.get_by_role("button", name="Start or resume").click()
            page.wait_for_selector(".hb-checklist", timeout=30_000)
        finally:
            browser.close()
