"""Time for the engine: every operation takes ``now`` so tests are deterministic.

The engine never reads the system clock itself. A caller passes ``now`` (a
timezone-aware ``datetime``); a UI gets it from :class:`SystemClock`, a test
from :class:`FixedClock`.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from protocols.engine.errors import AnswerError


class Clock(Protocol):
    """Anything with a ``now()`` that returns a timezone-aware ``datetime``."""

    def now(self) -> dt.datetime: ...


class SystemClock:
    """The real clock, in the machine's local time zone."""

    def now(self) -> dt.datetime:
        return dt.datetime.now().astimezone()


class FixedClock:
    """A clock that only moves when told to: for tests and replays."""

    def __init__(self, start: dt.datetime) -> None:
        self._now = require_aware(start, "the clock's start time")

    def now(self) -> dt.datetime:
        return self._now

    def set(self, when: dt.datetime) -> None:
        self._now = require_aware(when, "the clock's time")

    def advance(
        self, *, days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0
    ) -> dt.datetime:
        self._now += dt.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
        return self._now


def require_aware(value: object, what: str = "now") -> dt.datetime:
    """Return ``value`` if it is a timezone-aware datetime; raise :class:`AnswerError` if not."""
    if not isinstance(value, dt.datetime):
        raise AnswerError(
            f"{what} must be a date and time (a datetime), not {type(value).__name__}"
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise AnswerError(
            f"{what} has no time zone; pass a timezone-aware datetime (for example "
            "datetime.now().astimezone()) so times stay right across saves and time zones"
        )
    return value
