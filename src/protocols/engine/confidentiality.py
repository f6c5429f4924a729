"""Walk a confidentiality decision tree, one yes/no question at a time.

The advisor keeps the path (question, answer) so the summary shows which
answers led to the outcome, with its rule, citation and script. ``back()``
undoes one step. Like every run here, each change replaces ``advisor.state``
with a new frozen :class:`AdvisorState`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AwareDatetime

from protocols.engine.answers import CaseNumber, check_case_number
from protocols.engine.base import Frozen, RunState, check_content, first_state, load
from protocols.engine.clock import require_aware
from protocols.engine.errors import AnswerError, RunClosed, StateError
from protocols.models import ConfidentialityGuide, Outcome, Question

YesNo = Literal["yes", "no"]

DECISION_TEXT: dict[str, str] = {
    "keep-private": "Keep it private",
    "share-with-consent": "Share only with the victim's written consent",
    "must-disclose": "You must share it",
    "ask-supervisor": "Ask your supervisor before you share anything",
}
"""Each outcome's decision in plain words."""


class PathStep(Frozen):
    question_id: str
    answer: YesNo
    answered_at: AwareDatetime
    content_version: str


class AdvisorState(RunState):
    kind: Literal["confidentiality"] = "confidentiality"
    case_number: CaseNumber | None = None
    """Optional: the advisor can be used without a case (e.g. in training)."""
    path: tuple[PathStep, ...] = ()


class StepView(Frozen):
    question_id: str
    question: str
    answer: YesNo
    text: str
    """E.g. ``"Is there a court order? — yes"``."""


class OutcomeView(Frozen):
    id: str
    title: str
    decision: str
    decision_text: str
    """The decision in plain words (see :data:`DECISION_TEXT`)."""
    rule: str
    citation: str
    script: str
    next_steps: tuple[str, ...]


class AdvisorSummary(Frozen):
    guide_id: str
    content_version: str
    opening_script: str
    steps: tuple[StepView, ...]
    finished: bool
    outcome: OutcomeView | None
    current_question: str | None
    text: str


def _yes_no(value: object) -> YesNo:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and len(value) <= 10:
        text = value.strip().lower()
        if text == "yes":
            return "yes"
        if text == "no":
            return "no"
    raise AnswerError('answer the question "yes" or "no"')


class ConfidentialityAdvisor:
    """A walk through one confidentiality guide."""

    def __init__(self, guide: ConfidentialityGuide, state: AdvisorState) -> None:
        check_content(state, guide.id, guide.version, "guide")
        self.guide = guide
        self._questions = {q.id: q for q in guide.questions}
        self._outcomes = {o.id: o for o in guide.outcomes}
        self._replay(state.path)
        self.state = state

    @classmethod
    def start(
        cls, guide: ConfidentialityGuide, now: dt.datetime, case_number: object = None
    ) -> ConfidentialityAdvisor:
        now = require_aware(now)
        number = None if case_number is None else check_case_number(case_number)
        return cls(guide, first_state(AdvisorState, guide, now, case_number=number))

    @classmethod
    def restore(cls, guide: ConfidentialityGuide, saved: object) -> ConfidentialityAdvisor:
        return cls(guide, load(AdvisorState, saved))

    def _replay(self, path: tuple[PathStep, ...]) -> Question | Outcome:
        node: Question | Outcome = self._questions[self.guide.start]
        for step in path:
            if not isinstance(node, Question) or node.id != step.question_id:
                raise StateError(
                    "the saved path does not follow this guide (at question "
                    f"`{step.question_id}`); start the advisor again"
                )
            node = self._node(node.yes if step.answer == "yes" else node.no)
        return node

    def _node(self, node_id: str) -> Question | Outcome:
        question = self._questions.get(node_id)
        return question if question is not None else self._outcomes[node_id]

    @property
    def current(self) -> Question | Outcome:
        """The question to ask now, or the outcome once reached."""
        return self._replay(self.state.path)

    @property
    def current_question(self) -> Question | None:
        node = self.current
        return node if isinstance(node, Question) else None

    @property
    def outcome(self) -> Outcome | None:
        node = self.current
        return node if isinstance(node, Outcome) else None

    @property
    def finished(self) -> bool:
        return self.outcome is not None

    def answer(self, value: object, now: dt.datetime) -> Question | Outcome:
        """Answer the current question yes or no; returns the next question or the outcome."""
        now = require_aware(now)
        node = self.current
        if not isinstance(node, Question):
            raise RunClosed(
                f"the advisor has reached an outcome (“{node.title}”); go back a step to change "
                "an answer, or start again"
            )
        step = PathStep(
            question_id=node.id,
            answer=_yes_no(value),
            answered_at=now,
            content_version=self.guide.version,
        )
        self.state = self.state.model_copy(update={"path": (*self.state.path, step)})
        return self.current

    def back(self) -> Question:
        """Undo the last answer; returns the question to answer again."""
        if not self.state.path:
            raise StateError("there is no answer to undo; this is the first question")
        self.state = self.state.model_copy(update={"path": self.state.path[:-1]})
        node = self.current
        if not isinstance(node, Question):  # pragma: no cover - steps always follow questions
            raise StateError("the saved path is broken; start the advisor again")
        return node

    def summary(self) -> AdvisorSummary:
        """Which answers led where: the path, and the outcome with rule, citation and script."""
        steps = tuple(
            StepView(
                question_id=s.question_id,
                question=self._questions[s.question_id].text,
                answer=s.answer,
                text=f"{self._questions[s.question_id].text} — {s.answer}",
            )
            for s in self.state.path
        )
        outcome = self.outcome
        view = (
            OutcomeView(
                id=outcome.id,
                title=outcome.title,
                decision=outcome.decision,
                decision_text=DECISION_TEXT[outcome.decision],
                rule=outcome.rule,
                citation=outcome.citation,
                script=outcome.script,
                next_steps=tuple(outcome.next_steps),
            )
            if outcome is not None
            else None
        )
        question = self.current_question
        if view is not None:
            text = f"{view.title} ({view.citation}): {view.rule}"
        elif question is not None:
            text = f"Question {len(steps) + 1}: {question.text}"
        else:  # pragma: no cover - the tree always ends at an outcome
            text = ""
        return AdvisorSummary(
            guide_id=self.guide.id,
            content_version=self.state.content_version,
            opening_script=self.guide.opening_script,
            steps=steps,
            finished=view is not None,
            outcome=view,
            current_question=question.id if question else None,
            text=text,
        )
