"""The records store: every job-aid run, saved whole after each answer.

SQLite by default (one file, WAL mode), PostgreSQL when a database URL is given.
A run is saved in one transaction with a revision check, so a second tab cannot
silently overwrite the first. Free-text notes never reach the audit log.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import urllib.parse
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from protocols.records import migrations
from protocols.records.actor import ActorError, aid_user
from protocols.records.migrations import SchemaError
from protocols.records.scene_events import LogLine, StoredEvent, delete_logs, read_logs, replace_log
from protocols.records.schema_v3 import metadata_v3
from protocols.settings import DATABASE_URL

metadata = MetaData()
runs = Table(
    "runs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("aid", String(64), nullable=False, index=True),
    Column("content_id", String(64), nullable=False),
    Column("content_version", String(20), nullable=False),
    Column("case_number", String(40), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("state", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_runs_aid_case", "aid", "case_number"),
    Index("ix_runs_updated_at", "updated_at"),
)
audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("run_id", String(36), nullable=True),
    Column("outcome", String(32), nullable=False),
    Column("detail", String(200), nullable=False, default=""),
    Index("ix_audit_run_id", "run_id"),
)


class StoreError(Exception):
    """The store could not do what was asked; the message says why in plain words."""


def why_not_saved(exc: StoreError) -> str:
    """The plain reason inside a failed save's message (``"the disk is full"``)."""
    return str(exc).removeprefix("the answer was not saved: ").removeprefix("the run was not saved: ")


class RevisionConflict(StoreError):
    """Someone saved this run since it was read; reload it before saving again."""


@dataclass(frozen=True)
class RunRecord:
    id: str
    aid: str
    content_id: str
    content_version: str
    case_number: str
    status: str
    revision: int
    state: str
    created_at: dt.datetime
    updated_at: dt.datetime


def data_folder() -> Path:
    """The handbook's folder in the user's data folder: ``$XDG_DATA_HOME/crisis-handbook``, else
    ``~/.local/share/crisis-handbook``."""
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "crisis-handbook"


def default_database_url() -> str:
    """The database setting (:data:`protocols.settings.DATABASE_URL`), else a SQLite file in the
    user's data folder."""
    url = DATABASE_URL.read()
    if url:
        return url
    return f"sqlite:///{data_folder() / 'records.sqlite3'}"


