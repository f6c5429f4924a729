"""Reading and writing a run's scene log in the records store (table ``scene_events``).

The store writes a run's log in the same transaction as the run itself (see ``Store.save``):
the rows are replaced whole, since the log is worked out from the saved run. Times are the
engine's (the server's clock), kept in UTC (SQLite keeps no time zone).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import delete, insert, select

from protocols.records.schema_v3 import scene_events


class LogLine(Protocol):
    """What the store keeps of one scene-log event (``protocols.engine.scene_log.SceneEvent``)."""

    @property
    def at(self) -> dt.datetime: ...

    @property
    def kind(self) -> str: ...

    @property
    def ref(self) -> str: ...

    @property
    def label(self) -> str: ...


@dataclass(frozen=True)
class StoredEvent:
    """One scene-log line read back from the store."""

    run_id: str
    at: dt.datetime
    kind: str
    ref: str
    label: str

    def as_row(self) -> dict[str, str]:
        return {"at": self.at.isoformat(), "kind": self.kind, "ref": self.ref, "label": self.label}


def replace_log(conn: Any, run_id: str, events: Sequence[LogLine]) -> None:
    """Make ``events`` the run's scene log (inside the caller's transaction)."""
    conn.execute(delete(scene_events).where(scene_events.c.run_id == run_id))
    if events:
        conn.execute(insert(scene_events), [
            {"run_id": run_id, "seq": n, "at": e.at.astimezone(dt.UTC), "kind": e.kind[:32],
             "ref": e.ref[:64], "label": e.label[:200]}
            for n, e in enumerate(events)])


def delete_logs(conn: Any, run_ids: Sequence[str]) -> None:
    """Remove the scene logs of runs being deleted (inside the caller's transaction)."""
    if run_ids:
        conn.execute(delete(scene_events).where(scene_events.c.run_id.in_(list(run_ids))))


def read_logs(conn: Any, run_ids: Sequence[str]) -> dict[str, list[StoredEvent]]:
    """The stored scene logs of these runs, each oldest first (a run with none is left out)."""
    if not run_ids:
        return {}
    rows = conn.execute(select(scene_events).where(scene_events.c.run_id.in_(list(run_ids)))
                        .order_by(scene_events.c.run_id, scene_events.c.seq)).mappings().all()
    out: dict[str, list[StoredEvent]] = {}
    for r in rows:
        at = r["at"] if r["at"].tzinfo is not None else r["at"].replace(tzinfo=dt.UTC)
        out.setdefault(r["run_id"], []).append(StoredEvent(r["run_id"], at, r["kind"], r["ref"], r["label"]))
    return out
