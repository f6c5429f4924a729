"""A record made under an older content version opens, says so, and is never silently replaced."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from aid_helpers import Clock, revisions
from sqlalchemy import update

from protocols.library import Library
from protocols.records import Store
from protocols.records.monitoring import weekly_figures
from protocols.records.store import runs
from protocols.ui.aid_parts import Step
from protocols.ui.checklist_session import ChecklistSession
from protocols.ui.confidentiality_aid import AdvisorController
from protocols.ui.follow_up_aid import FollowUpController
from protocols.ui.needs_and_referrals_aid import ReferralController
from protocols.ui.screening_aid import ScreeningController

OLD = "0.9"


def _make_older(store: Store, aid: str, case: str) -> None:
    """Rewrite this case's saved run as if an earlier content version (0.9) had made it."""
    (record,) = store.find(aid, case)
    state = json.loads(record.state) | {"content_version": OLD}
    with store.engine.begin() as conn:
        conn.execute(update(runs).where(runs.c.id == record.id)
                     .values(content_version=OLD, state=json.dumps(state)))


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
    _make_older(store, "screening", "26-2005")
    figures = weekly_figures(store, library, clock(), weeks=2)
    assert figures.unreadable == 0 and figures.older_versions == 1
    assert sum(w.screens for w in figures.weeks) == 1
