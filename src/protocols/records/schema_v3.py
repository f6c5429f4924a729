"""The tables schema version 3 adds: each run's scene log, and officers' acknowledgements.

``scene_events`` holds the scene log of each run (see :mod:`protocols.engine.scene_log`),
replaced in the same transaction as every save of the run, so the log always matches the
saved run. It belongs to the run: a purge that deletes a run deletes its log.

``acknowledgements`` is a personnel record, kept apart from victim records: which officer
read and acknowledged which version of a protocol, rights notice or chapter, when, the
content as it was then (so a later version can be compared with it), and the result of the
optional check. One officer acknowledges one version of one document once (a unique key),
so two devices acknowledging at the same time make one record. The victim-record purge never
touches it.

Both live in their own metadata so :mod:`protocols.records.store` creates them with its own
tables, and migration step 3 creates them in an older database.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, String, Table, Text, UniqueConstraint

metadata_v3 = MetaData()

scene_events = Table(
    "scene_events",
    metadata_v3,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(36), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("ref", String(64), nullable=False, default=""),
    Column("label", String(200), nullable=False),
    Index("ix_scene_events_run", "run_id", "seq"),
)

acknowledgements = Table(
    "acknowledgements",
    metadata_v3,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("officer", String(64), nullable=False),
    Column("document", String(140), nullable=False),  # protocol:<id>, rights:<id> or chapter:<path>
    Column("version", String(64), nullable=False),
    Column("title", String(200), nullable=False),
    Column("acknowledged_at", DateTime(timezone=True), nullable=False),
    Column("snapshot", Text, nullable=False),
    Column("check_score", Integer, nullable=True),
    Column("check_total", Integer, nullable=True),
    Column("checked_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("officer", "document", "version", name="uq_acknowledgement"),
    Index("ix_acknowledgements_document", "document"),
)

TABLES_V3 = frozenset({"scene_events", "acknowledgements"})
