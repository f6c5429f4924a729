"""Replicas behind nginx on one PostgreSQL lose no answer when one is killed (the suite's short trial).

Two `handbook serve` replicas, Debian's nginx with the shipped configuration and a real
PostgreSQL, all on loopback and started by the test. Six officers open the job aid through
nginx (they must land on both replicas), answer, and one replica is killed with its kernels
while they answer. Every answer a page was told was saved must be in PostgreSQL; every page on
the dead replica must lose its connection and, reopened, resume its case on the live replica
with those answers. Two tabs of one case on different replicas get the revision conflict; a
copied or forged sticky cookie never reaches another officer's kernel; the audit log names
every saved write once. The full trial (three replicas, thirty sessions) is
``bash scripts/dev.sh scale``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cluster import running_cluster
from failover import run_failover

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_a_killed_replica_loses_no_saved_answer(postgres_url: str, tmp_path: Path) -> None:
    with running_cluster(tmp_path, postgres_url, replicas=2) as cluster:
        figures = run_failover(cluster, count=6, victim=cluster.replicas[0])
        print(figures.line())
        assert figures.confirmed >= 6 * 2 and figures.found == figures.confirmed
        assert figures.lost_pages == figures.resumed_pages >= 1
        for replica in cluster.replicas[1:]:
            assert "Traceback" not in replica.log.read_text(errors="replace")
