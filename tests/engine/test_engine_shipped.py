"""Every piece of shipped content runs through the engine from start to finish."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from protocols import Library, load_library
from protocols.engine import (
    ChecklistRun,
    CompletionRefused,
    ConfidentialityAdvisor,
    FollowUpPlan,
    ScenarioPlayer,
    ScreeningRun,
    recommend,
)
from protocols.models import ConfidentialityGuide, Outcome, Question, ValueSpec, ValueType

NOW = dt.datetime(2024, 5, 3, 21, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


def sample_value(spec: ValueSpec) -> Any:
    """A valid value for any item."""
    if spec.type is ValueType.YES_NO:
        return "yes"
    if spec.type is ValueType.TIME:
        return "21:14"
    if spec.type is ValueType.CHOICE:
        first = (spec.choices or [])[0].id
        return [first] if spec.multiple else first
    if spec.type is ValueType.NUMBER:
        number = spec.min if spec.min is not None else min(1.0, spec.max if spec.max else 1.0)
        return int(number) if float(number).is_integer() else number
    return "Sample note."


def test_the_library_has_protocols(library: Library) -> None:
    assert library.protocols


def test_every_protocol_runs_to_completion(library: Library) -> None:
    for protocol in library.protocols.values():
        run = ChecklistRun.start(protocol, "24-000001", NOW)
        critical = [i.id for i in protocol.items() if i.critical]
        if critical:
            with pytest.raises(CompletionRefused) as refused:
                run.complete(NOW)
            assert refused.value.open_critical == critical
        for minute, item in enumerate(protocol.items()):
            run.answer(item.id, sample_value(item.value), NOW + dt.timedelta(minutes=minute))
        progress = run.progress()
        assert progress.answered == progress.total == len(protocol.items())
        assert progress.critical_open == ()
        run.hold(protocol.items()[-1].id, NOW + dt.timedelta(hours=1))
        saved = json.dumps(run.state.model_dump(mode="json"))
        resumed = ChecklistRun.restore(protocol, json.loads(saved))
        assert resumed.state == run.state
        resumed.resume(NOW + dt.timedelta(hours=2))
        resumed.complete(NOW + dt.timedelta(hours=2))
        summary = resumed.summary()
        assert sum(len(p.done) for p in summary.pause_points) == len(protocol.items()), protocol.id
        assert all(not p.skipped for p in summary.pause_points)


def test_every_instrument_screens_in_and_out(library: Library) -> None:
    for instrument in library.instruments.values():
        assert instrument.follow_on_protocol in library.protocols
        run = ScreeningRun.start(instrument, "24-000001", NOW)
        assert run.evaluate().none_answered
        for question in instrument.questions:
            run.answer(question.number, "no", NOW)
        assert run.evaluate().outcome == "not-screened-in"
        for question in instrument.questions:
            run.answer(question.number, "yes", NOW)
        result = run.evaluate()
        assert result.outcome == "screened-in-protocol"
        assert len(result.fired) == len(instrument.rules)
        follow_on = library.protocols[result.follow_on_protocol or ""]
        ChecklistRun.start(follow_on, "24-000001", NOW)


def paths(guide: ConfidentialityGuide) -> list[list[str]]:
    found: list[list[str]] = []

    def walk(node_id: str, answers: list[str]) -> None:
        question = next((q for q in guide.questions if q.id == node_id), None)
        if question is None:
            found.append(answers)
            return
        walk(question.yes, [*answers, "yes"])
        walk(question.no, [*answers, "no"])

    walk(guide.start, [])
    return found


def test_every_confidentiality_path_reaches_an_outcome(library: Library) -> None:
    for guide in library.confidentiality.values():
        reached: set[str] = set()
        for answers in paths(guide):
            advisor = ConfidentialityAdvisor.start(guide, NOW)
            node: Question | Outcome = advisor.current
            for answer in answers:
                node = advisor.answer(answer, NOW)
            assert isinstance(node, Outcome)
            reached.add(node.id)
            assert advisor.summary().outcome is not None
        assert reached, guide.id


def test_every_followup_template_plans_and_closes(library: Library) -> None:
    for template in library.followup.values():
        plan = FollowUpPlan.create(template, "24-000001", NOW)
        for check_in in template.check_ins:
            plan.record(check_in.id, "reached", NOW)
        plan.close(NOW, confirmed=list(range(len(template.closure_criteria))))
        assert plan.closed


def test_every_scenario_plays_to_the_end(library: Library) -> None:
    for scenario in library.scenarios.values():
        player = ScenarioPlayer.start(scenario, NOW)
        for _ in range(50):
            node = player.current_node
            if node is None:
                break
            player.choose(node.options[0].id, NOW)
        debrief = player.debrief(library.protocols)
        assert debrief.entries
        for entry in debrief.entries:
            for exercised in entry.exercises:
                assert exercised.prompt is not None, (scenario.id, exercised.text)


def test_every_needs_catalogue_gives_referrals(library: Library) -> None:
    for catalogue in library.needs.values():
        for directory in library.resources.values():
            result = recommend(catalogue, directory, [n.id for n in catalogue.needs])
            assert result.message
