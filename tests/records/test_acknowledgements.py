"""Read and acknowledge: one record per officer and version, what changed since, the check, the report."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import threading
from pathlib import Path

import pytest

from protocols.library.loader import Library, default_library
from protocols.records import Store
from protocols.records.acknowledgement_report import as_csv, counts, report
from protocols.records.acknowledgements import (
    AcknowledgementError,
    acknowledge,
    all_acknowledgements,
    current,
    known_officers,
    pending_changes,
    record_check,
)
from protocols.records.content_changes import (
    Document,
    changes,
    chapter_document,
    check_questions,
    documents,
    protocol_document,
    rights_document,
    score,
)

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def library() -> Library:
    return default_library()


def revised(document: Document, version: str) -> Document:
    """``document`` as a trainer's next version: one item reworded, one removed, one added."""
    items = copy.deepcopy(document.snapshot["items"])
    first, second = list(items)[:2]
    items[first]["prompt"] = items[first]["prompt"] + " (now say it twice)"
    del items[second]
    items["new-item"] = {"pause_point": "Arrive", "prompt": "Offer water", "script": "", "critical": False,
                         "rationale": "A drink helps a person settle."}
    return dataclasses.replace(document, version=version, snapshot={"items": items},
                               changelog=((version, "Said twice; dropped one; added water.", "Field feedback."),
                                          *document.changelog))


def test_what_changed_is_worked_out_against_the_version_the_officer_read(library: Library) -> None:
    old = protocol_document(library.protocol("scene-response"))
    new = revised(old, "9.0")
    found = changes(new, old.version, old.snapshot)
    kinds = [(c.kind, c.ref) for c in found.items]
    first, second = list(old.snapshot["items"])[:2]
    assert ("added", "new-item") in kinds and ("removed", second) in kinds and ("reworded", first) in kinds
    added = next(c for c in found.items if c.kind == "added")
    assert added.rationale == "A drink helps a person settle.", "each change carries its reason"
    notes = [c for c in found.items if c.kind == "changelog"]
    assert [n.ref for n in notes] == ["9.0"] and notes[0].rationale == "Field feedback."
    assert found.summary() == "1 added, 1 removed, 1 reworded"
    assert changes(new, None, None).first_time


def test_a_rights_notice_and_a_chapter_have_versions_too(library: Library, tmp_path: Path) -> None:
    notice = rights_document(next(iter(library.rights.values())))
    assert notice.version and notice.snapshot["rights"]
    book = tmp_path / "book"
    (book / "arrive").mkdir(parents=True)
    page = book / "arrive" / "safety.md"
    page.write_text("# Scene Safety\n\n## Look first\n\nText.\n", encoding="utf-8")
    before = chapter_document(book, page)
    assert (before.key, before.title, before.link) == ("chapter:book/arrive/safety", "Scene Safety",
                                                       "book/arrive/safety.html")
    page.write_text("# Scene Safety\n\n## Look first\n\n## Call for help\n\nText.\n", encoding="utf-8")
    after = chapter_document(book, page)
    assert after.version != before.version, "the chapter's fingerprint is its version"
    (added,) = changes(after, before.version, before.snapshot).items
    assert (added.heading, added.text) == ("Added section", "Call for help")
    keys = [d.key for d in documents(library, book)]
    assert "chapter:book/arrive/safety" in keys and any(k.startswith("rights:") for k in keys)


def test_an_acknowledgement_is_kept_once_and_a_stale_version_is_refused(store: Store, library: Library) -> None:
    docs = documents(library)
    document = current(docs, "protocol:scene-response", library.protocol("scene-response").version)
    record, created = acknowledge(store, "ofc-12", document, NOW)
    assert created and record.version == document.version and record.snapshot == document.snapshot
    again, created = acknowledge(store, "ofc-12", document, NOW + dt.timedelta(minutes=1))
    assert not created and again.acknowledged_at == record.acknowledged_at
    assert len(all_acknowledgements(store, "ofc-12")) == 1
    with pytest.raises(AcknowledgementError, match=r"Version 0\.1 of “.+” is no longer current \(it is now version"):
        current(docs, "protocol:scene-response", "0.1")
    with pytest.raises(AcknowledgementError, match="no document protocol:gone"):
        current(docs, "protocol:gone", "1.0")
    with pytest.raises(AcknowledgementError, match="needs your own sign-in"):
        acknowledge(store, "job-aid", document, NOW)
    audit = [e for e in store.audit_log() if e["action"] == "acknowledge"]
    assert [(e["actor"], e["detail"]) for e in audit] == [("ofc-12", f"protocol:scene-response version "
                                                                     f"{document.version}")]


