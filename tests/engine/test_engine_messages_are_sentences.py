"""What the checklist, screening and follow-up engines say when they refuse: sentences, no code marks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from protocols.engine import ChecklistRun, EngineError, FollowUpPlan, check_value
from protocols.engine.screening import ScreeningRun
from protocols.library.loader import load_library
from protocols.models import ValueSpec, ValueType

T0 = dt.datetime(2026, 11, 20, 21, 0, tzinfo=dt.UTC)
LIBRARY = load_library()
CHOICES = ValueSpec(type=ValueType.CHOICE, choices=[{"id": "read", "label": "Read aloud"},
                                                    {"id": "handed", "label": "Handed over"}], multiple=True)


def _checklist() -> ChecklistRun:
    return ChecklistRun.start(LIBRARY.protocol("screen-in-response"), "26-0001", T0)


def _completed() -> ChecklistRun:
    run = _checklist()
    run.state = run.state.model_copy(update={"completed_at": T0})
    return run


def _held() -> ChecklistRun:
    run = _checklist()
    run.hold("told-in-private", T0)
    return run


def _screening(finished: bool = False) -> ScreeningRun:
    run = ScreeningRun.start(LIBRARY.instrument("sample-danger-screen"), "26-0001", T0)
    if finished:
        run.finish(T0)
    return run


def _plan(closed: bool = False) -> FollowUpPlan:
    plan = FollowUpPlan.create(LIBRARY.template("standard-follow-up"), "26-0001", T0)
    if closed:
        plan.close(T0, [], "The victim asked for no more contact")
    return plan


REFUSALS: dict[str, Callable[[], object]] = {
    "unknown item": lambda: _checklist().answer("no-such-item", "yes", T0),
    "completed checklist": lambda: _completed().answer("told-in-private", "yes", T0),
    "held checklist": lambda: _held().answer("told-in-private", "yes", T0),
    "nothing to resume": lambda: _checklist().resume(T0),
    "nothing to reopen": lambda: _checklist().reopen("Typo", T0),
    "hold a completed run": lambda: _completed().hold("told-in-private", T0),
    "empty reason": lambda: _checklist().reopen(" ", T0),
    "not a choice": lambda: check_value(CHOICES, ["fax"], "the delivery"),
    "picked twice": lambda: check_value(CHOICES, ["read", "read"], "the delivery"),
    "no question": lambda: _screening().answer(12, "yes", T0),
    "no question id": lambda: _screening().answer("q-nope", "yes", T0),
    "finished screening": lambda: _screening(True).answer(1, "yes", T0),
    "bad screening answer": lambda: _screening().answer(1, "maybe", T0),
    "nothing to withdraw": lambda: _screening().withdraw_override(T0),
    "unknown check-in": lambda: _plan().record("nope", "reached", T0),
    "closed plan": lambda: _plan(True).record("first-contact", "reached", T0),
    "bad result": lambda: _plan().record("first-contact", "maybe", T0),
    "bad criterion": lambda: _plan().close(T0, ["nope"]),
    "bad window": lambda: FollowUpPlan.create(LIBRARY.template("standard-follow-up"), "26-1", T0, window="9-5"),
}


@pytest.mark.parametrize("refusal", list(REFUSALS))
def test_a_refusal_reads_as_a_sentence(refusal: str) -> None:
    with pytest.raises(EngineError) as caught:
        REFUSALS[refusal]()
    message = str(caught.value)
    assert message[0].isupper() or message[0] in "“\"0123456789", message
    assert message.endswith("."), message
    assert "`" not in message, message


def test_the_screening_result_names_the_next_checklist_without_code_marks() -> None:
    run = _screening()
    run.answer(1, "yes", T0)
    message = run.finish(T0).message
    assert "Next: open the checklist “screen-in-response” and follow it." in message and "`" not in message
