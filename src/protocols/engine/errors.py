"""The errors the engine raises.

Every error is an :class:`EngineError`, itself a ``ValueError``, so a caller can
catch one class and show ``str(error)``: the message says what is wrong and how
to fix it, in plain words. Messages never repeat free text a user typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from protocols.engine.base import RunState


class EngineError(ValueError):
    """Base class: something the user or the caller can fix."""


class AnswerError(EngineError):
    """A value, id, reason or case number was not acceptable."""


class StateError(EngineError):
    """The operation does not fit the run as it stands (e.g. resuming a run that is not held)."""


class RunClosed(StateError):
    """The run is completed or closed; reopen it before changing it."""


class ContentMismatch(EngineError):
    """A saved run does not belong to this content, or to this version of it.

    For a version mismatch, ``state`` is the saved state as read and ``current_version`` the
    version of the loaded content.
    """

    def __init__(self, message: str, current_version: str | None = None,
                 state: RunState | None = None) -> None:
        super().__init__(message)
        self.current_version = current_version
        self.state = state

    @property
    def saved_version(self) -> str | None:
        """The version the saved run was made under (for a version mismatch)."""
        return self.state.content_version if self.state is not None else None


class CompletionRefused(EngineError):
    """A checklist cannot be completed while critical items are unanswered."""

    def __init__(self, message: str, open_critical: Sequence[str]) -> None:
        super().__init__(message)
        self.open_critical: list[str] = list(open_critical)
