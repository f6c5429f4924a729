"""Run-time settings: every ``HANDBOOK_*`` environment variable, in one place.

The handbook takes its settings from the environment so that a container, a service
file or a shell can set them, and so that ``handbook serve`` can hand them to the job-aid
kernels it starts (a kernel is another process: it inherits the server's environment).
This module is the only one that names those variables. Everything else reads a
:class:`Settings` (``Settings.from_env()``) or receives the value it needs as a parameter.

A value that cannot be used never stops a job-aid kernel: it gets the default and the
problem is kept in :attr:`Settings.problems`. Commands that start something (``handbook
serve``) refuse to start while there are problems, and say which variable to fix.

Imports only the standard library, so any process can read its settings cheaply.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Variable:
    """One environment variable: its name and what it is for (shown in help and errors)."""

    name: str
    help: str

    def read(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The variable's text with surrounding blanks removed; ``None`` when unset or blank."""
        value = (os.environ if environ is None else environ).get(self.name)
        if value is None or not value.strip():
            return None
        return value.strip()

    @property
    def shown(self) -> str:
        """How messages and help texts write it: ``$NAME``."""
        return f"${self.name}"


CONTENT = Variable("HANDBOOK_CONTENT", "a content folder used instead of the content shipped with the package")
AGENCY = Variable("HANDBOOK_AGENCY", "an agency profile (agency.yaml) whose checklists and name are used")
LIBRARY_SNAPSHOT = Variable(
    "HANDBOOK_LIBRARY_SNAPSHOT",
    "the validated content `handbook serve` wrote for its job-aid kernels (set by the server)")
DATABASE_URL = Variable(
    "HANDBOOK_DATABASE_URL",
    "where records are saved: sqlite:///path/to/records.sqlite3 or postgresql+psycopg://user@host/db")
USER = Variable("HANDBOOK_USER", "who a change is recorded as (set per job-aid kernel by the server)")
TOKEN = Variable("HANDBOOK_TOKEN", "the secret (16+ characters) that opens the job aids")
IDLE_LOCK_MINUTES = Variable("HANDBOOK_IDLE_LOCK_MINUTES", "minutes before an idle job aid hides its content")
TEST_IDLE_LOCK_SECONDS = Variable(
    "HANDBOOK_TEST_ONLY_IDLE_LOCK_SECONDS",
    "for the test suite only: an idle lock this many seconds long, below the one-minute minimum")
FORK_SERVER = Variable("HANDBOOK_FORK_SERVER", "the socket of the warm parent job-aid kernels are forked from")
SIGNING_KEYS = Variable("HANDBOOK_SIGNING_KEYS", "the folder that holds the keys exports are signed with")
DEBUG = Variable("HANDBOOK_DEBUG", "set to 1 to show a traceback when a command fails unexpectedly")

VARIABLES: tuple[Variable, ...] = (CONTENT, AGENCY, LIBRARY_SNAPSHOT, DATABASE_URL, USER, TOKEN,
                                   IDLE_LOCK_MINUTES, TEST_IDLE_LOCK_SECONDS, FORK_SERVER, SIGNING_KEYS,
                                   DEBUG)
CONTENT_VARIABLES: tuple[Variable, ...] = (CONTENT, AGENCY, LIBRARY_SNAPSHOT)
"""What decides which content a process loads (a forked kernel must match its parent on these)."""

DEFAULT_IDLE_LOCK_MINUTES = 30.0
"""The CJIS session-lock limit."""
MIN_IDLE_LOCK_MINUTES = 1.0
MAX_IDLE_LOCK_MINUTES = 240.0
MIN_WARNING_SECONDS = 20.0
"""WCAG 2.2.1: at least 20 seconds to ask for more time before the lock."""
IDLE_LOCK_RULE = (f"a number of minutes from {MIN_IDLE_LOCK_MINUTES:g} to {MAX_IDLE_LOCK_MINUTES:g} "
                  f"(the warning then comes at least {MIN_WARNING_SECONDS:g} seconds before the lock)")
"""The one rule for ``--idle-lock-minutes`` and its variable, in words."""
TEST_SECONDS_RANGE = (1.0, 600.0)


def number_within(text: str | None, low: float, high: float) -> float | None:
    """The number ``text`` holds when it lies from ``low`` to ``high``; None when unset or unusable."""
    if text is None:
        return None
    try:
        number = float(text.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) and low <= number <= high else None


def parse_idle_lock_minutes(text: str | None) -> float | None:
    """Minutes from a variable's or option's text; None when it breaks :data:`IDLE_LOCK_RULE`."""
    return number_within(text, MIN_IDLE_LOCK_MINUTES, MAX_IDLE_LOCK_MINUTES)


