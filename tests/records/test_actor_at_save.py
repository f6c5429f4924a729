"""Who recorded a run is the user at the time of each save, in the job aids and on the command line.

A job-aid kernel may open its store before it is told who is signed in (a warm or preheated
kernel); the audit log and the export must still name that user, not the no-sign-in default.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aid_runs import follow_up, scene_response
from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.library.loader import default_library
from protocols.records import Store, StoreError
from protocols.ui.screening_aid import ScreeningController

runner = CliRunner()


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("HANDBOOK_USER", raising=False)
    monkeypatch.setenv("HANDBOOK_SIGNING_KEYS", str(tmp_path / "keys"))
    return f"sqlite:///{tmp_path / 'records.sqlite3'}"


def exported(url: str, run_id: str, out: Path, *args: str) -> dict[str, Any]:
    done = runner.invoke(app, ["export", run_id, "--out", str(out), "--database", url, *args])
    assert done.exit_code == 0, done.output
    payload: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))["payload"]
    return payload


def test_a_job_aid_store_opened_before_the_user_is_known_records_the_user(
        url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(url)  # the kernel opens its store; the signed-in user is set after
    library = default_library()
    monkeypatch.setenv("HANDBOOK_USER", "officer-412")
    screening = ScreeningController(library.instrument("sample-danger-screen"), library, store)
    screening.start("26-0001")
    assert screening.answer(1, "yes").saved
    assert screening.session is not None
    run_id = screening.session.run_id
    assert {e["actor"] for e in store.audit_log(run_id)} == {"officer-412"}
    monkeypatch.setenv("HANDBOOK_USER", "officer-7")  # a second officer takes over the same page
    assert screening.answer(2, "no").saved
    payload = exported(url, run_id, tmp_path / "run.json", "--user", "sgt-7")
    [run] = payload["runs"]
    assert run["recorded_by"] == "officer-412, officer-7" and payload["exported_by"] == "sgt-7"


def test_without_a_signed_in_user_the_export_says_so(url: str, tmp_path: Path) -> None:
    store = Store.open(url)
    run_id = scene_response(store, default_library(), "26-0001")
    payload = exported(url, run_id, tmp_path / "run.json", "--user", "sgt-7")
    [run] = payload["runs"]
    assert run["recorded_by"] == "job aid (no user sign-in configured)"


def test_an_unusable_user_set_after_opening_saves_nothing(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(url)
    monkeypatch.setenv("HANDBOOK_USER", "tab\there")
    with pytest.raises(StoreError, match=r"nothing can be recorded: \$HANDBOOK_USER holds a control character"):
        scene_response(store, default_library(), "26-0001")
    assert store.list_runs() == [] and store.audit_log() == []


def test_the_command_line_records_handbook_user_in_every_change_and_export(
        url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(url)
    plan_id = follow_up(store, default_library(), "26-0001")
    monkeypatch.setenv("HANDBOOK_USER", "sgt-9")
    check_in = default_library().template("standard-follow-up").check_ins[1].id
    done = runner.invoke(app, ["followups", "record", plan_id, check_in, "not-reached", "--database", url])
    assert done.exit_code == 0 and "by sgt-9" in done.output, done.output
    payload = exported(url, plan_id, tmp_path / "plan.json")
    [run] = payload["runs"]
    assert payload["exported_by"] == "sgt-9"
    assert run["recorded_by"] == "job aid (no user sign-in configured), sgt-9"
    assert [e["actor"] for e in store.audit_log(plan_id) if e["action"] == "export"] == ["sgt-9"]
