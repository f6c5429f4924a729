"""Rights delivery: which notices, version and language, when and how; read back as saved."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from engine_content import REVIEWED, T0, at
from pydantic import ValidationError

from protocols.engine import (
    AnswerError,
    ContentMismatch,
    RightsDelivery,
    RightsDeliveryState,
    load_state,
)
from protocols.engine.rights import delivery_text, method_options, run_lines
from protocols.models import DeliveryMethod, RightsNotice


def make_notice(**extra: Any) -> RightsNotice:
    data: dict[str, Any] = {
        **REVIEWED,
        "id": "test-rights-es",
        "family": "test-rights",
        "title": "Sus derechos",
        "jurisdiction": "Test State",
        "citation": "Test Code § 1",
        "language": "es",
        "translation_review": "needs-review",
        "effective": "2024-01-01",
        "when_to_give": "At first contact.",
        "introduction": "Usted tiene derechos.",
        "rights": [{"id": "respect", "title": "Respeto", "text": "Trato justo.",
                    "citation": "Test Code § 1(a)", "verified_on": "2024-03-01"}],
        "delivery_methods": ["handed", "read-aloud", "sent-email"],
        "needs": ["information"],
    }
    data.update(extra)
    return RightsNotice.model_validate(data)


@pytest.fixture
def notice() -> RightsNotice:
    return make_notice()


def test_records_notice_version_language_method_and_time(notice: RightsNotice) -> None:
    delivery = RightsDelivery.record(notice, "24-0101", "handed", at(5))
    state = delivery.state
    assert (state.content_id, state.content_version, state.case_number) == ("test-rights-es", "1.0", "24-0101")
    (given,) = state.deliveries
    assert (given.notice_id, given.notice_version, given.language, given.title) == (
        "test-rights-es", "1.0", "es", "Sus derechos")
    assert given.family == "test-rights"
    assert given.translation_review == "needs-review"
    assert given.citation == "Test Code § 1"
    assert given.method is DeliveryMethod.HANDED
    assert given.given_at == at(5) == given.recorded_at
    (summary,) = delivery.summary()
    assert summary.language_name == "Spanish (español)"
    assert summary.review_label == "Needs translator review"
    assert summary.method_label == "Handed to the victim (printed card)"
    assert summary.text == (
        "test-rights-es version 1.0, Spanish (español), needs translator review: handed to the "
        "victim (printed card) at 21:05 on Fri 03 May 2024"
    )


def test_a_second_notice_goes_into_the_same_run(notice: RightsNotice) -> None:
    card = make_notice(id="test-card-en", family="test-card", title="Your rights after an assault",
                       language="en", translation_review="original", version="2.0", changelog=[])
    run = RightsDelivery.record(notice, "24-0102", "handed", at(5))
    second = run.give(card, "read-aloud", at(9), given_at="21:08")
    assert [(g.notice_id, g.notice_version, g.method.value) for g in run.state.deliveries] == [
        ("test-rights-es", "1.0", "handed"), ("test-card-en", "2.0", "read-aloud")]
    assert second.given_at == at(8) and second.recorded_at == at(9)
    assert (run.state.content_id, run.state.content_version) == ("test-rights-es", "1.0")
    again = load_state(run.state.model_dump_json())
    assert isinstance(again, RightsDeliveryState)
    assert run_lines(again) == [
        "test-rights-es version 1.0, Spanish (español), needs translator review: handed to the victim "
        "(printed card) at 21:05 on Fri 03 May 2024",
        "test-card-en version 2.0, English: read aloud to the victim at 21:08 on Fri 03 May 2024",
    ]
    assert [s.title for s in RightsDelivery.restore(notice, again).summary()] == [
        "Sus derechos", "Your rights after an assault"]


def test_a_repeat_of_the_same_notice_is_refused_but_another_way_is_not(notice: RightsNotice) -> None:
    run = RightsDelivery.record(notice, "24-0103", "handed", at(5))
    with pytest.raises(AnswerError, match="already recorded as given this way at 21:05"):
        run.give(notice, "handed", at(5))
    assert len(run.state.deliveries) == 1
    run.give(notice, "sent-email", at(6))
    assert [g.method.value for g in run.state.deliveries] == ["handed", "sent-email"]
    with pytest.raises(AnswerError, match="Choose how"):
        run.give(notice, "sent-text", at(7))
    assert len(run.state.deliveries) == 2


def test_a_run_saved_with_one_notice_at_the_top_level_still_reads(notice: RightsNotice) -> None:
    """Runs saved before a run could hold several notices kept one notice's fields at the top."""
    saved = {
        "kind": "rights", "content_id": "test-rights-es", "content_version": "1.0", "case_number": "24-0104",
        "started_at": "2024-05-03T21:05:00Z", "family": "test-rights", "language": "es",
        "translation_review": "needs-review", "citation": "Test Code § 1", "method": "read-aloud",
        "given_at": "2024-05-03T21:00:00Z", "recorded_at": "2024-05-03T21:05:00Z", "notes": None,
    }
    state = load_state(json.dumps(saved))
    assert isinstance(state, RightsDeliveryState)
    (given,) = state.deliveries
    assert (given.notice_id, given.notice_version, given.method.value, given.title) == (
        "test-rights-es", "1.0", "read-aloud", None)
    assert delivery_text(given).startswith("test-rights-es version 1.0, Spanish (español), needs translator")
    run = RightsDelivery.restore(notice, saved)
    run.give(notice, "handed", at(30))
    assert len(run.state.deliveries) == 2
    assert "method" not in run.state.model_dump(mode="json")


