"""Rights delivery: which notice, version and language, when and how; read back as saved."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from engine_content import REVIEWED, T0, at

from protocols.engine import (
    AnswerError,
    ContentMismatch,
    RightsDelivery,
    RightsDeliveryState,
    delivery_text,
    load_state,
)
from protocols.engine.rights import method_options
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
                    "citation": "Test Code § 1(a)"}],
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
    assert (state.content_id, state.content_version, state.language) == ("test-rights-es", "1.0", "es")
    assert state.family == "test-rights"
    assert state.translation_review == "needs-review"
    assert state.citation == "Test Code § 1"
    assert state.method is DeliveryMethod.HANDED
    assert state.given_at == at(5) == state.recorded_at
    summary = delivery.summary()
    assert summary.language_name == "Spanish (español)"
    assert summary.review_label == "Translation under review"
    assert summary.method_label == "Handed to the victim (printed card)"
    assert summary.text == (
        "test-rights-es version 1.0, Spanish (español), translation under review: handed to the "
        "victim (printed card) at 21:05 on Fri 03 May 2024"
    )


def test_an_original_notice_says_nothing_about_translation() -> None:
    notice = make_notice(id="test-rights-en", language="en", translation_review="original")
    delivery = RightsDelivery.record(notice, "24-1", "read-aloud", T0)
    assert delivery.summary().text.startswith("test-rights-en version 1.0, English: read aloud")


def test_given_earlier_today_as_hh_mm(notice: RightsNotice) -> None:
    delivery = RightsDelivery.record(notice, "24-1", "sent-email", at(30), given_at="20:45")
    assert delivery.state.given_at == dt.datetime(2024, 5, 3, 20, 45, tzinfo=dt.UTC)
    assert delivery.state.recorded_at == at(30)
    iso = RightsDelivery.record(notice, "24-1", "handed", at(30), given_at="2024-05-02T10:00")
    assert iso.state.given_at == dt.datetime(2024, 5, 2, 10, 0, tzinfo=dt.UTC)
    when = RightsDelivery.record(notice, "24-1", "handed", at(30), given_at=dt.time(21, 10))
    assert when.state.given_at == at(10)


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
    with pytest.raises(AnswerError, match="handed, read-aloud, sent-email"):
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
    assert kept.state.notes == "Victim kept the card."
    assert RightsDelivery.record(notice, "24-1", "handed", T0, notes="").state.notes is None


def test_round_trip_and_version_check(notice: RightsNotice) -> None:
    delivery = RightsDelivery.record(notice, "24-1", "handed", T0)
    text = delivery.state.model_dump_json()
    again = RightsDelivery.restore(notice, text)
    assert again.state == delivery.state
    loaded = load_state(json.loads(text))
    assert isinstance(loaded, RightsDeliveryState)
    assert delivery_text(loaded) == delivery.summary().text
    newer = make_notice(version="1.1", changelog=[])
    with pytest.raises(ContentMismatch, match=r"version 1\.0"):
        RightsDelivery.restore(newer, text)
