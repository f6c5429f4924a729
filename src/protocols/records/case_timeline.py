"""A case's scene log across every job aid, for the supervisor's review.

Each run keeps its own log (saved with it); the review reads them all for one case number and
lays them in one timeline, oldest first, each line naming the job aid it came from. A run saved
before scene logs existed has none stored and is named as such, so a gap is never silent.
"""

from __future__ import annotations

from dataclasses import dataclass

from protocols.records.run_views import aware
from protocols.records.scene_events import StoredEvent
from protocols.records.store import RunRecord, Store


@dataclass(frozen=True)
class CaseLine:
    aid: str
    event: StoredEvent


@dataclass(frozen=True)
class CaseTimeline:
    case_number: str
    lines: list[CaseLine]
    without_log: list[RunRecord]
    """Runs of the case saved with no scene log (before the log was kept)."""


def case_timeline(store: Store, case_number: str, limit: int = 200) -> CaseTimeline:
    """Every saved scene-log line of the case's runs (up to ``limit`` runs), oldest first.

    Raises ``StoreError`` if the records cannot be read.
    """
    records = store.list_runs(case_number=case_number, limit=limit)
    logs = store.scene_logs([r.id for r in records])
    by_id = {r.id: r for r in records}
    lines = [CaseLine(by_id[run_id].aid, event) for run_id, events in logs.items() for event in events]
    lines.sort(key=lambda line: (aware(line.event.at), line.aid))
    return CaseTimeline(case_number, lines, [r for r in records if r.id not in logs])
