"""A record made under an older content version opens, says so, and is never silently replaced."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from aid_helpers import Clock, revisions
from sqlalchemy import update

from protocols.library.loader import Library
from protocols.records import Store
from protocols.records.followups import change_plan
from protocols.records.monitoring import weekly_figures
from protocols.records.store import runs
from protocols.ui.checklist_session import ChecklistSession
from protocols.ui.confidentiality_aid import AdvisorController
from protocols.ui.follow_up_aid import FollowUpController
from protocols.ui.needs_and_referrals_aid import ReferralController
from protocols.ui.screening_aid import ScreeningController
from protocols.ui.session import Step
from protocols.ui.tracker_aid import Tracker

OLD = "0.9"


def _make_older(store: Store, aid: str, case: str) -> None:
    """Rewrite this case's saved run as if an earlier content version (0.9) had made it."""
    (record,) = store.find(aid, case)
    state = json.loads(record.state) | {"content_version": OLD}
    with store.engine.begin() as conn:
        conn.execute(update(runs).where(runs.c.id == record.id)
                     .values(content_version=OLD, state=json.dumps(state)))


def _write_as_older_server(store: Store, aid: str, case: str) -> None:
    """Save the record again under version 0.9, as a server still on that content would."""
    (record,) = store.find(aid, case)
    store.save(record.id, record.revision, record.status, record.state, actor="older-server")


def _older_plan(library: Library, store: Store, clock: Clock, case: str) -> str:
    """A follow-up plan for ``case`` made under version 0.9 of its template; returns its run id."""
    first = FollowUpController(library, store, clock)
    first.start(case)
    assert first.create("standard-follow-up", clock(), method="phone").saved
    _make_older(store, "follow-up", case)
    (record,) = store.find("follow-up", case)
    return record.id


def _saved_version(store: Store, aid: str, case: str) -> tuple[str, str, int]:
    """(column version, state version, revision) of the case's one saved run."""
    (record,) = store.find(aid, case)
    return record.content_version, json.loads(record.state)["content_version"], record.revision


def _opens_read_only(store: Store, aid: str, case: str, start: Callable[[], str],
                     change: Callable[[], Step[Any]]) -> str:
    """Open the older record: the message names its version, a change is refused, nothing is written."""
    before = revisions(store, aid, case)
    message = start()
    assert f"made under version {OLD} of this content" in message and "read-only" in message, message
    step = change()
    assert not step.saved and f"made under version {OLD}" in step.message
    assert revisions(store, aid, case) == before, "the older record was changed or a new one started"
    return message


def test_an_older_checklist_resumes_and_says_which_version(library: Library, store: Store, clock: Clock) -> None:
    protocol = library.protocol("scene-response")
    ChecklistSession.start_or_resume(protocol, store, "scene-response", "26-2000", clock)
    _make_older(store, "scene-response", "26-2000")
    session, note = ChecklistSession.start_or_resume(protocol, store, "scene-response", "26-2000", clock)
    assert note.startswith(f"Resumed a record made with version {OLD}; this is version {protocol.version}.")
    assert len(store.find("scene-response", "26-2000")) == 1 and session.run.state.content_version == \
        protocol.version


def test_an_older_screening_opens_read_only(library: Library, store: Store, clock: Clock) -> None:
    instrument = library.instrument("sample-danger-screen")
    first = ScreeningController(instrument, library, store, clock)
    first.start("26-2001")
    assert first.answer(4, "yes").saved
    _make_older(store, "screening", "26-2001")
    again = ScreeningController(instrument, library, store, clock)
    message = _opens_read_only(store, "screening", "26-2001", lambda: again.start("26-2001"),
                               lambda: again.answer(5, "yes"))
    assert message.endswith("Resumed the open screening where you stopped.")
    assert [a.question for a in again.run.state.answers] == [4]


def test_an_older_follow_up_plan_carries_on_under_the_current_template(library: Library, store: Store,
                                                                        clock: Clock) -> None:
    """A plan runs for weeks: a revised template that still fits it must not freeze it."""
    first = FollowUpController(library, store, clock)
    first.start("26-2002")
    start = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)
    assert first.create("standard-follow-up", start, method="phone").saved
    _make_older(store, "follow-up", "26-2002")
    current = library.template("standard-follow-up").version
    again = FollowUpController(library, store, clock)
    message = again.start("26-2002")
    assert f"made under version {OLD} of this content" in message and "continues under that version" in message
    assert "No open plan" not in message and "read-only" not in message and again.has_plan
    assert again.record("first-contact", "reached").saved
    (record,) = store.find("follow-up", "26-2002")
    assert record.content_version == current and json.loads(record.state)["content_version"] == current
    reopened = FollowUpController(library, store, clock)
    assert "made under version" not in reopened.start("26-2002")  # it is a current-version plan now
    assert len(reopened.overview().statuses) == 4


