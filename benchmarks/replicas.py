#!/usr/bin/env python3
"""Sessions opened at once through nginx, with one replica and with three, on one PostgreSQL.

    .venv/bin/python benchmarks/replicas.py [--bursts 20 60 120] [--replicas 1 3] [--timeout 240]

For each number of replicas it starts them and nginx (the shipped ``deploy/nginx/handbook.conf``,
as the scale tests run it), then opens each burst of headless job-aid sessions at once through
nginx (``sessions.py``: the page, its scripts and styles, the kernel websocket and the widget
states, as Voila's front end asks for them). The time is start to widget states received: the
server's share of "first usable control". With every session of a burst still open it records
the memory (PSS: shared pages shared out) of each replica's process tree, then closes them and
waits for the replicas to settle before the next burst.

Writes ``benchmarks/replicas.json`` and prints one line per burst. Needs Debian's nginx and
PostgreSQL (``bash scripts/dev.sh setup``). All on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT / "tests"), str(ROOT / "tests" / "records"), str(ROOT / "tests" / "scale")]

from cluster import Cluster, running_cluster  # noqa: E402
from pgserver import postgres_server  # noqa: E402
from run import memory_mb, wait_quiet  # noqa: E402
from sessions import at_once  # noqa: E402

AID = "scene-response"
OUT = HERE / "replicas.json"


def _summary(seconds: list[float]) -> dict[str, float | None]:
    if not seconds:
        return {"median_s": None, "p95_s": None, "max_s": None}
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_s": round(statistics.median(ordered), 2), "p95_s": round(p95, 2), "max_s": round(ordered[-1], 2)}


def burst(cluster: Cluster, count: int, timeout: float) -> dict[str, Any]:
    """``count`` sessions at once through nginx; memory per replica while they are all open."""
    before = {r.name: memory_mb(r.process.pid) for r in cluster.living() if r.process}
    began = time.monotonic()
    held: dict[str, Any] = {}

    def measure_while_open() -> None:  # runs once the sessions are open, before they close
        held.update({r.name: memory_mb(r.process.pid) for r in cluster.living() if r.process})

    opened, errors = at_once_holding(cluster.base, count, timeout, measure_while_open)
    wall = round(time.monotonic() - began, 1)
    times = [o.seconds for o in opened]
    per_replica = {name: {"pss_mb_at_rest": before[name]["pss"], "pss_mb_open": held[name]["pss"],
                          "processes_open": held[name]["processes"],
                          "kernels": held[name]["processes"] - before[name]["processes"]}
                   for name in held}
    for replica in cluster.living():
        if replica.process is not None:
            wait_quiet(replica.process.pid, timeout=120)
    return {"sessions": count, "failed": len(errors), "errors": errors[:3], "wall_s": wall,
            **_summary(times), "replicas": per_replica,
            "sessions_per_s": round(len(opened) / max(times) if times else 0.0, 2)}


def at_once_holding(base: str, count: int, timeout: float, while_open: Any) -> tuple[list[Any], list[str]]:
    """``sessions.at_once``, with ``while_open`` run after every session has opened, before any closes."""
    import sessions

    original = sessions.Session.close
    waiting = collections.deque([True])

    def close_after_measuring(self: Any) -> None:
        if waiting:
            waiting.clear()
            while_open()
        original(self)

    sessions.Session.close = close_after_measuring  # type: ignore[method-assign]
    try:
        return at_once(base, AID, count, timeout=timeout)
    finally:
        sessions.Session.close = original  # type: ignore[method-assign]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bursts", type=int, nargs="+", default=[20, 60, 120])
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--timeout", type=float, default=240, help="seconds a session may take to open")
    args = parser.parse_args()
    results: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                               "aid": AID, "runs": []}
    failed = False
    with postgres_server() as postgres:
        for replicas in args.replicas:
            folder = Path(tempfile.mkdtemp(prefix=f"bench-replicas-{replicas}-"))
            with running_cluster(folder, postgres, replicas, officer="bench-officer") as cluster:
                for replica in cluster.replicas:
                    assert replica.process is not None
                    wait_quiet(replica.process.pid, timeout=120)
                for count in args.bursts:
                    row = {"replicas": replicas, **burst(cluster, count, args.timeout)}
                    results["runs"].append(row)
                    failed = failed or bool(row["failed"])
                    print(json.dumps(row), flush=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
