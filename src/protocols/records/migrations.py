"""The records schema's versions, and the ordered steps that bring an older database up to date.

A database records its version in the one-row table ``handbook_schema``. Opening a store
brings it to :data:`SCHEMA_VERSION`: an empty database gets the current tables at once;
an older one runs each missing step in order, each in its own transaction together with
its new version number, so a failed step leaves the database at the last good version.
A database written by a newer handbook, or one that holds someone else's tables, is
refused and left untouched.

Several processes may open one database at once: replicas behind a load balancer on one
PostgreSQL database, and on one machine every job-aid kernel, each opening the SQLite file as
it starts (two aids opened together on a new install did both create the tables, and one failed).
Only one of them migrates: :func:`one_migrator` holds a PostgreSQL advisory lock, or for SQLite
an exclusive lock on a file beside the database, while a process checks and upgrades the
schema; the others wait for it, then find the database current and change nothing. One that has waited
:data:`LOCK_WAIT_SECONDS` gives up with a message saying so, and starts no sessions. Every
step commits whole, so no server ever reads a half-migrated database.

To change the schema: change the tables in ``store.py``, add a step here that makes the
same change to an existing database, and raise :data:`SCHEMA_VERSION`. The records tests
open a database of every earlier version and check it ends up equal to a new one.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Column, Connection, Engine, Integer, MetaData, Table, inspect, select, text

from protocols.records.schema_v3 import TABLES_V3, metadata_v3

SCHEMA_VERSION = 3
"""The version of the tables this handbook writes."""

VERSION_TABLE = "handbook_schema"
OWN_TABLES = frozenset({"runs", "audit", VERSION_TABLE, *TABLES_V3})
"""The tables this handbook writes."""

LOCK_KEY = 0x48424D47  # "HBMG": handbook migration
"""The PostgreSQL advisory lock a server holds while it checks and upgrades the schema."""
LOCK_WAIT_SECONDS = 120.0
"""How long a server waits for another one's migration before it refuses to start."""
LOCK_POLL_SECONDS = 0.25
SQLITE_LOCK_SUFFIX = "-schema.lock"
"""The empty file beside a SQLite database (``records.sqlite3-schema.lock``) that exists only
while :func:`one_migrator` holds its lock. One left by a process that died is harmless."""

version_metadata = MetaData()
schema_version = Table(VERSION_TABLE, version_metadata, Column("version", Integer, nullable=False))


class SchemaError(Exception):
    """The database cannot be brought to this handbook's schema; nothing was changed."""


@dataclass(frozen=True)
class Migration:
    """One step: from ``version - 1`` to ``version``."""

    version: int
    why: str
    apply: Callable[[Connection], None]


def _index_lookups(conn: Connection) -> None:
    """Version 2: index what the resume list, the tracker and audit lookups filter on."""
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_runs_aid_case ON runs (aid, case_number)"))
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_runs_updated_at ON runs (updated_at)"))
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_audit_run_id ON audit (run_id)"))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(2, "index runs by aid and case number, by last change, and the audit log by run",
              _index_lookups),
    Migration(3, "add the scene log of each run, and officers' acknowledgements of content versions",
              lambda conn: metadata_v3.create_all(conn)),
)
"""Every step after version 1 (the first released schema), in order."""


def stored_version(conn: Connection) -> int | None:
    """The database's schema version; ``None`` for an empty database.

    A database with the handbook's ``runs`` table but no version table predates versioning
    and is version 1. One with other tables only is refused.
    """
    tables = set(inspect(conn).get_table_names())
    if VERSION_TABLE in tables:
        found = conn.execute(select(schema_version.c.version)).scalars().all()
        if len(found) != 1:
            raise SchemaError(f"the table {VERSION_TABLE} should hold one row and holds {len(found)}; "
                              "restore the database from a backup")
        return int(found[0])
    if "runs" in tables:
        return 1
    if tables:
        others = ", ".join(sorted(tables)[:5])
        raise SchemaError(f"this database holds other tables ({others}) and no handbook records; "
                          "give the handbook a database of its own")
    return None


def set_version(conn: Connection, version: int) -> None:
    """Record ``version`` as the database's schema version (the table is created if needed)."""
    version_metadata.create_all(conn)
    conn.execute(schema_version.delete())
    conn.execute(schema_version.insert().values(version=version))


def pending(version: int, steps: tuple[Migration, ...] = MIGRATIONS,
            latest: int = SCHEMA_VERSION) -> list[Migration]:
    """The steps a database at ``version`` still needs, oldest first."""
    if version > latest:
        raise SchemaError(f"this database was written by a newer handbook (schema version {version}; "
                          f"this handbook knows up to {latest}); upgrade the handbook, or use "
                          "another database")
    return [step for step in steps if step.version > version]


