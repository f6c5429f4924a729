"""The content commands: validate passes on the shipped content; schema writes usable schemas."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.models import CONTENT_KINDS

runner = CliRunner()


def test_validate_passes_on_the_shipped_content() -> None:
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: the content is valid")


def test_schema_writes_one_json_schema_per_kind(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in tmp_path.glob("*.schema.json"))
    assert written == sorted(f"{kind}.schema.json" for kind in ["sources", *CONTENT_KINDS])
    protocol = json.loads((tmp_path / "protocols.schema.json").read_text(encoding="utf-8"))
    assert protocol["additionalProperties"] is False  # unknown keys are flagged by editors too
    assert {"id", "title", "pause_points", "version", "revised"} <= set(protocol["required"])


def test_readability_table_lists_every_passage() -> None:
    result = runner.invoke(app, ["readability"])
    assert result.exit_code == 0, result.output
    assert "scene-response · prompt" in result.output
    assert "Single texts of 10+ words above their level: 0" in result.output


def test_unknown_command_and_bad_flag_are_usage_errors_without_traceback() -> None:
    for args in (["nonsense"], ["validate", "--bogus"]):
        done = subprocess.run([sys.executable, "-m", "protocols.cli.app", *args], capture_output=True, text=True)
        assert done.returncode == 2
        assert "Traceback" not in done.stderr
