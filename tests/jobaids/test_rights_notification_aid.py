"""The rights-notification aid: the notice in the victim's language, and a record of how it was given."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import ipywidgets as widgets
import pytest
from aid_helpers import Clock, break_saves, click, one, page_text, start_case, status_text

from protocols.engine import RightsDeliveryState, load_state
from protocols.library.loader import Library, load_library
from protocols.records import Store
from protocols.ui.rights_notification_aid import (
    AID,
    RightsController,
    default_family,
    families,
    rights_notification_aid,
)

AGENCIES = Path(__file__).resolve().parents[2] / "agencies"


@pytest.fixture(scope="module")
def california() -> Library:
    """The sample agency: California, with the federal notice listed first in its profile."""
    return load_library(agency=AGENCIES / "sample-county" / "agency.yaml")


def test_record_a_delivery_and_list_it_for_the_case(library: Library, store: Store, clock: Clock) -> None:
    c = RightsController(library, store, clock)
    assert c.start("26-0700") == "No rights notice recorded for this case yet."
    step = c.record("ca-marsy-es", "read-aloud", dt.time(20, 50))
    assert step.saved
    version = library.notice("ca-marsy-es").version
    assert step.message == (f"Recorded and saved: ca-marsy-es version {version}, Spanish (español), needs "
                            "translator review: read aloud to the victim at 20:50 on Fri 20 Nov 2026.")
    (record,) = store.find(AID, "26-0700")
    assert (record.content_id, record.content_version, record.status) == ("ca-marsy-es", version, "completed")
    state = load_state(record.state)
    assert isinstance(state, RightsDeliveryState)
    (given,) = state.deliveries
    assert given.language == "es" and given.method.value == "read-aloud"
    assert given.translation_review == "needs-review"
    assert given.given_at == dt.datetime(2026, 11, 20, 20, 50, tzinfo=dt.UTC)
    again = RightsController(library, store, clock)
    assert again.start("26-0700") == "1 notice already recorded for this case (listed below)."
    assert again.deliveries()[0].startswith(f"ca-marsy-es version {version}")


def test_two_notices_in_one_visit_are_one_record(library: Library, store: Store, clock: Clock) -> None:
    """A sexual-assault victim gets the Marsy's card and the sexual-assault card: both are recorded."""
    c = RightsController(library, store, clock)
    c.start("26-0705")
    assert c.record("ca-marsy-en", "handed").saved
    clock.advance(minutes=3)
    second = c.record("ca-sexual-assault-en", "read-aloud")
    assert second.saved and second.message.startswith("Recorded and saved: ca-sexual-assault-en version")
    (record,) = store.find(AID, "26-0705")
    assert record.revision == 2
    state = load_state(record.state)
    assert isinstance(state, RightsDeliveryState)
    assert [(g.notice_id, g.notice_version, g.language, g.method.value) for g in state.deliveries] == [
        ("ca-marsy-en", library.notice("ca-marsy-en").version, "en", "handed"),
        ("ca-sexual-assault-en", library.notice("ca-sexual-assault-en").version, "en", "read-aloud")]
    assert [g.given_at for g in state.deliveries] == [clock.now - dt.timedelta(minutes=3), clock.now]
    assert len(c.deliveries()) == 2
    later = RightsController(library, store, clock)
    assert later.start("26-0705") == "2 notices already recorded for this case (listed below)."


def test_refusals_save_nothing(library: Library, store: Store, clock: Clock) -> None:
    c = RightsController(library, store, clock)
    c.start("26-0701")
    assert c.record("ca-marsy-en", "").message.startswith("Choose how the notice was given")
    assert c.record("ca-marsy-en", "handed", dt.time(23, 0)).message.startswith("The time given (23:00) is later")
    assert c.record("", "handed").message == "Choose the notice and its language first."
    assert store.find(AID, "26-0701") == []


