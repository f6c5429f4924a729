"""``/healthz``: may a load balancer or an orchestrator send this server new job-aid sessions?

Ready means three things hold: the validated content the job-aid kernels load is in place,
the content files are still what the server started with (``content_watch``), and the
records store answers at this handbook's schema version. The answer is JSON, 200 when
ready and 503 when not, with each reason in plain words. Every change between ready and
not ready is written to the server log once, with the reason, so whoever runs the
replica can see why an orchestrator stopped sending it traffic.

``/healthz/live`` only says the server process answers. Point a liveness probe there: a
records database that is down for a minute should take replicas out of rotation, not
restart every one of them.

Neither route needs sign-in: an orchestrator probes the replica's own address, not through
the sign-on proxy. Neither says more than "ready" and the reasons.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tornado import web

from protocols.serve.content_watch import ContentWatch

READY_ROUTE = r"/healthz"
LIVE_ROUTE = r"/healthz/live"
CHECK_SECONDS = 5.0
"""A store that has not answered within this many seconds counts as not answering."""
CONNECT_SECONDS = 3
"""How long a probe waits to connect to a PostgreSQL server."""
NO_ANSWER = f"the records database did not answer within {CHECK_SECONDS:g} seconds"


def _to_log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass
class Readiness:
    """What ``/healthz`` checks: :meth:`content_problems` (cheap, on the event loop) and
    :meth:`store_problems` (blocking: run it in a thread)."""

    database_url: str | None
    snapshot: Path | None = None
    """The validated content written for the kernels; None when the server runs without one."""
    content_watch: ContentWatch | None = None
    log: Callable[[str], None] = _to_log
    _store: Any = field(default=None, init=False, repr=False)
    _reported: tuple[str, ...] | None = field(default=None, init=False, repr=False)

    def content_problems(self) -> list[str]:
        """Why the content keeps this server from new sessions now (empty: none)."""
        found: list[str] = []
        if self.snapshot is not None and not self.snapshot.is_file():
            found.append("the validated content for the job aids is missing; restart the server")
        if self.content_watch is not None and self.content_watch.refusal() is not None:
            found.append("the content changed after this server started; restart it to serve the new content")
        return found

    def store_problems(self) -> list[str]:
        """Why the records store keeps this server from new sessions now (empty: none)."""
        from protocols.records.migrations import SCHEMA_VERSION
        from protocols.records.store import StoreError

        if self.database_url is None:
            return []
        try:
            version = self._opened_store().schema_version()
        except StoreError as exc:
            return [str(exc)]
        if version is None or version < SCHEMA_VERSION:
            shown = "has no handbook tables" if version is None else f"is at schema version {version}"
            return [f"the records database {shown}; this server needs version {SCHEMA_VERSION} "
                    "(restart a server of this version to bring it up to date)"]
        if version > SCHEMA_VERSION:
            # A newer server migrated it (a rolling upgrade): this one cannot open the store.
            return [f"the records database is at schema version {version}, written by a newer "
                    f"handbook; this server knows up to {SCHEMA_VERSION} (replace it with the new version)"]
        return []

    def _opened_store(self) -> Any:
        """One small connection pool for the probes, made at the first probe."""
        if self._store is None:
            from sqlalchemy import create_engine

            from protocols.records.store import Store

            assert self.database_url is not None
            postgres = self.database_url.startswith("postgresql")
            engine = create_engine(self.database_url, pool_pre_ping=True, pool_size=1, max_overflow=1,
                                   connect_args={"connect_timeout": CONNECT_SECONDS} if postgres else {})
            self._store = Store(engine, actor="healthz")
        return self._store

    def report(self, problems: list[str]) -> None:
        """Write a change between ready and not ready (or of the reasons) to the log, once."""
        now = tuple(problems)
        if now == self._reported or (self._reported is None and not now):
            self._reported = now
            return
        self._reported = now
        if now:
            self.log("handbook serve: not ready for new job-aid sessions: " + "; ".join(now))
        else:
            self.log("handbook serve: ready again for new job-aid sessions")


class ReadyHandler(web.RequestHandler):
    """``GET /healthz``: 200 ``{"ready": true}``, or 503 with the reasons."""

    def initialize(self, readiness: Readiness) -> None:
        self.readiness = readiness

    async def get(self) -> None:
        problems = self.readiness.content_problems()
        loop = asyncio.get_running_loop()
        try:
            problems += await asyncio.wait_for(loop.run_in_executor(None, self.readiness.store_problems),
                                               CHECK_SECONDS)
        except TimeoutError:
            problems.append(NO_ANSWER)
        self.readiness.report(problems)
        self.set_status(200 if not problems else 503)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps({"ready": not problems, "problems": problems}))


class LiveHandler(web.RequestHandler):
    """``GET /healthz/live``: 200 while the server process answers at all."""

    def get(self) -> None:
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps({"live": True}))


def health_routes(readiness: Readiness) -> list[tuple[str, type[Any], dict[str, Any]]]:
    """The two probe routes, to put before the book's catch-all route."""
    return [(LIVE_ROUTE, LiveHandler, {}), (READY_ROUTE, ReadyHandler, {"readiness": readiness})]
