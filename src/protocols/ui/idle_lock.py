"""Idle lock for the job aids: hide case data on a screen nobody is using.

An officer may walk away from a laptop in a car or at a desk with a case open.
After ``HANDBOOK_IDLE_LOCK_MINUTES`` minutes (30 by default, the CJIS session-lock
limit) with no key press, tap, click or scroll, the job aid hides its content
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
it the times. ``handbook serve --idle-lock-minutes N`` sets the variable.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path

import anywidget
import traitlets

STATIC = Path(__file__).parent / "static"
ENV = "HANDBOOK_IDLE_LOCK_MINUTES"
TEST_ENV = "HANDBOOK_TEST_ONLY_IDLE_LOCK_SECONDS"
"""For the test suite only: a lock this many seconds long, below the one-minute minimum.
``handbook serve`` announces it on start-up; no deployment sets it."""
DEFAULT_MINUTES = 30.0
MIN_MINUTES = 1.0
MAX_MINUTES = 240.0
MAX_WARNING_SECONDS = 60.0
"""The warning comes this long before the lock (half the time for locks under two minutes)."""
MIN_WARNING_SECONDS = 20.0
"""WCAG 2.2.1: at least 20 seconds to ask for more time. Every lock from 1 to 240 minutes gets it."""
RULE = (f"a number of minutes from {MIN_MINUTES:g} to {MAX_MINUTES:g} (the warning then comes "
        f"at least {MIN_WARNING_SECONDS:g} seconds before the lock)")
"""The one rule for ``--idle-lock-minutes`` and ``$HANDBOOK_IDLE_LOCK_MINUTES``, in words."""


def _number_within(text: str | None, low: float, high: float) -> float | None:
    """The number ``text`` holds when it lies from ``low`` to ``high``; None when unset or unusable."""
    if text is None:
        return None
    try:
        number = float(text.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) and low <= number <= high else None


def parse_lock_minutes(text: str | None) -> float | None:
    """Minutes from the environment variable's text; None when it breaks :data:`RULE`."""
    return _number_within(text, MIN_MINUTES, MAX_MINUTES)


def parse_test_seconds(text: str | None) -> float | None:
    """Seconds from :data:`TEST_ENV` (1 to 600), or None when unset or unusable."""
    return _number_within(text, 1, 600)


def lock_minutes(environ: Mapping[str, str] | None = None) -> float:
    """The configured lock time; an unusable value falls back to the default (fail safe: lock)."""
    env = os.environ if environ is None else environ
    return parse_lock_minutes(env.get(ENV)) or DEFAULT_MINUTES


def lock_seconds(environ: Mapping[str, str] | None = None) -> float:
    """The lock time in seconds: the test-only override when set, else :func:`lock_minutes`."""
    env = os.environ if environ is None else environ
    return parse_test_seconds(env.get(TEST_ENV)) or lock_minutes(env) * 60


def warning_seconds(lock_seconds: float) -> float:
    """How long before the lock the warning shows: a minute, or half a lock under two minutes."""
    return min(MAX_WARNING_SECONDS, lock_seconds / 2)


class IdleLock(anywidget.AnyWidget):
    """Invisible until the warning; then a banner, then a full-screen lock over the aid."""

    _esm = STATIC / "idle_lock.js"
    _css = STATIC / "idle_lock.css"

    lock_after_seconds = traitlets.Float(DEFAULT_MINUTES * 60).tag(sync=True)
    warn_seconds = traitlets.Float(MAX_WARNING_SECONDS).tag(sync=True)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> IdleLock:
        seconds = lock_seconds(environ)
        widget = cls(lock_after_seconds=seconds, warn_seconds=warning_seconds(seconds))
        widget.add_class("hb-idle-lock")
        return widget
