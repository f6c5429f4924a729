"""Run a standardised screening instrument and apply its screen-in rules.

The instrument's wording and rules are data and are applied as written: a rule
fires when at least ``at_least`` of its questions are answered yes. Officer
belief can screen in too, with a reason, when the instrument allows it.

Like every run here, a :class:`ScreeningRun` replaces ``run.state`` with a new
frozen :class:`ScreeningState` on each change and returns it.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AwareDatetime, model_validator

from protocols.engine.answers import CaseNumber, check_case_number, check_reason, named
from protocols.engine.base import Frozen, RunState, check_content, first_state, load, require_open
from protocols.engine.clock import require_aware
from protocols.engine.errors import AnswerError, StateError
from protocols.models import ScreeningAnswer, ScreeningInstrument, ScreeningQuestion

Outcome = Literal["screened-in-protocol", "screened-in-officer-belief", "not-screened-in"]

SCREEN_IN_BASIS_ITEM = "screen-in-basis"
"""The screen-in checklist's item "Why did this case screen in?" (a choice)."""
BELIEF_REASON_ITEM = "belief-reason"
"""The screen-in checklist's item for the officer's reason for a belief screen-in (text)."""
BELIEF_CHOICE = "officer-belief"
"""The basis item's choice for a screen-in on officer belief."""

HEADLINES: dict[Outcome, str] = {
    "screened-in-protocol": "Screened in by the protocol",
    "screened-in-officer-belief": "Screened in on officer belief",
    "not-screened-in": "Not screened in",
}
"""The outcome in a few words, for the top of a result."""


class QuestionAnswer(Frozen):
    question: int
    """The question number."""
    question_id: str
    answer: ScreeningAnswer
    answered_at: AwareDatetime
    content_version: str


class PastQuestionAnswer(Frozen):
    answer: QuestionAnswer
    replaced_at: AwareDatetime


class OfficerBelief(Frozen):
    """A screen-in on the officer's belief, with the reason."""

    reason: str
    at: AwareDatetime
    content_version: str


class ScreeningState(RunState):
    kind: Literal["screening"] = "screening"
    case_number: CaseNumber
    answers: tuple[QuestionAnswer, ...] = ()
    history: tuple[PastQuestionAnswer, ...] = ()
    officer_belief: OfficerBelief | None = None
    withdrawn_beliefs: tuple[OfficerBelief, ...] = ()
    finished_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _one_answer_per_question(self) -> ScreeningState:
        numbers = [a.question for a in self.answers]
        if len(numbers) != len(set(numbers)):
            raise ValueError("a question has more than one current answer")
        return self


class RuleCheck(Frozen):
    """How one screen-in rule came out."""

    description: str
    questions: tuple[int, ...]
    at_least: int
    yes_count: int
    fired: bool
    text: str


class ScreeningResult(Frozen):
    instrument_id: str
    content_version: str
    sample: bool
    outcome: Outcome
    screened_in: bool
    follow_on_protocol: str | None
    """The protocol to open next (a checklist run) after a screen-in; else ``None``."""
    rules: tuple[RuleCheck, ...]
    fired: tuple[RuleCheck, ...]
    yes: int
    no: int
    not_answered: int
    not_answered_questions: tuple[int, ...]
    none_answered: bool
    officer_belief_reason: str | None
    headline: str
    """The outcome in a few words (see :data:`HEADLINES`)."""
    message: str


