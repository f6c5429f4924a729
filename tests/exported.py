"""A run exported as the handbook exports it today: signed, as a document and a printable page.

Shared by tests that check what an exported page shows (print layout, escaping), so they test
the current format rather than the first, unsigned one (kept only so old files still verify).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from protocols.library.loader import default_library
from protocols.records import Store
from protocols.records.export import render_html, run_entry, run_payload, sign
from protocols.records.signing import KeyFolder
from protocols.records.store import RunRecord


def signed_export(record: RunRecord, store: Store, keys: Path,
                  include_notes: bool = False) -> tuple[dict[str, Any], str]:
    """The signed export document of ``record`` and its printable HTML page."""
    entry = run_entry(record, default_library(), store.actors(record.id), include_notes)
    payload = run_payload(entry, "test exporter", dt.datetime.now(dt.UTC), include_notes)
    document = sign(payload, KeyFolder(keys))
    return document, render_html(document)
