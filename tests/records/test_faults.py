"""A database that fails under a job aid: read-only, full, locked, unreachable.

Read-only, locked and unreachable are real database states (the database itself
refuses); a full disk is SQLite's own error raised at the driver. Through the
screening job aid (widgets, in-process) and the live checklist's session, the test
checks that the aid says so plainly, reports nothing saved that was not, keeps the
answer in the kernel, and that "Retry saving" saves it, with the time it was first
given, once the fault is gone.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pytest
from pgserver import empty_database
from sqlalchemy import create_engine, event, text

from protocols.library.loader import Library, load_library
from protocols.records import Store
from protocols.ui.checklist_session import ChecklistSession
from protocols.ui.screening_aid import AID, screening_aid

T0 = dt.datetime(2026, 11, 20, 21, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


class Fault:
    """A fault switched on and off on a real database; ``reason`` is what the aid must say."""

    reason = ""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.active = False
        event.listen(store.engine, "checkout", self._checkout)

    def on(self) -> None:
        self.active = True

    def off(self) -> None:
        self.active = False

    def _checkout(self, dbapi: Any, _record: Any, _proxy: Any) -> None:
        """Set each pooled connection to match the fault's state."""


class ReadOnly(Fault):
    reason = "the database is read-only"

    def _checkout(self, dbapi: Any, _record: Any, _proxy: Any) -> None:
        cursor = dbapi.cursor()
        if self.store.engine.dialect.name == "sqlite":
            cursor.execute(f"PRAGMA query_only={int(self.active)}")
        else:
            cursor.execute(f"SET default_transaction_read_only = {'on' if self.active else 'off'}")
        cursor.close()
        if self.store.engine.dialect.name == "postgresql":
            dbapi.commit()


class Full(Fault):
    """Every write fails as SQLite fails on a full disk.

    Injected at the driver with SQLite's own error: a disk really filling up is not
    deterministic in a test (a write-ahead log reuses the space it already has), and
    everything above the driver (rollback, message, kept answer, retry) is the same.
    """

    reason = "the disk is full"

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        event.listen(store.engine, "before_cursor_execute", self._before_execute)

    def _before_execute(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.active and statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            raise sqlite3.OperationalError("database or disk is full")


class Locked(Fault):
    """Another program holds the write lock; our writes give up after a short wait."""

    reason = "the database is busy (locked)"

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.holder: Any = None

    def on(self) -> None:
        super().on()
        if self.store.engine.dialect.name == "sqlite":
            path = self.store.engine.url.database
            assert path
            self.holder = sqlite3.connect(path, isolation_level=None)
            self.holder.execute("BEGIN IMMEDIATE")
        else:
            self.holder = self.store.engine.connect()
            self.holder.begin()
            self.holder.execute(text("LOCK TABLE runs IN ACCESS EXCLUSIVE MODE"))

    def off(self) -> None:
        super().off()
        if self.store.engine.dialect.name == "sqlite":
            self.holder.execute("ROLLBACK")
        else:
            self.holder.rollback()
        self.holder.close()

    def _checkout(self, dbapi: Any, _record: Any, _proxy: Any) -> None:
        cursor = dbapi.cursor()
        if self.store.engine.dialect.name == "sqlite":
            cursor.execute(f"PRAGMA busy_timeout={200 if self.active else 5000}")
        else:
            cursor.execute(f"SET lock_timeout = '{'300ms' if self.active else '0'}'")
        cursor.close()
        if self.store.engine.dialect.name == "postgresql":
            dbapi.commit()


class Unreachable(Fault):
    """The database server stops answering (the store's engine points at a closed port)."""

    reason = "the database server cannot be reached"

    def on(self) -> None:
        super().on()
        self.real = self.store.engine
        self.store.engine = create_engine("postgresql+psycopg://handbook@127.0.0.1:9/records",
                                          connect_args={"connect_timeout": 2})

    def off(self) -> None:
        super().off()
        self.store.engine.dispose()
        self.store.engine = self.real


FAULTS: dict[str, type[Fault]] = {"read-only": ReadOnly, "full": Full, "locked": Locked,
                                  "unreachable": Unreachable}


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


# Each fault on each database that can have it: a full disk is SQLite's error, and only a
# database server can be unreachable.
CASES = [("sqlite", "read-only"), ("sqlite", "full"), ("sqlite", "locked"),
         *[pytest.param(("postgres", f), marks=pytest.mark.postgres, id=f"postgres-{f}")
           for f in ("read-only", "locked", "unreachable")]]


@pytest.fixture(params=CASES, ids=lambda case: "-".join(case) if isinstance(case, tuple) else None)
def faulty(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Store, Fault]]:
    """A store on a real database, and a fault that can be switched on under it."""
    kind, name = request.param
    with empty_database(kind, request, tmp_path) as url:
        store = Store.open(url)
        fault = FAULTS[name](store)
        yield store, fault
        if fault.active:
            fault.off()
        store.engine.dispose()


