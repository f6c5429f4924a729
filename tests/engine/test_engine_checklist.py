"""Checklist runs: pause points, values, N/A, history, hold/resume, completion."""

from __future__ import annotations

import json

import pytest
from engine_content import T0, at, make_protocol

from protocols.engine import (
    AnswerError,
    ChecklistRun,
    ChecklistState,
    CompletionRefused,
    ContentMismatch,
    EngineError,
    RunClosed,
    StateError,
)
from protocols.models import Protocol


def answer_all_critical(run: ChecklistRun) -> None:
    run.answer("scene-safe", "yes", at(1))
    run.answer("hotline-called", "21:14", at(2))
    run.answer("rights-given", "handed", at(3))
    run.answer("scene-safe-again", "yes", at(4))


def round_trip(run: ChecklistRun, protocol: Protocol) -> ChecklistRun:
    text = json.dumps(run.state.model_dump(mode="json"))
    return ChecklistRun.restore(protocol, json.loads(text))


# --------------------------------------------------------------------------- start


def test_a_new_run_records_content_case_and_start(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-001234", T0)
    assert run.state.content_id == "test-response"
    assert run.state.content_version == "1.0"
    assert run.state.case_number == "24-001234"
    assert run.state.started_at == T0
    assert run.state.answers == ()
    assert run.status == "in-progress"
    assert run.current_pause_point is not None
    assert run.current_pause_point.id == "arrive"
    assert run.current_item is not None
    assert run.current_item.id == "scene-safe"


def test_a_name_is_not_a_case_number(protocol: Protocol) -> None:
    with pytest.raises(AnswerError, match="case number"):
        ChecklistRun.start(protocol, "Jane Doe", T0)


def test_now_must_be_timezone_aware(protocol: Protocol) -> None:
    with pytest.raises(AnswerError, match="time zone"):
        ChecklistRun.start(protocol, "24-1", T0.replace(tzinfo=None))
    run = ChecklistRun.start(protocol, "24-1", T0)
    with pytest.raises(AnswerError, match="time zone"):
        run.answer("scene-safe", "yes", T0.replace(tzinfo=None))
    with pytest.raises(AnswerError, match="datetime"):
        run.answer("scene-safe", "yes", "21:00")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- answers


def test_answers_record_value_time_and_version(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    new_state = run.answer("hotline-called", "21:14", at(5))
    assert new_state is run.state
    answer = run.answer_for("hotline-called")
    assert answer is not None
    assert answer.value == "21:14"
    assert answer.answered_at == at(5)
    assert answer.content_version == "1.0"


def test_operations_never_change_an_earlier_state(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    before = run.state
    run.answer("scene-safe", "yes", at(1))
    assert before.answers == ()
    assert run.state is not before
    with pytest.raises(Exception):  # noqa: B017 - frozen pydantic model
        run.state.case_number = "other"  # type: ignore[misc]


def test_unknown_item_is_an_answer_error(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    with pytest.raises(AnswerError, match="no item “no-such-item”"):
        run.answer("no-such-item", "yes", at(1))
    for bad in (None, 3, ["scene-safe"], "x" * 65):
        with pytest.raises(AnswerError):
            run.answer(bad, "yes", at(1))


def test_wrong_value_names_the_item_prompt(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    with pytest.raises(AnswerError, match="“Hotline called at” takes a 24-hour time"):
        run.answer("hotline-called", "soon", at(1))
    assert run.state.answers == ()


def test_changing_an_answer_keeps_history(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    run.answer("hotline-called", "21:14", at(1))
    run.answer("hotline-called", "21:20", at(6))
    run.mark_not_applicable("hotline-called", "Victim declined and left", at(9))
    current = run.answer_for("hotline-called")
    assert current is not None and current.reason == "Victim declined and left"
    history = run.history("hotline-called")
    assert [(h.answer.value, h.answer.answered_at, h.replaced_at) for h in history] == [
        ("21:14", at(1), at(6)),
        ("21:20", at(6), at(9)),
    ]
    assert all(h.change == "changed" for h in history)
    summary = run.summary()
    skipped = {s.item_id: s.reason for s in summary.pause_points[0].skipped}
    assert skipped["hotline-called"] == "Victim declined and left"


def test_giving_the_same_answer_again_changes_nothing(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    run.answer("scene-safe", "yes", at(1))
    state = run.state
    run.answer("scene-safe", "YES", at(2))
    assert run.state is state
    assert run.history("scene-safe") == ()


def test_clear_keeps_the_old_value_in_history(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    run.answer("people-present", 3, at(1))
    run.clear("people-present", at(2))
    assert run.answer_for("people-present") is None
    (past,) = run.history("people-present")
    assert (past.answer.value, past.change, past.replaced_at) == (3, "cleared", at(2))
    state = run.state
    run.clear("people-present", at(3))  # nothing to clear: no change
    assert run.state is state


# --------------------------------------------------------------------------- not applicable


def test_not_applicable_needs_a_reason(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    for reason in (None, "", "   "):
        with pytest.raises(AnswerError, match="reason it does not apply"):
            run.mark_not_applicable("hotline-called", reason, at(1))
    with pytest.raises(AnswerError, match="limit is 500"):
        run.mark_not_applicable("hotline-called", "x" * 501, at(1))
    assert run.answer_for("hotline-called") is None


def test_not_applicable_refused_where_not_allowed(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    with pytest.raises(AnswerError, match="“Scene is safe” cannot be marked not applicable"):
        run.mark_not_applicable("scene-safe", "Not needed", at(1))


def test_not_applicable_counts_as_answered(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    run.answer("scene-safe", "yes", at(1))
    run.mark_not_applicable("hotline-called", "Not an intimate-partner case", at(2))
    run.mark_not_applicable("rights-given", "Victim taken to hospital", at(3))
    run.answer("scene-safe-again", "yes", at(4))
    assert run.progress().critical_open == ()
    run.complete(at(5))
    assert run.status == "completed"


# --------------------------------------------------------------------------- progress


def test_progress_counts_and_text(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    progress = run.progress()
    assert (progress.answered, progress.total) == (0, 8)
    assert progress.critical_open == ("scene-safe", "hotline-called", "rights-given",
                                      "scene-safe-again")
    assert progress.text == "0 of 8 answered · 4 critical open"
    run.answer("scene-safe", "yes", at(1))
    run.answer("hotline-called", "21:14", at(1))
    run.answer("people-present", 2, at(1))
    run.answer("rights-given", "read", at(2))
    run.answer("notes", "Calm", at(2))
    run.answer("card-left", "no", at(2))
    run.answer("contact-ways", ["text"], at(2))
    progress = run.progress()
    assert progress.text == "7 of 8 answered · 1 critical open"
    assert [p.text for p in progress.pause_points] == [
        "3 of 3 answered · no critical items open",
        "3 of 3 answered · no critical items open",
        "1 of 2 answered · 1 critical open",
    ]
    assert progress.pause_points[0].done
    assert not progress.pause_points[2].done
    assert progress.current_pause_point == "leave"
    assert progress.current_item == "scene-safe-again"


def test_later_items_can_be_answered_but_position_stays(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    run.answer("rights-given", "handed", at(1))
    progress = run.progress()
    assert progress.current_pause_point == "arrive"
    assert progress.current_item == "scene-safe"
    assert progress.pause_points[1].answered == 1


def test_optional_items_do_not_hold_the_position(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    answer_all_critical(run)
    run.answer("people-present", 1, at(5))
    run.answer("contact-ways", ["phone"], at(5))
    progress = run.progress()
    assert progress.current_pause_point is None
    assert progress.current_item is None
    assert progress.required_open == ()


# --------------------------------------------------------------------------- completion


def test_completion_refused_while_a_critical_item_is_open(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    run.answer("scene-safe", "yes", at(1))
    run.answer("rights-given", "read", at(2))
    with pytest.raises(CompletionRefused) as refused:
        run.complete(at(3))
    assert refused.value.open_critical == ["hotline-called", "scene-safe-again"]
    message = str(refused.value)
    assert message.startswith("2 critical items are unanswered: “Hotline called at”")
    assert "“Victim is safe as you leave” (scene-safe-again)" in message
    assert isinstance(refused.value, EngineError)
    assert run.status == "in-progress"


def test_completion_message_for_one_item(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    run.answer("scene-safe", "yes", at(1))
    run.answer("hotline-called", "21:14", at(1))
    run.answer("rights-given", "read", at(2))
    with pytest.raises(CompletionRefused, match=r"^1 critical item is unanswered: .*scene-safe-again"):
        run.complete(at(3))


def test_optional_and_plain_items_may_stay_open(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    answer_all_critical(run)
    run.complete(at(10))
    assert run.state.completed_at == at(10)
    summary = run.summary()
    skipped = {s.item_id: s.why for p in summary.pause_points for s in p.skipped}
    assert skipped == {
        "people-present": "left-open",
        "contact-ways": "left-open",
        "notes": "optional",
        "card-left": "optional",
    }
    assert run.progress().text.startswith("Completed · 4 of 8 answered")


def test_a_completed_run_refuses_changes_until_reopened(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    answer_all_critical(run)
    run.complete(at(10))
    with pytest.raises(RunClosed, match="reopen it"):
        run.answer("people-present", 2, at(11))
    with pytest.raises(RunClosed):
        run.mark_not_applicable("people-present", "none", at(11))
    with pytest.raises(RunClosed):
        run.clear("scene-safe", at(11))
    with pytest.raises(RunClosed):
        run.complete(at(11))
    with pytest.raises(RunClosed):
        run.hold("people-present", at(11))
    with pytest.raises(AnswerError, match="reason for reopening"):
        run.reopen("", at(12))
    run.reopen("Supervisor review found a missing value", at(12))
    assert run.status == "in-progress"
    run.answer("people-present", 2, at(13))
    run.complete(at(14))
    events = [e.event for e in run.state.events]
    assert events == ["started", "completed", "reopened", "completed"]


def test_reopen_needs_a_completed_run(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    with pytest.raises(StateError, match="not completed"):
        run.reopen("why", at(1))


# --------------------------------------------------------------------------- hold and resume


def test_hold_and_resume_across_a_json_round_trip(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    run.answer("scene-safe", "yes", at(1))
    run.hold("hotline-called", at(2))
    assert run.status == "on-hold"
    assert run.progress().text.startswith("On hold at “Hotline called at”")
    with pytest.raises(StateError, match="resume it"):
        run.answer("hotline-called", "21:14", at(3))

    restored = round_trip(run, make_protocol())
    assert restored.state == run.state
    assert restored.status == "on-hold"
    assert restored.current_item is not None and restored.current_item.id == "hotline-called"
    restored.resume(at(30))
    assert restored.progress().status == "in-progress"
    assert restored.current_item is not None and restored.current_item.id == "hotline-called"
    restored.answer("hotline-called", "21:14", at(31))
    assert [(e.event, e.item_id) for e in restored.state.events] == [
        ("started", None),
        ("held", "hotline-called"),
        ("resumed", "hotline-called"),
    ]


def test_resume_without_hold_is_refused(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    with pytest.raises(StateError, match="not on hold"):
        run.resume(at(1))


def test_holding_again_at_the_same_item_changes_nothing(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    run.hold("scene-safe", at(1))
    state = run.state
    run.hold("scene-safe", at(2))
    assert run.state is state
    run.hold("hotline-called", at(3))
    assert run.state.hold is not None and run.state.hold.item_id == "hotline-called"


def test_completion_refused_while_on_hold(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    answer_all_critical(run)
    run.hold("notes", at(5))
    with pytest.raises(StateError, match="resume"):
        run.complete(at(6))


# --------------------------------------------------------------------------- saved runs


def test_round_trip_is_identity(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    answer_all_critical(run)
    run.answer("contact-ways", ["email", "phone"], at(5))
    run.answer("people-present", 2.5, at(5))
    run.answer("notes", "Line one\nline \"two\" <b>", at(6))
    run.answer("people-present", 3, at(7))
    run.complete(at(8))
    data = run.state.model_dump(mode="json")
    restored = ChecklistRun.restore(protocol, json.loads(json.dumps(data)))
    assert restored.state == run.state
    assert restored.state.model_dump(mode="json") == data
    assert ChecklistRun.restore(protocol, run.state.model_dump_json()).state == run.state


def test_restore_refuses_other_content_or_version(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    data = run.state.model_dump(mode="json")
    with pytest.raises(ContentMismatch, match=r"version 1\.0"):
        ChecklistRun.restore(make_protocol("1.1"), data)
    other = dict(data, content_id="other-protocol")
    with pytest.raises(ContentMismatch, match="other-protocol"):
        ChecklistRun.restore(protocol, other)


def test_restore_refuses_broken_data_without_echoing_it(protocol: Protocol) -> None:
    for broken in ({}, {"case_number": "Jane Doe"}, "not json", [1, 2], None):
        with pytest.raises(StateError, match="could not be read") as error:
            ChecklistRun.restore(protocol, broken)
        assert "Jane" not in str(error.value)
    run = ChecklistRun.start(protocol, "24-1", T0)
    run.answer("scene-safe", "yes", at(1))
    data = run.state.model_dump(mode="json")
    data["answers"][0]["item_id"] = "ghost"
    with pytest.raises(StateError, match="ghost"):
        ChecklistRun.restore(protocol, data)
    data["answers"][0]["item_id"] = "scene-safe"
    data["answers"][0]["value"] = "maybe"
    with pytest.raises(StateError, match="not valid"):
        ChecklistRun.restore(protocol, data)


def test_upgrade_moves_a_run_to_a_new_version(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    run.answer("scene-safe", "yes", at(1))
    newer = make_protocol("1.1")
    upgraded = ChecklistRun.upgrade(newer, run.state.model_dump(mode="json"), at(2))
    assert upgraded.state.content_version == "1.1"
    answer = upgraded.answer_for("scene-safe")
    assert answer is not None and answer.content_version == "1.0"
    upgraded.answer("hotline-called", "21:00", at(3))
    later = upgraded.answer_for("hotline-called")
    assert later is not None and later.content_version == "1.1"
    assert upgraded.state.events[-1].note == "from version 1.0 to 1.1"


def test_upgrade_keeps_answers_to_removed_items_in_history(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-1", T0)
    run.answer("people-present", 2, at(1))
    data = protocol.model_dump(mode="json")
    data["version"] = "2.0"
    data["pause_points"][0]["items"] = data["pause_points"][0]["items"][:2]
    newer = Protocol.model_validate(data)
    upgraded = ChecklistRun.upgrade(newer, run.state, at(2))
    assert upgraded.state.answers == ()
    (past,) = upgraded.state.history
    assert (past.answer.item_id, past.change) == ("people-present", "item-removed")
    with pytest.raises(ContentMismatch):
        ChecklistRun.upgrade(make_protocol(), dict(run.state.model_dump(), content_id="x-y"), at(3))


def test_state_never_holds_a_name_field() -> None:
    fields = set(ChecklistState.model_fields)
    assert "case_number" in fields
    assert not {f for f in fields if "name" in f}


# --------------------------------------------------------------------------- summary


def test_summary_lists_values_and_times_per_pause_point(protocol: Protocol) -> None:
    run = ChecklistRun.start(protocol, "24-001", T0)
    answer_all_critical(run)
    run.answer("contact-ways", ["email", "phone"], at(5))
    run.answer("people-present", 4, at(6))
    run.mark_not_applicable("notes", "Nothing to add", at(7))
    run.complete(at(8))
    summary = run.summary()
    assert summary.case_number == "24-001"
    assert summary.content_version == "1.0"
    assert str(summary.revised) == "2024-04-01"
    arrive, engage, leave = summary.pause_points
    assert [(d.item_id, d.display, d.answered_at) for d in arrive.done] == [
        ("scene-safe", "Yes", at(1)),
        ("hotline-called", "21:14", at(2)),
        ("people-present", "4 people", at(6)),
    ]
    assert [d.display for d in engage.done] == ["Handed over", "Phone; Email"]
    assert run.answer_text("notes") == "Not applicable: Nothing to add"
    assert run.answer_text("rights-given") == "Handed over"
    assert run.answer_text("card-left") is None
    assert [(s.item_id, s.why, s.reason) for s in engage.skipped] == [
        ("notes", "not-applicable", "Nothing to add")
    ]
    assert [(s.item_id, s.why) for s in leave.skipped] == [("card-left", "optional")]
    assert summary.status == "completed"
