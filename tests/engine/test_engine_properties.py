"""Property tests: untrusted input only ever raises EngineError; saved states round-trip."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from engine_content import (
    make_catalogue,
    make_directory,
    make_guide,
    make_instrument,
    make_protocol,
    make_scenario,
    make_template,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from protocols.engine import (
    AdvisorState,
    ChecklistRun,
    ChecklistState,
    ConfidentialityAdvisor,
    EngineError,
    FollowUpPlan,
    FollowUpState,
    ScenarioPlayer,
    ScenarioState,
    ScreeningRun,
    ScreeningState,
    load_state,
    recommend,
)
from protocols.engine.base import RunState
from protocols.models import ValueType

PROTOCOL = make_protocol()
INSTRUMENT = make_instrument()
GUIDE = make_guide()
TEMPLATE = make_template()
SCENARIO = make_scenario()
CATALOGUE = make_catalogue()
DIRECTORY = make_directory()
ITEM_IDS = [i.id for i in PROTOCOL.items()]

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

zones = st.integers(-12 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
aware = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=zones
)
naive = st.datetimes()
nows: st.SearchStrategy[Any] = st.one_of(aware, aware, aware, naive, st.none(), st.text(max_size=5))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.text(alphabet=st.characters(codec=None), max_size=50),
    st.sampled_from(["yes", "no", "YES", " no ", "not-answered", "21:14", "9:5", "24:00",
                     "2024-05-03T21:14", "handed", "read", "phone", "3", "-1", "1e3", "nan",
                     "inf", "", " ", "\x00", "a\u202eb", "\ud800"]),
    st.binary(max_size=10),
    st.times(),
    naive,
    aware,
    st.dates(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.tuples(inner, inner),
        st.frozensets(st.sampled_from(["phone", "text", "email", "fax"])),
        st.dictionaries(st.text(max_size=5), inner, max_size=3),
    ),
    max_leaves=8,
)
item_ids = st.one_of(st.sampled_from(ITEM_IDS), values)


def round_trips(model: type[RunState], state: RunState) -> None:
    data = state.model_dump(mode="json")
    text = json.dumps(data)
    again = model.model_validate(json.loads(text))
    assert again == state
    assert again.model_dump(mode="json") == data
    assert load_state(text) == state


# --------------------------------------------------------------------------- untrusted input


@SETTINGS
@given(item_id=item_ids, value=values, now=nows)
def test_answer_raises_only_engine_errors(item_id: Any, value: Any, now: Any) -> None:
    run = ChecklistRun.start(PROTOCOL, "24-1", dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    try:
        run.answer(item_id, value, now)
    except EngineError:
        return
    round_trips(ChecklistState, run.state)


@SETTINGS
@given(item_id=item_ids, reason=values, now=nows)
def test_not_applicable_raises_only_engine_errors(item_id: Any, reason: Any, now: Any) -> None:
    run = ChecklistRun.start(PROTOCOL, "24-1", dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    try:
        run.mark_not_applicable(item_id, reason, now)
    except EngineError:
        return
    round_trips(ChecklistState, run.state)


@SETTINGS
@given(case_number=values, now=nows)
def test_start_raises_only_engine_errors(case_number: Any, now: Any) -> None:
    for start in (
        lambda: ChecklistRun.start(PROTOCOL, case_number, now),
        lambda: ScreeningRun.start(INSTRUMENT, case_number, now),
        lambda: ConfidentialityAdvisor.start(GUIDE, now, case_number=case_number),
        lambda: ScenarioPlayer.start(SCENARIO, now, case_number=case_number),
        lambda: FollowUpPlan.create(TEMPLATE, case_number, now),
    ):
        with contextlib.suppress(EngineError):
            start()


@SETTINGS
@given(question=values, value=values, reason=values, now=nows)
def test_screening_raises_only_engine_errors(
    question: Any, value: Any, reason: Any, now: Any
) -> None:
    run = ScreeningRun.start(INSTRUMENT, "24-1", dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    steps: tuple[Callable[[], object], ...] = (
        lambda: run.answer(question, value, now),
        lambda: run.override(reason, now),
    )
    for step in steps:
        with contextlib.suppress(EngineError):
            step()
    run.evaluate()


@SETTINGS
@given(value=values, option=values, now=nows)
def test_advisor_and_scenario_raise_only_engine_errors(value: Any, option: Any, now: Any) -> None:
    advisor = ConfidentialityAdvisor.start(GUIDE, dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    player = ScenarioPlayer.start(SCENARIO, dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    for step in (lambda: advisor.answer(value, now), lambda: player.choose(option, now)):
        with contextlib.suppress(EngineError):
            step()


@SETTINGS
@given(
    method=values, window=values, leave=values, code=values, check_in=values, result=values,
    notes=values, confirmed=values, reason=values, now=nows,
)
def test_followup_raises_only_engine_errors(
    method: Any, window: Any, leave: Any, code: Any, check_in: Any, result: Any, notes: Any,
    confirmed: Any, reason: Any, now: Any,
) -> None:
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    with contextlib.suppress(EngineError):
        FollowUpPlan.create(TEMPLATE, "24-1", start, method=method, window=window,
                            may_leave_message=leave, code_word=code)
    plan = FollowUpPlan.create(TEMPLATE, "24-1", start)
    for step in (
        lambda: plan.record(check_in, result, now, notes=notes),
        lambda: plan.statuses(now),
        lambda: plan.close(now, confirmed=confirmed, reason=reason),
    ):
        with contextlib.suppress(EngineError):
            step()


@SETTINGS
@given(needs=values, language=values, open_only=st.booleans(), warm=st.booleans())
def test_referrals_raise_only_engine_errors(
    needs: Any, language: Any, open_only: bool, warm: bool
) -> None:
    with contextlib.suppress(EngineError):
        recommend(CATALOGUE, DIRECTORY, needs, language=language, open_24_7_only=open_only,
                  warm_handoff_only=warm)


@SETTINGS
@given(saved=values)
def test_load_state_raises_only_engine_errors(saved: Any) -> None:
    with contextlib.suppress(EngineError):
        load_state(saved)


# --------------------------------------------------------------------------- reachable states


def valid_value(kind: ValueType, item_id: str) -> st.SearchStrategy[Any]:
    spec = PROTOCOL.item(item_id).value
    if kind is ValueType.YES_NO:
        return st.sampled_from(["yes", "no"])
    if kind is ValueType.TIME:
        return st.one_of(st.times().map(lambda t: f"{t.hour:02d}:{t.minute:02d}"), aware)
    if kind is ValueType.NUMBER:
        return st.one_of(st.integers(0, 10), st.floats(0, 10))
    if kind is ValueType.CHOICE:
        ids = [c.id for c in spec.choices or []]
        if spec.multiple:
            return st.lists(st.sampled_from(ids), min_size=1, unique=True)
        return st.sampled_from(ids)
    return st.text(min_size=1, max_size=120)


@st.composite
def checklist_ops(draw: st.DrawFn) -> list[tuple[Any, ...]]:
    ops: list[tuple[Any, ...]] = []
    for _ in range(draw(st.integers(0, 25))):
        kind = draw(st.sampled_from(
            ["answer", "answer", "answer", "answer", "na", "clear", "hold", "resume", "resume",
             "fill", "complete", "complete", "reopen"]
        ))
        item_id = draw(st.sampled_from(ITEM_IDS))
        now = draw(aware)
        if kind == "answer":
            item = PROTOCOL.item(item_id)
            ops.append((kind, item_id, draw(st.one_of(valid_value(item.value.type, item_id),
                                                      values)), now))
        elif kind in ("na", "reopen"):
            ops.append((kind, item_id, draw(st.one_of(st.text(max_size=600), values)), now))
        elif kind == "fill":
            ops.append((kind, item_id, draw(st.booleans()), now))
        else:
            ops.append((kind, item_id, None, now))
    return ops


CRITICAL_VALUES = {"scene-safe": "yes", "hotline-called": "21:14", "rights-given": "read",
                   "scene-safe-again": "no"}


@SETTINGS
@given(ops=checklist_ops())
def test_any_reachable_checklist_state_round_trips(ops: list[tuple[Any, ...]]) -> None:
    run = ChecklistRun.start(PROTOCOL, "CAD/24_1-a", dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    for kind, item_id, value, now in ops:
        try:
            if kind == "answer":
                run.answer(item_id, value, now)
            elif kind == "na":
                run.mark_not_applicable(item_id, value, now)
            elif kind == "clear":
                run.clear(item_id, now)
            elif kind == "hold":
                run.hold(item_id, now)
            elif kind == "resume":
                run.resume(now)
            elif kind == "complete":
                run.complete(now)
            elif kind == "fill":
                if run.state.hold is not None:
                    run.resume(now)
                for critical, answer in CRITICAL_VALUES.items():
                    if value and critical == "hotline-called":
                        run.mark_not_applicable(critical, "Victim declined the call", now)
                    else:
                        run.answer(critical, answer, now)
            else:
                run.reopen(value, now)
        except EngineError:
            pass
        round_trips(ChecklistState, run.state)
        restored = ChecklistRun.restore(PROTOCOL, run.state.model_dump(mode="json"))
        assert restored.progress() == run.progress()
        assert restored.summary() == run.summary()


@SETTINGS
@given(
    answers=st.lists(
        st.tuples(st.integers(1, 7), st.sampled_from(["yes", "no", "not-answered"]), aware),
        max_size=15,
    ),
    belief=st.one_of(st.none(), st.text(min_size=1, max_size=50)),
    finish=st.booleans(),
)
def test_any_reachable_screening_state_round_trips(
    answers: list[tuple[int, str, dt.datetime]], belief: str | None, finish: bool
) -> None:
    run = ScreeningRun.start(INSTRUMENT, "24-1", dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    for number, answer, now in answers:
        run.answer(number, answer, now)
        round_trips(ScreeningState, run.state)
    if belief is not None:
        with contextlib.suppress(EngineError):
            run.override(belief, dt.datetime(2024, 1, 2, tzinfo=dt.UTC))
    if finish:
        run.finish(dt.datetime(2024, 1, 3, tzinfo=dt.UTC))
    round_trips(ScreeningState, run.state)
    restored = ScreeningRun.restore(INSTRUMENT, run.state.model_dump(mode="json"))
    assert restored.evaluate() == run.evaluate()


@SETTINGS
@given(
    steps=st.lists(st.one_of(st.sampled_from(["yes", "no", "back"])), max_size=8),
    options=st.lists(st.integers(0, 4), max_size=4),
    now=aware,
)
def test_any_reachable_advisor_and_scenario_state_round_trips(
    steps: list[str], options: list[int], now: dt.datetime
) -> None:
    advisor = ConfidentialityAdvisor.start(GUIDE, now, case_number="24-1")
    for step in steps:
        try:
            if step == "back":
                advisor.back()
            else:
                advisor.answer(step, now)
        except EngineError:
            pass
        round_trips(AdvisorState, advisor.state)
        again = ConfidentialityAdvisor.restore(GUIDE, advisor.state.model_dump(mode="json"))
        assert again.summary() == advisor.summary()
    player = ScenarioPlayer.start(SCENARIO, now)
    for index in options:
        node = player.current_node
        if node is None:
            break
        player.choose(node.options[index % len(node.options)].id, now)
        round_trips(ScenarioState, player.state)
        again_player = ScenarioPlayer.restore(SCENARIO, player.state.model_dump(mode="json"))
        assert again_player.debrief() == player.debrief()


@SETTINGS
@given(
    start=aware,
    window=st.one_of(st.none(), st.sampled_from(["09:00-12:00", "13:30-17:00"])),
    records=st.lists(
        st.tuples(
            st.sampled_from(["next-day", "one-week", "one-month"]),
            st.sampled_from(["reached", "not-reached", "declined"]),
            st.one_of(st.none(), st.text(max_size=100)),
        ),
        max_size=6,
    ),
    close=st.booleans(),
)
def test_any_reachable_followup_state_round_trips(
    start: dt.datetime, window: str | None, records: list[tuple[str, str, str | None]],
    close: bool,
) -> None:
    plan = FollowUpPlan.create(TEMPLATE, "24-1", start, window=window)
    for check_in, result, notes in records:
        with contextlib.suppress(EngineError):
            plan.record(check_in, result, start, notes=notes)
        round_trips(FollowUpState, plan.state)
    for c in plan.state.check_ins:
        assert c.due_at >= c.planned_at
        if c.due_at != c.planned_at:
            assert c.due_at.weekday() == 0
    if close:
        plan.close(start, confirmed=[0, 1])
    round_trips(FollowUpState, plan.state)
    again = FollowUpPlan.restore(TEMPLATE, plan.state.model_dump(mode="json"))
    assert again.statuses(start) == plan.statuses(start)
