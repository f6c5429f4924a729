"""Persistence for job-aid runs behind one small interface."""

from protocols.records.store import RevisionConflict, RunRecord, Store, StoreError, default_database_url

__all__ = ["RevisionConflict", "RunRecord", "Store", "StoreError", "default_database_url"]
