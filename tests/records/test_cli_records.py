"""The records CLI: purge by the agency's retention, follow-up check-ins and closure, who did it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.engine import FollowUpPlan
from protocols.library.loader import default_library
from protocols.records import Store, StoreError
from protocols.records.store import runs
from protocols.ui.checklist_session import ChecklistSession

ROOT = Path(__file__).resolve().parents[2]
RIVER_CITY = ROOT / "agencies" / "river-city" / "agency.yaml"  # retention_days: 180
runner = CliRunner()


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    for name in ("HANDBOOK_USER", "HANDBOOK_AGENCY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HANDBOOK_SIGNING_KEYS", str(tmp_path / "signing-keys"))
    return f"sqlite:///{tmp_path / 'records.sqlite3'}"


def _completed_run(store: Store, case: str, days_ago: int) -> str:
    record = store.create("scene-response", "scene-response", "1.0", case, "completed", "{}")
    with store.engine.begin() as conn:
        conn.execute(update(runs).where(runs.c.id == record.id)
                     .values(updated_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)))
    return record.id


def _plan(store: Store, case: str = "26-0900") -> str:
    template = default_library().followup["standard-follow-up"]
    plan = FollowUpPlan.create(template, case, dt.datetime.now(dt.UTC) - dt.timedelta(days=3), method="phone")
    return store.create("follow-up", template.id, template.version, case, "in-progress",
                        plan.state.model_dump_json()).id


def test_purge_defaults_to_the_agency_retention_and_says_so(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(url)
    old, recent = _completed_run(store, "C-1", 200), _completed_run(store, "C-2", 100)
    done = runner.invoke(app, ["purge", "--agency", str(RIVER_CITY), "--database", url, "--user", "records-clerk"])
    assert done.exit_code == 0, done.output
    assert f"Purged 1 completed run(s) older than 180 days (retention_days in {RIVER_CITY})" in done.output
    assert store.get(old) is None and store.get(recent) is not None
    assert [e["actor"] for e in store.audit_log(old) if e["action"] == "delete"] == ["records-clerk"]
    monkeypatch.setenv("HANDBOOK_AGENCY", str(RIVER_CITY))
    by_days = runner.invoke(app, ["purge", "--days", "90", "--database", url])
    assert "older than 90 days (--days)" in by_days.output and store.get(recent) is None


def test_purge_without_a_period_or_with_a_bad_profile_is_a_clear_error(url: str, tmp_path: Path) -> None:
    bare = runner.invoke(app, ["purge", "--database", url])
    assert bare.exit_code == 2 and "give --days N, or --agency FILE" in bare.output
    missing = runner.invoke(app, ["purge", "--agency", str(tmp_path / "none.yaml"), "--database", url])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    broken = tmp_path / "agency.yaml"
    broken.write_text(RIVER_CITY.read_text(encoding="utf-8").replace("retention_days: 180", "retention_days: 5"))
    bad = runner.invoke(app, ["purge", "--agency", str(broken), "--database", url])
    assert bad.exit_code == 2 and "retention_days" in bad.output and "Traceback" not in bad.output


def test_followups_record_and_close_save_with_a_revision_and_an_audit_entry(url: str) -> None:
    store = Store.open(url)
    plan_id = _plan(store)
    listed = runner.invoke(app, ["followups", "--database", url, "--within", "400"])
    assert listed.exit_code == 0 and "26-0900" in listed.output
    assert f"plan {plan_id}, check-in first-contact" in listed.output  # what `followups record` takes
    done = runner.invoke(app, ["followups", "record", plan_id, "first-contact", "reached", "--note",
                               "Safe at a friend's", "--database", url, "--user", "sgt-7"])
    assert done.exit_code == 0, done.output
    record = store.get(plan_id)
    assert record is not None and record.revision == 2
    attempts = FollowUpPlan.restore(default_library().followup["standard-follow-up"], record.state) \
        .state.check_ins[0].attempts
    assert [a.result.value for a in attempts] == ["reached"]
    refused = runner.invoke(app, ["followups", "close", plan_id, "--database", url, "--user", "sgt-7"])
    assert refused.exit_code == 1 and "not confirmed" in refused.output and "  1. " in refused.output
    closed = runner.invoke(app, ["followups", "close", plan_id, "--criteria", "all", "--database", url,
                                 "--user", "sgt-7"])
    assert closed.exit_code == 0, closed.output
    assert store.get(plan_id).status == "completed"  # type: ignore[union-attr]
    log = [(e["actor"], e["action"], e["outcome"]) for e in store.audit_log(plan_id)]
    assert log[1:] == [("sgt-7", "change", "ok"), ("sgt-7", "change", "ok")]
    assert "Safe at" not in json.dumps(store.audit_log(), default=str)


@pytest.mark.parametrize(("args", "code", "says"), [
    (["record", "{id}", "first-contact", "maybe"], 2, "RESULT must be one of reached, not-reached, declined"),
    (["record", "no-such-run", "first-contact", "reached"], 1, "there is no follow-up plan 'no-such-run'"),
    (["record", "{id}", "second-contact", "reached"], 1, "the check-ins are: first-contact"),
    (["close", "{id}", "--criteria", "1,9"], 1, "'9' is not a criterion number; give numbers from 1 to"),
    (["record", "{id}", "first-contact", "reached", "--user", "a\nb"], 2, "--user holds a control character"),
    (["record", "{id}", "first-contact", "reached", "--user", "x" * 65], 2, "at most 64"),
])
def test_followups_bad_input_is_a_clear_error_and_saves_nothing(url: str, args: list[str], code: int,
                                                                 says: str) -> None:
    store = Store.open(url)
    plan_id = _plan(store)
    done = runner.invoke(app, ["followups", *[a.replace("{id}", plan_id) for a in args], "--database", url])
    assert done.exit_code == code and says in done.output, done.output
    assert "Traceback" not in done.output and store.get(plan_id).revision == 1  # type: ignore[union-attr]


def test_the_signed_in_user_is_recorded_and_shown_in_exports(url: str, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDBOOK_USER", "officer-412")
    store = Store.open(url)  # as a job-aid kernel opens it
    protocol = default_library().protocol("scene-response")
    session, _note = ChecklistSession.start_or_resume(protocol, store, "scene-response", "26-1000")
    item = protocol.pause_points[0].items[0]
    value = item.value.choices[0].id if item.value.choices else "yes"
    reply = session.handle({"type": "answer", "item": item.id, "answer": {"value": value}})
    assert reply["type"] == "saved", reply
    assert {e["actor"] for e in store.audit_log(session.run_id)} == {"officer-412"}
    out = tmp_path / "run.html"
    done = runner.invoke(app, ["export", session.run_id, "--out", str(out), "--database", url,
                               "--user", "sgt-7"])
    assert done.exit_code == 0, done.output
    page = out.read_text(encoding="utf-8")
    assert "recorded by officer-412 · run" in page and " by sgt-7 · typed notes redacted" in page
    assert runner.invoke(app, ["verify-export", str(out)]).exit_code == 0
    assert store.audit_log(session.run_id)[-1]["actor"] == "sgt-7"


@pytest.mark.parametrize("bad", ["", "x" * 65, "tab\there"])
def test_an_unusable_handbook_user_is_refused_before_anything_is_recorded(url: str, bad: str,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDBOOK_USER", bad)
    with pytest.raises(StoreError, match=r"nothing can be recorded: \$HANDBOOK_USER"):
        Store.open(url)
    done = runner.invoke(app, ["purge", "--days", "30", "--database", url])
    assert done.exit_code == 2 and "$HANDBOOK_USER" in done.output
