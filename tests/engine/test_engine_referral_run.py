"""A recorded needs assessment: selected needs, filters and chosen referrals, saved and resumed."""

from __future__ import annotations

import json

import pytest
from engine_content import T0, at

from protocols.engine import (
    AnswerError,
    ContentMismatch,
    ReferralRun,
    ReferralState,
    RunClosed,
    StateError,
    load_state,
)
from protocols.models import NeedsCatalogue, ResourceDirectory


@pytest.fixture
def run(catalogue: NeedsCatalogue, directory: ResourceDirectory) -> ReferralRun:
    return ReferralRun.start(catalogue, directory, "24-300", T0)


def test_selecting_needs_drives_the_recommendations(run: ReferralRun) -> None:
    assert run.recommendations().message == "Select at least one need to see services."
    run.select_need("ride", True, at(1))
    run.select_need("shelter-tonight", True, at(2))
    assert run.selected == ("shelter-tonight", "ride")  # catalogue order
    assert [r.service_id for r in run.recommendations().recommendations] == [
        "b-shelter", "a-hotline", "b-rides"
    ]
    assert run.progress_text() == "2 needs selected (1 urgent) · 0 referrals chosen"
    assert run.state.needs[0].selected_at == at(1)
    assert run.select_need("ride", True, at(3)) is run.state  # no change
    run.select_need("ride", False, at(4))
    assert run.selected == ("shelter-tonight",)
    assert [(h.change, h.target) for h in run.state.history] == [("need-deselected", "ride")]


def test_filters_are_kept_and_checked(run: ReferralRun) -> None:
    run.select_need("someone-to-talk", True, at(1))
    run.set_filters(at(2), open_24_7_only=True, language="es")
    assert run.state.filters.describe() == "open 24/7 only, speaks es"
    assert [r.service_id for r in run.recommendations().recommendations] == ["a-hotline"]
    with pytest.raises(AnswerError, match="language code"):
        run.set_filters(at(3), language="Spanish")
    with pytest.raises(AnswerError, match="true or false"):
        run.set_filters(at(3), open_24_7_only="yes")


def test_choosing_a_referral_records_a_snapshot(run: ReferralRun) -> None:
    run.select_need("shelter-tonight", True, at(1))
    run.select_need("someone-to-talk", True, at(1))
    run.choose("a-hotline", at(2))
    chosen = run.state.referrals[0]
    assert (chosen.service_name, chosen.organization_name) == ("A hotline", "Alpha")
    assert chosen.phone == "555-0100"
    assert chosen.warm_handoff
    assert chosen.need_ids == ("shelter-tonight", "someone-to-talk")
    assert chosen.chosen_at == at(2)
    assert run.choose("a-hotline", at(3)) is run.state
    assert run.progress_text() == "2 needs selected (1 urgent) · 1 referral chosen"
    run.drop("a-hotline", at(4))
    assert run.chosen == ()
    assert run.state.history[-1].change == "referral-removed"
    with pytest.raises(StateError, match="not on the referral list"):
        run.drop("a-hotline", at(5))


def test_a_referral_must_meet_a_selected_need(run: ReferralRun) -> None:
    run.select_need("ride", True, at(1))
    with pytest.raises(AnswerError, match="does not meet any selected need"):
        run.choose("a-counsel", at(2))
    with pytest.raises(AnswerError, match="no service"):
        run.choose("nowhere", at(2))
    with pytest.raises(AnswerError, match="no need"):
        run.select_need("unknown-need", True, at(2))
    with pytest.raises(AnswerError, match="true or false"):
        run.select_need("ride", "yes", at(2))


def test_finish_needs_a_need_and_closes_the_run(run: ReferralRun) -> None:
    with pytest.raises(StateError, match="no need is selected"):
        run.finish(at(1))
    run.select_need("ride", True, at(1))
    run.finish(at(2))
    assert run.finished
    assert run.progress_text().startswith("Finished at 21:02 · 1 need selected")
    with pytest.raises(RunClosed, match="start a new one"):
        run.select_need("lawyer", True, at(3))
    with pytest.raises(RunClosed):
        run.choose("b-rides", at(3))


def test_round_trip_and_content_checks(
    run: ReferralRun, catalogue: NeedsCatalogue, directory: ResourceDirectory
) -> None:
    run.select_need("ride", True, at(1))
    run.set_filters(at(1), warm_handoff_only=True)
    run.choose("b-rides", at(2))
    text = run.state.model_dump_json()
    again = ReferralRun.restore(catalogue, directory, text)
    assert again.state == run.state
    assert isinstance(load_state(json.loads(text)), ReferralState)
    other = directory.model_copy(update={"id": "other-directory"})
    with pytest.raises(ContentMismatch, match="test-directory"):
        ReferralRun.restore(catalogue, other, text)
    broken = json.loads(text)
    broken["needs"][0]["need_id"] = "gone"
    with pytest.raises(StateError, match="gone"):
        ReferralRun.restore(catalogue, directory, broken)
