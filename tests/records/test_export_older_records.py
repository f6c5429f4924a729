"""Records made under content this handbook has changed or removed still export, and say so."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aid_runs import scene_response
from sqlalchemy import update
from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.library.loader import default_library
from protocols.records import Store
from protocols.records.store import runs

runner = CliRunner()


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("HANDBOOK_SIGNING_KEYS", str(tmp_path / "keys"))
    monkeypatch.delenv("HANDBOOK_USER", raising=False)
    return Store.open(f"sqlite:///{tmp_path / 'records.sqlite3'}")


def rewrite(store: Store, run_id: str, change: Any, **columns: str) -> None:
    """Change a saved run in place, as an older handbook would have saved it."""
    record = store.get(run_id)
    assert record is not None
    state = json.loads(record.state)
    change(state)
    with store.engine.begin() as conn:
        conn.execute(update(runs).where(runs.c.id == run_id).values(state=json.dumps(state), **columns))


def exported_run(store: Store, run_id: str, tmp_path: Path) -> dict[str, Any]:
    out = tmp_path / "run.json"
    url = store.engine.url.render_as_string(hide_password=False)
    done = runner.invoke(app, ["export", run_id, "--out", str(out), "--database", url, "--user", "sgt-7"])
    assert done.exit_code == 0, done.output
    assert runner.invoke(app, ["verify-export", str(out)]).exit_code == 0
    run: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))["payload"]["runs"][0]
    return run


def test_a_checklist_from_an_older_version_keeps_answers_to_items_since_removed(store: Store,
                                                                              tmp_path: Path) -> None:
    run_id = scene_response(store, default_library(), "26-0001")

    def older(state: dict[str, Any]) -> None:
        state["content_version"] = "0.9"
        gone = dict(state["answers"][0], item_id="retired-item", value="yes")
        state["answers"].append(gone)

    rewrite(store, run_id, older, content_version="0.9")
    run = exported_run(store, run_id, tmp_path)
    assert run["content"]["version"] == "0.9" and run["note"].startswith("Made under version 0.9")
    [removed] = [s for s in run["sections"] if s["title"].startswith("Answers to items version")]
    assert [(r["id"], r["value"]) for r in removed["rows"]] == [("retired-item", "[redacted: free text; export "
                                                                               "with --include-notes to show]")]
    history = [s for s in run["sections"] if s["title"] == "Run history"]
    assert all(r["label"] != "Upgraded" for s in history for r in s["rows"])  # reading it changed nothing


def test_a_run_whose_content_was_removed_is_exported_as_saved(store: Store, tmp_path: Path) -> None:
    run_id = scene_response(store, default_library(), "26-0001")
    rewrite(store, run_id, lambda state: state.update(content_id="retired-protocol"), content_id="retired-protocol")
    run = exported_run(store, run_id, tmp_path)
    assert "no longer has its content (retired-protocol)" in run["note"]
    assert run["sections"][0]["title"] == "Saved record"
    assert "[redacted: free text" in json.dumps(run)


def test_a_rights_run_saved_with_one_notice_at_its_top_level_exports(store: Store, tmp_path: Path) -> None:
    """Rights runs saved before a run could hold several notices kept one notice's fields at the top."""
    from aid_runs import rights

    run_id = rights(store, default_library(), "26-0001")

    def one_notice(state: dict[str, Any]) -> None:
        first = state.pop("deliveries")[0]
        for gone in ("notice_id", "notice_version", "title"):
            first.pop(gone)
        state.update(first)

    rewrite(store, run_id, one_notice)
    run = exported_run(store, run_id, tmp_path)
    assert [s["title"] for s in run["sections"]] == ["Notice 1: Your Marsy's Law rights in plain words: a guide to "
                                                     "the official card"]
    assert run["sections"][0]["rows"][0]["value"].startswith("ca-marsy-en version ")
    assert run["note"] is None
