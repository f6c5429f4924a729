"""scripts/audit.sh says clearly when it cannot check, and never fails a build for being offline.

The real (online) audit is not run here: tests must pass with no network. Here
every request it makes goes to a closed port on this machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "audit.sh"
DEAD = "http://127.0.0.1:9"


def _run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    return subprocess.run(["bash", str(SCRIPT)], env={**base, **env}, capture_output=True, text=True,
                          timeout=120, check=False)


def test_offline_it_says_so_and_exits_zero() -> None:
    try:
        import pip_audit  # noqa: F401
    except ImportError:
        pytest.skip("pip-audit is not installed (SECURITY.md: pip install 'pip-audit>=2.7')")
    done = _run({"HTTPS_PROXY": DEAD, "HTTP_PROXY": DEAD, "https_proxy": DEAD, "http_proxy": DEAD,
                 "AUDIT_TIMEOUT": "5", "AUDIT_PYTHON": sys.executable})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OFFLINE" in done.stdout and "nothing was checked" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_without_pip_audit_it_says_how_to_install_it(tmp_path: Path) -> None:
    python = tmp_path / "python"
    python.write_text("#!/bin/sh\nif [ \"$1\" = -m ]; then exit 1; fi\necho /nowhere\n", encoding="utf-8")
    python.chmod(0o755)
    done = _run({"AUDIT_PYTHON": str(python)})
    assert done.returncode == 0
    assert "not installed" in done.stdout and "pip install" in done.stdout and "skipped" in done.stdout
