"""Building the real handbook for a test: one command, the content copied so a test may edit it.

A full build takes a CPU for 15-25 s, so the whole test run shares one (:func:`shared_build`):
the first test that needs the book builds it, under a lock, and every other test, in any worker,
reads it or copies it.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

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


@dataclass(frozen=True)
class SharedBuild:
    """The run's one build of the handbook: its output folder, content copy and what it printed."""

    folder: Path
    returncode: int
    log: str
    seconds: float

    @property
    def out(self) -> Path:
        return self.folder / "out"

    @property
    def content(self) -> Path:
        return self.folder / "content"

    @property
    def html(self) -> Path:
        """The built site; read it, never change it (other tests share it): copy it first."""
        assert self.returncode == 0, self.log[-4000:]
        return self.out / "_build" / "html"


def _shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's folder, above each worker's own
    return base / "shared-book"


def seed_execution_cache(tmp_path_factory: pytest.TempPathFactory, html: Path) -> bool:
    """Give a build into ``html`` the shared build's notebook cache, if that build is done.

    jupyter-cache keys each notebook by its code, and the book tags each checklist cell with a
    hash of its protocol's YAML, so a notebook runs again exactly when its content changed:
    with or without the seed, a build shows the same pages; with it, one whose content matches
    does not start two kernels. Never waits: a build still running is simply not used.
    """
    folder = _shared_folder(tmp_path_factory)
    cache = folder / "out" / "_build" / ".jupyter_cache"
    target = html.parent / ".jupyter_cache"
    if not (folder / ".lock").is_file() or target.exists():
        return False
    with (folder / ".lock").open("r") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # the shared build is running
        result = folder / "result.json"
        if not result.is_file() or json.loads(result.read_text(encoding="utf-8"))["returncode"] != 0:
            return False
        if not cache.is_dir():
            return False
        shutil.copytree(cache, target)
        return True


def shared_build(tmp_path_factory: pytest.TempPathFactory) -> SharedBuild:
    """The handbook built once per test run, shared by every worker (``-n 2``)."""
    folder = _shared_folder(tmp_path_factory)
    folder.mkdir(exist_ok=True)
    with (folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        result = folder / "result.json"
        if not result.is_file():
            shutil.rmtree(folder / "content", ignore_errors=True)
            shutil.rmtree(folder / "out", ignore_errors=True)
            shutil.copytree(CONTENT, folder / "content")
            started = time.monotonic()
            done = run_build(folder / "out", folder / "content")
            result.write_text(json.dumps({"returncode": done.returncode, "log": done.stdout + done.stderr,
                                          "seconds": time.monotonic() - started}), encoding="utf-8")
        data = json.loads(result.read_text(encoding="utf-8"))
    return SharedBuild(folder, data["returncode"], data["log"], data["seconds"])