def test_an_older_confidentiality_walk_opens_read_only(library: Library, store: Store, clock: Clock) -> None:
    guide = library.guide("confidentiality-decisions")
    first = AdvisorController(guide, store, clock)
    first.start("26-2003")
    assert first.answer("yes").saved
    _make_older(store, "confidentiality", "26-2003")
    again = AdvisorController(guide, store, clock)
    _opens_read_only(store, "confidentiality", "26-2003", lambda: again.start("26-2003"),
                     lambda: again.answer("no"))
    assert [s.answer for s in again.summary().steps] == ["yes"]


def test_an_older_needs_assessment_opens_read_only(library: Library, store: Store, clock: Clock) -> None:
    def controller() -> ReferralController:
        return ReferralController(library.catalogue("needs-assessment"), library.directory("sample-directory"),
                                  store, clock)

    first = controller()
    first.start("26-2004")
    assert first.toggle_need("no-safe-place-tonight", True).saved
    _make_older(store, "needs-and-referrals", "26-2004")
    again = controller()
    _opens_read_only(store, "needs-and-referrals", "26-2004", lambda: again.start("26-2004"),
                     lambda: again.toggle_need("needs-interpreter", True))
    assert again.run.selected == ("no-safe-place-tonight",)


def test_monitoring_counts_older_records_instead_of_calling_them_unreadable(library: Library, store: Store,
                                                                            clock: Clock) -> None:
    first = ScreeningController(library.instrument("sample-danger-screen"), library, store, clock)
    first.start("26-2005")
    assert first.finish().saved  # a screen is a screening with a result
    _make_older(store, "screening", "26-2005")
    figures = weekly_figures(store, library, clock(), weeks=2)
    assert figures.unreadable == 0 and figures.older_versions == 1
    assert sum(w.screens for w in figures.weeks) == 1


def test_the_tracker_records_a_check_in_on_an_older_plan(library: Library, store: Store, clock: Clock) -> None:
    """The tracker lists older plans (monitoring reads them), so recording on one must work too."""
    _older_plan(library, store, clock, "26-2006")
    tracker = Tracker(library, store, clock)
    tracker.refresh()
    (entry,) = [c for c in tracker.due_box.children if "case 26-2006" in c.children[0].value][:1]
    entry.children[1].children[0].click()  # Reached
    assert "Recorded for case 26-2006" in tracker.status.text.value, tracker.status.text.value
    current = library.template("standard-follow-up").version
    assert _saved_version(store, "follow-up", "26-2006") == (current, current, 2)


def test_the_cli_changes_an_older_plan_as_the_job_aid_does(library: Library, store: Store, clock: Clock) -> None:
    run_id = _older_plan(library, store, clock, "26-2007")
    plan = change_plan(store, library, run_id, lambda p, now: p.record("first-contact", "reached", now), clock())
    current = library.template("standard-follow-up").version
    assert plan.state.content_version == current
    assert _saved_version(store, "follow-up", "26-2007") == (current, current, 2)


def test_a_conflict_on_an_older_plan_reloads_it_instead_of_failing(library: Library, store: Store,
                                                                   clock: Clock) -> None:
    """Another writer saved the plan, still as version 0.9, before this tab's first save."""
    _older_plan(library, store, clock, "26-2008")
    tab = FollowUpController(library, store, clock)
    assert "continues under that version" in tab.start("26-2008")
    _write_as_older_server(store, "follow-up", "26-2008")
    refused = tab.record("first-contact", "reached")
    assert not refused.saved and refused.reloaded and "another tab" in refused.message
    assert _saved_version(store, "follow-up", "26-2008") == (OLD, OLD, 2), "the other writer's save was replaced"
    assert tab.record("first-contact", "reached").saved
    current = library.template("standard-follow-up").version
    assert _saved_version(store, "follow-up", "26-2008") == (current, current, 3)


def test_an_upgraded_checklist_records_its_version_and_survives_a_conflict(library: Library, store: Store,
                                                                           clock: Clock) -> None:
    protocol = library.protocol("scene-response")
    ChecklistSession.start_or_resume(protocol, store, "scene-response", "26-2009", clock)
    _make_older(store, "scene-response", "26-2009")
    session, _note = ChecklistSession.start_or_resume(protocol, store, "scene-response", "26-2009", clock)
    _write_as_older_server(store, "scene-response", "26-2009")
    item = protocol.pause_points[0].items[0]
    value = item.value.choices[0].id if item.value.choices else "yes"
    message = {"type": "answer", "item": item.id, "answer": {"value": value}}
    assert session.handle(message)["type"] == "rejected"
    assert _saved_version(store, "scene-response", "26-2009") == (OLD, OLD, 2)
    assert session.handle(message)["type"] == "saved"
    assert _saved_version(store, "scene-response", "26-2009") == (protocol.version, protocol.version, 3)
