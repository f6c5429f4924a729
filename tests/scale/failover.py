"""The failover trial the scale tests run: open sessions through nginx, answer, kill -9 a replica
mid-run, reopen, and compare what every page was told with what PostgreSQL holds.

Shared by the suite's small trial (``test_failover.py``) and the full one (``scale_failover.py``,
``bash scripts/dev.sh scale``).
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from aid_client import CHOICE_ITEMS, AidPage, PageLost
from cluster import OFFICER_HEADER, Cluster, Replica
from sqlalchemy import create_engine, select

from protocols.engine import ChecklistState
from protocols.records.store import audit, runs


@dataclass
class Session:
    page: AidPage
    case: str
    replica: str = ""
    confirmed: dict[str, str] = field(default_factory=dict)
    """Item -> value, for every answer the page was told was saved."""
    lost: bool = False
    resumed_with: dict[str, Any] = field(default_factory=dict)


@dataclass
class Figures:
    sessions: int
    per_replica: dict[str, int]
    open_seconds: float
    confirmed: int = 0
    found: int = 0
    lost_pages: int = 0
    resumed_pages: int = 0

    def line(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True)


def owner_of(page: AidPage, replicas: list[Replica]) -> str:
    """The replica whose kernel the page talks to: the only one that answers 200 for it."""
    owners = [r.name for r in replicas if page.request(f"/api/kernels/{page.kernel_id}", host=r.base)[0] == 200]
    assert len(owners) == 1, (page.kernel_id, owners)
    return owners[0]


def open_sessions(cluster: Cluster, count: int, workers: int = 8) -> tuple[list[Session], float]:
    """``count`` officers each open the aid through nginx and start a case of their own, at once."""
    sessions = [Session(AidPage(cluster.base, f"officer-{n:03}", OFFICER_HEADER), f"26-SCALE-{n:04}")
                for n in range(count)]

    def start(session: Session) -> None:
        session.page.open()
        session.page.start_case(session.case)

    began = time.monotonic()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(start, sessions))
    took = time.monotonic() - began
    for session in sessions:
        session.replica = owner_of(session.page, cluster.replicas)
    return sessions, took


def answer(session: Session, items: tuple[str, ...], pause: float = 0.0) -> None:
    """Answer ``items``; keep each one the page was told was saved. A lost page stops there."""
    for item in items:
        value = session.page.first_choice(item)
        try:
            reply = session.page.answer(item, value)
        except (PageLost, TimeoutError):
            session.lost = True
            return
        if reply.kind == "saved":
            session.confirmed[item] = value
        time.sleep(pause)


def answer_all(sessions: list[Session], items: tuple[str, ...], pause: float = 0.0, workers: int = 8) -> None:
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda s: answer(s, items, pause), sessions))


def answer_while_killing(sessions: list[Session], items: tuple[str, ...], victim: Replica,
                         after: float) -> None:
    """Everyone answers ``items`` slowly; ``victim`` is killed ``after`` seconds in."""
    killer = threading.Timer(after, victim.kill)
    killer.start()
    try:
        answer_all(sessions, items, pause=0.3, workers=len(sessions))
    finally:
        killer.join()


def still_connected(session: Session) -> bool:
    """Whether the page's kernel still answers: one more answer, saved."""
    spare = next(item for item in CHOICE_ITEMS if item not in session.confirmed)
    answer(session, (spare,))
    return not session.lost and spare in session.confirmed


def stored_answers(database_url: str) -> dict[str, dict[str, Any]]:
    """Case number -> item -> value, as PostgreSQL holds them."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            found = conn.execute(select(runs.c.case_number, runs.c.state)).all()
    finally:
        engine.dispose()
    out: dict[str, dict[str, Any]] = {}
    for case, state in found:
        parsed = ChecklistState.model_validate_json(state)
        out[case] = {a.item_id: a.value for a in parsed.answers}
    return out


def audit_problems(database_url: str) -> list[str]:
    """Every saved write of every run named once in the audit log, by a signed-in officer."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            revisions = dict(conn.execute(select(runs.c.id, runs.c.revision)).all())
            entries = conn.execute(select(audit.c.run_id, audit.c.action, audit.c.outcome, audit.c.actor)).all()
    finally:
        engine.dispose()
    problems = []
    writes = Counter(run_id for run_id, action, outcome, _actor in entries
                     if action in ("create", "change") and outcome == "ok")
    for run_id, revision in revisions.items():
        if writes[run_id] != revision:
            problems.append(f"run {run_id}: revision {revision} but {writes[run_id]} saved writes in the audit log")
    strangers = {actor for run_id, _a, _o, actor in entries if run_id and not actor.startswith("officer-")}
    if strangers:
        problems.append(f"writes recorded as someone other than a signed-in officer: {sorted(strangers)}")
    return problems