def _path(text: str | None) -> Path | None:
    return None if text is None else Path(text).expanduser()


@dataclass(frozen=True)
class Settings:
    """The handbook's run-time settings, read once from the environment.

    Each field names its variable in ``metadata["variable"]``; :meth:`to_env` writes back
    the ones that are set, so a server hands exactly these to the kernels it starts.
    """

    content: Path | None = field(default=None, metadata={"variable": CONTENT})
    agency: Path | None = field(default=None, metadata={"variable": AGENCY})
    library_snapshot: Path | None = field(default=None, metadata={"variable": LIBRARY_SNAPSHOT})
    database_url: str | None = field(default=None, metadata={"variable": DATABASE_URL})
    user: str | None = field(default=None, metadata={"variable": USER})
    """As given: ``protocols.records.actor`` checks it (printable, at most 64 characters)."""
    token: str | None = field(default=None, metadata={"variable": TOKEN})
    idle_lock_minutes: float = field(default=DEFAULT_IDLE_LOCK_MINUTES, metadata={"variable": IDLE_LOCK_MINUTES})
    test_idle_lock_seconds: float | None = field(default=None, metadata={"variable": TEST_IDLE_LOCK_SECONDS})
    fork_server: str | None = field(default=None, metadata={"variable": FORK_SERVER})
    signing_keys: Path | None = field(default=None, metadata={"variable": SIGNING_KEYS})
    debug: bool = field(default=False, metadata={"variable": DEBUG})
    problems: tuple[str, ...] = field(default=(), compare=False)
    """One message per variable whose value could not be used (its default was used instead)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings ``environ`` (default: this process's environment) holds."""
        env = os.environ if environ is None else environ
        problems: list[str] = []
        minutes_text = IDLE_LOCK_MINUTES.read(env)
        minutes = parse_idle_lock_minutes(minutes_text)
        if minutes_text is not None and minutes is None:
            problems.append(f"{IDLE_LOCK_MINUTES.name}={minutes_text[:20]!r} is not {IDLE_LOCK_RULE}; "
                            "unset it or use --idle-lock-minutes N")
        seconds_text = TEST_IDLE_LOCK_SECONDS.read(env)
        seconds = number_within(seconds_text, *TEST_SECONDS_RANGE)
        if seconds_text is not None and seconds is None:
            low, high = TEST_SECONDS_RANGE
            problems.append(f"{TEST_IDLE_LOCK_SECONDS.name}={seconds_text[:20]!r} is not a number of seconds "
                            f"from {low:g} to {high:g}; unset it")
        return cls(
            content=_path(CONTENT.read(env)),
            agency=_path(AGENCY.read(env)),
            library_snapshot=_path(LIBRARY_SNAPSHOT.read(env)),
            database_url=DATABASE_URL.read(env),
            user=env.get(USER.name),  # kept as given: a blank user is refused, not ignored
            token=TOKEN.read(env),
            idle_lock_minutes=DEFAULT_IDLE_LOCK_MINUTES if minutes is None else minutes,
            test_idle_lock_seconds=seconds,
            fork_server=FORK_SERVER.read(env),
            signing_keys=_path(SIGNING_KEYS.read(env)),
            debug=DEBUG.read(env) not in (None, "0"),
            problems=tuple(problems),
        )

    def to_env(self) -> dict[str, str]:
        """The variables that give a child process these settings (only those that are set)."""
        written: dict[str, str] = {}
        for spec in fields(self):
            variable = spec.metadata.get("variable")
            value = getattr(self, spec.name)
            if variable is None or value is None or value is False:
                continue
            if spec.name == "idle_lock_minutes" and value == DEFAULT_IDLE_LOCK_MINUTES:
                continue
            written[variable.name] = "1" if value is True else f"{value:g}" if isinstance(value, float) else str(value)
        return written

    def apply(self, environ: dict[str, str] | None = None) -> None:
        """Write :meth:`to_env` into ``environ`` (default: this process's), for the children it starts.

        A variable whose setting is unset is removed, so a child never sees a stale value.
        """
        env: Any = os.environ if environ is None else environ
        written = self.to_env()
        for variable in VARIABLES:
            if variable.name in written:
                env[variable.name] = written[variable.name]
            elif variable is not USER and variable is not TOKEN:
                env.pop(variable.name, None)

    def but(self, **changes: Any) -> Settings:
        """A copy with ``changes`` (the object itself is frozen)."""
        return replace(self, **changes)


def content_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The content variables' raw values ('' when unset): what a forked kernel compares with its parent."""
    env = os.environ if environ is None else environ
    return {variable.name: env.get(variable.name, "") for variable in CONTENT_VARIABLES}
