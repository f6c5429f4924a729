"""The trainer's summary names each decision apart and shows the letters the room saw."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.engine import ScenarioPlayer
from protocols.engine.training_summary import summarise
from protocols.library.loader import load_library
from protocols.models import OPTION_LETTERS
from protocols.ui.scenario_debrief import summary_html

runner = CliRunner()
T0 = dt.datetime(2026, 11, 20, 7, 0, tzinfo=dt.UTC)
LIBRARY = load_library()


def _group_play_through(scenario_id: str) -> object:
    """A roll-call group that raised 4 hands for the last option at every decision."""
    player = ScenarioPlayer.start(LIBRARY.scenario(scenario_id), T0, group=True)
    while player.current_node is not None:
        last = player.current_node.options[-1]
        player.choose(last.id, T0, hands={last.id: 4})
    return player.state


@pytest.mark.parametrize("scenario_id", sorted(LIBRARY.scenarios))
def test_every_decision_has_a_name_of_its_own(scenario_id: str) -> None:
    summary = summarise(LIBRARY.scenario(scenario_id), [_group_play_through(scenario_id)])
    names = [n.name.casefold() for n in summary.nodes]
    assert len(names) == len(set(names)), names


def test_the_table_shows_the_letters_the_room_saw(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from protocols.records import Store

    url = f"sqlite:///{tmp_path}/records.sqlite3"
    monkeypatch.setenv("HANDBOOK_DATABASE_URL", url)
    state = _group_play_through("crisis-hotline-night")
    Store.open(url).create("scenario-player", state.content_id, state.content_version,  # type: ignore[attr-defined]
                           "roll-call-1", "completed", state.model_dump_json())  # type: ignore[attr-defined]
    done = runner.invoke(app, ["training-summary", "roll-call-1"])
    assert done.exit_code == 0, done.output
    rows = [line for line in done.output.splitlines() if line[:3].strip().isdigit() and line.startswith(" ")]
    scenario = LIBRARY.scenario("crisis-hotline-night")
    first = scenario.node(scenario.start)
    assert first.title is not None and first.title in rows[0]
    options = first.options
    assert f"A {options[0].id}* 0" in rows[0] and f"{OPTION_LETTERS[len(options) - 1]} {options[-1].id} 4" in rows[0]
    assert "Decision 1 (Calming him at the roadside)" in done.output


def test_the_aid_summary_names_decisions_and_letters_too() -> None:
    summary = summarise(LIBRARY.scenario("crisis-hotline-night"), [_group_play_through("crisis-hotline-night")])
    page = summary_html(summary)
    assert "1. Calming him at the roadside" in page and "3. A safe place for tonight" in page
    assert '<span class="hb-letter">C</span> <strong>4</strong>' in page


def test_two_decisions_with_one_name_are_refused_with_where_and_how(content_copy: Path) -> None:
    file = content_copy / "scenarios" / "crisis-hotline-night.yaml"
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    data["nodes"][2]["title"] = data["nodes"][0]["title"].upper()
    file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    check = runner.invoke(app, ["validate", "--content", str(content_copy), "--no-reading-level"])
    assert check.exit_code == 1
    assert "decisions 1 and 3 are both called" in check.output
    assert "crisis-hotline-night.nodes[2].title" in check.output
    assert "give decision 3 a short `title:` of its own" in check.output
    assert "the handbook still builds and serves this content" in check.output


def test_content_with_two_decisions_of_one_name_still_loads_and_the_summary_tells_them_apart(
        content_copy: Path) -> None:
    """An agency scenario written before titles existed keeps working; only validate asks for them."""
    file = content_copy / "scenarios" / "crisis-hotline-night.yaml"
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    for node in data["nodes"]:
        node.pop("title", None)
    file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    scenario = load_library(content_copy).scenario("crisis-hotline-night")
    player = ScenarioPlayer.start(scenario, T0, group=True)
    while player.current_node is not None:
        last = player.current_node.options[-1]
        player.choose(last.id, T0, hands={last.id: 4})
    names = [n.name for n in summarise(scenario, [player.state]).nodes]
    assert names[0] == "What do you do? (decision 1)" and names[2] == "What do you do? (decision 3)"
    assert names[1] == "How do you handle language?"
