"""The supervisor's report: who acknowledged which version, who is overdue, and check results.

One row per officer and document: the current version acknowledged (when, and the check's
result), or not yet, with the day it falls due (the version's revision date plus the grace
period) and whether that day has passed. The table, CSV and JSON forms all come from these rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from protocols.engine.answers import clipped
from protocols.records.acknowledgements import DEFAULT_GRACE_DAYS, Acknowledgement, latest_by_document
from protocols.records.content_changes import Document

STATES = ("acknowledged", "due", "overdue")


@dataclass(frozen=True)
class ReportRow:
    officer: str
    document: str
    title: str
    current_version: str
    state: str
    """``acknowledged`` (the current version), ``due`` (not yet, still in time) or ``overdue``."""
    acknowledged_version: str
    """The newest version this officer acknowledged ("" for none)."""
    acknowledged_at: str
    due: str
    check: str
    """``2 of 3``, ``not taken``, or "" when nothing was acknowledged."""


def report(records: Sequence[Acknowledgement], documents: Sequence[Document], officers: Sequence[str],
           today: dt.date, grace_days: int = DEFAULT_GRACE_DAYS) -> list[ReportRow]:
    """Every officer against every document, officers in order, documents in their order."""
    if grace_days < 0:
        raise ValueError("the grace period cannot be negative")
    rows = []
    for officer in officers:
        latest = latest_by_document(r for r in records if r.officer == officer)
        for document in documents:
            known = latest.get(document.key)
            due_day = (document.revised or today) + dt.timedelta(days=grace_days)
            if known is not None and known.version == document.version:
                state, due = "acknowledged", ""
            else:
                state, due = ("overdue" if today > due_day else "due"), due_day.isoformat()
            rows.append(ReportRow(
                officer, document.key, document.title, document.version, state,
                known.version if known else "",
                known.acknowledged_at.isoformat(timespec="seconds") if known else "", due,
                known.check_text if known else ""))
    return rows


HEADINGS = ("Officer", "Document", "Version", "State", "Acknowledged", "On", "Due", "Check")


def as_cells(row: ReportRow) -> tuple[str, ...]:
    return (row.officer, clipped(row.title, 48), row.current_version, row.state, row.acknowledged_version or "none",
            row.acknowledged_at[:16].replace("T", " ") or "-", row.due or "-", row.check or "-")


def as_csv(rows: Sequence[ReportRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f for f in ReportRow.__dataclass_fields__])
    for row in rows:
        writer.writerow([_safe_cell(str(v)) for v in asdict(row).values()])
    return out.getvalue()


def _safe_cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (an id may start with = + - or @)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def as_json(rows: Sequence[ReportRow]) -> str:
    return json.dumps([asdict(r) for r in rows], indent=2, ensure_ascii=False) + "\n"


def counts(rows: Sequence[ReportRow]) -> dict[str, int]:
    """How many rows are in each state."""
    return {state: sum(1 for r in rows if r.state == state) for state in STATES}
