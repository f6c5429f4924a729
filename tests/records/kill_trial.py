"""One kill-and-resume trial: answer in Chromium, kill -9 the server, restart, check every answer.

Shared by the test suite (a few trials) and benchmarks/kill_resume.py (many).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HANDBOOK = Path(sys.executable).parent / "handbook"


@dataclass
class TrialResult:
    confirmed: int
    recovered: int
    missing: list[str]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db_url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HANDBOOK_DATABASE_URL": db_url}
    proc = subprocess.Popen([str(HANDBOOK), "serve", "--port", str(port), "--no-preheat"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    end = time.monotonic() + 60
    while time.monotonic() < end:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return proc
        time.sleep(0.1)
    kill(proc)
    raise RuntimeError("the server did not start")


def kill(proc: subprocess.Popen[bytes]) -> None:
    """kill -9 the server and every kernel it started."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=20)


def open_case(page: Any, base: str, case: str) -> None:
    page.goto(f"{base}/voila/render/scene-response.ipynb")
    page.get_by_label("Case or incident number").fill(case)
    page.get_by_role("button", name="Start or resume").click()
    page.locator(".hb-checklist").wait_for(timeout=60_000)


def run_trial(browser: Any, db_url: str, case: str, answers: int = 4) -> TrialResult:
    """Answer ``answers`` items, kill the server without warning, restart, count what survived."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(db_url, port)
    confirmed: dict[str, str] = {}
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        open_case(page, base, case)
        items = page.locator(".hb-item")
        for index in range(answers):
            item = items.nth(index)
            option = item.locator(".hb-option[data-value]").first
            option.click()
            status = item.locator(".hb-status")
            status.filter(has_text="saved").wait_for(timeout=30_000)
            confirmed[item.get_attribute("id") or str(index)] = status.inner_text()
        # One more click whose confirmation we do not wait for: it may or may not survive.
        items.nth(answers).locator(".hb-option[data-value]").first.click()
        page.close()
    finally:
        kill(proc)
    proc = start_server(db_url, port)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        open_case(page, base, case)
        recovered = 0
        missing = []
        for dom_id, shown in confirmed.items():
            status = page.locator(f"[id='{dom_id}'] .hb-status").inner_text()
            if "saved" in status and status.split(" · ")[0] == shown.split(" · ")[0]:
                recovered += 1
            else:
                missing.append(dom_id)
        page.close()
    finally:
        kill(proc)
    return TrialResult(len(confirmed), recovered, missing)
