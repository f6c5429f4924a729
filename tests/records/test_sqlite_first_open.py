"""Job-aid kernels opening a new SQLite records file at the same moment all get a working store.

Each kernel opens the store as it starts, so on a new install two aids opened together both
found no tables and both created them, and one failed ("table runs already exists") and told
the officer the records store could not be used. One process at a time now creates or upgrades
the schema (``migrations.one_migrator``: a lock on a file beside the database, removed after).
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from protocols.records import SCHEMA_VERSION, Store, StoreError, migrations

PROCESSES = 6
ROUNDS = 4
OPEN_TOGETHER = """
import sys, time
from protocols.records import Store, StoreError
folder, start = sys.argv[1], float(sys.argv[2])
for n in range(int(sys.argv[3])):
    time.sleep(max(0.0, start + n * 0.4 - time.time()))  # every process opens file n at this moment
    try:
        Store.open(f"sqlite:///{folder}/records-{n}.sqlite3").engine.dispose()
        print("opened")
    except StoreError as exc:
        print(f"refused: {exc}")
"""


def _lock_file(database: Path) -> Path:
    return database.with_name(database.name + migrations.SQLITE_LOCK_SUFFIX)


def test_processes_opening_a_new_file_together_all_get_the_store(tmp_path: Path) -> None:
    start = str(time.time() + 4)  # after every process has imported the handbook
    opening = [subprocess.Popen([sys.executable, "-c", OPEN_TOGETHER, str(tmp_path), start, str(ROUNDS)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(PROCESSES)]
    results = [process.communicate(timeout=120) for process in opening]
    assert [p.returncode for p in opening] == [0] * PROCESSES, [err[-800:] for _out, err in results]
    said = [line for out, _err in results for line in out.splitlines()]
    assert said == ["opened"] * (PROCESSES * ROUNDS), [line for line in said if line != "opened"]
    for n in range(ROUNDS):
        database = tmp_path / f"records-{n}.sqlite3"
        store = Store.open(f"sqlite:///{database}", actor="test")
        assert store.schema_version() == SCHEMA_VERSION
        assert [e for e in store.audit_log() if e["action"] == "migrate"] == [], "created once, at the current version"
        store.engine.dispose()
        assert not _lock_file(database).exists(), "the lock file is removed by the process that held it"


@pytest.fixture
def held(tmp_path: Path) -> Iterator[Path]:
    """``tmp_path/records.sqlite3``, while another process creating its schema holds the lock
    (until the test ends)."""
    database = tmp_path / "records.sqlite3"
    descriptor = os.open(_lock_file(database), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    yield database
    os.close(descriptor)


def test_a_process_waits_for_the_one_creating_the_schema(held: Path) -> None:
    database = held
    waits: list[str] = []
    opened: list[Store] = []
    opener = threading.Thread(target=lambda: opened.append(
        Store.open(f"sqlite:///{database}", actor="second", on_wait=lambda: waits.append("waiting"))))
    opener.start()
    time.sleep(1.0)
    assert not opened, "the second process went ahead while the lock was held"
    assert waits == ["waiting"], "the wait is announced once"
    lock = _lock_file(database)
    lock.unlink()  # the first one is done: it removes the file, then lets go of its lock
    os.close(os.open(lock, os.O_RDWR | os.O_CREAT, 0o600))  # a third process made a new one meanwhile
    opener.join(timeout=30)
    assert opened and opened[0].schema_version() == SCHEMA_VERSION
    opened[0].engine.dispose()


def test_a_process_that_waits_too_long_is_refused_and_changes_nothing(
        held: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database = held
    monkeypatch.setattr(migrations, "LOCK_WAIT_SECONDS", 0.5)
    with pytest.raises(StoreError, match=r"upgrading this database.s schema for over 0\.5 seconds"):
        Store.open(f"sqlite:///{database}", actor="test")
    probe = Store(create_engine(f"sqlite:///{database}"), actor="test")
    assert probe.schema_version() is None, "the refused process created no table"
    probe.engine.dispose()


def test_a_lock_file_that_cannot_be_made_is_named() -> None:
    engine = create_engine("sqlite:////nonexistent-folder/records.sqlite3")
    with pytest.raises(migrations.SchemaError) as refused, migrations.one_migrator(engine):
        pass
    assert str(refused.value).startswith("cannot create records.sqlite3-schema.lock beside the database: "
                                         "No such file or directory. The database's folder must be writable")


def test_the_lock_file_is_readable_by_others_whatever_the_umask(tmp_path: Path) -> None:
    """A command run as another user (a root cron job) must be able to open and lock it too."""
    database = tmp_path / "records.sqlite3"
    engine = create_engine(f"sqlite:///{database}")
    before = os.umask(0o077)
    try:
        with migrations.one_migrator(engine):
            assert _lock_file(database).stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(before)
    assert not _lock_file(database).exists()


def test_a_link_in_place_of_the_lock_file_is_not_followed(tmp_path: Path) -> None:
    database = tmp_path / "records.sqlite3"
    target = tmp_path / "elsewhere"
    _lock_file(database).symlink_to(target)
    with pytest.raises(StoreError, match=r"records\.sqlite3-schema\.lock beside the database is a symbolic link"):
        Store.open(f"sqlite:///{database}")
    assert not target.exists(), "nothing was made where the link points"
