"""What every saved run has in common, and how a saved run is read back.

Run states are frozen pydantic models. An operation never changes a state: it
builds a new one and the run object points at it, so a state handed to the
records store stays exactly as it was saved. ``state.model_dump(mode="json")``
gives plain JSON; :func:`load` reads it back (and :func:`protocols.engine.load_state`
reads any kind of run).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from protocols.engine.errors import ContentMismatch, RunClosed, StateError


class Frozen(BaseModel):
    """Base for the engine's models: no unknown keys, never changed in place."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class RunState(Frozen):
    """Fields every run records. Subclasses add a ``kind`` and their answers."""

    content_id: str
    content_version: str
    started_at: AwareDatetime


S = TypeVar("S", bound=RunState)
R = TypeVar("R")


class Versioned(Protocol):
    """Content a run is made with: anything with an id and a version."""

    @property
    def id(self) -> str: ...

    @property
    def version(self) -> str: ...


def first_state(model: type[S], content: Versioned, started_at: dt.datetime, **fields: Any) -> S:
    """A new run's state: ``content``'s id and version, when it started, and ``fields``."""
    return model(content_id=content.id, content_version=content.version, started_at=started_at, **fields)


def require_open(closed_at: dt.datetime | None, message: str) -> None:
    """Raise :class:`RunClosed` with ``message`` once a run is closed (``{at}`` in it is when)."""
    if closed_at is not None:
        raise RunClosed(message.format(at=closed_at))


def read_saved(saved: object, from_json: Callable[[str | bytes], R], from_data: Callable[[Any], R]) -> R:
    """Read a saved run with ``from_json`` (text, bytes) or ``from_data`` (parsed data).

    Raises :class:`StateError` if it cannot be read; the message names the fields
    at fault but never repeats their values.
    """
    try:
        if isinstance(saved, str | bytes):
            return from_json(saved)
        return from_data(saved)
    except ValidationError as error:
        raise StateError(f"the saved run could not be read: {describe(error)}") from None


def load(model: type[S], saved: object) -> S:
    """Read a saved state (a state object or its JSON form) as ``model``.

    Raises :class:`StateError` if it cannot be read; the message names the fields
    at fault but never repeats their values.
    """
    if isinstance(saved, model):
        return saved
    return read_saved(saved, model.model_validate_json, model.model_validate)


def describe(error: ValidationError, limit: int = 3) -> str:
    """A short summary of a pydantic error without the offending values."""
    parts: list[str] = []
    for entry in error.errors(include_input=False, include_url=False)[:limit]:
        where = ".".join(str(p) for p in entry["loc"]) or "(top level)"
        parts.append(f"{where}: {entry['msg']}")
    more = error.error_count() - limit
    if more > 0:
        parts.append(f"and {more} more problem(s)")
    return "; ".join(parts)


def check_content(state: RunState, content_id: str, version: str, what: str) -> None:
    """Refuse a saved run that belongs to other content or another version of it."""
    if state.content_id != content_id:
        raise ContentMismatch(
            f"this saved run belongs to {what} `{state.content_id}`, not `{content_id}`; "
            f"open it with `{state.content_id}`"
        )
    if state.content_version != version:
        raise ContentMismatch(
            f"this saved run was made with version {state.content_version} of {what} "
            f"`{content_id}`, but the loaded content is version {version}; open it with version "
            f"{state.content_version}, or upgrade the run to the new version",
            current_version=version,
            state=state,
        )


def restore_older(restore: Callable[[object], R], saved: object) -> tuple[R, str | None]:
    """Restore a saved run, reading one made under an older version of the same content as well.

    Returns the run and the version it was made under (``None`` when it is the current one).
    An older run is read as if made under the current version, so it must still fit the
    content (same questions, items, needs …); the caller shows it read-only and says which
    version it was made under. Raises :class:`EngineError` if it does not fit.
    """
    try:
        return restore(saved), None
    except ContentMismatch as exc:
        if exc.current_version is None or exc.state is None:
            raise
        return restore(exc.state.model_copy(update={"content_version": exc.current_version})), exc.saved_version


def dump(state: RunState) -> dict[str, Any]:
    """The state as plain JSON data, ready for the records store."""
    return state.model_dump(mode="json")
