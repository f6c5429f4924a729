"""``/healthz``: a replica is ready when its content is loaded and the records store answers.

A replica whose PostgreSQL goes out of reach (the test cuts a relay between them) stops being
ready, says why in its log once, stays live, and is ready again when the database comes back.
A server that cannot reach PostgreSQL when it starts refuses to start and says why.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cluster import fresh_database, running_cluster
from sqlalchemy import create_engine, text

from protocols.records import SCHEMA_VERSION, Store, migrations
from protocols.serve.health import Readiness
from served import HANDBOOK, ROOT, free_port

pytestmark = pytest.mark.postgres


class Relay:
    """A TCP relay from a loopback port to the PostgreSQL server that the test can cut and mend."""

    def __init__(self, target_port: int) -> None:
        self.target = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = True
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target))
            self.pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while True:
                ready, _, _ = select.select([a, b], [], [], 1.0)
                for side in ready:
                    data = side.recv(65536)
                    if not data:
                        return
                    (b if side is a else a).sendall(data)
        for sock in (a, b):
            with contextlib.suppress(OSError):
                sock.close()

    def cut(self) -> None:
        """No new connection gets through, and every open one is dropped."""
        self.open = False
        for a, b in self.pairs:
            for sock in (a, b):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        self.pairs.clear()

    def mend(self) -> None:
        self.open = True

    def close(self) -> None:
        self.stopped = True
        self.cut()
        self.listener.close()


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read()


def test_a_replica_that_loses_postgresql_is_not_ready_and_says_why(postgres_url: str, tmp_path: Path) -> None:
    database = fresh_database(postgres_url)
    port = int(database.split("@127.0.0.1:", 1)[1].split("/", 1)[0])
    relay = Relay(port)
    try:
        with running_cluster(tmp_path, postgres_url, replicas=1,
                             database_url=database.replace(f":{port}/", f":{relay.port}/")) as cluster:
            (replica,) = cluster.replicas
            assert replica.health() == (200, {"ready": True, "problems": []})
            relay.cut()
            status, body = replica.health()
            assert status == 503 and body["ready"] is False
            assert body["problems"] == ["cannot open the records database: the database server cannot be reached"]
            assert _get(f"{replica.base}/healthz/live")[0] == 200, "not ready, but alive: no restart"
            assert _get(f"{cluster.base}/healthz")[0] == 404, "nginx keeps the probes to the orchestrator"
            replica.health()
            logged = replica.log.read_text(errors="replace")
            assert logged.count("not ready for new job-aid sessions: cannot open the records database: "
                                "the database server cannot be reached") == 1, logged[-2000:]
            relay.mend()
            deadline = time.monotonic() + 20
            while replica.health()[0] != 200:
                assert time.monotonic() < deadline, replica.health()
                time.sleep(0.5)
            assert "ready again for new job-aid sessions" in replica.log.read_text(errors="replace")
    finally:
        relay.close()


def test_a_server_that_cannot_reach_postgresql_does_not_start() -> None:
    env = {**os.environ, "HANDBOOK_DATABASE_URL": f"postgresql+psycopg://handbook@127.0.0.1:{free_port()}/gone"}
    env.pop("HANDBOOK_DEBUG", None)
    done = subprocess.run([str(HANDBOOK), "serve", "--port", str(free_port())], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "the records database cannot be used: cannot open the records database: the database server cannot " \
           "be reached" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_readiness_names_each_problem(postgres_url: str, tmp_path: Path) -> None:
    database = fresh_database(postgres_url)
    logged: list[str] = []
    readiness = Readiness(database, tmp_path / "snapshot.json", log=logged.append)
    assert readiness.store_problems() == [
        f"the records database has no handbook tables; this server needs version {SCHEMA_VERSION} "
        "(restart a server of this version to bring it up to date)"]
    assert readiness.content_problems() == ["the validated content for the job aids is missing; restart the server"]
    engine = create_engine(database)
    with engine.begin() as conn:  # a version 1 database: the runs table, no version table
        conn.execute(text("CREATE TABLE runs (id VARCHAR(36) PRIMARY KEY)"))
    engine.dispose()
    assert "is at schema version 1;" in readiness.store_problems()[0]
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE runs"))
    engine.dispose()
    Store(create_engine(database), actor="test").upgrade_schema()
    (tmp_path / "snapshot.json").write_text("{}", encoding="utf-8")
    assert readiness.store_problems() == [] and readiness.content_problems() == []
    with engine.begin() as conn:  # a newer server migrated it (a rolling upgrade)
        migrations.set_version(conn, SCHEMA_VERSION + 1)
    engine.dispose()
    assert readiness.store_problems() == [
        f"the records database is at schema version {SCHEMA_VERSION + 1}, written by a newer handbook; "
        f"this server knows up to {SCHEMA_VERSION} (replace it with the new version)"]
    with engine.begin() as conn:
        migrations.set_version(conn, SCHEMA_VERSION)
    engine.dispose()
    readiness.report([])
    assert logged == [], "a server that is ready from the start logs nothing"
    readiness.report(["x"])
    readiness.report(["x"])
    readiness.report([])
    assert logged == ["handbook serve: not ready for new job-aid sessions: x",
                      "handbook serve: ready again for new job-aid sessions"]
