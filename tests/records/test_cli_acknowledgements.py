"""`handbook acknowledgements`: the report as a table, CSV and JSON; bad input gets a clear message."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.library.loader import default_library
from protocols.records import Store
from protocols.records.acknowledgements import acknowledge, record_check
from protocols.records.content_changes import protocol_document

runner = CliRunner()


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A store where ofc-1 acknowledged the scene checklist (2 of 3 on the check); sgt-2 did nothing."""
    address = f"sqlite:///{tmp_path / 'records.sqlite3'}"
    store = Store.open(address, actor="sgt-2")
    document = protocol_document(default_library().protocol("scene-response"))
    now = dt.datetime.now(dt.UTC)
    acknowledge(store, "ofc-1", document, now)
    record_check(store, "ofc-1", document, 2, 3, now)
    store.record_event("export", None)
    store.engine.dispose()
    return address


def run(*args: str) -> tuple[int, str, str]:
    done = runner.invoke(app, ["acknowledgements", *args])
    return done.exit_code, done.stdout, done.stderr


def test_the_table_names_each_officer_and_document_with_its_state(url: str, tmp_path: Path) -> None:
    code, out, _ = run("--database", url, "--book", str(tmp_path))
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].split() == ["Officer", "Document", "Version", "State", "Acknowledged", "On", "Due", "Check"]
    scene = default_library().protocol("scene-response")
    mine = [line for line in lines if line.startswith("ofc-1") and scene.title in line]
    assert len(mine) == 1 and "acknowledged" in mine[0] and "2 of 3" in mine[0]
    assert any(line.startswith("sgt-2") and scene.title in line and "acknowledged" not in line for line in lines)
    documents = len(default_library().protocols) + len(default_library().rights)
    assert lines[-1].startswith("1 acknowledged, ") and f"(2 officers, {documents} documents)" in lines[-1]


def test_csv_and_json_carry_the_same_rows(url: str, tmp_path: Path) -> None:
    roster = tmp_path / "roster.txt"
    roster.write_text("# patrol\nofc-9\n=cmd\n", encoding="utf-8")
    code, out, _ = run("--database", url, "--format", "csv", "--roster", str(roster), "--book", str(tmp_path))
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["officer"] for r in rows} == {"ofc-1", "sgt-2", "ofc-9", "'=cmd"}, "a formula-like id is quoted"
    code, out, _ = run("--database", url, "--format", "json", "--roster", str(roster), "--book", str(tmp_path))
    data = json.loads(out)
    assert len(data) == len(rows)
    ack = [r for r in data if r["officer"] == "ofc-1" and r["state"] == "acknowledged"]
    assert len(ack) == 1 and ack[0]["check"] == "2 of 3" and ack[0]["document"] == "protocol:scene-response"


def test_only_overdue_and_one_officer(url: str, tmp_path: Path) -> None:
    code, out, _ = run("--database", url, "--format", "json", "--officer", "ofc-1", "--overdue", "--grace-days",
                       "0", "--as-of", "2099-01-01", "--book", str(tmp_path))
    assert code == 0
    data = json.loads(out)
    documents = len(default_library().protocols) + len(default_library().rights)
    assert len(data) == documents - 1, "all but the one acknowledged"
    assert {r["officer"] for r in data} == {"ofc-1"} and {r["state"] for r in data} == {"overdue"}
    code, out, _ = run("--database", url, "--format", "json", "--overdue", "--as-of", "2000-01-01", "--book",
                       str(tmp_path))
    assert json.loads(out) == [], "nothing is overdue before it was revised"
    code, _, err = run("--database", url, "--as-of", "yesterday")
    assert code == 2 and "Traceback" not in err


def test_bad_input_gets_a_clear_message_and_no_traceback(url: str, tmp_path: Path) -> None:
    code, _, err = run("--database", url, "--officer", "nobody")
    assert code == 2 and "no officer 'nobody' in the records or the roster" in err and "ofc-1" in err
    code, _, err = run("--database", url, "--roster", str(tmp_path / "missing.txt"))
    assert code == 2 and "cannot read the roster" in err
    code, _, err = run("--database", url, "--book", str(tmp_path / "nope"))
    assert code == 2 and "the book folder" in err
    code, _, err = run("--database", url, "--format", "xml")
    assert code == 2 and "Traceback" not in err
