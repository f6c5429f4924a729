"""The full failover trial: three replicas behind nginx, thirty sessions, one replica killed.

Too slow for the main suite (about a minute and a half on two cores); run it with
``bash scripts/dev.sh scale``, which names this file (pytest collects it only when named).
It prints the figures: sessions per replica, answers confirmed and found in PostgreSQL,
pages lost and resumed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cluster import running_cluster
from failover import run_failover

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_thirty_sessions_on_three_replicas_survive_a_kill(postgres_url: str, tmp_path: Path) -> None:
    with running_cluster(tmp_path, postgres_url, replicas=3) as cluster:
        figures = run_failover(cluster, count=30, victim=cluster.replicas[1])
        print(figures.line())
        assert len(figures.per_replica) == 3
        assert figures.confirmed >= 30 * 2 and figures.found == figures.confirmed
        assert figures.lost_pages == figures.resumed_pages >= 1