class ScreeningRun:
    """One screening with one instrument for one case number."""

    def __init__(self, instrument: ScreeningInstrument, state: ScreeningState) -> None:
        check_content(state, instrument.id, instrument.version, "instrument")
        self.instrument = instrument
        for answer in state.answers:
            if not any(
                q.number == answer.question and q.id == answer.question_id
                for q in instrument.questions
            ):
                raise StateError(
                    f"The saved screening answers question {answer.question} "
                    f"({named(answer.question_id)}), which this instrument does not have."
                )
        self.state = state

    @classmethod
    def start(
        cls, instrument: ScreeningInstrument, case_number: object, now: dt.datetime
    ) -> ScreeningRun:
        now = require_aware(now)
        return cls(instrument, first_state(ScreeningState, instrument, now,
                                           case_number=check_case_number(case_number)))

    @classmethod
    def restore(cls, instrument: ScreeningInstrument, saved: object) -> ScreeningRun:
        """Continue a saved screening (state or JSON) exactly where it stopped."""
        return cls(instrument, load(ScreeningState, saved))

    # ----------------------------------------------------------------- lookups

    def question(self, ref: object) -> ScreeningQuestion:
        """A question by number (``3``, ``"3"``) or id."""
        count = len(self.instrument.questions)
        if isinstance(ref, int) and not isinstance(ref, bool):
            for q in self.instrument.questions:
                if q.number == ref:
                    return q
            raise AnswerError(f"There is no question {ref}. The questions are numbered 1-{count}.")
        if isinstance(ref, str) and len(ref) <= 64:
            for q in self.instrument.questions:
                if q.id == ref or (ref.isascii() and ref.isdigit() and q.number == int(ref)):
                    return q
            raise AnswerError(
                f"There is no question {named(ref)}. Give a number from 1 to {count} or a "
                "question id."
            )
        raise AnswerError(f"Give a question number from 1 to {count}, or a question id.")

    def answer_of(self, ref: object) -> ScreeningAnswer:
        """The answer a question holds now (``not-answered`` when untouched)."""
        number = self.question(ref).number
        for a in self.state.answers:
            if a.question == number:
                return a.answer
        return ScreeningAnswer.NOT_ANSWERED

    @property
    def finished(self) -> bool:
        return self.state.finished_at is not None

    # ----------------------------------------------------------------- changes

    def _require_open(self) -> None:
        require_open(self.state.finished_at, "This screening was finished at {at:%H:%M} and cannot be "
                     "changed. Start a new screening if the answers have changed.")

    def answer(self, ref: object, value: object, now: dt.datetime) -> ScreeningState:
        """Answer a question ``"yes"``, ``"no"`` or ``"not-answered"`` (victim did not answer)."""
        now = require_aware(now)
        question = self.question(ref)
        self._require_open()
        choice: ScreeningAnswer | None = None
        if isinstance(value, ScreeningAnswer):
            choice = value
        elif isinstance(value, str) and len(value) <= 20:
            text = value.strip().lower().replace(" ", "-")
            choice = next((a for a in ScreeningAnswer if a.value == text), None)
        if choice is None:
            raise AnswerError(
                f'Question {question.number} takes "yes", "no" or "not-answered" (when the victim '
                "did not answer)."
            )
        current = next((a for a in self.state.answers if a.question == question.number), None)
        if current is not None and current.answer is choice:
            return self.state
        record = QuestionAnswer(
            question=question.number,
            question_id=question.id,
            answer=choice,
            answered_at=now,
            content_version=self.instrument.version,
        )
        answers = tuple(a for a in self.state.answers if a.question != question.number)
        history = self.state.history
        if current is not None:
            history = (*history, PastQuestionAnswer(answer=current, replaced_at=now))
        self.state = self.state.model_copy(
            update={
                "answers": tuple(sorted((*answers, record), key=lambda a: a.question)),
                "history": history,
            }
        )
        return self.state

    def override(self, reason: object, now: dt.datetime) -> ScreeningState:
        """Screen in on officer belief: needs a reason; refused if the instrument disallows it."""
        now = require_aware(now)
        self._require_open()
        if not self.instrument.officer_belief_override:
            raise AnswerError(
                f"“{self.instrument.title}” does not allow a screen-in on officer belief. "
                "If you believe the victim is in danger, call your supervisor and follow policy."
            )
        text = check_reason(reason, "the reason for screening in on your belief")
        withdrawn = self.state.withdrawn_beliefs
        if self.state.officer_belief is not None:
            withdrawn = (*withdrawn, self.state.officer_belief)
        self.state = self.state.model_copy(
            update={
                "officer_belief": OfficerBelief(
                    reason=text, at=now, content_version=self.instrument.version
                ),
                "withdrawn_beliefs": withdrawn,
            }
        )
        return self.state

    def withdraw_override(self, now: dt.datetime) -> ScreeningState:
        """Take back a screen-in on officer belief (kept in the record as withdrawn)."""
        require_aware(now)
        self._require_open()
        belief = self.state.officer_belief
        if belief is None:
            raise StateError("There is no screen-in on officer belief to withdraw.")
        self.state = self.state.model_copy(
            update={
                "officer_belief": None,
                "withdrawn_beliefs": (*self.state.withdrawn_beliefs, belief),
            }
        )
        return self.state

    def finish(self, now: dt.datetime) -> ScreeningResult:
        """Lock the answers and return the result."""
        now = require_aware(now)
        self._require_open()
        self.state = self.state.model_copy(update={"finished_at": now})
        return self.evaluate()

    # ----------------------------------------------------------------- result

    def evaluate(self) -> ScreeningResult:
        """Apply the rules to the answers as they stand."""
        given = {a.question: a.answer for a in self.state.answers}
        numbers = [q.number for q in self.instrument.questions]
        yes = {n for n in numbers if given.get(n) is ScreeningAnswer.YES}
        no = {n for n in numbers if given.get(n) is ScreeningAnswer.NO}
        not_answered = tuple(n for n in numbers if n not in yes and n not in no)
        checks: list[RuleCheck] = []
        for rule in self.instrument.rules:
            count = sum(1 for n in rule.questions if n in yes)
            met = count >= rule.at_least
            checks.append(
                RuleCheck(
                    description=rule.description,
                    questions=tuple(rule.questions),
                    at_least=rule.at_least,
                    yes_count=count,
                    fired=met,
                    text=(
                        f"{rule.description.rstrip('.')}: {count} yes (needs {rule.at_least}) · "
                        f"{'screens in' if met else 'not met'}"
                    ),
                )
            )
        fired = tuple(c for c in checks if c.fired)
        belief = self.state.officer_belief
        none_answered = not yes and not no
        outcome: Outcome
        if fired:
            outcome = "screened-in-protocol"
        elif belief is not None:
            outcome = "screened-in-officer-belief"
        else:
            outcome = "not-screened-in"
        follow_on = self.instrument.follow_on_protocol if outcome != "not-screened-in" else None
        return ScreeningResult(
            instrument_id=self.instrument.id,
            content_version=self.instrument.version,
            sample=self.instrument.sample,
            outcome=outcome,
            screened_in=outcome != "not-screened-in",
            follow_on_protocol=follow_on,
            rules=tuple(checks),
            fired=fired,
            yes=len(yes),
            no=len(no),
            not_answered=len(not_answered),
            not_answered_questions=not_answered,
            none_answered=none_answered,
            officer_belief_reason=belief.reason if belief else None,
            headline=HEADLINES[outcome],
            message=self._message(outcome, fired, len(not_answered), none_answered),
        )

    def _message(
        self, outcome: Outcome, fired: tuple[RuleCheck, ...], not_answered: int, none: bool
    ) -> str:
        parts: list[str] = []
        if outcome == "screened-in-protocol":
            parts.append(
                "Screened in by the protocol: " + "; ".join(c.text for c in fired) + "."
            )
            if self.state.officer_belief is not None:
                parts.append("Your belief screen-in is also recorded.")
        elif outcome == "screened-in-officer-belief":
            parts.append("Screened in on your belief (the reason is recorded).")
        else:
            parts.append("Not screened in.")
        if outcome != "not-screened-in":
            parts.append(
                f"Next: open the checklist {named(self.instrument.follow_on_protocol)} and follow it."
            )
        if none:
            parts.append("No questions were answered.")
            if outcome == "not-screened-in" and self.instrument.officer_belief_override:
                parts.append(
                    "If you believe the victim is in danger, screen in on your belief and say why."
                )
        elif not_answered:
            word = "question was" if not_answered == 1 else "questions were"
            parts.append(f"{not_answered} {word} not answered.")
        return " ".join(parts)


def rule_choice(questions: tuple[int, ...]) -> str:
    """The basis item's choice id for a rule over these questions: ``rule-questions-1-3``."""
    return f"rule-questions-{min(questions)}-{max(questions)}"


def screen_in_answers(run: ScreeningRun) -> dict[str, str]:
    """What a finished screen-in tells the screen-in checklist, by item id; empty otherwise.

    The basis is the first rule that fired (its choice is named by :func:`rule_choice`), else
    :data:`BELIEF_CHOICE`; the officer's reason for a belief screen-in goes with it.
    """
    result = run.evaluate()
    if not run.finished or not result.screened_in:
        return {}
    basis = rule_choice(result.fired[0].questions) if result.fired else BELIEF_CHOICE
    answers = {SCREEN_IN_BASIS_ITEM: basis}
    if result.officer_belief_reason:
        answers[BELIEF_REASON_ITEM] = result.officer_belief_reason
    return answers
