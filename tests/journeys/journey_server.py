"""The journey tests' server: `handbook serve` as a supervisor runs it, with every path its own.

Its own scratch SQLite database, its own signing-key folder, a private copy of the shipped
content (others may edit the real one while the tests run) and ``HANDBOOK_USER`` set, so every
save is recorded as :data:`SUPERVISOR`. The ``handbook`` command runs with the same environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from protocols.library.loader import DEFAULT_CONTENT
from served import HANDBOOK, free_port, supervised

ROOT = Path(__file__).resolve().parents[2]
SUPERVISOR = "sgt-journey"
"""Who started the server; every save and every export names them."""


@dataclass(frozen=True)
class JourneyServer:
    base: str
    database_url: str
    env: dict[str, str]
    """The server's environment: the CLI runs with the same one."""
    folder: Path
    log: Path


Handbook = Callable[..., subprocess.CompletedProcess[str]]
"""``handbook(*args)``: the command's result (exit code, stdout, stderr)."""


@contextmanager
def journey_serve(folder: Path) -> Iterator[JourneyServer]:
    """``handbook serve`` on a free loopback port from the project folder, until the block ends.

    Stopped as a service manager would, and failed if it does not stop cleanly (``served``).
    """
    content = folder / "content"
    shutil.copytree(DEFAULT_CONTENT, content)
    database_url = f"sqlite:///{folder}/records.sqlite3"
    env = {key: value for key, value in os.environ.items() if not key.startswith("HANDBOOK_")}
    env.update(HANDBOOK_DATABASE_URL=database_url, HANDBOOK_SIGNING_KEYS=str(folder / "signing-keys"),
               HANDBOOK_CONTENT=str(content), HANDBOOK_USER=SUPERVISOR, PYTHONUNBUFFERED="1")
    port = free_port()
    log = folder / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([str(HANDBOOK), "serve", "--port", str(port)], cwd=ROOT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    with supervised(process, port, log):
        yield JourneyServer(f"http://127.0.0.1:{port}", database_url, env, folder, log)


def command(server: JourneyServer) -> Handbook:
    """The ``handbook`` command with the server's environment, run in the server's scratch folder."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(HANDBOOK), *args], cwd=server.folder, env=server.env,
                              capture_output=True, text=True, timeout=120, check=False)

    return run
