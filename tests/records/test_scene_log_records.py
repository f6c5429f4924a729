"""The scene log in the records store and in signed exports; exports in the format before it still verify."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from aid_runs import every_aid, screening_and_follow_on
from sqlalchemy import create_engine, inspect, text
from test_migrations import make_v1
from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.engine import ChecklistRun
from protocols.engine.scene_log import scene_log
from protocols.library.loader import default_library
from protocols.records import Store
from protocols.records.case_timeline import case_timeline
from protocols.records.export import render_html
from protocols.records.export_format import canonical, digest_of
from protocols.records.signing import KeyFolder

runner = CliRunner()
T = dt.datetime(2026, 3, 1, 21, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
OK, ALTERED, FORGED = 0, 3, 4


def columns(url: str, table: str) -> list[tuple[str, bool]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = [(str(c["name"]), bool(c["nullable"])) for c in inspect(conn).get_columns(table)]
    engine.dispose()
    return found


def test_an_older_database_gets_the_scene_log_and_acknowledgement_tables(database_url: str, tmp_path: Path) -> None:
    make_v1(database_url)
    Store.open(database_url).engine.dispose()
    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    Store.open(fresh).engine.dispose()
    for table in ("scene_events", "acknowledgements"):
        assert columns(database_url, table) == columns(fresh, table), table


def checklist_run(minutes: int = 3) -> ChecklistRun:
    protocol = default_library().protocol("scene-response")
    run = ChecklistRun.start(protocol, "C-9", T)
    for n, item in enumerate(list(protocol.items())[:minutes]):
        run.answer(item.id, item.value.choices[0].id if item.value.choices else "yes", T + dt.timedelta(minutes=n + 1))
    return run


def test_a_save_keeps_the_runs_scene_log_and_a_purge_deletes_it(store: Store) -> None:
    run = checklist_run(1)
    record = store.create("scene-response", run.state.content_id, run.state.content_version, "C-9", "in-progress",
                          run.state.model_dump_json(), scene_log=scene_log(run))
    assert [e.kind for e in store.scene_logs([record.id])[record.id]] == [e.kind for e in scene_log(run)]
    run = checklist_run(3)
    store.save(record.id, 1, "completed", run.state.model_dump_json(), scene_log=scene_log(run))
    stored = store.scene_logs([record.id])[record.id]
    assert [(e.at, e.kind, e.ref, e.label) for e in stored] == [(e.at, e.kind, e.ref, e.label) for e in scene_log(run)]
    assert stored[0].at.utcoffset() is not None, "times come back with their zone"
    store.save(record.id, 2, "completed", run.state.model_dump_json())  # no log given: the saved one stays
    assert len(store.scene_logs([record.id])[record.id]) == len(stored)
    assert store.purge(1, now=dt.datetime.now(dt.UTC) + dt.timedelta(days=3)) == [record.id]
    assert store.scene_logs([record.id]) == {}
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM scene_events")).scalar() == 0


def test_every_aid_saves_its_scene_log_as_it_goes(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'records.sqlite3'}", actor="officer-1")
    ids = every_aid(store, default_library(), "26-0003")
    logs = store.scene_logs(list(ids.values()))
    assert set(logs) == set(ids.values()), "each aid's run has a saved log"
    kinds = {aid: [e.kind for e in logs[run_id]] for aid, run_id in ids.items()}
    assert "critical-answered" in kinds["scene-response"] and "pause-point-started" in kinds["scene-response"]
    assert "screened-in" in kinds["screening"]
    assert "notice-given" in kinds["rights-notification"]
    assert all(k[0] in ("started", "notice-given") for k in kinds.values())
    store.engine.dispose()


@pytest.fixture
def exported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("HANDBOOK_SIGNING_KEYS", str(tmp_path / "keys"))
    url = f"sqlite:///{tmp_path / 'records.sqlite3'}"
    store = Store.open(url, actor="officer-1")
    screening, follow_on = screening_and_follow_on(store, default_library(), "26-0004")
    out_json, out_html = tmp_path / "case.json", tmp_path / "case.html"
    done = runner.invoke(app, ["export", "--case", "26-0004", "--out", str(out_json), "--out", str(out_html),
                               "--database", url, "--user", "sgt-7"])
    assert done.exit_code == 0, done.output
    store.engine.dispose()
    return {"json": out_json, "html": out_html, "screening": screening, "follow_on": follow_on, "tmp": tmp_path}


def test_the_export_carries_each_runs_scene_log_under_its_signature(exported: dict[str, Any]) -> None:
    document = json.loads(exported["json"].read_text(encoding="utf-8"))
    assert document["payload"]["schema"] == "crisis-handbook/export/3"
    runs = {r["run_id"]: r for r in document["payload"]["runs"]}
    screening_log = runs[exported["screening"]]["scene_log"]
    assert [line["kind"] for line in screening_log] == ["started", "finished", "screened-in"]
    assert screening_log[-1]["label"].endswith("on the officer's belief")
    assert runs[exported["follow_on"]]["scene_log"][0]["kind"] == "started"
    page = exported["html"].read_text(encoding="utf-8")
    assert "<h3>Scene log</h3>" in page and "Screened in: " in page
    for file in (exported["json"], exported["html"]):
        checked = runner.invoke(app, ["verify-export", str(file)])
        assert checked.exit_code == OK, checked.output
    # a scene-log time moved, with the digest made again, no longer matches the signature
    screening_log[-1]["at"] = "2026-01-01T00:00:00+00:00"
    document["integrity"]["digest"] = digest_of(document["payload"])
    moved = exported["tmp"] / "moved.json"
    moved.write_text(json.dumps(document), encoding="utf-8")
    checked = runner.invoke(app, ["verify-export", str(moved)])
    assert checked.exit_code == FORGED, checked.output


def test_an_export_made_before_scene_logs_still_verifies(exported: dict[str, Any]) -> None:
    """A format 2 document (no scene logs), signed and drawn as that release did, still verifies."""
    document = json.loads(exported["json"].read_text(encoding="utf-8"))
    payload = document["payload"]
    payload["schema"] = "crisis-handbook/export/2"
    for run in payload["runs"]:
        del run["scene_log"]
    older = {"payload": payload, "integrity": {"algorithm": "sha256", "digest": digest_of(payload)},
             "signature": KeyFolder.default().sign(canonical(payload))}
    as_json, as_html = exported["tmp"] / "v2.json", exported["tmp"] / "v2.html"
    as_json.write_text(json.dumps(older), encoding="utf-8")
    page = render_html(older)
    assert "Scene log" not in page, "a format 2 page draws as it did"
    as_html.write_text(page, encoding="utf-8")
    for file in (as_json, as_html):
        checked = runner.invoke(app, ["verify-export", str(file)])
        assert checked.exit_code == OK, checked.output
    as_html.write_text(page.replace("Case file for case", "Case file for kase", 1), encoding="utf-8")
    assert runner.invoke(app, ["verify-export", str(as_html)]).exit_code == ALTERED


def test_the_supervisor_review_lays_a_cases_logs_in_one_timeline(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'records.sqlite3'}", actor="officer-1")
    ids = every_aid(store, default_library(), "26-0005")
    every_aid(store, default_library(), "26-0006")
    older = store.create("scene-response", "scene-response", "1.0", "26-0005", "in-progress", "{}")  # no log
    found = case_timeline(store, "26-0005")
    assert {line.aid for line in found.lines} == set(ids), "every aid's steps, and only this case's"
    times = [line.event.at for line in found.lines]
    assert times == sorted(times)
    assert [r.id for r in found.without_log] == [older.id], "a run with no stored log is named, not hidden"
    assert case_timeline(store, "26-9999").lines == []
    store.engine.dispose()