def walk(widget: widgets.Widget) -> Iterator[widgets.Widget]:
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def with_class(root: widgets.Widget, name: str) -> widgets.Widget:
    return next(w for w in walk(root) if name in getattr(w, "_dom_classes", ()))


def visible_button(root: widgets.Widget, label: str) -> widgets.Button | None:
    found = [w for w in walk(root) if isinstance(w, widgets.Button) and w.description == label
             and w.layout.display != "none"]
    return found[0] if found else None


def status(aid: widgets.Widget) -> str:
    return next(str(w.value) for w in walk(aid)
                if isinstance(w, widgets.HTML) and 'class="hb-aid-status' in w.value)


def saved_answers(store: Store, case: str) -> tuple[int, dict[int, tuple[str, str]]]:
    """The saved revision and {question: (value, answered_at)} of the case's screening."""
    with store.engine.connect() as conn:  # straight from the database, not the aid
        row = conn.execute(text("SELECT revision, state FROM runs WHERE aid = :a AND case_number = :c"),
                           {"a": AID, "c": case}).one()
    state = json.loads(row.state)
    return row.revision, {a["question"]: (a["answer"], a["answered_at"]) for a in state["answers"]}


def test_a_screening_answer_survives_a_failing_database(faulty: tuple[Store, Fault], library: Library) -> None:
    store, fault = faulty
    clock = Clock()
    aid = screening_aid(library=library, store=store, clock=clock)
    next(w for w in walk(aid) if isinstance(w, widgets.Text)).value = "F-1"
    question = with_class(aid, "hb-q-1")
    next(w for w in walk(question) if isinstance(w, widgets.Button) and w.description == "Yes").click()
    assert saved_answers(store, "F-1")[0] == 2

    fault.on()
    clock.now = T0 + dt.timedelta(minutes=1)
    question = with_class(aid, "hb-q-2")
    next(w for w in walk(question) if isinstance(w, widgets.Button) and w.description == "No").click()
    shown = status(aid)
    assert "Not saved: " in shown and fault.reason in shown and 'role="alert"' in shown, shown
    assert "kept here but not saved yet" in shown
    assert "saved" not in "".join(str(w.value) for w in walk(with_class(aid, "hb-q-2"))
                                  if isinstance(w, widgets.HTML)), "nothing unsaved is shown as saved"
    retry = visible_button(aid, "Retry saving")
    assert retry is not None

    clock.now = T0 + dt.timedelta(minutes=6)
    retry.click()  # the fault is still there
    assert "Still not saved" in status(aid) and visible_button(aid, "Retry saving") is not None
    fault.off()
    assert saved_answers(store, "F-1") == (2, {1: ("yes", saved_answers(store, "F-1")[1][1][1])})

    retry.click()
    assert "Your answer saved now. Question 2: No. Saved." in status(aid)
    assert visible_button(aid, "Retry saving") is None
    revision, answers = saved_answers(store, "F-1")
    assert revision == 3
    assert answers[2][0] == "no"
    assert dt.datetime.fromisoformat(answers[2][1]) == T0 + dt.timedelta(minutes=1), \
        "the answer keeps the time it was given, not the time it was saved"
    assert "· saved" in "".join(str(w.value) for w in walk(with_class(aid, "hb-q-2"))
                                if isinstance(w, widgets.HTML))


def test_checklist_answers_wait_in_the_kernel_and_save_together(faulty: tuple[Store, Fault],
                                                               library: Library) -> None:
    store, fault = faulty
    clock = Clock()
    protocol = library.protocol("scene-response")
    first, second = [i.id for i in protocol.items() if i.value.type == "yes-no"][:2]
    session, _note = ChecklistSession.start_or_resume(protocol, store, "scene-response", "F-2", clock)
    fault.on()
    reply = session.handle({"type": "answer", "item": first, "answer": {"value": "yes"}})
    assert reply["type"] == "rejected" and reply["unsaved"] == [first]
    assert fault.reason in reply["message"] and "answers" not in reply
    clock.now = T0 + dt.timedelta(minutes=2)
    reply = session.handle({"type": "answer", "item": second, "answer": {"value": "yes"}})
    assert reply["unsaved"] == sorted([first, second])
    assert "2 answers are kept here" in reply["message"]

    fault.off()
    assert store.get(session.run_id).revision == 1  # type: ignore[union-attr]
    reply = session.handle({"type": "retry"})
    assert reply["type"] == "saved" and reply["unsaved"] == []
    assert reply["message"].startswith("Saved now: 2 kept answers.")
    assert set(reply["answers"]) == {first, second}
    record = store.get(session.run_id)
    assert record is not None and record.revision == 2, "both kept answers saved in one transaction"
    times = {a["item_id"]: a["answered_at"] for a in json.loads(record.state)["answers"]}
    assert dt.datetime.fromisoformat(times[first]) == T0
    assert dt.datetime.fromisoformat(times[second]) == T0 + dt.timedelta(minutes=2)
