"""The follow-up tracker and the weekly monitoring figures, from real engine runs in the store.

The runs happen at a fixed ``NOW`` while their records are written at the real time: each run
must count in the week it happened, whatever day the suite runs.
"""

from __future__ import annotations

import datetime as dt
import json

from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.engine import ChecklistRun, FollowUpPlan
from protocols.engine.rights import RightsDelivery
from protocols.engine.screening import ScreeningRun
from protocols.library.loader import default_library
from protocols.records import Store
from protocols.records.monitoring import due_check_ins, figures_as_rows, weekly_figures

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def _save(store: Store, aid: str, run: object, case: str) -> None:
    state = run.state  # type: ignore[attr-defined]
    store.create(aid, state.content_id, state.content_version, case, "in-progress", state.model_dump_json())


def seed(store: Store) -> None:
    lib = default_library()
    instrument = lib.instrument("sample-danger-screen")
    by_rule = ScreeningRun.start(instrument, "W-1", NOW - dt.timedelta(days=1))
    by_rule.answer(1, "yes", NOW - dt.timedelta(days=1))
    belief = ScreeningRun.start(instrument, "W-2", NOW - dt.timedelta(days=1))
    belief.override("The victim is terrified and he has threatened her before.", NOW - dt.timedelta(days=1))
    not_in = ScreeningRun.start(instrument, "W-3", NOW - dt.timedelta(days=1))
    not_in.answer(4, "yes", NOW - dt.timedelta(days=1))
    for case, run in (("W-1", by_rule), ("W-2", belief), ("W-3", not_in)):
        run.finish(NOW - dt.timedelta(days=1))  # a screen is a screening with a result
        _save(store, "screening", run, case)
    checklist = ChecklistRun.start(lib.protocol("screen-in-response"), "W-1", NOW - dt.timedelta(days=1))
    checklist.answer("victim-spoke-to-advocate", "spoke", NOW - dt.timedelta(days=1))
    _save(store, "screen-in-response", checklist, "W-1")
    plan = FollowUpPlan.create(lib.template("standard-follow-up"), "W-1", NOW - dt.timedelta(days=3))
    first = plan.state.check_ins[0]
    plan.record(first.id, "reached", first.due_at)
    _save(store, "follow-up", plan, "W-1")
    notice = RightsDelivery.record(lib.notice("us-federal-cvra-en"), "W-1", "handed", NOW - dt.timedelta(days=1))
    _save(store, "rights-notification", notice, "W-1")
    late = FollowUpPlan.create(lib.template("standard-follow-up"), "W-9", NOW - dt.timedelta(days=10))
    _save(store, "follow-up", late, "W-9")


def test_due_check_ins_lists_overdue_first(store: Store) -> None:
    seed(store)
    rows = due_check_ins(store, default_library(), NOW, within_days=7)
    assert rows, "expected due check-ins"
    assert rows[0].status == "overdue" and rows[0].case_number == "W-9"
    statuses = [r.status for r in rows]
    assert statuses == sorted(statuses, key=["overdue", "due-today", "upcoming"].index)


def test_weekly_figures_count_without_personal_data(store: Store) -> None:
    seed(store)
    result = weekly_figures(store, default_library(), NOW, weeks=4)
    week = result.weeks[-1]
    assert (week.screens, week.screened_in_rule, week.screened_in_belief) == (3, 1, 1)
    assert week.spoke_to_hotline == 1
    assert week.rights_notices == 1
    assert sum(w.check_ins_due for w in result.weeks) >= 2
    assert sum(w.check_ins_on_time for w in result.weeks) >= 1
    dumped = json.dumps(figures_as_rows(result))
    assert "W-1" not in dumped and "W-9" not in dumped  # counts only, no case numbers


def test_tracker_commands_print_plain_tables(store: Store, tmp_path: object) -> None:
    seed(store)
    url = str(store.engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    due = runner.invoke(app, ["followups", "--database", url, "--within", "400"])
    assert due.exit_code == 0, due.output
    assert "overdue" in due.output
    weekly = runner.invoke(app, ["monitoring", "--database", url, "--weeks", "4"])
    assert weekly.exit_code == 0, weekly.output
    assert "screened in (rule)" in weekly.output


def test_the_followups_command_lists_what_the_tracker_lists_and_monitoring_defines_its_columns(
        store: Store) -> None:
    """Without --within, the terminal and the tracker agree on what is due; the columns are explained."""
    from protocols.records.monitoring import FIGURE_DEFINITIONS

    lib = default_library()
    now = dt.datetime.now(dt.UTC).astimezone()
    for case, started in (("D-1", now - dt.timedelta(days=2)), ("D-2", now), ("D-3", now + dt.timedelta(days=40))):
        _save(store, "follow-up", FollowUpPlan.create(lib.template("standard-follow-up"), case, started), case)
    url = str(store.engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    listed = runner.invoke(app, ["followups", "--database", url])
    assert listed.exit_code == 0, listed.output
    tracker = due_check_ins(store, lib, now)
    assert tracker, "the seed should leave something due"
    assert len(listed.output.strip().splitlines()) == len(tracker)
    assert {r.case_number for r in tracker} <= {"D-1", "D-2"} and "D-3" not in listed.output
    weekly = runner.invoke(app, ["monitoring", "--database", url, "--weeks", "2"])
    for column, meaning in FIGURE_DEFINITIONS.items():
        assert f"{column}: {meaning}" in weekly.output
