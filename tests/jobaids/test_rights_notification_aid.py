"""The rights-notification aid: the notice in the victim's language, and a record of how it was given."""

from __future__ import annotations

import datetime as dt

import ipywidgets as widgets
import pytest
from aid_helpers import Clock, break_saves, click, one, page_text, start_case, status_text

from protocols.engine import RightsDeliveryState, load_state
from protocols.library import Library
from protocols.records import Store
from protocols.ui.rights_notification_aid import AID, RightsController, families, rights_notification_aid


def test_record_a_delivery_and_list_it_for_the_case(library: Library, store: Store, clock: Clock) -> None:
    c = RightsController(library, store, clock)
    assert c.start("26-0700") == "No rights notice recorded for this case yet."
    step = c.record("ca-marsy-es", "read-aloud", dt.time(20, 50))
    assert step.saved
    assert step.message == ("Recorded and saved: ca-marsy-es version 1.0, Spanish (español), translation "
                            "under review: read aloud to the victim at 20:50 on Fri 20 Nov 2026.")
    (record,) = store.find(AID, "26-0700")
    assert (record.content_id, record.content_version, record.status) == ("ca-marsy-es", "1.0", "completed")
    state = load_state(record.state)
    assert isinstance(state, RightsDeliveryState)
    assert state.language == "es" and state.method.value == "read-aloud"
    assert state.given_at == dt.datetime(2026, 11, 20, 20, 50, tzinfo=dt.UTC)
    again = RightsController(library, store, clock)
    assert again.start("26-0700") == "1 notice already recorded for this case (listed below)."
    assert again.deliveries()[0].startswith("ca-marsy-es version 1.0")


def test_refusals_save_nothing(library: Library, store: Store, clock: Clock) -> None:
    c = RightsController(library, store, clock)
    c.start("26-0701")
    assert c.record("ca-marsy-en", "").message.startswith("Choose how the notice was given")
    assert c.record("ca-marsy-en", "handed", dt.time(23, 0)).message.startswith("The time given (23:00) is later")
    assert c.record("", "handed").message == "Choose the notice and its language first."
    assert store.find(AID, "26-0701") == []


def test_the_agency_profile_sets_the_notices_offered(library: Library) -> None:
    labels = dict((family, label) for label, family in families(library))
    assert set(labels) == {"us-federal-cvra", "ca-marsy", "ca-sexual-assault"}
    assert labels["ca-marsy"] == "Your rights as a crime victim in California (Marsy's Law)"


def test_the_aid_shows_spanish_under_review_and_records(library: Library, store: Store, clock: Clock) -> None:
    aid = rights_notification_aid(library=library, store=store, clock=clock)
    start_case(aid, "26-0710")
    one(aid, widgets.Dropdown, description="Which notice (the jurisdiction)").value = "ca-marsy"
    language = one(aid, widgets.Dropdown, description="Language the victim reads")
    assert [label for label, _ in language.options] == ["English", "Spanish (español) (translation under review)"]
    language.value = "ca-marsy-es"
    text = page_text(aid)
    assert "Translation under review." in text
    assert 'lang="es"' in text and "Sus derechos como víctima" in text
    method = one(aid, widgets.Dropdown, description="How you gave it")
    assert [v for _, v in method.options] == ["", "handed", "read-aloud", "sent-email", "sent-text", "sent-mail"]
    click(aid, "Record that the notice was given")
    assert "Choose how the notice was given" in status_text(aid)
    method.value = "handed"
    click(aid, "Record that the notice was given")
    assert "Recorded and saved: ca-marsy-es version 1.0" in status_text(aid)
    assert "1 notice recorded" in page_text(aid)
    assert method.value == ""


def test_a_failed_save_records_nothing(library: Library, store: Store, clock: Clock,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    aid = rights_notification_aid(library=library, store=store, clock=clock)
    start_case(aid, "26-0720")
    break_saves(store, monkeypatch)
    one(aid, widgets.Dropdown, description="How you gave it").value = "handed"
    click(aid, "Record that the notice was given")
    assert "Not saved:" in status_text(aid) and "Nothing was recorded" in status_text(aid)
    assert "no notice recorded yet" in page_text(aid)
