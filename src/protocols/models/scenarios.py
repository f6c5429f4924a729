"""Branching training scenarios."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from protocols.models.common import (
    ROLL_CALL_MINUTES,
    Need,
    Reviewed,
    ShortText,
    Slug,
    Strict,
    Text,
    lookup,
    rule_broken,
)


class Rating(StrEnum):
    CORRECT = "correct"
    PARTIAL = "partial"
    WRONG = "wrong"


class ItemRef(Strict):
    """A checklist item a decision exercises: ``protocol`` + ``item``."""

    protocol: Slug
    item: Slug


class Option(Strict):
    id: Slug
    text: Text
    rating: Rating
    feedback: Text
    next: Slug | None = None
    """The next node; omit on the last decision."""
    exercises: list[ItemRef] = Field(default_factory=list)


OPTION_LETTERS = "ABCDE"
"""The letters a group sees for a node's options, in order (a node has at most five)."""


class Node(Strict):
    id: Slug
    title: ShortText | None = None
    """A short name for this decision in the trainer's summary; without one, the question. Each
    decision of a scenario needs a name of its own there."""
    situation: Text
    question: Text
    options: list[Option] = Field(min_length=2, max_length=5)

    @property
    def name(self) -> str:
        """What the trainer's summary calls this decision: its title, else its question."""
        return self.title or self.question

    def letter(self, option_id: str) -> str:
        """The letter the group saw for the option ``option_id`` (A for the first)."""
        return OPTION_LETTERS[[o.id for o in self.options].index(option_id)]


class Scenario(Reviewed):
    """A branching training scenario."""

    id: Slug
    title: ShortText
    content_warning: Text
    based_on: Text
    summary: Text
    minutes: int = Field(ge=3, le=60)
    roll_call: bool = False
    """Made for a roll-call session: then ``minutes`` must fit ``ROLL_CALL_MINUTES``."""
    start: Slug
    nodes: list[Node] = Field(min_length=1)
    debrief_points: list[Text] = Field(min_length=1)
    needs: list[Need] = Field(min_length=1)

    @model_validator(mode="after")
    def _fits_roll_call(self) -> Scenario:
        low, high = ROLL_CALL_MINUTES
        if self.roll_call and not low <= self.minutes <= high:
            raise rule_broken(
                "Scenario", ("minutes",), f"a roll-call scenario takes {low} to {high} minutes; "
                f"this one says {self.minutes}",
                f"shorten it (fewer decisions or debrief points) and set `minutes` to {low}-{high}, "
                "or set `roll_call: false`", self.minutes)
        return self

    @model_validator(mode="after")
    def _graph_is_closed(self) -> Scenario:
        ids = [n.id for n in self.nodes]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"node ids must be unique; repeated: {', '.join(dupes)}")
        if self.start not in ids:
            raise rule_broken("Scenario", ("start",), f"`start: {self.start}` names no node",
                              f"use one of: {', '.join(ids)}")
        for n_index, node in enumerate(self.nodes):
            for o_index, option in enumerate(node.options):
                if option.next is not None and option.next not in ids:
                    raise rule_broken(
                        "Scenario", ("nodes", n_index, "options", o_index, "next"),
                        f"option `{option.id}` of node `{node.id}` goes to `{option.next}`, which "
                        "is not a node",
                        f"use one of: {', '.join(ids)}, or remove `next` to end the scenario",
                    )
        return self

    def node(self, node_id: str) -> Node:
        """The node with this id (:class:`~protocols.models.common.UnknownContent` if there is none)."""
        return lookup({node.id: node for node in self.nodes}, node_id, f"node of scenario `{self.id}`")
