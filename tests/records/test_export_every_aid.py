"""Every job aid's runs export to signed JSON and a printable page, alone or as one case file.

Runs are made through each aid's controller (as its page makes them), on SQLite and on a real
PostgreSQL server; each export is checked with ``handbook verify-export``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aid_runs import BELIEF_NOTE, CASE_AIDS, CHECK_IN_NOTE, every_aid
from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.library.loader import default_library
from protocols.records import Store

runner = CliRunner()
CASE = "26-0001"


@pytest.fixture
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own signing-key folder; no user signed in."""
    folder = tmp_path / "signing-keys"
    monkeypatch.setenv("HANDBOOK_SIGNING_KEYS", str(folder))
    monkeypatch.delenv("HANDBOOK_USER", raising=False)
    return folder


@pytest.fixture
def recorded(database_url: str, keys: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, dict[str, str]]]:
    """The database URL, and one run of every aid for :data:`CASE` recorded by officer-412."""
    monkeypatch.setenv("HANDBOOK_USER", "officer-412")
    store = Store.open(database_url)
    ids = every_aid(store, default_library(), CASE)
    every_aid(store, default_library(), "26-0002")  # another case: never in 26-0001's file
    monkeypatch.delenv("HANDBOOK_USER")
    yield database_url, ids
    store.engine.dispose()


def export(url: str, *args: str) -> Any:
    return runner.invoke(app, ["export", *args, "--database", url, "--user", "sgt-7"])


def verify(file: Path, *args: str) -> Any:
    return runner.invoke(app, ["verify-export", str(file), *args])


@pytest.mark.parametrize("aid", [*CASE_AIDS, "scenario-player"])
def test_each_aids_run_exports_to_json_and_html_that_verify(recorded: tuple[str, dict[str, str]], aid: str,
                                                            tmp_path: Path) -> None:
    url, ids = recorded
    as_json, as_html = tmp_path / f"{aid}.json", tmp_path / f"{aid}.html"
    done = export(url, ids[aid], "--out", str(as_json), "--out", str(as_html))
    assert done.exit_code == 0, done.output
    document = json.loads(as_json.read_text(encoding="utf-8"))
    payload = document["payload"]
    assert payload["schema"] == "crisis-handbook/export/3" and payload["exported_by"] == "sgt-7"
    [run] = payload["runs"]
    assert (run["run_id"], run["aid"], run["recorded_by"]) == (ids[aid], aid, "officer-412")
    assert run["sections"] and all(s["rows"] for s in run["sections"][:1]), run
    assert run["note"] is None, run["note"]  # read with its content, not shown as saved
    page = as_html.read_text(encoding="utf-8")
    assert "recorded by officer-412" in page and "by sgt-7" in page
    for file in (as_json, as_html):
        checked = verify(file)
        assert checked.exit_code == 0, checked.output
        assert checked.output.startswith(f"OK: {file} is unchanged since it was signed with the agency's current key")


def test_a_case_file_holds_every_case_run_of_that_case_in_every_aid(recorded: tuple[str, dict[str, str]],
                                                                    tmp_path: Path) -> None:
    url, ids = recorded
    as_json, as_html = tmp_path / "case.json", tmp_path / "case.html"
    done = export(url, "--case", CASE, "--out", str(as_json), "--out", str(as_html))
    assert done.exit_code == 0, done.output
    assert f"Exported case {CASE} ({len(CASE_AIDS)} runs)" in done.output
    payload = json.loads(as_json.read_text(encoding="utf-8"))["payload"]
    assert payload["scope"] == "case" and payload["case_number"] == CASE
    assert sorted(r["run_id"] for r in payload["runs"]) == sorted(ids[a] for a in CASE_AIDS)  # no training run
    assert {r["case_number"] for r in payload["runs"]} == {CASE}
    page = as_html.read_text(encoding="utf-8")
    assert page.count("<section><h2>") == len(CASE_AIDS)
    assert verify(as_json).exit_code == 0 and verify(as_html).exit_code == 0


def test_typed_text_is_redacted_unless_notes_are_asked_for(recorded: tuple[str, dict[str, str]],
                                                         tmp_path: Path) -> None:
    url, _ids = recorded
    plain, with_notes = tmp_path / "plain.html", tmp_path / "notes.json"
    assert export(url, "--case", CASE, "--out", str(plain)).exit_code == 0
    assert export(url, "--case", CASE, "--out", str(with_notes), "--include-notes").exit_code == 0
    page = plain.read_text(encoding="utf-8")
    assert BELIEF_NOTE not in page and CHECK_IN_NOTE not in page and "[redacted: free text" in page
    shown = with_notes.read_text(encoding="utf-8")
    assert BELIEF_NOTE in shown and CHECK_IN_NOTE in shown


def test_a_rights_run_with_two_notices_exports_both(recorded: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    url, ids = recorded
    out = tmp_path / "rights.json"
    assert export(url, ids["rights-notification"], "--out", str(out)).exit_code == 0
    [run] = json.loads(out.read_text(encoding="utf-8"))["payload"]["runs"]
    notices = [row["value"] for s in run["sections"] for row in s["rows"] if row["id"] == "notice"]
    assert [n.split(" version ")[0] for n in notices] == ["ca-marsy-en", "ca-marsy-es"]
    assert run["title"] == "Rights notices given (2)"


@pytest.mark.parametrize(("args", "says"), [
    ([], "Give either a run id or --case NUMBER"),
    (["{run}", "--case", CASE], "Give either a run id or --case NUMBER"),
    (["no-such-run", "--out", "{tmp}/x.json"], "There is no run 'no-such-run'. List the runs with handbook runs."),
    (["--case", "26-9999", "--out", "{tmp}/x.json"], "There are no saved runs for case '26-9999'."),
    (["{run}", "--out", "{tmp}/x.pdf"], "must end in .json or .html."),
])
def test_bad_export_requests_are_sentences_saying_how_to_fix_them(recorded: tuple[str, dict[str, str]],
                                                                  tmp_path: Path, args: list[str], says: str) -> None:
    url, ids = recorded
    filled = [a.replace("{run}", ids["screening"]).replace("{tmp}", str(tmp_path)) for a in args]
    done = export(url, *filled)
    assert done.exit_code != 0 and says in done.output, done.output
    message = done.output.split("error: ", 1)[1]
    assert message[0].isupper() and "`" not in message and "Traceback" not in done.output
    assert not list(tmp_path.glob("x.*"))
