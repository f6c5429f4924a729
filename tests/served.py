"""`handbook serve` for a test module: a free loopback port, its own records database, stopped at the end."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HANDBOOK = Path(sys.executable).with_name("handbook")


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
    deadline = time.monotonic() + 90
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"handbook serve stopped early:\n{log.read_text(errors='replace')[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"handbook serve did not open port {port}:\n{log.read_text()[-3000:]}")
                time.sleep(0.3)
        yield Served(f"http://127.0.0.1:{port}", database_url, log, process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):  # kernels it started and did not stop, if any
            os.killpg(process.pid, signal.SIGKILL)
