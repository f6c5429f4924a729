"""What every content model shares: the base model, the text types, the needs and the review fields.

Also the one find-by-id helper (:func:`lookup`) that models and the library use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

MAX_ITEMS_PER_PAUSE_POINT = 9
ROLL_CALL_MINUTES = (10, 15)
"""A roll-call session's length in minutes, inclusive (a scenario marked ``roll_call``)."""

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length=2, max_length=64),
]
"""Lower-case words joined by single hyphens, e.g. ``scene-response``."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Version = Annotated[str, StringConstraints(pattern=r"^\d+\.\d+(\.\d+)?$")]
"""A version such as ``1.2`` or ``1.2.0``."""
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$")]
"""An IETF language tag such as ``en`` or ``es-MX``."""
T = TypeVar("T")


class UnknownContent(KeyError):
    """A lookup by an id that is not there (a ``KeyError`` whose text names what is known)."""

    def __str__(self) -> str:
        return str(self.args[0])


def lookup(table: Mapping[str, T], key: str, noun: str) -> T:
    """``table[key]``, else :class:`UnknownContent` saying there is no such ``noun`` and listing the ids."""
    try:
        return table[key]
    except KeyError:
        known = ", ".join(sorted(table)) or "none"
        raise UnknownContent(f"there is no {noun} `{key}`; known: {known}") from None


def rule_broken(model: str, loc: tuple[str | int, ...], message: str, fix: str,
                value: object = None) -> ValidationError:
    """A content-rule error pinned to the field at ``loc`` (so the loader can give its line)."""
    error = PydanticCustomError("content_rule", message.replace("{", "(").replace("}", ")"),
                                {"fix": fix})
    return ValidationError.from_exception_data(
        model, [InitErrorDetails(type=error, loc=loc, input=value)]
    )


def refuse_repeated_ids(model: str, field: str, ids: Sequence[str], noun: str) -> None:
    """Raise :func:`rule_broken` at the first id in ``ids`` (the ``field`` list's ``id`` values)
    that an earlier entry already used."""
    seen: set[str] = set()
    for index, obj_id in enumerate(ids):
        if obj_id in seen:
            raise rule_broken(model, (field, index, "id"), f"{noun} id `{obj_id}` is used twice",
                              f"give each {noun} its own id")
        seen.add(obj_id)


class Strict(BaseModel):
    """Base for every content model: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Need(StrEnum):
    """The seven victim needs of the IACP ELERV strategy."""

    SAFETY = "safety"
    SUPPORT = "support"
    INFORMATION = "information"
    ACCESS = "access"
    CONTINUITY = "continuity"
    VOICE = "voice"
    JUSTICE = "justice"


class Audience(StrEnum):
    """Who reads a piece of content; it sets the reading-level target."""

    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    VICTIM = "victim"


class ChecklistKind(StrEnum):
    """READ-DO for rare or branching lists; DO-CONFIRM for routine ones."""

    READ_DO = "READ-DO"
    DO_CONFIRM = "DO-CONFIRM"


class Source(Strict):
    """A citation that content items point to by id."""

    id: Slug
    title: ShortText
    publisher: ShortText
    year: int = Field(ge=1900, le=2100)
    url: str | None = None
    note: Text | None = None


class SourceList(Strict):
    """``content/sources.yaml``: every citation the content may use."""

    sources: list[Source] = Field(min_length=1)


class ChangeLogEntry(Strict):
    """One line of a protocol's changelog: what changed, when and why."""

    version: Version
    date: dt.date
    change: Text
    why: Text


class Reviewed(Strict):
    """Fields shared by every reviewed document: ownership and review discipline."""

    version: Version
    revised: dt.date
    owner: ShortText
    review_every_days: int = Field(default=365, ge=30, le=1095)
    sources: list[Slug] = Field(min_length=1)
    changelog: list[ChangeLogEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _changelog_matches_version(self) -> Reviewed:
        if self.changelog and self.changelog[0].version != self.version:
            raise rule_broken(
                type(self).__name__, ("changelog", 0, "version"),
                f"the newest changelog entry is for version {self.changelog[0].version} but the "
                f"document says version {self.version}",
                "put the newest entry first and make the versions agree",
            )
        return self
