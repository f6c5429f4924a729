"""Mistakes in an agency's overlay files: each message names the kind `handbook schema --show` knows, and where."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from protocols.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def test_a_missing_field_in_a_change_file_points_to_schema_show_change(tmp_path: Path) -> None:
    river = tmp_path / "river-city"
    shutil.copytree(ROOT / "agencies" / "river-city", river)
    change = river / "overlay" / "changes" / "scene-response.yaml"
    change.write_text(change.read_text(encoding="utf-8").replace("\nwhy:", "\nwhyy:", 1), encoding="utf-8")
    done = runner.invoke(app, ["validate", "--agency", str(river / "agency.yaml"), "--no-reading-level"])
    assert done.exit_code == 1
    assert "the field `why` is required but missing" in done.output
    assert "(`handbook schema --show change` lists every field)" in done.output
    assert "KIND" not in done.output
    shown = runner.invoke(app, ["schema", "--show", "change"])
    assert shown.exit_code == 0 and "why: required" in shown.output


def test_two_overlay_files_with_one_id_name_the_first_with_its_line(tmp_path: Path) -> None:
    river = tmp_path / "river-city"
    shutil.copytree(ROOT / "agencies" / "river-city", river)
    added = river / "overlay" / "protocols" / "river-city-welfare-check.yaml"
    shutil.copy(added, added.with_suffix(".yml"))
    done = runner.invoke(app, ["validate", "--agency", str(river / "agency.yaml"), "--no-reading-level"])
    assert done.exit_code == 1
    assert f"is already used by {added}:1 (first used there)" in done.output