def sqlite_path(url: str) -> Path | None:
    """The file a ``sqlite:///`` URL names; ``None`` for any other database."""
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Store:
    """Runs and the audit log in one database.

    ``actor`` is who the audit log records for this store's changes (see ``records.actor``):
    the one given, else the job aid's user at the time of each change.
    """

    def __init__(self, engine: Engine, actor: str | None = None) -> None:
        self.engine = engine
        self._actor = actor

    @property
    def actor(self) -> str:
        """Who this store's next change is recorded as.

        A store opened without an actor (a job aid's) reads the user setting now, not when it
        was opened: a kernel may open its store before it is told who is signed in.
        """
        if self._actor is not None:
            return self._actor
        try:
            return aid_user()
        except ActorError as exc:
            raise StoreError(f"nothing can be recorded: {exc}") from None

    @classmethod
    def open(cls, url: str | None = None, actor: str | None = None,
             on_wait: Callable[[], None] | None = None) -> Store:
        """Open (and create if needed) the store at ``url``; ``StoreError`` says what failed.

        ``on_wait`` is called if another server is upgrading the schema and this one waits.

        Without ``actor`` each change records the job aid's user (the user setting,
        :data:`protocols.settings.USER`) at the time it is made; an unusable one is refused here already.
        """
        if actor is None:
            try:
                aid_user()
            except ActorError as exc:
                raise StoreError(f"nothing can be recorded: {exc}") from None
        url = url or default_database_url()
        try:
            if (path := sqlite_path(url)) is not None:
                path.parent.mkdir(parents=True, exist_ok=True)  # checked in upgrade_schema
            engine = create_engine(url, future=True, pool_pre_ping=True)
        except (ArgumentError, NoSuchModuleError, ValueError, ImportError) as exc:  # ImportError: no driver
            raise StoreError(
                f"the database URL is not usable ({type(exc).__name__}); use "
                "sqlite:///path/to/file.sqlite3 or postgresql+psycopg://user@host/db"
            ) from None
        except OSError as exc:
            raise StoreError(f"cannot create the database folder: {exc.strerror}") from None
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        store = cls(engine, actor)
        store.upgrade_schema(on_wait)
        return store

    def schema_version(self) -> int | None:
        """The database's schema version (``None`` if it holds no handbook tables yet)."""
        try:
            with self.engine.connect() as conn:
                return migrations.stored_version(conn)
        except SchemaError as exc:
            raise StoreError(f"cannot use this database: {exc}") from None
        except DBAPIError as exc:
            raise StoreError(f"cannot open the records database: {failure_reason(exc)}") from None

    def upgrade_schema(self, on_wait: Callable[[], None] | None = None) -> list[int]:
        """Create the tables, or bring an older database up to date; return the versions applied.

        Each step runs in its own transaction with its version number and an audit entry.
        A newer or foreign database is refused (``StoreError``) and left as it was. One process
        at a time does this (``migrations.one_migrator``); ``on_wait`` is called when this one
        starts to wait for another.
        """
        try:
            # PostgreSQL: a current database takes no lock (every job-aid kernel opens its store).
            # SQLite reads under the lock too (a few milliseconds; a file not yet in WAL mode also
            # gets its integrity check there): its driver runs CREATE TABLE outside the
            # transaction, so a reader could see tables another process is still making, and the
            # first connection switches a new file to WAL.
            if self.engine.dialect.name != "sqlite" and self.schema_version() == migrations.SCHEMA_VERSION:
                return []
            with migrations.one_migrator(self.engine, on_wait):
                if (path := migrations.sqlite_file(self.engine)) is not None:
                    check_sqlite_file(path)
                return self._upgrade_locked()
        except SchemaError as exc:
            raise StoreError(f"cannot use this database: {exc}") from None
        except DBAPIError as exc:
            raise StoreError(f"cannot open the records database: {failure_reason(exc)}") from None

    def _upgrade_locked(self) -> list[int]:
        """:meth:`upgrade_schema`'s work, while this server is the only one doing it: the version
        is read again, since another server may have upgraded the database meanwhile."""
        version = self.schema_version()
        if version is None:
            with self.engine.begin() as conn:
                metadata.create_all(conn)
                metadata_v3.create_all(conn)
                migrations.set_version(conn, migrations.SCHEMA_VERSION)
            return []
        applied = []
        for step in migrations.pending(version, migrations.MIGRATIONS, migrations.SCHEMA_VERSION):
            with self.engine.begin() as conn:
                step.apply(conn)
                migrations.set_version(conn, step.version)
                conn.execute(insert(audit).values(at=_utcnow(), actor=self.actor, action="migrate",
                                                  run_id=None, outcome="ok",
                                                  detail=f"schema {step.version}: {step.why}"[:200]))
            applied.append(step.version)
        return applied

    def create(self, aid: str, content_id: str, content_version: str, case_number: str,
               status: str, state: str, actor: str | None = None,
               scene_log: Sequence[LogLine] | None = None) -> RunRecord:
        """Save a new run at revision 1 (with its scene log, when given)."""
        actor = actor or self.actor
        now = _utcnow()
        record = RunRecord(str(uuid.uuid4()), aid, content_id, content_version, case_number,
                           status, 1, state, now, now)
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(runs).values(**record.__dict__))
                if scene_log is not None:
                    replace_log(conn, record.id, scene_log)
                self._audit(conn, actor, "create", record.id, "ok")
        except SQLAlchemyError as exc:
            raise StoreError(f"the run was not saved: {failure_reason(exc)}") from None
        return record

    def save(self, run_id: str, expected_revision: int, status: str, state: str,
             actor: str | None = None, content_version: str | None = None,
             scene_log: Sequence[LogLine] | None = None) -> int:
        """Save a run's new state if nobody saved it since ``expected_revision``.

        ``content_version`` records that the run now continues under that version of its
        content (a follow-up plan carried over to a revised template); ``scene_log`` replaces the
        run's saved timeline in the same transaction. Returns the new revision. Raises
        ``RevisionConflict`` or ``StoreError``.
        """
        actor = actor or self.actor
        values: dict[str, Any] = {"state": state, "status": status, "revision": expected_revision + 1,
                                  "updated_at": _utcnow()}
        if content_version is not None:
            values["content_version"] = content_version
        try:
            with self.engine.begin() as conn:
                result = conn.execute(
                    update(runs)
                    .where(runs.c.id == run_id, runs.c.revision == expected_revision)
                    .values(**values)
                )
                if result.rowcount != 1:
                    self._audit(conn, actor, "change", run_id, "conflict")
                    raise RevisionConflict(
                        "This record was changed in another tab or by another user. It has been "
                        "reloaded: check it and answer again."
                    )
                if scene_log is not None:  # the run's timeline, in the same transaction
                    replace_log(conn, run_id, scene_log)
                self._audit(conn, actor, "change", run_id, "ok")
        except RevisionConflict:
            raise
        except SQLAlchemyError as exc:
            raise StoreError(f"the answer was not saved: {failure_reason(exc)}") from None
        return expected_revision + 1

    def get(self, run_id: str) -> RunRecord | None:
        try:
            with self.engine.connect() as conn:
                row = conn.execute(select(runs).where(runs.c.id == run_id)).mappings().first()
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read the run: {failure_reason(exc)}") from None
        return RunRecord(**row) if row else None

    def find(self, aid: str, case_number: str) -> list[RunRecord]:
        """Runs of one job aid for one case number, newest first."""
        return self._select(runs.c.aid == aid, runs.c.case_number == case_number)

    def all_runs(self, aid: str, limit: int = 10_000) -> list[RunRecord]:
        """Every run of one job aid, newest first (for the tracker and monitoring)."""
        return self._select(runs.c.aid == aid, limit=limit)

    def list_runs(self, aid: str | None = None, case_number: str | None = None,
                  limit: int = 50) -> list[RunRecord]:
        """Runs of every job aid (or of ``aid``), of every case (or of ``case_number``), newest first."""
        conditions: list[Any] = []
        if aid is not None:
            conditions.append(runs.c.aid == aid)
        if case_number is not None:
            conditions.append(runs.c.case_number == case_number)
        return self._select(*conditions, limit=limit)

    def saved_aids(self) -> list[str]:
        """The job aids that have saved runs here, by name."""
        try:
            with self.engine.connect() as conn:
                return sorted(conn.execute(select(runs.c.aid).distinct()).scalars().all())
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read the records: {failure_reason(exc)}") from None

    def recent(self, aid: str, limit: int = 10, open_only: bool = True) -> list[RunRecord]:
        """The newest runs of one job aid, for a resume list."""
        conditions: list[Any] = [runs.c.aid == aid]
        if open_only:
            conditions.append(runs.c.status != "completed")
        return self._select(*conditions, limit=limit)

    def _select(self, *conditions: Any, limit: int = 50) -> list[RunRecord]:
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(runs).where(*conditions).order_by(runs.c.updated_at.desc()).limit(limit)
                ).mappings().all()
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read the records: {failure_reason(exc)}") from None
        return [RunRecord(**row) for row in rows]

    def record_event(self, action: str, run_id: str | None, outcome: str = "ok",
                     actor: str | None = None) -> None:
        """Add an audit entry (e.g. an export) outside a run change."""
        actor = actor or self.actor
        try:
            with self.engine.begin() as conn:
                self._audit(conn, actor, action, run_id, outcome)
        except SQLAlchemyError as exc:
            raise StoreError(f"the audit log could not be written: {failure_reason(exc)}") from None

    def purge(self, older_than_days: int, now: dt.datetime | None = None,
              actor: str | None = None) -> list[str]:
        """Delete completed runs last changed more than ``older_than_days`` ago; return their ids.

        A run's scene log goes with it. Acknowledgements are personnel records, not victim
        records: a purge never touches them (see ``records.acknowledgements``).
        """
        actor = actor or self.actor
        if older_than_days < 1:
            raise StoreError("the retention period must be at least 1 day")
        cutoff = (now or _utcnow()) - dt.timedelta(days=older_than_days)
        try:
            with self.engine.begin() as conn:
                ids = [row[0] for row in conn.execute(
                    select(runs.c.id).where(runs.c.status == "completed", runs.c.updated_at < cutoff))]
                if ids:
                    conn.execute(delete(runs).where(runs.c.id.in_(ids)))
                    delete_logs(conn, ids)  # a run's scene log goes with it; acknowledgements stay
                for run_id in ids:
                    self._audit(conn, actor, "delete", run_id, "ok")
        except SQLAlchemyError as exc:
            raise StoreError(f"nothing was purged: {failure_reason(exc)}") from None
        return ids

    def scene_logs(self, run_ids: Sequence[str]) -> dict[str, list[StoredEvent]]:
        """The saved scene logs of these runs, each oldest first (a run saved with none is left out)."""
        try:
            with self.engine.connect() as conn:
                return read_logs(conn, run_ids)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read the scene log: {failure_reason(exc)}") from None

    def audit_log(self, run_id: str | None = None) -> list[dict[str, Any]]:
        query = select(audit).order_by(audit.c.id)
        if run_id is not None:
            query = query.where(audit.c.run_id == run_id)
        with self.engine.connect() as conn:
            return [dict(row) for row in conn.execute(query).mappings().all()]

    def actors(self, run_id: str) -> list[str]:
        """Who created or changed a run (saved changes only), in the order they first did."""
        try:
            with self.engine.connect() as conn:
                found = conn.execute(
                    select(audit.c.actor).where(audit.c.run_id == run_id, audit.c.outcome == "ok",
                                                audit.c.action.in_(("create", "change")))
                    .order_by(audit.c.id)).scalars().all()
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read the audit log: {failure_reason(exc)}") from None
        return list(dict.fromkeys(found))

    @staticmethod
    def _audit(conn: Any, actor: str, action: str, run_id: str | None, outcome: str) -> None:
        conn.execute(insert(audit).values(at=_utcnow(), actor=actor, action=action,
                                          run_id=run_id, outcome=outcome, detail=""))


