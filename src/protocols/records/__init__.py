"""Persistence for job-aid runs behind one small interface."""

from protocols.records.migrations import SCHEMA_VERSION
from protocols.records.store import RevisionConflict, RunRecord, Store, StoreError, default_database_url, why_not_saved

__all__ = ["SCHEMA_VERSION", "RevisionConflict", "RunRecord", "Store", "StoreError", "default_database_url",
           "why_not_saved"]
