"""RunSession: one engine call, one save, and only then a confirmation."""

from __future__ import annotations

import pytest
from aid_helpers import Clock, break_saves

from protocols.engine import ScreeningRun
from protocols.library.loader import Library
from protocols.records import Store
from protocols.ui.markup import when
from protocols.ui.session import RunSession, open_records, sentence


def session(library: Library, store: Store, clock: Clock, case: str = "26-100") -> RunSession[ScreeningRun]:
    instrument = library.instrument("sample-danger-screen")
    run = ScreeningRun.start(instrument, case, clock())
    return RunSession.create(store, "screening", case, run,
                             load=lambda saved: ScreeningRun.restore(instrument, saved),
                             status=lambda r: "completed" if r.finished else "in-progress", clock=clock)


def test_a_change_is_saved_before_it_is_confirmed(library: Library, store: Store, clock: Clock) -> None:
    s = session(library, store, clock)
    step = s.act(lambda run, now: run.answer(1, "yes", now), "Saved.")
    assert step.saved and step.message == "Saved."
    record = store.get(s.run_id)
    assert record is not None and record.revision == 2 == s.revision
    assert '"answer":"yes"' in record.state
    again = s.act(lambda run, now: run.answer(1, "yes", now), "Saved.")
    assert again.saved and s.revision == 2, "an unchanged run is not saved again"


def test_an_engine_refusal_is_shown_in_plain_words(library: Library, store: Store, clock: Clock) -> None:
    s = session(library, store, clock)
    step = s.act(lambda run, now: run.override("   ", now), "Saved.")
    assert not step.saved
    assert step.message.startswith("The reason for screening in on your belief is empty")
    assert "Traceback" not in step.message
    assert s.run.state.officer_belief is None
    assert s.revision == 1


def test_a_store_failure_keeps_the_run_as_it_was(library: Library, store: Store, clock: Clock,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    s = session(library, store, clock)
    s.act(lambda run, now: run.answer(1, "no", now), "Saved.")
    break_saves(store, monkeypatch)
    step = s.act(lambda run, now: run.answer(2, "yes", now), "Saved.")
    assert not step.saved
    assert step.message.startswith("Not saved: ") and "disk is full" in step.message
    assert s.run.answer_of(2).value == "not-answered", "the unsaved answer is rolled back"
    monkeypatch.undo()
    record = store.get(s.run_id)
    assert record is not None and record.revision == 2 and '"question":2' not in record.state


def test_a_second_tab_cannot_overwrite_the_first(library: Library, store: Store, clock: Clock) -> None:
    first = session(library, store, clock)
    record = store.get(first.run_id)
    assert record is not None
    second = RunSession.resume(store, record, load=first._load, status=first._status, clock=clock)
    assert second.act(lambda run, now: run.answer(3, "yes", now), "Saved.").saved
    step = first.act(lambda run, now: run.answer(4, "yes", now), "Saved.")
    assert not step.saved and step.reloaded
    assert "changed in another tab" in step.message
    assert first.run.answer_of(3).value == "yes", "the first tab now shows what the second saved"
    assert first.act(lambda run, now: run.answer(4, "yes", now), "Saved.").saved


def test_open_records_skip_completed_runs(library: Library, store: Store, clock: Clock) -> None:
    done = session(library, store, clock, "26-7")
    done.act(lambda run, now: run.finish(now), "Finished.")
    open_one = session(library, store, clock, "26-7")
    assert [r.id for r in open_records(store, "screening", "26-7")] == [open_one.run_id]
    assert open_records(store, "screening", "26-7", ["another-instrument"]) == []


def test_messages_read_as_sentences() -> None:
    assert sentence("the case number is empty") == "The case number is empty."
    assert sentence("Done!") == "Done!"
    assert sentence("") == ""


def test_times_without_a_zone_are_taken_as_utc() -> None:
    import datetime as dt

    aware = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
    assert when(aware.replace(tzinfo=None)) == when(aware)