def check_sqlite_file(path: Path) -> None:
    """Refuse a SQLite file the handbook must not write to, before anything writes to it.

    The file is opened read-only (no journal mode change, no side files for a file in
    rollback mode): it must be a SQLite database, pass SQLite's quick integrity check,
    and hold the handbook's tables at a schema this handbook knows, or nothing at all.
    A missing or empty file is fine: the handbook creates its tables in it.

    The integrity check reads the whole file, so it runs only while the file is still in
    rollback mode, i.e. before the handbook's first change to it (switching it to WAL). A
    file already in WAL mode has been taken over before; it still gets the schema check,
    and SQLite reports damaged pages when a read reaches them.
    """
    try:
        if not path.exists() or path.stat().st_size == 0:
            return
        with path.open("rb") as handle:
            header = handle.read(20)
    except OSError as exc:
        raise StoreError(f"cannot read the records database {path}: {exc.strerror}") from None
    in_wal_mode = header.startswith(b"SQLite format 3\x00") and header[18:20] == b"\x02\x02"
    fix = (f"nothing was changed; restore it from a backup, or point {DATABASE_URL.name} "
           "(or --database) at another file")
    uri = f"file:{urllib.parse.quote(str(path))}?mode=ro"
    probe = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True))
    try:
        with probe.connect() as conn:
            verdict = "ok" if in_wal_mode else conn.exec_driver_sql("PRAGMA quick_check(1)").scalar()
            if verdict != "ok":
                raise StoreError(f"the records database {path} is damaged (SQLite integrity check "
                                 f"failed); {fix}")
            version = migrations.stored_version(conn)
            if version is not None:
                migrations.pending(version)
    except SchemaError as exc:
        raise StoreError(f"cannot use {path}: {exc}") from None
    except DBAPIError as exc:
        text = str(exc.orig).lower()
        if "not a database" in text or "malformed" in text or "corrupt" in text:
            raise StoreError(f"{path} is not a handbook database, or it is damaged; {fix}") from None
        raise StoreError(f"cannot read the records database {path}: {failure_reason(exc)}") from None
    finally:
        probe.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # The wait first: switching a new file to WAL takes a lock that another process opening the
    # same file at the same moment may hold.
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def failure_reason(exc: Exception) -> str:
    """A short, plain reason for a database failure, without SQL or values."""
    text = str(getattr(exc, "orig", exc)).splitlines()[0] if str(exc) else type(exc).__name__
    lowered = text.lower()
    if "readonly" in lowered or "read-only" in lowered:
        return "the database is read-only"
    if "locked" in lowered or "lock timeout" in lowered:
        return "the database is busy (locked); try again"
    if "full" in lowered or "no space" in lowered:
        return "the disk is full"
    if "not a database" in lowered or "malformed" in lowered:
        return "the file is not a handbook database (or it is damaged); nothing was changed"
    if "connect" in lowered or "refused" in lowered:
        return "the database server cannot be reached"
    return text[:120]
