"""Idle lock for the job aids: hide case data on a screen nobody is using.

An officer may walk away from a laptop in a car or at a desk with a case open.
After the idle-lock setting's minutes (:data:`protocols.settings.IDLE_LOCK_MINUTES`; 30 by
default, the CJIS session-lock limit) with no key press, tap, click or scroll, the job aid hides its content
behind a "Locked" screen. A warning with a one-action "Keep working" button
comes first (WCAG 2.2.1: at least 20 seconds; a minute for the default, 30 seconds
for the shortest lock, one minute).

"Resume" shows the content again only when the server says yes
(``protocols.serve.session_lock``): with ``--token`` for the token typed again, behind a
sign-on proxy (``--trusted-header``) when the proxy still names the user who opened
the job aid (no password: the proxy's own session decides, and the screen says so).
Without sign-in (loopback) the server always says yes, and the lock screen says
plainly that it is a privacy screen, not a sign-in check. While locked the page sends
its kernel nothing, and Resume waits until the server has the lock request.

The timer runs in the browser (``static/idle_lock.js``); the kernel only tells
it the times. ``handbook serve --idle-lock-minutes N`` sets the setting; the limits and their
rule in words are in :mod:`protocols.settings`.
"""

from __future__ import annotations

from collections.abc import Mapping

import anywidget
import traitlets

from protocols.settings import (
    DEFAULT_IDLE_LOCK_MINUTES,
    IDLE_LOCK_MINUTES,
    IDLE_LOCK_RULE,
    TEST_IDLE_LOCK_SECONDS,
    TEST_SECONDS_RANGE,
    Settings,
    number_within,
    parse_idle_lock_minutes,
)
from protocols.ui.plain import STATIC

ENV = IDLE_LOCK_MINUTES.name
TEST_ENV = TEST_IDLE_LOCK_SECONDS.name
"""For the test suite only: a lock this many seconds long, below the one-minute minimum.
``handbook serve`` announces it on start-up; no deployment sets it."""
RULE = IDLE_LOCK_RULE
parse_lock_minutes = parse_idle_lock_minutes
MAX_WARNING_SECONDS = 60.0
"""The warning comes this long before the lock (half the time for locks under two minutes)."""


def parse_test_seconds(text: str | None) -> float | None:
    """Seconds from the test-only variable (:data:`TEST_ENV`), or None when unset or unusable."""
    return number_within(text, *TEST_SECONDS_RANGE)


def lock_minutes(environ: Mapping[str, str] | None = None) -> float:
    """The configured lock time; an unusable value falls back to the default (fail safe: lock)."""
    return Settings.from_env(environ).idle_lock_minutes


def lock_seconds(environ: Mapping[str, str] | None = None) -> float:
    """The lock time in seconds: the test-only override when set, else :func:`lock_minutes`."""
    settings = Settings.from_env(environ)
    return settings.test_idle_lock_seconds or settings.idle_lock_minutes * 60


def warning_seconds(lock_seconds: float) -> float:
    """How long before the lock the warning shows: a minute, or half a lock under two minutes."""
    return min(MAX_WARNING_SECONDS, lock_seconds / 2)


class IdleLock(anywidget.AnyWidget):
    """Invisible until the warning; then a banner, then a full-screen lock over the aid."""

    _esm = STATIC / "idle_lock.js"
    _css = STATIC / "idle_lock.css"

    lock_after_seconds = traitlets.Float(DEFAULT_IDLE_LOCK_MINUTES * 60).tag(sync=True)
    warn_seconds = traitlets.Float(MAX_WARNING_SECONDS).tag(sync=True)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> IdleLock:
        seconds = lock_seconds(environ)
        widget = cls(lock_after_seconds=seconds, warn_seconds=warning_seconds(seconds))
        widget.add_class("hb-idle-lock")
        return widget
