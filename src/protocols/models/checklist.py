"""Checklist protocols: pause points in order, each a short list of items that record values."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from protocols.models.common import (
    MAX_ITEMS_PER_PAUSE_POINT,
    Audience,
    ChecklistKind,
    Need,
    Reviewed,
    ShortText,
    Slug,
    Strict,
    Text,
    Version,
    lookup,
    refuse_repeated_ids,
    rule_broken,
)


class ValueType(StrEnum):
    """What an item records: a value, not a tick."""

    YES_NO = "yes-no"
    CHOICE = "choice"
    TIME = "time"
    NUMBER = "number"
    TEXT = "text"


class Choice(Strict):
    id: Slug
    label: ShortText


class ValueSpec(Strict):
    """The value an item records, with the constraints the engine enforces."""

    type: ValueType
    choices: list[Choice] | None = None
    multiple: bool = False
    unit: ShortText | None = None
    min: float | None = None
    max: float | None = None
    max_length: int = Field(default=200, ge=1, le=2000)

    @model_validator(mode="after")
    def _choices_fit_type(self) -> ValueSpec:
        if self.type is ValueType.CHOICE:
            if not self.choices or len(self.choices) < 2:
                raise ValueError("a `choice` value needs at least two `choices`")
            ids = [c.id for c in self.choices]
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                raise ValueError(f"choice ids must be unique; repeated: {', '.join(dupes)}")
        elif self.choices is not None:
            raise ValueError(
                f"`choices` only belong to `type: choice`; remove them or change the type "
                f"(this value is `{self.type.value}`)"
            )
        if self.multiple and self.type is not ValueType.CHOICE:
            raise ValueError("`multiple: true` only applies to `type: choice`")
        if self.type is not ValueType.NUMBER and (self.min is not None or self.max is not None):
            raise ValueError("`min` and `max` only apply to `type: number`")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"`min` ({self.min}) is larger than `max` ({self.max})")
        return self


class Item(Strict):
    """One checklist item: a prompt that records a value."""

    id: Slug
    prompt: Text
    value: ValueSpec
    critical: bool = False
    na_allowed: bool = True
    optional: bool = False
    rationale: Text
    help: Text | None = None
    script: Text | None = None
    needs: list[Need] = Field(min_length=1)
    sources: list[Slug] = Field(min_length=1)
    repeats: Slug | None = None
    """The id of an earlier critical item this one re-checks at a later pause point."""

    @model_validator(mode="after")
    def _critical_not_optional(self) -> Item:
        if self.critical and self.optional:
            raise ValueError("a critical item cannot be `optional`; an agency may not hide it")
        return self


class PausePoint(Strict):
    """A natural break in the work where the checklist is run."""

    id: Slug
    title: ShortText
    when: Text
    items: list[Item] = Field(min_length=1)

    @model_validator(mode="after")
    def _checklist_rules(self) -> PausePoint:
        if len(self.items) > MAX_ITEMS_PER_PAUSE_POINT:
            raise ValueError(
                f"pause point `{self.id}` has {len(self.items)} items; a pause point holds at most "
                f"{MAX_ITEMS_PER_PAUSE_POINT} (5-7 is better): split it or drop items that are not "
                "killer items"
            )
        seen_plain: str | None = None
        for index, item in enumerate(self.items):
            if not item.critical:
                seen_plain = seen_plain or item.id
            elif seen_plain is not None:
                raise rule_broken(
                    "PausePoint", ("items", index, "critical"),
                    f"critical item `{item.id}` comes after non-critical item `{seen_plain}` in "
                    f"pause point `{self.id}`",
                    "move critical items to the top of the pause point",
                )
        return self


class Adaptation(Strict):
    """How an agency changed a shipped protocol. The handbook fills it in when it applies the
    agency's ``changes/<protocol-id>.yaml``; it is never written in a content file."""

    agency: ShortText
    """The agency's short name, e.g. ``River City PD``."""
    version: str
    """The adapted version, ``<shipped version>-<agency id>.<change file version>``, e.g. ``1.0-river-city.2``."""
    date: dt.date
    """The change file's ``date``."""
    shipped_version: Version
    shipped_revised: dt.date

    @property
    def note(self) -> str:
        """``River City PD adaptation of 1.0``."""
        return f"{self.agency} adaptation of {self.shipped_version}"


class Protocol(Reviewed):
    """A checklist protocol: pause points in order, each a short list of items.

    For an agency's adapted protocol, ``version`` is the adapted version (what a job-aid record
    keeps), ``revised`` the later of the shipped revision and the change, and ``adapted`` says
    who adapted which shipped version.
    """

    id: Slug
    title: ShortText
    objective: Text
    audience: Audience
    kind: ChecklistKind
    needs: list[Need] = Field(min_length=1)
    chapter: str | None = None
    """The book page (docname, e.g. ``book/arrive/index``) that explains this protocol."""
    summary: Text
    pause_points: list[PausePoint] = Field(min_length=1)
    adapted: SkipJsonSchema[Adaptation | None] = None
    """Set by an agency's change file, never by content (see :class:`Adaptation`); not in the schema."""

    @model_validator(mode="before")
    @classmethod
    def _not_adapted_in_content(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("adapted") is not None:
            raise rule_broken(
                "Protocol", ("adapted",),
                "`adapted` is filled in by the handbook when an agency changes a protocol; "
                "a content file may not set it",
                "remove `adapted`; to adapt a shipped protocol, write changes/<protocol-id>.yaml "
                "in your agency's overlay folder",
            )
        return data

    def version_line(self) -> str:
        """``Version 1.0, revised 2026-11-01``; for an adaptation
        ``Version 1.0-river-city.1 (River City PD adaptation of 1.0), revised 2026-12-07``."""
        note = f" ({self.adapted.note})" if self.adapted else ""
        return f"Version {self.version}{note}, revised {self.revised.isoformat()}"

    @model_validator(mode="after")
    def _ids_unique(self) -> Protocol:
        seen: set[str] = set()
        for p_index, pp in enumerate(self.pause_points):
            for i_index, item in enumerate(pp.items):
                here = ("pause_points", p_index, "items", i_index)
                if item.id in seen:
                    raise rule_broken(
                        "Protocol", (*here, "id"),
                        f"item id `{item.id}` is used twice in protocol `{self.id}`",
                        "give each item its own id; to re-check a killer item later, give the "
                        "new item its own id and `repeats: <first id>`",
                    )
                if item.repeats is not None and item.repeats not in seen:
                    raise rule_broken(
                        "Protocol", (*here, "repeats"),
                        f"item `{item.id}` repeats `{item.repeats}`, which is not an earlier item "
                        f"of protocol `{self.id}`",
                        "name an item that comes before this one",
                    )
                seen.add(item.id)
        refuse_repeated_ids("Protocol", "pause_points", [pp.id for pp in self.pause_points], "pause point")
        return self

    def items(self) -> list[Item]:
        """All items in order across pause points."""
        return [item for pp in self.pause_points for item in pp.items]

    def item(self, item_id: str) -> Item:
        """The item with this id (:class:`~protocols.models.common.UnknownContent`, a ``KeyError``, if none)."""
        return lookup({item.id: item for item in self.items()}, item_id, f"item in protocol `{self.id}`")
