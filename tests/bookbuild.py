"""Building the real handbook for a test: one command, the content copied so a test may edit it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from protocols import settings

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "src" / "protocols" / "content"
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")


def run_build(out: Path, content: Path) -> subprocess.CompletedProcess[str]:
    """``jupyter-book build`` of the project into ``out`` with ``content``; warnings are errors."""
    env = {**os.environ, settings.CONTENT.name: str(content), "PYTHONUNBUFFERED": "1"}
    env.pop(settings.DEBUG.name, None)
    return subprocess.run(
        [str(JUPYTER_BOOK), "build", str(ROOT), "-W", "-n", "--keep-going",
         "--path-output", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )


def fresh_build(base: Path) -> Path:
    """The handbook built into ``base`` from a copy of the content; its HTML folder."""
    content = base / "content"
    shutil.copytree(CONTENT, content)
    done = run_build(base / "out", content)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    return base / "out" / "_build" / "html"
