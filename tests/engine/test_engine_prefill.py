"""A checklist filled in from another record: only untouched items, marked with their source."""

from __future__ import annotations

import datetime as dt

import pytest

from protocols.engine import ChecklistRun, RunClosed
from protocols.engine.screening import ScreeningRun, screen_in_answers
from protocols.library.loader import load_library

T0 = dt.datetime(2026, 11, 20, 21, 0, tzinfo=dt.UTC)
LIBRARY = load_library()


def _run() -> ChecklistRun:
    return ChecklistRun.start(LIBRARY.protocol("screen-in-response"), "26-0001", T0)


def test_only_items_never_answered_are_filled_in() -> None:
    run = _run()
    run.answer("told-in-private", "yes", T0)
    run.answer("belief-reason", "My own words", T0)
    run.clear("belief-reason", T0)
    filled = run.prefill({"screen-in-basis": "officer-belief", "told-in-private": "no",
                          "belief-reason": "From the screening", "no-such-item": "x"}, T0, "screening")
    assert filled == ("screen-in-basis",)
    assert run.answer_text("told-in-private") == "Yes" and run.answer_for("belief-reason") is None
    answer = run.answer_for("screen-in-basis")
    assert answer is not None and answer.source == "screening"
    summary = run.summary().pause_points[0].done
    assert next(d for d in summary if d.item_id == "screen-in-basis").source == "screening"


def test_a_value_the_item_refuses_is_passed_over_and_a_completed_run_refuses() -> None:
    run = _run()
    assert run.prefill({"screen-in-basis": "rule-questions-9-12"}, T0, "screening") == ()
    assert run.state.events[-1].event == "started"
    closed = _run()
    closed.state = closed.state.model_copy(update={"completed_at": T0})
    with pytest.raises(RunClosed):
        closed.prefill({"screen-in-basis": "officer-belief"}, T0, "screening")


def test_the_officer_answering_takes_the_mark_off() -> None:
    run = _run()
    run.prefill({"screen-in-basis": "officer-belief"}, T0, "screening")
    run.answer("screen-in-basis", "officer-belief", T0 + dt.timedelta(minutes=1))
    answer = run.answer_for("screen-in-basis")
    assert answer is not None and answer.source is None
    assert run.history("screen-in-basis")[0].answer.source == "screening"


def test_only_a_finished_screen_in_gives_answers() -> None:
    instrument = LIBRARY.instrument("sample-danger-screen")
    screening = ScreeningRun.start(instrument, "26-0001", T0)
    screening.answer(3, "yes", T0)
    assert screen_in_answers(screening) == {}
    screening.finish(T0)
    assert screen_in_answers(screening) == {"screen-in-basis": "rule-questions-1-3"}
    not_in = ScreeningRun.start(instrument, "26-0002", T0)
    not_in.finish(T0)
    assert screen_in_answers(not_in) == {}
