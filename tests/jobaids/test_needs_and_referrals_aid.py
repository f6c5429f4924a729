"""The needs-and-referrals aid: needs ticked, services filtered and chosen, all saved and resumed."""

from __future__ import annotations

import ipywidgets as widgets
import pytest
from aid_helpers import Clock, break_saves, click, find, one, page_text, revisions, start_case, status_text, with_class

from protocols.library.loader import Library
from protocols.records import Store
from protocols.ui.needs_and_referrals_aid import AID, ReferralController, needs_and_referrals_aid


@pytest.fixture
def controller(library: Library, store: Store, clock: Clock) -> ReferralController:
    c = ReferralController(library.catalogue("needs-assessment"), library.directory("sample-directory"),
                           store, clock)
    assert c.start("26-0500") == "New needs assessment started."
    return c


def test_needs_filters_and_referrals_are_saved_and_resumed(controller: ReferralController, library: Library,
                                                           store: Store, clock: Clock) -> None:
    assert controller.toggle_need("no-safe-place-tonight", True).message == \
        "“No safe place to stay tonight” selected. Saved."
    assert controller.toggle_need("needs-interpreter", True).saved
    result = controller.result()
    assert result.recommendations[0].urgent
    assert controller.set_filters(True, "es", False).saved
    filtered = controller.result()
    assert all(r.open_24_7 for r in filtered.recommendations)
    shelter = next(r for r in filtered.recommendations if r.service_id == "harbor-house-shelter")
    assert controller.choose(shelter.service_id).message == "Referral saved."
    again = ReferralController(controller.catalogue, controller.directory, store, clock)
    assert again.start("26-0500").startswith("Resumed where you stopped. 2 needs selected (2 urgent)")
    assert again.run.selected == ("no-safe-place-tonight", "needs-interpreter")
    assert again.run.state.filters.open_24_7_only and again.run.state.filters.language == "es"
    assert again.run.chosen == ("harbor-house-shelter",)
    assert again.run.state.referrals[0].phone == "555-0110"


def test_finish_needs_a_need_then_closes(controller: ReferralController, store: Store) -> None:
    refused = controller.finish()
    assert not refused.saved and refused.message.startswith("No need is selected")
    controller.toggle_need("needs-transport", True)
    assert controller.finish().saved
    assert revisions(store, AID, "26-0500")[0][0] == "completed"
    assert not controller.toggle_need("needs-transport", False).saved


def test_the_aid_ticks_needs_lists_services_and_refers(library: Library, store: Store, clock: Clock) -> None:
    aid = needs_and_referrals_aid(library=library, store=store, clock=clock)
    assert "SAMPLE DATA" in page_text(aid)
    start_case(aid, "26-0510")
    card = with_class(aid, "hb-need-thoughts-of-self-harm")
    assert "Ask: “Are you having thoughts of hurting yourself or ending your life?”" in page_text(card)
    box = one(card, widgets.Checkbox)
    box.value = True
    assert "selected. Saved." in status_text(aid)
    text = page_text(aid)
    assert "Mobile crisis team (police co-responders)" in text
    assert "Phone:</strong> 555-0120" in text and "Open 24 hours, 7 days a week" in text
    assert "Why it is listed:" in text
    one(aid, widgets.Dropdown, description="Language the victim wants").value = "vi"
    assert "Filters saved." in status_text(aid)
    service = with_class(aid, "hb-service-crisis-line-24-7")
    one(service, widgets.Button, description="Refer to this service").click()
    assert "Referral saved." in status_text(aid)
    assert "24-hour crisis and domestic violence hotline" in page_text(aid).split("3. Referrals made")[1]
    click(aid, "Finish and save the assessment")
    assert box.disabled
    assert revisions(store, AID, "26-0510")[0][0] == "completed"


def test_a_failed_save_unticks_the_need(library: Library, store: Store, clock: Clock,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    aid = needs_and_referrals_aid(library=library, store=store, clock=clock)
    start_case(aid, "26-0520")
    break_saves(store, monkeypatch)
    box = one(with_class(aid, "hb-need-needs-transport"), widgets.Checkbox)
    box.value = True
    assert "Not saved:" in status_text(aid)
    assert box.value is False, "the tick goes back: it was not saved"
    assert find(aid, widgets.Button, description="Remove this referral") == []