def test_two_devices_acknowledging_at_once_make_one_record(database_url: str, library: Library) -> None:
    document = protocol_document(library.protocol("scene-response"))
    stores = [Store.open(database_url, actor="ofc-3") for _ in range(4)]
    start = threading.Barrier(len(stores))
    results: list[bool] = []

    def press(store: Store) -> None:
        start.wait()
        results.append(acknowledge(store, "ofc-3", document, NOW)[1])

    threads = [threading.Thread(target=press, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, False, True]
    assert len(all_acknowledgements(stores[0], "ofc-3")) == 1
    for s in stores:
        s.engine.dispose()


def test_pending_lists_only_what_changed_since_and_the_check_is_kept(store: Store, library: Library) -> None:
    docs = documents(library)
    scene = next(d for d in docs if d.key == "protocol:scene-response")
    acknowledge(store, "ofc-5", scene, NOW)
    assert "protocol:scene-response" not in [p.document.key for p in pending_changes(store, "ofc-5", docs)]
    newer = revised(scene, "9.0")
    newer_docs = [newer if d.key == scene.key else d for d in docs]
    (found,) = [p for p in pending_changes(store, "ofc-5", newer_docs) if p.document.key == scene.key]
    assert found.acknowledged_version == scene.version and not found.first_time
    asked = check_questions(found, library)
    assert len(asked) == 3
    changed_first = next(iter(scene.snapshot["items"]))
    assert asked[0].item == changed_first, "the check starts from the changed items"
    assert score(asked, [q.answer for q in asked]) == 3 and score(asked, [None, None, None]) == 0
    with pytest.raises(AcknowledgementError, match=r"Acknowledge version 9\.0"):
        record_check(store, "ofc-5", newer, 2, 3, NOW)
    acknowledge(store, "ofc-5", newer, NOW)
    kept = record_check(store, "ofc-5", newer, 2, 3, NOW)
    assert kept.check_text == "2 of 3"
    with pytest.raises(AcknowledgementError, match="between 0 and 3"):
        record_check(store, "ofc-5", newer, 4, 3, NOW)


def test_the_report_says_who_is_due_overdue_or_up_to_date(store: Store, library: Library) -> None:
    docs = documents(library)[:3]
    acknowledge(store, "ofc-1", docs[0], NOW)
    store.record_event("export", None, actor="sgt-2")  # someone the records know, who acknowledged nothing
    officers = known_officers(store)
    assert "ofc-1" in officers and "sgt-2" in officers and "job-aid" not in officers
    records = all_acknowledgements(store)
    late = max(d.revised for d in docs if d.revised) + dt.timedelta(days=30)
    rows = report(records, docs, ["ofc-1", "sgt-2"], late, grace_days=14)
    states = {(r.officer, r.document): r.state for r in rows}
    assert states[("ofc-1", docs[0].key)] == "acknowledged"
    assert states[("sgt-2", docs[0].key)] == "overdue"
    early = report(records, docs, ["sgt-2"], min(d.revised for d in docs if d.revised), grace_days=14)
    assert {r.state for r in early} == {"due"}
    assert counts(rows)["acknowledged"] == 1
    first = next(r for r in rows if r.state == "acknowledged")
    assert first.check == "not taken" and first.acknowledged_version == docs[0].version
    assert as_csv(rows).splitlines()[0].startswith("officer,document,title,current_version,state")


def test_a_purge_of_victim_records_keeps_every_acknowledgement(store: Store, library: Library) -> None:
    acknowledge(store, "ofc-8", documents(library)[0], NOW - dt.timedelta(days=4000))
    run = store.create("scene-response", "scene-response", "1.0", "C-1", "completed", "{}")
    assert store.purge(1, now=dt.datetime.now(dt.UTC) + dt.timedelta(days=5)) == [run.id]
    assert len(all_acknowledgements(store, "ofc-8")) == 1
