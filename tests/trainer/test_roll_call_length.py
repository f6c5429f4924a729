"""Roll-call scenarios fit a 10-15 minute session, and `handbook validate` holds them to it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.library.loader import load_library
from protocols.models import ROLL_CALL_MINUTES

runner = CliRunner()


def test_every_shipped_scenario_is_marked_for_roll_call_and_fits() -> None:
    scenarios = load_library().scenarios.values()
    assert scenarios
    low, high = ROLL_CALL_MINUTES
    assert (low, high) == (10, 15)
    for scenario in scenarios:
        assert scenario.roll_call, scenario.id
        assert low <= scenario.minutes <= high, (scenario.id, scenario.minutes)


@pytest.mark.parametrize(("minutes", "ok"), [(9, False), (10, True), (15, True), (16, False), (20, False)])
def test_validate_refuses_a_roll_call_scenario_outside_10_to_15_minutes(
        content_copy: Path, minutes: int, ok: bool) -> None:
    file = content_copy / "scenarios" / "peer-support-after-dv.yaml"
    text = file.read_text(encoding="utf-8")
    assert "minutes: 15\nroll_call: true\n" in text
    file.write_text(text.replace("minutes: 15\n", f"minutes: {minutes}\n", 1), encoding="utf-8")
    done = runner.invoke(app, ["validate", "--content", str(content_copy)])
    if ok:
        assert done.exit_code == 0, done.output
        return
    assert done.exit_code == 1, done.output
    line = text.splitlines().index("minutes: 15") + 1
    assert (f"{file}:{line}: peer-support-after-dv.minutes: a roll-call scenario takes 10 to 15 "
            f"minutes; this one says {minutes}") in done.output
    assert "roll_call: false" in done.output and "Traceback" not in done.output


def test_a_scenario_not_marked_for_roll_call_may_be_longer(content_copy: Path) -> None:
    file = content_copy / "scenarios" / "peer-support-after-dv.yaml"
    text = file.read_text(encoding="utf-8").replace("minutes: 15\nroll_call: true\n", "minutes: 40\n", 1)
    file.write_text(text, encoding="utf-8")
    done = runner.invoke(app, ["validate", "--content", str(content_copy)])
    assert done.exit_code == 0, done.output