@contextmanager
def one_migrator(engine: Engine, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Run the block while no other process runs it on the same database.

    PostgreSQL: an advisory lock. SQLite: an exclusive ``flock`` on the file beside the database
    (:data:`SQLITE_LOCK_SUFFIX`; never on the database file itself, whose descriptor, once closed,
    would drop SQLite's own locks in this process). An in-memory SQLite database has one user
    and needs no lock. Others wait up to :data:`LOCK_WAIT_SECONDS` (``on_wait`` is called once
    when a wait begins), then get ``SchemaError``.
    """
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine, on_wait):
            yield
    elif (database := sqlite_file(engine)) is not None:
        with _file_lock(database.with_name(database.name + SQLITE_LOCK_SUFFIX), on_wait):
            yield
    else:
        yield


def sqlite_file(engine: Engine) -> Path | None:
    """The file of a SQLite engine's database; ``None`` in memory or for another database."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return Path(os.path.realpath(database))  # as SQLite names its own side files: links resolved


class _Patience:
    """Waiting for another process's migration: ``on_wait`` is told once, and after
    :data:`LOCK_WAIT_SECONDS` the wait ends in ``SchemaError``."""

    def __init__(self, on_wait: Callable[[], None] | None, poll_seconds: float) -> None:
        self._on_wait = on_wait
        self._poll_seconds = poll_seconds
        self._deadline = time.monotonic() + LOCK_WAIT_SECONDS
        self._told = False

    def wait(self) -> None:
        if not self._told and self._on_wait is not None:
            self._on_wait()
        self._told = True
        if time.monotonic() > self._deadline:
            raise SchemaError(
                f"another handbook server has been upgrading this database's schema for over "
                f"{LOCK_WAIT_SECONDS:g} seconds; this one did not start. Wait for that upgrade to "
                "finish (its log says when), then start this server again. With SQLite it may be any "
                "handbook command or job aid using the same file")
        time.sleep(self._poll_seconds)


@contextmanager
def _advisory_lock(engine: Engine, on_wait: Callable[[], None] | None) -> Iterator[None]:
    with engine.connect() as conn:
        patience = _Patience(on_wait, LOCK_POLL_SECONDS)
        while not conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}).scalar():
            conn.rollback()  # nothing to keep; do not hold a transaction open while waiting
            patience.wait()
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
            conn.commit()


@contextmanager
def _file_lock(path: Path, on_wait: Callable[[], None] | None) -> Iterator[None]:
    """An exclusive lock on ``path``, removed again by its holder. A waiter that gets the lock
    on a file its holder has just removed tries again on the file now there. The file is made
    readable by all, so a command run as another user (a root cron job) locks the same file."""
    patience = _Patience(on_wait, LOCK_POLL_SECONDS / 5)  # a SQLite migration takes milliseconds
    while True:
        descriptor = _open_lock_file(path)
        if descriptor is None:  # another user's file, there for a moment: it goes when they are done
            patience.wait()
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            patience.wait()
            continue
        except OSError as exc:
            os.close(descriptor)
            raise SchemaError(f"cannot lock {path.name} beside the database: {exc.strerror}. Put the "
                              "database on a local disk") from None
        if _same_file(descriptor, path):
            break
        os.close(descriptor)  # the holder removed it after we opened it: lock the current one
    try:
        yield
    finally:
        try:
            path.unlink(missing_ok=True)  # still holding the lock: no one can be using this file
        except OSError:
            pass  # left in place: the next process locks it as it is
        finally:
            os.close(descriptor)


def _open_lock_file(path: Path) -> int | None:
    """The lock file, opened (made if missing, never through a link); ``None`` while another
    user's copy cannot be opened."""
    flags = os.O_CREAT | os.O_NOFOLLOW
    try:
        descriptor = os.open(path, os.O_RDWR | flags, 0o644)  # NFS locks want a writable descriptor
    except PermissionError:
        try:
            descriptor = os.open(path, os.O_RDONLY | flags)
        except PermissionError:
            return None
        except OSError as exc:
            raise _lock_file_problem(path, exc) from None
    except OSError as exc:
        raise _lock_file_problem(path, exc) from None
    with contextlib.suppress(OSError):  # the umask may have taken the others' read permission
        if os.fstat(descriptor).st_uid == os.geteuid():
            os.fchmod(descriptor, 0o644)
    return descriptor


def _lock_file_problem(path: Path, exc: OSError) -> SchemaError:
    if exc.errno == errno.ELOOP:
        return SchemaError(f"{path.name} beside the database is a symbolic link; the handbook does not "
                           "follow it. Delete the link")
    return SchemaError(f"cannot create {path.name} beside the database: {exc.strerror}. The "
                       "database's folder must be writable by the handbook")


def _same_file(descriptor: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(descriptor), os.stat(path))
    except FileNotFoundError:
        return False