def test_a_failed_second_save_leaves_the_first_notice_alone(library: Library, store: Store, clock: Clock,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    c = RightsController(library, store, clock)
    c.start("26-0702")
    assert c.record("ca-marsy-en", "handed").saved
    break_saves(store, monkeypatch)
    failed = c.record("ca-sexual-assault-en", "handed")
    assert not failed.saved and "This notice was not recorded" in failed.message
    assert c.run is not None and [g.notice_id for g in c.run.state.deliveries] == ["ca-marsy-en"]
    monkeypatch.undo()
    assert c.record("ca-sexual-assault-en", "handed").saved
    (record,) = store.find(AID, "26-0702")
    assert [g["notice_id"] for g in json.loads(record.state)["deliveries"]] == ["ca-marsy-en", "ca-sexual-assault-en"]


def test_the_agency_profile_sets_the_notices_offered(library: Library) -> None:
    labels = dict((family, label) for label, family in families(library))
    assert set(labels) == {"us-federal-cvra", "ca-marsy", "ca-sexual-assault", "ca-domestic-violence"}
    assert labels["ca-marsy"] == library.notices_in_family("ca-marsy")[0].title


def test_a_california_agency_starts_on_its_own_jurisdiction(california: Library, library: Library) -> None:
    assert california.agency is not None and california.agency.jurisdiction == "California"
    assert families(california)[0][1] == "us-federal-cvra", "the profile lists the federal notice first"
    assert default_family(california) == "ca-marsy"
    assert default_family(library) == families(library)[0][1], "no agency: the first family offered"


def test_the_aid_opens_on_the_agency_jurisdiction(california: Library, store: Store, clock: Clock) -> None:
    aid = rights_notification_aid(library=california, store=store, clock=clock)
    start_case(aid, "26-0715")
    assert one(aid, widgets.Dropdown, description="Which notice (the jurisdiction)").value == "ca-marsy"
    assert one(aid, widgets.Dropdown, description="Language the victim reads").value == "ca-marsy-en"


def test_the_aid_shows_spanish_needs_translator_review_and_records(library: Library, store: Store,
                                                                   clock: Clock) -> None:
    aid = rights_notification_aid(library=library, store=store, clock=clock)
    start_case(aid, "26-0710")
    one(aid, widgets.Dropdown, description="Which notice (the jurisdiction)").value = "ca-marsy"
    language = one(aid, widgets.Dropdown, description="Language the victim reads")
    assert [label for label, _ in language.options] == ["English", "Spanish (español) (needs translator review)"]
    language.value = "ca-marsy-es"
    text = page_text(aid)
    assert "Needs translator review." in text
    assert 'lang="es"' in text and "Sus derechos de la Ley de Marsy" in text
    method = one(aid, widgets.Dropdown, description="How you gave it")
    assert [v for _, v in method.options] == ["", "handed", "read-aloud", "sent-email", "sent-text", "sent-mail"]
    click(aid, "Record that the notice was given")
    assert "Choose how the notice was given" in status_text(aid)
    method.value = "handed"
    click(aid, "Record that the notice was given")
    assert "Recorded and saved: ca-marsy-es version" in status_text(aid)
    assert "needs translator review: handed" in status_text(aid), "the record says the translation is unchecked"
    assert "1 notice recorded" in page_text(aid)
    assert "needs translator review: handed" in page_text(aid), "and so does the list of notices for the case"
    assert method.value == ""


def test_the_aid_records_a_second_notice_in_the_same_run(library: Library, store: Store, clock: Clock) -> None:
    aid = rights_notification_aid(library=library, store=store, clock=clock)
    start_case(aid, "26-0711")
    notice = one(aid, widgets.Dropdown, description="Which notice (the jurisdiction)")
    method = one(aid, widgets.Dropdown, description="How you gave it")
    notice.value = "ca-marsy"
    method.value = "handed"
    click(aid, "Record that the notice was given")
    notice.value = "ca-sexual-assault"
    assert "Your rights after a sexual assault in California" in page_text(aid)
    method.value = "handed"
    clock.advance(minutes=1)
    click(aid, "Record that the notice was given")
    assert "Recorded and saved: ca-sexual-assault-en" in status_text(aid)
    assert "This visit's record holds 2 notices." in page_text(aid)
    assert "2 notices recorded" in page_text(aid)
    (record,) = store.find(AID, "26-0711")
    assert [g["notice_id"] for g in json.loads(record.state)["deliveries"]] == ["ca-marsy-en", "ca-sexual-assault-en"]


def test_the_notice_shows_when_its_wording_was_checked(library: Library, store: Store, clock: Clock) -> None:
    aid = rights_notification_aid(library=library, store=store, clock=clock)
    start_case(aid, "26-0712")
    one(aid, widgets.Dropdown, description="Which notice (the jurisdiction)").value = "us-federal-cvra"
    checked = library.notice("us-federal-cvra-en").verified_on.isoformat()
    assert f"wording checked against the law on {checked}" in page_text(aid)


def test_a_failed_save_records_nothing(library: Library, store: Store, clock: Clock,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    aid = rights_notification_aid(library=library, store=store, clock=clock)
    start_case(aid, "26-0720")
    break_saves(store, monkeypatch)
    one(aid, widgets.Dropdown, description="How you gave it").value = "handed"
    click(aid, "Record that the notice was given")
    assert "Not saved:" in status_text(aid) and "This notice was not recorded" in status_text(aid)
    assert "no notice recorded yet" in page_text(aid)
