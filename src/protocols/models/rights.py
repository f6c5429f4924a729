"""What an officer tells a victim: the rights notice and the confidentiality decision guide."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from protocols.models.common import (
    Audience,
    LanguageCode,
    Need,
    Reviewed,
    ShortText,
    Slug,
    Strict,
    Text,
    lookup,
    rule_broken,
)


class DeliveryMethod(StrEnum):
    HANDED = "handed"
    READ_ALOUD = "read-aloud"
    SENT_EMAIL = "sent-email"
    SENT_TEXT = "sent-text"
    SENT_MAIL = "sent-mail"


class Right(Strict):
    """One right in a notice: plain words, the law they restate, and when that was last checked."""

    id: Slug
    title: ShortText
    text: Text
    citation: ShortText
    """The pinpoint: section and subdivision, e.g. ``18 U.S.C. § 3771(a)(1)``."""
    verified_on: dt.date = Field(description=(
        "The date this right's wording was last checked against the current text of the law "
        "in `citation`. `handbook review-due` lists it once the notice's `review_every_days` "
        "have passed."))

    @model_validator(mode="before")
    @classmethod
    def _verified_on_is_written(cls, data: object) -> object:
        if isinstance(data, dict) and "verified_on" not in data:
            raise PydanticCustomError(
                "content_rule", "this right has no `verified_on` date",
                {"fix": "add `verified_on: YYYY-MM-DD` to this right: the date you last checked its "
                        "wording against the current text of the law in its `citation`"})
        return data

    @model_validator(mode="after")
    def _verified_on_not_ahead(self) -> Right:
        if self.verified_on > dt.date.today() + dt.timedelta(days=1):
            raise rule_broken("Right", ("verified_on",),
                              f"`verified_on` ({self.verified_on.isoformat()}) is a date in the future",
                              "write the date the wording was actually checked against the law",
                              self.verified_on.isoformat())
        return self


class RightsNotice(Reviewed):
    """A jurisdiction's victims'-rights notice in one language.

    Each right carries its own pinpoint ``citation`` and ``verified_on`` date; the notice's law
    check is as old as its oldest right's (:attr:`verified_on`).
    """

    id: Slug
    family: Slug
    """Shared by every language version of the same notice."""
    title: ShortText
    jurisdiction: ShortText
    citation: ShortText
    language: LanguageCode
    translation_review: Literal["original", "needs-review", "reviewed"] = "original"
    effective: dt.date
    when_to_give: Text
    introduction: Text
    rights: list[Right] = Field(min_length=1)
    delivery_methods: list[DeliveryMethod] = Field(min_length=1)
    needs: list[Need] = Field(min_length=1)

    @property
    def verified_on(self) -> dt.date:
        """When the notice's wording was last checked against the law: its oldest right's date."""
        return min(right.verified_on for right in self.rights)


class Question(Strict):
    """A yes/no decision question; each answer leads to a question or an outcome."""

    id: Slug
    text: Text
    help: Text | None = None
    yes: Slug
    no: Slug


class Outcome(Strict):
    id: Slug
    title: ShortText
    decision: Literal["keep-private", "share-with-consent", "must-disclose", "ask-supervisor"]
    rule: Text
    citation: ShortText
    script: Text
    """What the officer says to the victim."""
    next_steps: list[Text] = Field(default_factory=list)


class ConfidentialityGuide(Reviewed):
    """A decision tree: what an officer can keep private and what must be shared."""

    id: Slug
    title: ShortText
    audience: Audience
    introduction: Text
    opening_script: Text
    """What to tell every victim at the start about the limits of confidentiality."""
    start: Slug
    questions: list[Question] = Field(min_length=1)
    outcomes: list[Outcome] = Field(min_length=1)
    needs: list[Need] = Field(min_length=1)

    @model_validator(mode="after")
    def _tree_is_sound(self) -> ConfidentialityGuide:
        question_ids = [q.id for q in self.questions]
        outcome_ids = [o.id for o in self.outcomes]
        every = question_ids + outcome_ids
        dupes = sorted({i for i in every if every.count(i) > 1})
        if dupes:
            raise ValueError(f"question and outcome ids must be unique; repeated: {', '.join(dupes)}")
        if self.start not in question_ids:
            raise ValueError(f"`start: {self.start}` names no question; questions are: {', '.join(question_ids)}")
        by_id = {q.id: q for q in self.questions}
        for index, q in enumerate(self.questions):
            for answer, target in (("yes", q.yes), ("no", q.no)):
                if target not in every:
                    raise rule_broken(
                        "ConfidentialityGuide", ("questions", index, answer),
                        f"question `{q.id}` answers `{answer}` with `{target}`, which is neither a "
                        "question nor an outcome",
                        f"use one of: {', '.join(every)}",
                    )

        def walk(qid: str, path: tuple[str, ...]) -> None:
            if qid in path:
                raise ValueError(f"the questions loop: {' → '.join((*path, qid))}; every path must end at an outcome")
            question = by_id.get(qid)
            if question is not None:
                walk(question.yes, (*path, qid))
                walk(question.no, (*path, qid))

        walk(self.start, ())
        return self

    def question(self, question_id: str) -> Question:
        """The question with this id (:class:`~protocols.models.common.UnknownContent` if none)."""
        return lookup({q.id: q for q in self.questions}, question_id, f"question in guide `{self.id}`")

    def outcome(self, outcome_id: str) -> Outcome:
        """The outcome with this id (:class:`~protocols.models.common.UnknownContent` if none)."""
        return lookup({o.id: o for o in self.outcomes}, outcome_id, f"outcome in guide `{self.id}`")
