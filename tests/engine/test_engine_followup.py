"""Follow-up plans: dates, business-day moves, statuses, outcomes, closure."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from protocols.engine import AnswerError, CheckInResult, FollowUpPlan, RunClosed, StateError
from protocols.models import FollowUpTemplate

TZ = dt.timezone(dt.timedelta(hours=-5))
THU = dt.datetime(2024, 5, 2, 22, 30, tzinfo=TZ)
FRI = dt.datetime(2024, 5, 3, 22, 30, tzinfo=TZ)
SAT = dt.datetime(2024, 5, 4, 22, 30, tzinfo=TZ)


def due(plan: FollowUpPlan, check_in: str) -> dt.datetime:
    return plan.check_in(check_in).due_at


def test_check_in_dates_from_offsets(template: FollowUpTemplate) -> None:
    plan = FollowUpPlan.create(template, "24-5", THU)
    assert due(plan, "next-day") == dt.datetime(2024, 5, 3, 22, 30, tzinfo=TZ)  # Friday stays
    assert due(plan, "one-week") == THU + dt.timedelta(days=7)
    assert plan.state.started_at == THU


def test_friday_next_day_lands_saturday_and_moves_to_monday_nine(template: FollowUpTemplate) -> None:
    plan = FollowUpPlan.create(template, "24-5", FRI)
    assert due(plan, "next-day") == dt.datetime(2024, 5, 6, 9, 0, tzinfo=TZ)
    assert plan.check_in("next-day").planned_at == dt.datetime(2024, 5, 4, 22, 30, tzinfo=TZ)


def test_saturday_next_day_lands_sunday_and_moves_to_monday(template: FollowUpTemplate) -> None:
    plan = FollowUpPlan.create(template, "24-5", SAT)
    assert due(plan, "next-day") == dt.datetime(2024, 5, 6, 9, 0, tzinfo=TZ)


def test_weekend_moves_to_the_start_of_the_safe_window(template: FollowUpTemplate) -> None:
    plan = FollowUpPlan.create(template, "24-5", FRI, window="13:30-16:00")
    assert due(plan, "next-day") == dt.datetime(2024, 5, 6, 13, 30, tzinfo=TZ)


def test_check_ins_without_business_day_are_not_moved(template: FollowUpTemplate) -> None:
    start = dt.datetime(2024, 5, 4, 10, 0, tzinfo=TZ)  # Saturday; one week later is Saturday
    plan = FollowUpPlan.create(template, "24-5", start)
    assert due(plan, "one-week") == dt.datetime(2024, 5, 11, 10, 0, tzinfo=TZ)


def test_holidays_are_skipped(template: FollowUpTemplate) -> None:
    plan = FollowUpPlan.create(template, "24-5", FRI, holidays={dt.date(2024, 5, 6)})
    assert due(plan, "next-day") == dt.datetime(2024, 5, 7, 9, 0, tzinfo=TZ)


def test_statuses_relative_to_now(template: FollowUpTemplate) -> None:
    plan = FollowUpPlan.create(template, "24-5", FRI, window="09:00-12:00")
    monday_morning = dt.datetime(2024, 5, 6, 8, 0, tzinfo=TZ)
    statuses = {s.id: s for s in plan.statuses(monday_morning)}
    assert statuses["next-day"].status == "due-today"
    assert statuses["next-day"].moved
    assert statuses["next-day"].tasks == ("Call the victim.",)
    assert statuses["one-week"].status == "upcoming"
    assert statuses["one-week"].outside_window  # 22:30 is outside 09:00-12:00
    assert "outside the safe contact window (09:00-12:00)" in statuses["one-week"].text
    tuesday = dt.datetime(2024, 5, 7, 8, 0, tzinfo=TZ)
    assert plan.statuses(tuesday)[0].status == "overdue"
    overview = plan.overview(tuesday)
    assert overview.text == "1 overdue · 2 upcoming"
    # the same instant seen from another time zone gives the same answer
    assert plan.statuses(tuesday.astimezone(dt.UTC))[0].status == "overdue"


def test_recording_outcomes(template: FollowUpTemplate) -> None:
    plan = FollowUpPlan.create(template, "24-5", FRI)
    monday = dt.datetime(2024, 5, 6, 9, 5, tzinfo=TZ)
    plan.record("next-day", "not-reached", monday)
    status = plan.statuses(monday)[0]
    assert status.status == "due-today" and status.attempts == 1
    assert status.last_result is CheckInResult.NOT_REACHED
    plan.record("next-day", CheckInResult.REACHED, monday + dt.timedelta(hours=1),
                notes="Safety plan reviewed.\nWants a call next week.")
    status = plan.statuses(monday)[0]
    assert status.status == "done"
    assert "2 attempts, last: reached" in status.text
    plan.record("one-week", "declined", monday)
    assert plan.overview(monday).text == "1 upcoming · 2 done"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope", "reached"), "no check-in “nope”"),
        (("next-day", "maybe"), "reached"),
        (("next-day", None), "reached"),
        (("next-day", True), "reached"),
    ],
)
def test_bad_outcomes(template: FollowUpTemplate, args: tuple[object, object], message: str) -> None:
    plan = FollowUpPlan.create(template, "24-5", FRI)
    with pytest.raises(AnswerError, match=message):
        plan.record(args[0], args[1], FRI)


def test_notes_are_checked(template: FollowUpTemplate) -> None:
    plan = FollowUpPlan.create(template, "24-5", FRI)
    with pytest.raises(AnswerError, match="control character"):
        plan.record("next-day", "reached", FRI, notes="a\x00b")
    with pytest.raises(AnswerError, match="limit is 1,000"):
        plan.record("next-day", "reached", FRI, notes="x" * 1001)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "email"}, "phone, text, through-advocate"),
        ({"method": 3}, "contact method"),
        ({"window": "9-12"}, "09:00-12:00"),
        ({"window": "12:00-09:00"}, "end later"),
        ({"window": "25:00-26:00"}, "09:00-12:00"),
        ({"may_leave_message": "yes"}, "true or false"),
        ({"code_word": "two\nlines"}, "one line"),
        ({"code_word": "x" * 41}, "limit is 40"),
    ],
)
def test_safe_contact_is_validated(
    template: FollowUpTemplate, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(AnswerError, match=message):
        FollowUpPlan.create(template, "24-5", FRI, **kwargs)  # type: ignore[arg-type]


def test_safe_contact_is_optional_and_described(template: FollowUpTemplate) -> None:
    plan = FollowUpPlan.create(
        template, "24-5", FRI, method="text", window="09:00 - 12:00", may_leave_message=False,
        code_word="blue bird",
    )
    contact = plan.state.contact
    assert contact.window == "09:00-12:00"
    assert contact.text() == (
        "by text; between 09:00 and 12:00; leave no message; use the agreed code word"
    )
    assert FollowUpPlan.create(template, "24-5", FRI).state.contact.text() == (
        "no contact preferences recorded"
    )


def test_close_needs_every_criterion_or_a_reason(template: FollowUpTemplate) -> None:
    plan = FollowUpPlan.create(template, "24-5", FRI)
    with pytest.raises(AnswerError, match="2 closure criteria are not confirmed"):
        plan.close(FRI)
    with pytest.raises(AnswerError, match="1 closure criterion is not confirmed: Referrals"):
        plan.close(FRI, confirmed=[0])
    with pytest.raises(AnswerError, match="not one of this plan's 2 closure criteria"):
        plan.close(FRI, confirmed=[5])
    with pytest.raises(AnswerError, match="as a list"):
        plan.close(FRI, confirmed="0")
    plan.close(FRI, confirmed=[0, "Referrals confirmed."])
    assert plan.closed
    assert plan.state.closure is not None
    assert plan.state.closure.confirmed == ("Victim has a safety plan.", "Referrals confirmed.")
    with pytest.raises(RunClosed):
        plan.record("next-day", "reached", FRI)
    with pytest.raises(RunClosed):
        plan.close(FRI, reason="again")
    assert plan.statuses(FRI)[0].status == "closed"
    assert plan.overview(FRI).text.startswith("Closed on")


def test_close_early_with_a_reason(template: FollowUpTemplate) -> None:
    plan = FollowUpPlan.create(template, "24-5", FRI)
    plan.close(FRI, reason="Victim moved out of state and asked for no contact")
    assert plan.state.closure is not None
    assert plan.state.closure.confirmed == ()
    assert plan.state.closure.reason is not None


def test_round_trip(template: FollowUpTemplate) -> None:
    plan = FollowUpPlan.create(template, "24-5", FRI, method="phone", window="09:00-12:00")
    plan.record("next-day", "reached", FRI, notes="ok")
    data = json.loads(json.dumps(plan.state.model_dump(mode="json")))
    restored = FollowUpPlan.restore(template, data)
    assert restored.state == plan.state
    assert restored.statuses(FRI) == plan.statuses(FRI)
    data["check_ins"] = data["check_ins"][:1]
    with pytest.raises(StateError, match="do not match"):
        FollowUpPlan.restore(template, data)


def test_start_must_be_aware(template: FollowUpTemplate) -> None:
    with pytest.raises(AnswerError, match="start time has no time zone"):
        FollowUpPlan.create(template, "24-5", FRI.replace(tzinfo=None))