def check_forged_cookies(cluster: Cluster, owner: Session) -> None:
    """A copied sticky cookie only picks a replica; it never opens the owner's kernel. A forged
    one gets a fresh cookie and a fresh page."""
    import websocket

    thief = AidPage(cluster.base, "officer-999", OFFICER_HEADER,
                    cookies={"handbook_route": owner.page.cookies["handbook_route"]})
    thief.open()  # the copied cookie: a fresh page and kernel of the thief's own, on the owner's replica
    try:
        assert thief.kernel_id != owner.page.kernel_id
        assert owner_of(thief, cluster.replicas) == owner.replica
        thief.close()
        thief.kernel_id = owner.page.kernel_id  # now aim at the owner's kernel, with the thief's cookies
        try:
            thief._connect()
        except websocket.WebSocketBadStatusException as refused:
            assert refused.status_code == 403, refused.status_code
        else:
            raise AssertionError("a copied sticky cookie reached another officer's kernel")
        for replica in cluster.replicas:  # asked directly, no replica hands the kernel to the thief
            status, _body = thief.request(f"/api/kernels/{owner.page.kernel_id}", host=replica.base)
            assert status == (403 if replica.name == owner.replica else 404), (replica.name, status)
    finally:
        thief.close()
    forged = AidPage(cluster.base, "officer-998", OFFICER_HEADER, cookies={"handbook_route": "../../etc/passwd"})
    forged.open()
    try:
        assert len(forged.cookies["handbook_route"]) == 32 and forged.cookies["handbook_route"] != "../../etc/passwd"
        assert forged.kernel_id != owner.page.kernel_id
    finally:
        forged.close()


def check_conflict(cluster: Cluster, living: list[Replica]) -> None:
    """Two tabs on one case, on two replicas: the second write gets the revision conflict."""
    tabs: list[Session] = []
    by_replica: dict[str, Session] = {}
    # New browsers land where nginx's hash puts them; stop once two replicas differ (up to 40,
    # as in test_failover_in_a_browser: twelve once all landed on one replica).
    for n in range(40):
        tab = Session(AidPage(cluster.base, f"officer-{500 + n:03}", OFFICER_HEADER), "26-SCALE-TWO-TABS")
        tab.page.open()
        tab.replica = owner_of(tab.page, living)
        tabs.append(tab)
        by_replica.setdefault(tab.replica, tab)
        if len(by_replica) == 2:
            break
    assert len(by_replica) == 2, f"{len(tabs)} new browsers all landed on {list(by_replica)}"
    first, second = by_replica.values()
    try:
        first.page.start_case(first.case)
        second.page.start_case(second.case)
        assert first.page.answer("suspect-status", "in-custody").kind == "saved"
        refused = second.page.answer("weapons-status", "secured")
        assert refused.kind == "rejected" and refused.content.get("conflict") is True, refused.content
        assert "changed in another tab" in str(refused.content.get("message"))
        assert second.page.answers_shown().get("suspect-status", {}).get("value") == "in-custody", \
            "the refused tab shows the answers saved by the other"
        held = stored_answers(cluster.database_url)["26-SCALE-TWO-TABS"]
        assert held == {"suspect-status": "in-custody"}, f"a silent overwrite: {held}"
    finally:
        for tab in tabs:
            tab.page.close()


def run_failover(cluster: Cluster, count: int, victim: Replica) -> Figures:
    """The whole trial; asserts as it goes and returns the figures."""
    sessions, took = open_sessions(cluster, count)
    per_replica = dict(Counter(s.replica for s in sessions))
    figures = Figures(count, per_replica, round(took, 1))
    assert set(per_replica) == {r.name for r in cluster.replicas}, f"sessions did not spread: {per_replica}"
    answer_all(sessions, CHOICE_ITEMS[:2])
    assert all(len(s.confirmed) == 2 for s in sessions), [s.confirmed for s in sessions if len(s.confirmed) != 2]
    check_conflict(cluster, cluster.replicas)
    check_forged_cookies(cluster, sessions[0])
    answer_while_killing(sessions, CHOICE_ITEMS[2:4], victim, after=0.4)
    on_victim = [s for s in sessions if s.replica == victim.name]
    survivors = [s for s in sessions if s.replica != victim.name]
    for session in on_victim:  # a page whose last answers went through before the kill learns now
        session.lost = session.lost or not still_connected(session)
    assert all(s.lost for s in on_victim), "a page on the killed replica did not notice"
    assert not any(s.lost for s in survivors), [s.case for s in survivors if s.lost]
    assert all(still_connected(s) for s in survivors)
    figures.lost_pages = len(on_victim)

    for session in on_victim:
        # What the page asks when its connection drops: does my kernel still exist? A live
        # replica answers (no kernel of that id here), so the page offers to reopen the case.
        status, _body = session.page.request(f"/api/kernels/{session.page.kernel_id}")
        assert status == 404, f"the page's check for its kernel got {status}, not 'gone'"
        session.page.open()
        session.page.start_case(session.case)
        assert any("Resumed where you stopped" in t for t in session.page.seen_text), session.page.seen_text[-3:]
        session.replica = owner_of(session.page, cluster.living())
        session.resumed_with = session.page.answers_shown()
        missing = {i for i, v in session.confirmed.items() if session.resumed_with.get(i, {}).get("value") != v}
        assert not missing, f"{session.case} reopened without saved answers {missing}"
        figures.resumed_pages += 1

    stored = stored_answers(cluster.database_url)
    figures.confirmed = sum(len(s.confirmed) for s in sessions)
    figures.found = sum(1 for s in sessions for item, value in s.confirmed.items()
                        if stored.get(s.case, {}).get(item) == value)
    assert figures.found == figures.confirmed, "answers shown as saved are missing from PostgreSQL"

    problems = audit_problems(cluster.database_url)
    assert not problems, problems
    for replica in cluster.living():
        assert replica.health()[0] == 200
    for session in sessions:
        session.page.close()
    return figures