def test_a_run_begun_under_an_older_notice_version_carries_over(notice: RightsNotice) -> None:
    text = RightsDelivery.record(notice, "24-0105", "handed", T0).state.model_dump_json()
    newer = make_notice(version="1.1", changelog=[])
    run, made_under = RightsDelivery.carry_over(newer, text)
    assert made_under == "1.0" and run.state.content_version == "1.1"
    assert run.state.deliveries[0].notice_version == "1.0", "a notice keeps the version it was given in"


def test_an_original_notice_says_nothing_about_translation() -> None:
    notice = make_notice(id="test-rights-en", language="en", translation_review="original")
    delivery = RightsDelivery.record(notice, "24-1", "read-aloud", T0)
    assert delivery.summary()[0].text.startswith("test-rights-en version 1.0, English: read aloud")


def test_given_earlier_today_as_hh_mm(notice: RightsNotice) -> None:
    delivery = RightsDelivery.record(notice, "24-1", "sent-email", at(30), given_at="20:45")
    (given,) = delivery.state.deliveries
    assert given.given_at == dt.datetime(2024, 5, 3, 20, 45, tzinfo=dt.UTC)
    assert given.recorded_at == at(30)
    iso = RightsDelivery.record(notice, "24-1", "handed", at(30), given_at="2024-05-02T10:00")
    assert iso.state.deliveries[0].given_at == dt.datetime(2024, 5, 2, 10, 0, tzinfo=dt.UTC)
    when = RightsDelivery.record(notice, "24-1", "handed", at(30), given_at=dt.time(21, 10))
    assert when.state.deliveries[0].given_at == at(10)


@pytest.mark.parametrize(
    ("given_at", "message"),
    [
        ("23:30", "later than now"),
        ("2024-03-01T10:00", "more than 30 days ago"),
        ("soon", "21:14"),
        ("25:00", "21:14"),
        (12, "21:14"),
    ],
)
def test_bad_times_are_refused(notice: RightsNotice, given_at: object, message: str) -> None:
    with pytest.raises(AnswerError, match=message):
        RightsDelivery.record(notice, "24-1", "handed", T0, given_at=given_at)


def test_method_must_be_one_the_notice_allows(notice: RightsNotice) -> None:
    said = r"Handed to the victim \(printed card\), Read aloud to the victim, Sent by email\."
    with pytest.raises(AnswerError, match=said):
        RightsDelivery.record(notice, "24-1", "sent-text", T0)
    with pytest.raises(AnswerError):
        RightsDelivery.record(notice, "24-1", None, T0)
    assert method_options(notice) == [
        ("Handed to the victim (printed card)", "handed"),
        ("Read aloud to the victim", "read-aloud"),
        ("Sent by email", "sent-email"),
    ]


def test_case_number_and_notes_are_checked(notice: RightsNotice) -> None:
    with pytest.raises(AnswerError, match="case number"):
        RightsDelivery.record(notice, "Jane Doe", "handed", T0)
    with pytest.raises(AnswerError, match="control"):
        RightsDelivery.record(notice, "24-1", "handed", T0, notes="bad\x00note")
    kept = RightsDelivery.record(notice, "24-1", "handed", T0, notes="Victim kept the card.")
    assert kept.state.deliveries[0].notes == "Victim kept the card."
    assert RightsDelivery.record(notice, "24-1", "handed", T0, notes="").state.deliveries[0].notes is None


def test_round_trip_and_version_check(notice: RightsNotice) -> None:
    delivery = RightsDelivery.record(notice, "24-1", "handed", T0)
    text = delivery.state.model_dump_json()
    again = RightsDelivery.restore(notice, text)
    assert again.state == delivery.state
    loaded = load_state(json.loads(text))
    assert isinstance(loaded, RightsDeliveryState)
    assert run_lines(loaded) == [delivery.summary()[0].text]
    newer = make_notice(version="1.1", changelog=[])
    with pytest.raises(ContentMismatch, match=r"version 1\.0"):
        RightsDelivery.restore(newer, text)


# --------------------------------------------------------------------------- verified_on


def test_every_right_needs_the_date_its_wording_was_checked() -> None:
    with pytest.raises(ValidationError) as caught:
        make_notice(rights=[{"id": "respect", "title": "Respeto", "text": "Trato justo.",
                             "citation": "Test Code § 1(a)"}])
    (error,) = caught.value.errors()
    assert error["loc"] == ("rights", 0) and "no `verified_on` date" in error["msg"]
    assert "verified_on: YYYY-MM-DD" in error["ctx"]["fix"]


@pytest.mark.parametrize(("value", "message"), [("next week", "valid date"), ("2999-01-01", "in the future")])
def test_a_bad_or_future_verified_on_is_refused(value: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        make_notice(rights=[{"id": "respect", "title": "Respeto", "text": "Trato justo.",
                             "citation": "Test Code § 1(a)", "verified_on": value}])
    assert caught.value.errors()[0]["loc"] == ("rights", 0, "verified_on")


def test_a_notice_is_as_freshly_checked_as_its_oldest_right() -> None:
    notice = make_notice(rights=[
        {"id": "one", "title": "A", "text": "Uno.", "citation": "§ 1(a)", "verified_on": "2024-03-01"},
        {"id": "two", "title": "B", "text": "Dos.", "citation": "§ 1(b)", "verified_on": "2023-01-15"}])
    assert notice.verified_on == dt.date(2023, 1, 15)
