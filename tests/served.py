"""`handbook serve` for a test module: a free loopback port, its own records database, stopped at the
end; and the tests' Chromium to open its pages (:func:`browser.launched_chromium`)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from browser import launched_chromium as launched_chromium  # the job-aid tests' one import

ROOT = Path(__file__).resolve().parents[1]
HANDBOOK = Path(sys.executable).with_name("handbook")
PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 900}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    base: str
    database_url: str
    log: Path
    process: subprocess.Popen[bytes]


@contextlib.contextmanager
def handbook_serve(folder: Path, *args: str) -> Iterator[Served]:
    """Run `handbook serve` from the project folder until the block ends (and its kernels with it)."""
    port = free_port()
    database_url = f"sqlite:///{folder}/records.sqlite3"
    env = {**os.environ, "HANDBOOK_DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
    env.pop("HANDBOOK_DEBUG", None)
    log = folder / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([str(HANDBOOK), "serve", "--port", str(port), *args], cwd=ROOT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    with supervised(process, port, log):
        yield Served(f"http://127.0.0.1:{port}", database_url, log, process)


@contextlib.contextmanager
def supervised(process: subprocess.Popen[bytes], port: int, log: Path) -> Iterator[None]:
    """Wait for a just-started server to open ``port``, run the block, then :func:`stop_cleanly` it.

    A server that never opened its port is :func:`abandon`-ed instead of stopped, so the start
    error from :func:`wait_for_port` is the only one the test reports.
    """
    try:
        wait_for_port(port, process, log)
    except BaseException:
        abandon(process)
        raise
    try:
        yield
    finally:
        stop_cleanly(process, log)


def abandon(process: subprocess.Popen[bytes]) -> None:
    """A server that never opened its port: killed with its process group, and no verdict on how it
    stopped, so the start error (its exit code and log) is the one the test reports."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path, seconds: float = 90) -> None:
    """Return once the server accepts connections on ``port``; fail the test if it exits first
    (with its exit code) or has not opened the port within ``seconds`` -- either way with the
    tail of its log (stdout and stderr), where the reason is."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            pytest.fail(f"handbook serve exited {process.returncode} before it opened port {port}:\n{_tail(log)}")
        if _accepts(port):
            return
        if time.monotonic() > deadline:
            pytest.fail(f"handbook serve did not open port {port} within {seconds:g} s:\n{_tail(log)}")
        time.sleep(0.1)


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """kill -9 a server and everything it started (fork server, kernels); return once all are gone."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _group_alive(process.pid):
        time.sleep(0.1)


def _group_alive(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    return True


def stop_cleanly(process: subprocess.Popen[bytes], log: Path) -> None:
    """Stop the server as a service manager would (SIGTERM) and fail the test if it does not go cleanly.

    A clean stop exits 0 within 20 s and leaves nothing behind in its process group (kernels, the
    fork server). Whatever is left is killed, so one bad stop never leaks into the next test.
    """
    process.send_signal(signal.SIGTERM)
    problem = None
    try:
        code = process.wait(timeout=20)
        if code != 0:
            problem = f"handbook serve exited {code} on SIGTERM"
    except subprocess.TimeoutExpired:
        problem = "handbook serve was still running 20 s after SIGTERM"
        process.kill()
        process.wait(timeout=10)
    deadline = time.monotonic() + 5
    while _group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _group_alive(process.pid):
        problem = problem or "processes of handbook serve (kernels, fork server) outlived it"
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    if problem:
        pytest.fail(f"{problem}:\n{_tail(log)}")


@dataclass
class Watch:
    """Every request and console error one browser page made (attach to its events)."""

    base: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def off_machine(self) -> list[str]:
        """Requests to any host but the server's own: the handbook must work offline."""
        local = (self.base, self.base.replace("http://", "ws://"), "data:", "blob:", "about:")
        return [url for url in self.requests if not url.startswith(local)]
