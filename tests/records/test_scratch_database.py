"""A pytest run (notebooks included) never opens the user's own records database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("database_probe.py")


def _child_run(tmp_path: Path) -> tuple[str, Path]:
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("HANDBOOK_DATABASE_URL", "XDG_DATA_HOME")}
    env.update(HOME=str(home), PROBE_OUT=str(tmp_path / "url.txt"))
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(PROBE)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return (tmp_path / "url.txt").read_text(encoding="utf-8"), home


def test_a_test_run_uses_a_scratch_database_not_the_users(tmp_path: Path) -> None:
    url, home = _child_run(tmp_path)
    assert url.startswith("sqlite:///") and str(home) not in url
    assert not (home / ".local" / "share" / "crisis-handbook").exists()
    assert not Path(url.removeprefix("sqlite:///")).parent.exists(), "the scratch folder is removed after"

