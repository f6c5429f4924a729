"""Schema versions: a new database is current, an older one is brought up to date, others are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import create_engine, inspect, text

from protocols.records import SCHEMA_VERSION, Store, StoreError, migrations
from protocols.records.migrations import Migration

# The first released schema (version 1), exactly as that release created it.
V1_TABLES = (
    """CREATE TABLE runs (id VARCHAR(36) PRIMARY KEY, aid VARCHAR(64) NOT NULL,
       content_id VARCHAR(64) NOT NULL, content_version VARCHAR(20) NOT NULL,
       case_number VARCHAR(40) NOT NULL, status VARCHAR(20) NOT NULL, revision INTEGER NOT NULL,
       state TEXT NOT NULL, created_at TIMESTAMP WITH TIME ZONE NOT NULL,
       updated_at TIMESTAMP WITH TIME ZONE NOT NULL)""",
    "CREATE INDEX ix_runs_aid ON runs (aid)",
    "CREATE INDEX ix_runs_case_number ON runs (case_number)",
    """CREATE TABLE audit (id {serial} PRIMARY KEY, at TIMESTAMP WITH TIME ZONE NOT NULL,
       actor VARCHAR(64) NOT NULL, action VARCHAR(32) NOT NULL, run_id VARCHAR(36),
       outcome VARCHAR(32) NOT NULL, detail VARCHAR(200) NOT NULL)""",
)
T = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def make_v1(url: str) -> None:
    """A database as version 1 left it, with one saved run and its audit entry."""
    engine = create_engine(url)
    serial = "SERIAL" if engine.dialect.name == "postgresql" else "INTEGER"
    with engine.begin() as conn:
        for statement in V1_TABLES:
            conn.execute(text(statement.format(serial=serial)))
        conn.execute(text("INSERT INTO runs VALUES ('r1', 'scene-response', 'scene-response', '1.0', "
                          "'C-1', 'in-progress', 3, '{}', :t, :t)"), {"t": T})
        conn.execute(text("INSERT INTO audit (at, actor, action, run_id, outcome, detail) "
                          "VALUES (:t, 'job-aid', 'create', 'r1', 'ok', '')"), {"t": T})
    engine.dispose()


def indexes(store: Store) -> dict[str, set[str]]:
    with store.engine.connect() as conn:
        found = inspect(conn)
        return {table: {str(ix["name"]) for ix in found.get_indexes(table)} for table in ("runs", "audit")}


def test_a_new_database_is_created_at_the_current_version(database_url: str) -> None:
    store = Store.open(database_url)
    assert store.schema_version() == SCHEMA_VERSION == migrations.MIGRATIONS[-1].version
    assert store.upgrade_schema() == [], "opening again changes nothing"
    store.engine.dispose()


def test_a_version_1_database_is_upgraded_and_keeps_its_records(database_url: str) -> None:
    make_v1(database_url)
    store = Store.open(database_url)
    assert store.schema_version() == SCHEMA_VERSION
    record = store.get("r1")
    assert record is not None and (record.case_number, record.revision) == ("C-1", 3)
    assert store.save("r1", 3, "in-progress", '{"x": 1}') == 4, "an old run can be saved on"
    migrate = [e for e in store.audit_log() if e["action"] == "migrate"]
    assert [e["detail"].split(":")[0] for e in migrate] == ["schema 2", "schema 3"]
    # The upgraded database ends up with the same indexes as one created new.
    fresh = Store.open(database_url.replace("records.sqlite3", "fresh.sqlite3")) \
        if database_url.startswith("sqlite") else None
    if fresh is not None:
        assert indexes(store) == indexes(fresh)
        fresh.engine.dispose()
    else:
        assert {"ix_runs_aid_case", "ix_runs_updated_at"} <= indexes(store)["runs"]
        assert "ix_audit_run_id" in indexes(store)["audit"]
    store.engine.dispose()


def test_a_failed_step_leaves_the_database_at_its_last_good_version(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    make_v1(database_url)

    def broken(conn: object) -> None:
        raise migrations.SchemaError("the next step could not add its column")

    following = SCHEMA_VERSION + 1
    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, Migration(following, "test", broken)))
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", following)
    with pytest.raises(StoreError, match="cannot use this database: the next step could not add its column"):
        Store.open(database_url)
    monkeypatch.undo()
    store = Store.open(database_url)  # the last good version was kept; nothing to do now
    assert store.schema_version() == SCHEMA_VERSION
    assert store.get("r1") is not None
    store.engine.dispose()


def test_a_database_from_a_newer_handbook_is_refused_untouched(database_url: str) -> None:
    store = Store.open(database_url)
    with store.engine.begin() as conn:
        migrations.set_version(conn, SCHEMA_VERSION + 5)
    store.engine.dispose()
    newer = rf"newer handbook \(schema version {SCHEMA_VERSION + 5}; this handbook knows up to {SCHEMA_VERSION}\)"
    with pytest.raises(StoreError, match=newer):
        Store.open(database_url)


def test_a_database_with_someone_elses_tables_is_refused_untouched(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)"))
    with pytest.raises(StoreError, match=r"other tables \(invoices\) and no handbook records"):
        Store.open(database_url)
    with engine.connect() as conn:
        assert inspect(conn).get_table_names() == ["invoices"]
    engine.dispose()
