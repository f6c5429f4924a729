"""The read-and-acknowledge job aid and the scene log in the checklist aids, driven as a browser would."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import ipywidgets as widgets
import pytest
from aid_helpers import Clock, click, find, page_text, start_case, status_text

from protocols.library.loader import Library
from protocols.records import Store
from protocols.records.acknowledgements import AcknowledgementError, all_acknowledgements
from protocols.records.content_changes import documents
from protocols.render.labels import JOB_AIDS
from protocols.ui.acknowledgements_aid import AcknowledgementController, acknowledgements_aid
from protocols.ui.checklist import ChecklistWidget
from protocols.ui.checklist_aid import checklist_aid
from protocols.ui.tracker_aid import OnOpen, tracker_aid


@pytest.fixture
def book(tmp_path: Path) -> Path:
    folder = tmp_path / "book" / "rights"
    folder.mkdir(parents=True)
    (folder / "your-rights.md").write_text("# Your Rights\n\n## At the scene\n", encoding="utf-8")
    return tmp_path / "book"


def buttons(aid: widgets.Widget) -> list[str]:
    return [str(b.description) for b in find(aid, widgets.Button)
            if getattr(b.layout, "display", "") != "none"]


def test_the_aid_is_registered_like_the_others() -> None:
    aid = JOB_AIDS["acknowledgements"]
    assert aid.path == "voila/render/acknowledgements.ipynb"
    assert (Path(__file__).resolve().parents[2] / "widgets" / "acknowledgements.ipynb").is_file()


def test_an_officer_reads_acknowledges_and_takes_the_check(library: Library, store: Store, clock: Clock,
                                                             book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDBOOK_USER", "ofc-21")
    aid = acknowledgements_aid(library, store, clock, book)
    scene = library.protocol("scene-response")
    label = f"{scene.title} · version {scene.version} · new to you: read it whole"
    assert label not in buttons(aid), "what is new to the officer waits behind its button"
    (new,) = [t for t in find(aid, widgets.ToggleButton) if str(t.description).startswith("Show the ")]
    new.value = True
    assert label in buttons(aid)
    assert "Your Rights · revision of " in " ".join(buttons(aid)), "a chapter is listed too, by its date"
    click(aid, label)
    assert "You have not acknowledged any version of this protocol yet" in page_text(aid)
    click(aid, f"I have read version {scene.version}")
    assert f"Acknowledged: “{scene.title}”, version {scene.version}" in status_text(aid)
    assert label not in buttons(aid), "the list no longer offers it"
    options = find(aid, widgets.RadioButtons)
    assert len(options) == 3, "a 3-question check is offered"
    for choice in options:
        choice.value = 0
    click(aid, "Check my answers")
    assert "right. Your result is saved with your acknowledgement." in status_text(aid)
    (record,) = all_acknowledgements(store, "ofc-21")
    assert record.check_total == 3 and record.check_score is not None
    click(aid, "Show the supervisor report")
    assert "ofc-21" in page_text(aid) and "Acknowledged" in page_text(aid)


def test_a_changed_version_shows_what_changed_and_a_stale_one_is_refused(
        library: Library, store: Store, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDBOOK_USER", "ofc-22")
    docs = documents(library)
    scene = next(d for d in docs if d.key == "protocol:scene-response")
    AcknowledgementController(library, store, docs, clock).acknowledge(scene.key, scene.version)
    items = dict(scene.snapshot["items"])
    first = next(iter(items))
    items[first] = {**items[first], "prompt": "Check the scene again before you go in"}
    newer = dataclasses.replace(scene, version="9.1", snapshot={"items": items},
                                changelog=(("9.1", "Clearer first step.", "Officers asked for it."), *scene.changelog))
    controller = AcknowledgementController(library, store, [newer if d is scene else d for d in docs], clock)
    (found,) = [p for p in controller.pending() if p.document.key == scene.key]
    assert found.summary() == "1 reworded"
    with pytest.raises(AcknowledgementError, match=f"Version {scene.version} of .* is no longer current"):
        controller.acknowledge(scene.key, scene.version)
    said = controller.acknowledge(scene.key, "9.1")
    assert said.startswith("Acknowledged:")
    assert controller.acknowledge(scene.key, "9.1").startswith("You had already acknowledged version 9.1")


def test_without_a_personal_sign_in_nothing_can_be_acknowledged(library: Library, store: Store, clock: Clock,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HANDBOOK_USER", raising=False)
    aid = acknowledgements_aid(library, store, clock, Path("/nonexistent"))
    assert "needs your own sign-in" in page_text(aid)
    assert all_acknowledgements(store) == []
    with pytest.raises(AcknowledgementError):  # nor can anyone read the officers' report
        AcknowledgementController(library, store, documents(library), clock).report()


def test_the_checklist_aid_shows_its_scene_log_after_each_saved_answer(library: Library, store: Store,
                                                                       clock: Clock) -> None:
    aid = checklist_aid("scene-response", "scene-response", library, store, clock)
    start_case(aid, "26-0100")
    toggle = next(w for w in find(aid, widgets.ToggleButton))
    assert toggle.description == "Scene log (1 step)"
    (live,) = find(aid, ChecklistWidget)
    item = next(iter(library.protocol("scene-response").items()))
    value = item.value.choices[0].id if item.value.choices else "yes"
    clock.advance(minutes=4)
    live._handler({"type": "answer", "item": item.id, "answer": {"value": value}})
    assert toggle.description.startswith("Scene log (") and toggle.description != "Scene log (1 step)"
    toggle.value = True
    shown = page_text(aid)
    assert "Pause point started" in shown and "Critical item answered" in shown
    at = (clock.now).astimezone().strftime("%H:%M:%S")
    assert f">{at}</time>" in shown, "the time is the server's clock at the save"


def test_the_tracker_shows_a_cases_scene_log_for_review(library: Library, store: Store, clock: Clock) -> None:
    aid = checklist_aid("scene-response", "scene-response", library, store, clock)
    start_case(aid, "26-0101")
    tracker = tracker_aid(library, store, clock)
    field = next(w for w in find(tracker, widgets.Text) if w.description == "Case or incident number")
    field.value = "26-0101"
    click(tracker, "Show the case's scene log")
    shown = page_text(tracker)
    assert "Case 26-0101: 1 step(s) across its job aids" in shown and "Started: " in shown
    assert "· Scene response</span>" in shown
    field.value = "bad\nnumber"
    click(tracker, "Show the case's scene log")
    assert 'role="alert"' in page_text(tracker)


def test_a_kernel_kept_ready_draws_the_list_again_for_whoever_opens_the_page(
        library: Library, store: Store, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HANDBOOK_USER", raising=False)
    aid = acknowledgements_aid(library, store, clock, Path("/nonexistent"))  # drawn before any sign-in
    assert "needs your own sign-in" in page_text(aid)
    monkeypatch.setenv("HANDBOOK_USER", "ofc-30")  # the server tells the kernel who opened the page
    (opened,) = find(aid, OnOpen)
    opened.opened += 1
    assert "needs your own sign-in" not in page_text(aid)
    assert any(label.startswith("Show the ") for label in buttons(aid))
