"""`handbook training-summary LABEL`: a trainer's table of a session's scenario answers, no names."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.engine import ScenarioPlayer
from protocols.library.loader import Library, load_library
from protocols.records import Store

runner = CliRunner()
T0 = dt.datetime(2026, 11, 20, 7, 0, tzinfo=dt.UTC)
SCENARIO = "crisis-hotline-night"


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    url = f"sqlite:///{tmp_path}/records.sqlite3"
    monkeypatch.setenv("HANDBOOK_DATABASE_URL", url)
    return Store.open(url)


def save(store: Store, library: Library, label: str, scenario_id: str = SCENARIO, *, best: bool = True,
         group_hands: int | None = None) -> None:
    """One play-through to the end: the best option each time, or the first other one."""
    scenario = library.scenario(scenario_id)
    player = ScenarioPlayer.start(scenario, T0, group=group_hands is not None)
    while player.current_node is not None:
        node = player.current_node
        option = next(o for o in node.options if (o.rating.value == "correct") == best)
        hands = {option.id: group_hands} if group_hands else None
        player.choose(option.id, T0, hands=hands)
    state = player.state
    store.create("scenario-player", state.content_id, state.content_version, label, "completed",
                 state.model_dump_json())


def test_the_table(store: Store, library: Library) -> None:
    save(store, library, "roll-call-12")
    save(store, library, "roll-call-12", best=False, group_hands=9)
    save(store, library, "another-day", best=False)
    done = runner.invoke(app, ["training-summary", "roll-call-12"])
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert lines[0].startswith("Night robbery") and "(crisis-hotline-night, version" in lines[0]
    assert lines[1].startswith("2 play-throughs (1 roll-call group), 2 finished, mean score ")
    assert "Decision" in lines[3] and "People" in lines[3] and "Best" in lines[3]
    first = lines[4].split()
    assert first[0] == "1" and "10" in first and "10%" in first
    assert "one-calm-voice* 1" in lines[4] and "join-orders 9" in lines[4]
    assert "Teach again (fewest chose the best option):" in done.output
    assert "    - Did you agree with your partner who talks and who covers?" in done.output
    assert "roll-call-12" not in done.output


def test_json_and_one_scenario(store: Store, library: Library) -> None:
    save(store, library, "class-3")
    save(store, library, "class-3", "peer-support-after-dv")
    everything = runner.invoke(app, ["training-summary", "class-3", "--json"])
    assert everything.exit_code == 0, everything.output
    assert {s["scenario_id"] for s in json.loads(everything.stdout)} == {SCENARIO, "peer-support-after-dv"}
    one = runner.invoke(app, ["training-summary", "class-3", "--scenario", SCENARIO, "--json"])
    assert one.exit_code == 0, one.output
    (summary,) = json.loads(one.stdout)
    assert summary["play_throughs"] == 1 and summary["mean_score_percent"] == 100
    assert summary["skipped"] == [{"reason": "1 play-through of another scenario (`peer-support-after-dv`)",
                                   "count": 1}]
    assert summary["reteach"] == []
    assert "class-3" not in one.stdout
    table = runner.invoke(app, ["training-summary", "class-3", "--scenario", SCENARIO])
    assert "Not counted: 1 play-through of another scenario" in table.output
    assert "At every decision, most people chose the best option." in table.output


@pytest.mark.parametrize(("args", "message"), [
    (["no-such-label"], "no scenario play-throughs are saved under the session label `no-such-label`"),
    (["Jane Doe"], "Use only letters, digits, -, / and _ in the session label"),
    (["class-3", "--scenario", "no-such-scenario"], "there is no scenario `no-such-scenario`; use one of:"),
    (["class-3", "--scenario", "embedded-mental-health-team"],
     "no play-through of scenario `embedded-mental-health-team` is saved under the session label `class-3`"),
])
def test_clear_errors_without_a_traceback(store: Store, library: Library, args: list[str], message: str) -> None:
    save(store, library, "class-3")
    done = runner.invoke(app, ["training-summary", *args])
    assert done.exit_code == 2
    assert done.stderr.startswith("error: ") and message in done.stderr
    assert "Traceback" not in done.output
    assert done.exception is None or isinstance(done.exception, SystemExit)
