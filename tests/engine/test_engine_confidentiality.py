"""The confidentiality advisor: every path to every outcome, back(), the summary."""

from __future__ import annotations

import json

import pytest
from engine_content import T0, at

from protocols.engine import AnswerError, ConfidentialityAdvisor, RunClosed, StateError
from protocols.models import ConfidentialityGuide, Outcome, Question

PATHS = {
    "must-report": ["yes"],
    "ask-sup": ["no", "yes"],
    "share": ["no", "no", "yes"],
    "private": ["no", "no", "no"],
}


@pytest.mark.parametrize(("outcome_id", "answers"), PATHS.items())
def test_each_outcome_is_reachable(
    guide: ConfidentialityGuide, outcome_id: str, answers: list[str]
) -> None:
    advisor = ConfidentialityAdvisor.start(guide, T0, case_number="24-9")
    assert isinstance(advisor.current, Question) and advisor.current.id == "mandated"
    node: Question | Outcome = advisor.current
    for i, answer in enumerate(answers):
        node = advisor.answer(answer, at(i))
    assert isinstance(node, Outcome) and node.id == outcome_id
    assert advisor.finished
    summary = advisor.summary()
    assert summary.finished
    assert summary.outcome is not None
    assert summary.outcome.id == outcome_id
    assert summary.outcome.rule == f"Rule for {outcome_id}."
    assert summary.outcome.citation == f"Cite {outcome_id}"
    assert summary.outcome.script == f"Say {outcome_id}."
    assert [s.answer for s in summary.steps] == answers
    assert summary.opening_script.startswith("I cannot promise")


def test_summary_shows_which_answers_led_there(guide: ConfidentialityGuide) -> None:
    advisor = ConfidentialityAdvisor.start(guide, T0)
    advisor.answer("no", at(1))
    advisor.answer(True, at(2))
    summary = advisor.summary()
    assert [s.text for s in summary.steps] == [
        "Does a law require a report? — no",
        "Is there a court order? — yes",
    ]
    assert summary.text == "Outcome ask-sup (Cite ask-sup): Rule for ask-sup."


def test_back_undoes_one_step(guide: ConfidentialityGuide) -> None:
    advisor = ConfidentialityAdvisor.start(guide, T0)
    with pytest.raises(StateError, match="no answer to undo"):
        advisor.back()
    advisor.answer("yes", at(1))
    assert advisor.finished
    question = advisor.back()
    assert question.id == "mandated"
    assert not advisor.finished
    assert advisor.summary().text == "Question 1: Does a law require a report?"
    advisor.answer("no", at(2))
    assert advisor.current_question is not None
    assert advisor.current_question.id == "court-order"


def test_answers_after_the_outcome_are_refused(guide: ConfidentialityGuide) -> None:
    advisor = ConfidentialityAdvisor.start(guide, T0)
    advisor.answer("yes", at(1))
    with pytest.raises(RunClosed, match="go back a step"):
        advisor.answer("no", at(2))


@pytest.mark.parametrize("value", ["maybe", 1, None, "", ["yes"]])
def test_bad_answers(guide: ConfidentialityGuide, value: object) -> None:
    advisor = ConfidentialityAdvisor.start(guide, T0)
    with pytest.raises(AnswerError, match='"yes" or "no"'):
        advisor.answer(value, at(1))


def test_round_trip_resumes_mid_path(guide: ConfidentialityGuide) -> None:
    advisor = ConfidentialityAdvisor.start(guide, T0, case_number="24-9")
    advisor.answer("no", at(1))
    data = json.loads(json.dumps(advisor.state.model_dump(mode="json")))
    restored = ConfidentialityAdvisor.restore(guide, data)
    assert restored.state == advisor.state
    assert restored.current_question is not None
    assert restored.current_question.id == "court-order"
    data["path"][0]["question_id"] = "consent"
    with pytest.raises(StateError, match="does not follow"):
        ConfidentialityAdvisor.restore(guide, data)
