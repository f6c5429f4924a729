"""The records store keeps every answer, refuses silent overwrites, purges and audits."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from protocols.engine import ChecklistRun
from protocols.library.loader import default_library
from protocols.records import RevisionConflict, Store, StoreError
from protocols.records.export_v1 import ExportError, checklist_payload, to_html, to_json, verify_export
from protocols.ui.checklist_session import ChecklistSession

T0 = dt.datetime(2026, 11, 20, 21, 0, tzinfo=dt.UTC)


def clock_from(start: dt.datetime):  # type: ignore[no-untyped-def]
    times = iter(start + dt.timedelta(minutes=n) for n in range(1000))
    return lambda: next(times)


def test_create_save_and_resume(store: Store) -> None:
    protocol = default_library().protocol("scene-response")
    session, note = ChecklistSession.start_or_resume(protocol, store, "scene-response", "2026-0042",
                                                     clock_from(T0))
    assert note == "New checklist started."
    first = protocol.pause_points[0].items[0]
    value = first.value.choices[0].id if first.value.choices else "yes"
    reply = session.handle({"type": "answer", "item": first.id, "answer": {"value": value}})
    assert reply["type"] == "saved"
    assert first.id in reply["answers"]

    again, note = ChecklistSession.start_or_resume(protocol, store, "scene-response", "2026-0042",
                                                   clock_from(T0))
    assert again.run_id == session.run_id
    assert note.startswith("Resumed where you stopped.")
    assert again.run.answer_for(first.id) is not None


def test_second_tab_does_not_silently_overwrite(store: Store) -> None:
    protocol = default_library().protocol("scene-response")
    tab1, _ = ChecklistSession.start_or_resume(protocol, store, "scene-response", "C-1", clock_from(T0))
    tab2, _ = ChecklistSession.start_or_resume(protocol, store, "scene-response", "C-1", clock_from(T0))
    items = protocol.items()
    def value_for(item):  # type: ignore[no-untyped-def]
        if not item.value.choices:
            return "yes"
        return [item.value.choices[0].id] if item.value.multiple else item.value.choices[0].id

    yes_no = [i for i in items if i.value.type.value in ("yes-no", "choice")]
    first = {"type": "answer", "item": yes_no[0].id, "answer": {"value": value_for(yes_no[0])}}
    assert tab1.handle(first)["type"] == "saved"
    reply = tab2.handle({"type": "answer", "item": yes_no[1].id, "answer": {"value": value_for(yes_no[1])}})
    assert reply["type"] == "rejected"
    assert "another tab" in reply["message"]
    assert yes_no[0].id in reply["answers"]  # tab 2 was refreshed with tab 1's answer
    retry = {"type": "answer", "item": yes_no[1].id, "answer": {"value": value_for(yes_no[1])}}
    assert tab2.handle(retry)["type"] == "saved"


def test_revision_check_in_the_store(store: Store) -> None:
    record = store.create("scene-response", "scene-response", "1.0", "C-2", "in-progress", "{}")
    assert store.save(record.id, 1, "in-progress", "{}") == 2
    with pytest.raises(RevisionConflict):
        store.save(record.id, 1, "in-progress", "{}")


def test_purge_deletes_only_old_completed_runs_and_audits(store: Store) -> None:
    old = store.create("scene-response", "scene-response", "1.0", "C-3", "completed", "{}")
    open_run = store.create("scene-response", "scene-response", "1.0", "C-4", "in-progress", "{}")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=40)
    assert store.purge(30, now=later) == [old.id]
    assert store.get(old.id) is None
    assert store.get(open_run.id) is not None
    actions = [(e["action"], e["run_id"]) for e in store.audit_log()]
    assert ("delete", old.id) in actions
    with pytest.raises(StoreError):
        store.purge(0)


def test_audit_log_never_holds_note_text(store: Store) -> None:
    protocol = default_library().protocol("scene-response")
    session, _ = ChecklistSession.start_or_resume(protocol, store, "scene-response", "C-5", clock_from(T0))
    secret = "the victim's sister lives at 12 Elm"
    free_text = [i for i in protocol.items() if i.value.type.value == "text"]
    na_items = [i for i in protocol.items() if i.na_allowed]
    for item in free_text[:1]:
        assert session.handle({"type": "answer", "item": item.id, "answer": {"value": secret}})["type"] == "saved"
    reply = session.handle({"type": "answer", "item": na_items[0].id, "answer": {"na": True, "reason": secret}})
    assert reply["type"] == "saved"
    dumped = json.dumps(store.audit_log(), default=str)
    assert "Elm" not in dumped
    assert {e["action"] for e in store.audit_log()} >= {"create", "change"}


def test_export_json_and_html_verify_and_detect_tampering(store: Store, tmp_path: Path) -> None:
    protocol = default_library().protocol("supervisor-review")  # it has free-text items
    run = ChecklistRun.start(protocol, "C-6", T0)
    for n, item in enumerate(protocol.items()):
        when = T0 + dt.timedelta(minutes=n)
        if item.value.type.value == "text":
            run.answer(item.id, "<script>alert(1)</script> private note"[: item.value.max_length], when)
        elif item.na_allowed and n % 5 == 4 and not item.critical:
            run.mark_not_applicable(item.id, "no children present", when)
        elif item.value.choices:
            first = item.value.choices[0].id
            run.answer(item.id, [first] if item.value.multiple else first, when)
        elif item.value.type.value == "yes-no":
            run.answer(item.id, "yes", when)
        elif item.value.type.value == "time":
            run.answer(item.id, "21:05", when)
        elif item.value.type.value == "number":
            run.answer(item.id, item.value.min or 1, when)
    run.complete(T0 + dt.timedelta(hours=1))
    record = store.create("supervisor-review", protocol.id, protocol.version, "C-6", run.status,
                          run.state.model_dump_json())
    payload = checklist_payload(record, protocol)
    as_json = tmp_path / "run.json"
    as_html = tmp_path / "run.html"
    as_json.write_text(to_json(payload), encoding="utf-8")
    as_html.write_text(to_html(payload), encoding="utf-8")
    assert verify_export(as_json) == verify_export(as_html)
    page = as_html.read_text(encoding="utf-8")
    assert "<script>alert" not in page
    assert "private" not in page and "<script>al" not in page  # free text is redacted
    assert "no children present" in page or not any(
        pp["skipped"] for pp in payload["pause_points"])
    with_notes = checklist_payload(record, protocol, include_notes=True)
    assert "<script>al" in json.dumps(with_notes)
    assert "<script>alert" not in to_html(with_notes)

    tampered = json.loads(as_json.read_text(encoding="utf-8"))
    tampered["payload"]["case_number"] = "C-999"
    as_json.write_text(json.dumps(tampered), encoding="utf-8")
    with pytest.raises(ExportError, match="changed after export"):
        verify_export(as_json)
    as_html.write_text(page.replace("C-6", "C-7", 1), encoding="utf-8")
    with pytest.raises(ExportError, match="changed after export"):
        verify_export(as_html)


def test_foreign_sqlite_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    foreign = tmp_path / "photo.sqlite3"
    foreign.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 2048)
    before = foreign.read_bytes()
    with pytest.raises(StoreError, match="not a handbook database"):
        Store.open(f"sqlite:///{foreign}")
    assert foreign.read_bytes() == before


def test_bad_database_url_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="database URL is not usable"):
        Store.open("nosuchdb://x")
    with pytest.raises(StoreError):
        Store.open("postgresql+psycopg://nobody@127.0.0.1:1/none")
