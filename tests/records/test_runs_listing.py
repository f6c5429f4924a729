"""``handbook runs``: every aid's runs under column headings, a case across aids, unknown aids refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from aid_runs import confidentiality, rights, scene_response, screening_and_follow_on
from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.library.loader import default_library
from protocols.records import Store

runner = CliRunner()
HEADINGS = ["Run id", "Job aid", "Case", "Status", "Version", "Last change"]


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("HANDBOOK_USER", raising=False)
    database = f"sqlite:///{tmp_path / 'records.sqlite3'}"
    store = Store.open(database)
    library = default_library()
    screening_and_follow_on(store, library, "26-0001")
    rights(store, library, "26-0001")
    scene_response(store, library, "26-0002")
    confidentiality(store, library, "26-0002")
    store.engine.dispose()
    return database


def listed(url: str, *args: str) -> tuple[int, list[str]]:
    done = runner.invoke(app, ["runs", *args, "--database", url], terminal_width=200)
    return done.exit_code, done.output.splitlines()


def test_runs_lists_every_aid_under_headings(url: str) -> None:
    code, lines = listed(url)
    assert code == 0, lines
    assert lines[0].split() == [word for heading in HEADINGS for word in heading.split()]
    column = lines[0].index("Job aid")  # each value starts under its heading
    assert all(line[column - 2:column] == "  " and line[column] != " " for line in lines[1:])
    aids = {line.split()[1] for line in lines[1:]}
    assert aids == {"screening", "screen-in-response", "rights-notification", "scene-response", "confidentiality"}


def test_case_finds_a_cases_runs_in_every_aid(url: str) -> None:
    code, lines = listed(url, "--case", "26-0001")
    assert code == 0 and lines[0].startswith("Run id")
    assert sorted(line.split()[1] for line in lines[1:]) == ["rights-notification", "screen-in-response",
                                                             "screening"]
    assert all(line.split()[2] == "26-0001" for line in lines[1:])
    code, lines = listed(url, "--case", "26-0002", "--aid", "confidentiality")
    assert code == 0 and [line.split()[1] for line in lines[1:]] == ["confidentiality"]


def test_an_unknown_aid_is_an_error_listing_the_aids(url: str) -> None:
    done = runner.invoke(app, ["runs", "--aid", "scene-respons", "--database", url])
    assert done.exit_code == 2, done.output
    assert "error: There is no job aid called 'scene-respons'. The job aids are: scene-response, screening," \
        in done.output
    assert "leave --aid out to list every aid" in done.output and "No saved runs" not in done.output


def test_no_runs_is_said_plainly(url: str) -> None:
    code, lines = listed(url, "--aid", "follow-up")
    assert code == 0 and lines == ["No saved runs for job aid follow-up."]
    code, lines = listed(url, "--case", "26-0404")
    assert code == 0 and lines == ["No saved runs for case 26-0404."]


def test_limit_says_when_there_are_more(url: str) -> None:
    code, lines = listed(url, "--limit", "2")
    assert code == 0 and len(lines) == 4 and lines[-1] == "(The newest 2 runs; give --limit N to see more.)"


def test_the_last_change_is_shown_in_the_local_time_zone(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite gives times back without their zone (they are UTC); the list shows local time."""
    import datetime as dt
    import time

    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        code, lines = listed(url)
        now_there = dt.datetime.now(dt.UTC).astimezone()
    finally:
        monkeypatch.undo()
        time.tzset()
    assert code == 0, lines
    shown = {line.split()[-2] + " " + line.split()[-1] for line in lines[1:] if line.strip()}
    for text in shown:
        when = dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=now_there.tzinfo)
        assert abs((now_there - when).total_seconds()) < 300, (text, now_there)
