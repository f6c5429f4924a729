"""Screening instruments: standardised questions whose wording and screen-in rules are locked."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from protocols.models.common import Need, Reviewed, ShortText, Slug, Strict, Text, refuse_repeated_ids, rule_broken


class ScreeningAnswer(StrEnum):
    YES = "yes"
    NO = "no"
    NOT_ANSWERED = "not-answered"


class ScreeningQuestion(Strict):
    id: Slug
    number: int = Field(ge=1)
    text: Text


class ScreenInRule(Strict):
    """Screens in when at least ``at_least`` of ``questions`` are answered yes."""

    description: Text
    questions: list[int] = Field(min_length=1)
    at_least: int = Field(ge=1)

    @model_validator(mode="after")
    def _threshold_reachable(self) -> ScreenInRule:
        if self.at_least > len(self.questions):
            raise ValueError(
                f"`at_least: {self.at_least}` can never be met with {len(self.questions)} "
                "question(s) listed; lower it or list more questions"
            )
        return self


class ScreeningInstrument(Reviewed):
    """A standardised screening instrument. Its wording and rules are locked."""

    id: Slug
    title: ShortText
    sample: bool
    """True for the project's own illustrative instrument; false for a licensed one."""
    licence: Text
    attribution: Text
    locked: Literal[True] = True
    applies_to: Text
    introduction: Text
    """What the officer says before the questions."""
    questions: list[ScreeningQuestion] = Field(min_length=1)
    rules: list[ScreenInRule] = Field(min_length=1)
    officer_belief_override: bool = True
    follow_on_protocol: Slug
    needs: list[Need] = Field(min_length=1)

    @model_validator(mode="after")
    def _questions_consistent(self) -> ScreeningInstrument:
        numbers = [q.number for q in self.questions]
        for index, question in enumerate(self.questions):
            if question.number != index + 1:
                raise rule_broken(
                    "ScreeningInstrument", ("questions", index, "number"),
                    f"question {index + 1} is numbered {question.number}; questions must be "
                    "numbered 1, 2, 3 … in order",
                    f"set `number: {index + 1}` or reorder the questions",
                )
        refuse_repeated_ids("ScreeningInstrument", "questions", [q.id for q in self.questions], "question")
        for index, rule in enumerate(self.rules):
            missing = [n for n in rule.questions if n not in numbers]
            if missing:
                raise rule_broken(
                    "ScreeningInstrument", ("rules", index, "questions"),
                    f"rule {index + 1} (`{rule.description}`) names question(s) {missing}, which "
                    f"do not exist",
                    f"use question numbers between 1 and {len(numbers)}",
                )
        return self
