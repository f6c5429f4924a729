"""Replicas started together against an older PostgreSQL schema: exactly one migrates.

The others wait for it (and then find the database current), or, after waiting too long, refuse
with a message that says why. A PostgreSQL database already current takes no lock at all, so
job-aid kernels opening their store never wait on one another. (SQLite's lock is tested in
tests/records/test_sqlite_first_open.py.)
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from protocols.records import SCHEMA_VERSION, Store, StoreError, migrations
from required import load_module

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
make_v1 = load_module(ROOT / "tests" / "records" / "test_migrations.py", "_scale_v1_schema").make_v1


@pytest.fixture
def database(postgres_url: str) -> Iterator[str]:
    name = f"lock_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield postgres_url.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture
def held_lock(database: str) -> Iterator[Callable[[], None]]:
    """Another server in the middle of a migration: it holds the lock until ``release()``."""
    engine = create_engine(database)
    conn = engine.connect()
    assert conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": migrations.LOCK_KEY}).scalar()
    conn.commit()

    def release() -> None:
        if not conn.closed:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": migrations.LOCK_KEY})
            conn.commit()
            conn.close()

    yield release
    release()
    engine.dispose()


def _migrations(url: str) -> list[str]:
    store = Store(create_engine(url), actor="test")
    try:
        return [entry["detail"] for entry in store.audit_log() if entry["action"] == "migrate"]
    finally:
        store.engine.dispose()


OPEN = ("import sys, time; from protocols.records import Store; time.sleep(max(0, float(sys.argv[3]) - time.time())); "
        "Store.open(sys.argv[1], actor=sys.argv[2]); print('opened')")
"""A server's start: everything imported first, then the store opened at the agreed moment."""


def test_servers_started_together_migrate_once(database: str) -> None:
    make_v1(database)
    at = str(time.time() + 6)  # all of them open the store at this moment
    starting = [subprocess.Popen([sys.executable, "-c", OPEN, database, f"server-{n}", at], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for n in range(4)]
    results = [process.communicate(timeout=120) for process in starting]
    assert [p.returncode for p in starting] == [0] * 4, [err[-500:] for _out, err in results]
    assert all(out.strip() == "opened" for out, _err in results)
    assert [d.split(":")[0] for d in _migrations(database)] == [f"schema {v}" for v in range(2, SCHEMA_VERSION + 1)]
    store = Store.open(database, actor="test")
    assert store.schema_version() == SCHEMA_VERSION and store.get("r1") is not None
    store.engine.dispose()


def test_a_server_that_waits_too_long_refuses_and_changes_nothing(
        database: str, held_lock: Callable[[], None], monkeypatch: pytest.MonkeyPatch) -> None:
    make_v1(database)
    monkeypatch.setattr(migrations, "LOCK_WAIT_SECONDS", 1.0)
    waits: list[str] = []
    with pytest.raises(StoreError) as refused:
        Store.open(database, actor="test", on_wait=lambda: waits.append("waiting"))
    message = str(refused.value)
    assert "another handbook server has been upgrading this database's schema" in message
    assert "start this server again" in message
    assert waits == ["waiting"], "the wait is announced once"
    assert _migrations(database) == []
    probe = Store(create_engine(database), actor="test")
    assert probe.schema_version() == 1, "the waiting server changed nothing"
    probe.engine.dispose()


def test_a_waiting_server_goes_on_once_the_other_is_done(database: str, held_lock: Callable[[], None]) -> None:
    make_v1(database)
    opened: list[Store] = []
    waiter = threading.Thread(target=lambda: opened.append(Store.open(database, actor="second")))
    waiter.start()
    time.sleep(1.5)
    assert not opened, "the second server went ahead while the lock was held"
    held_lock()  # the first server finished
    waiter.join(timeout=30)
    assert opened and opened[0].schema_version() == SCHEMA_VERSION
    opened[0].engine.dispose()


def test_opening_a_current_database_never_waits(database: str) -> None:
    first = Store.open(database, actor="first")  # creates the tables
    engine = create_engine(database)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": migrations.LOCK_KEY}).scalar()
        conn.commit()
        began = time.monotonic()
        second = Store.open(database, actor="second")
        assert time.monotonic() - began < migrations.LOCK_WAIT_SECONDS / 10
        assert second.schema_version() == SCHEMA_VERSION
    engine.dispose()
    first.engine.dispose()
    second.engine.dispose()
