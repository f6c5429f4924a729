"""The scene log: a run's timeline, worked out from the times its state recorded."""

from __future__ import annotations

import datetime as dt

from engine_content import T0, at, make_guide, make_instrument, make_protocol

from protocols.engine import ChecklistRun, ConfidentialityAdvisor, ScreeningRun
from protocols.engine.scene_log import SceneEvent, scene_log


def kinds(events: tuple[SceneEvent, ...]) -> list[tuple[str, str, dt.datetime]]:
    return [(e.kind, e.ref, e.at) for e in events]


def test_a_checklist_logs_pause_points_critical_items_and_completion() -> None:
    run = ChecklistRun.start(make_protocol(), "C-1", T0)
    run.answer("scene-safe", "yes", at(1))
    run.answer("hotline-called", "21:04", at(4))
    run.answer("people-present", 2, at(6))
    run.answer("rights-given", "handed", at(9))
    log = scene_log(run)
    assert kinds(log) == [
        ("started", "test-response", T0),
        ("pause-point-started", "arrive", at(1)),
        ("critical-answered", "scene-safe", at(1)),
        ("critical-answered", "hotline-called", at(4)),
        ("pause-point-finished", "arrive", at(6)),
        ("pause-point-started", "engage", at(9)),
        ("critical-answered", "rights-given", at(9)),
    ]
    assert log[4].label == "Pause point finished: Scene safe"
    assert log[2].label == "Critical item answered: Scene is safe"


def test_a_changed_critical_answer_is_logged_each_time_and_a_pause_point_finishes_on_its_last_required_answer(
) -> None:
    run = ChecklistRun.start(make_protocol(), "C-1", T0)
    run.answer("scene-safe", "no", at(1))
    run.answer("scene-safe", "yes", at(3))
    run.answer("hotline-called", "21:05", at(5))
    run.answer("people-present", 1, at(2))
    log = scene_log(run)
    critical = [e.at for e in log if e.kind == "critical-answered" and e.ref == "scene-safe"]
    assert critical == [at(1), at(3)]
    finished = [e for e in log if e.kind == "pause-point-finished"]
    assert [(e.ref, e.at) for e in finished] == [("arrive", at(5))]
    # clearing an item re-opens its pause point: no "finished" line until it is answered again
    run.clear("hotline-called", at(7))
    assert not [e for e in scene_log(run) if e.kind == "pause-point-finished"]
    assert [e.at for e in scene_log(run) if e.ref == "hotline-called"] == [at(5)], "the cleared answer stays"


def test_hold_resume_and_completion_are_logged_and_no_value_or_note_is() -> None:
    run = ChecklistRun.start(make_protocol(), "C-1", T0)
    run.answer("notes", "the victim's sister lives nearby", at(1))
    run.hold("scene-safe", at(2))
    run.resume(at(3))
    for n, (item, value) in enumerate([("scene-safe", "yes"), ("hotline-called", "21:10"), ("people-present", 0),
                                      ("rights-given", "read"), ("contact-ways", ["phone"]),
                                      ("scene-safe-again", "yes")]):
        run.answer(item, value, at(4 + n))
    run.complete(at(20))
    log = scene_log(run)
    assert [e.kind for e in log if e.kind in ("held", "resumed", "completed")] == ["held", "resumed", "completed"]
    assert [e.ref for e in log if e.kind == "pause-point-finished"] == ["arrive", "engage", "leave"]
    text = " ".join(e.label for e in log)
    assert "sister" not in text and "21:10" not in text
    assert log == tuple(sorted(log, key=lambda e: e.at)), "oldest first"


def test_a_screening_logs_when_it_screened_in() -> None:
    instrument = make_instrument()
    run = ScreeningRun.start(instrument, "C-2", T0)
    run.answer(1, "yes", at(2))
    run.finish(at(5))
    log = scene_log(run)
    assert kinds(log) == [("started", "sample-screen", T0), ("finished", "sample-screen", at(5)),
                          ("screened-in", "sample-screen", at(5))]
    assert log[-1].label == "Screened in: Sample danger screen, by its rules"
    quiet = ScreeningRun.start(instrument, "C-3", T0)
    quiet.answer(1, "no", at(1))
    quiet.finish(at(2))
    assert "screened-in" not in [e.kind for e in scene_log(quiet)]


def test_any_other_run_logs_its_start_and_finish() -> None:
    advisor = ConfidentialityAdvisor.start(make_guide(), T0, "C-4")
    assert kinds(scene_log(advisor)) == [("started", "test-guide", T0)]
    advisor.answer("yes", at(3))
    assert kinds(scene_log(advisor)) == [("started", "test-guide", T0), ("finished", "test-guide", at(3))]


def test_an_event_as_a_row_is_plain_json() -> None:
    event = scene_log(ChecklistRun.start(make_protocol(), "C-1", T0))[0]
    assert event.as_row() == {"at": T0.isoformat(), "kind": "started", "ref": "test-response",
                              "label": "Started: Respond to a test case"}
