"""Needs to referrals: ranking, filters, empty results."""

from __future__ import annotations

import datetime as dt

import pytest

from protocols.engine import AnswerError, recommend
from protocols.models import NeedsCatalogue, ResourceDirectory


def ids(result: object) -> list[str]:
    return [r.service_id for r in result.recommendations]  # type: ignore[attr-defined]


def test_urgent_needs_first_then_more_needs(
    catalogue: NeedsCatalogue, directory: ResourceDirectory
) -> None:
    result = recommend(catalogue, directory, ["someone-to-talk", "shelter-tonight", "ride"])
    # a-hotline: urgent shelter-tonight + someone-to-talk (2 needs, 24/7, warm)
    # b-shelter: urgent shelter-tonight + ride (2 needs, 24/7, not warm)
    # a-counsel: someone-to-talk; b-rides: ride (warm)
    assert ids(result) == ["a-hotline", "b-shelter", "b-rides", "a-counsel"]
    top = result.recommendations[0]
    assert top.urgent
    assert [n.id for n in top.meets] == ["shelter-tonight", "someone-to-talk"]
    assert "meets: Safe place tonight (urgent), as hotline" in top.why
    assert "open 24/7" in top.why
    assert result.message == "4 services found."
    assert result.unmet == ()


def test_24_7_before_not_and_warm_before_not(
    catalogue: NeedsCatalogue, directory: ResourceDirectory
) -> None:
    result = recommend(catalogue, directory, ["ride"])
    # both meet one non-urgent need; b-shelter is 24/7, b-rides is warm only
    assert ids(result) == ["b-shelter", "b-rides"]
    result = recommend(catalogue, directory, ["someone-to-talk"])
    assert ids(result) == ["a-hotline", "a-counsel"]


def test_filters(catalogue: NeedsCatalogue, directory: ResourceDirectory) -> None:
    needs = ["someone-to-talk", "ride"]
    assert ids(recommend(catalogue, directory, needs, open_24_7_only=True)) == [
        "a-hotline", "b-shelter"
    ]
    assert ids(recommend(catalogue, directory, needs, warm_handoff_only=True)) == [
        "a-hotline", "b-rides"
    ]
    assert ids(recommend(catalogue, directory, needs, language="es")) == ["a-hotline", "b-rides"]
    assert ids(recommend(catalogue, directory, needs, language="es-MX")) == [
        "a-hotline", "b-rides"
    ]
    result = recommend(catalogue, directory, needs, open_24_7_only=True, language="es")
    assert ids(result) == ["a-hotline"]
    assert [n.id for n in result.unmet] == ["ride"]
    assert "No service here meets: Transport" in result.message
    assert result.filters.describe() == "open 24/7 only, speaks es"


def test_no_match_suggests_which_filter_to_relax(
    catalogue: NeedsCatalogue, directory: ResourceDirectory
) -> None:
    result = recommend(catalogue, directory, ["ride"], open_24_7_only=True, warm_handoff_only=True)
    assert result.empty
    assert result.recommendations == ()
    assert result.relax == ("open 24/7 only", "warm handoff only")
    assert "turning off “open 24/7 only” shows 1" in result.message
    result = recommend(catalogue, directory, ["ride"], language="fr")
    assert result.relax == ("language fr",)


def test_no_service_for_the_need_at_all(
    catalogue: NeedsCatalogue, directory: ResourceDirectory
) -> None:
    result = recommend(catalogue, directory, ["lawyer"])
    assert result.empty and result.relax == ()
    assert "No service in this directory meets the selected needs" in result.message
    assert [n.id for n in result.unmet] == ["lawyer"]


def test_no_needs_selected(catalogue: NeedsCatalogue, directory: ResourceDirectory) -> None:
    result = recommend(catalogue, directory, [])
    assert result.empty
    assert result.message == "Select at least one need to see services."


def test_unknown_need_ids_raise(catalogue: NeedsCatalogue, directory: ResourceDirectory) -> None:
    with pytest.raises(AnswerError, match=r"unknown need id.*`housing`.*shelter-tonight"):
        recommend(catalogue, directory, ["housing", "ride"])
    with pytest.raises(AnswerError, match="list of need ids"):
        recommend(catalogue, directory, "ride")
    with pytest.raises(AnswerError):
        recommend(catalogue, directory, [3])  # type: ignore[list-item]


@pytest.mark.parametrize("language", ["Spanish", "ES", "e", 5, "es_MX"])
def test_bad_language_codes(
    catalogue: NeedsCatalogue, directory: ResourceDirectory, language: object
) -> None:
    with pytest.raises(AnswerError, match="language code"):
        recommend(catalogue, directory, ["ride"], language=language)  # type: ignore[arg-type]


def test_stale_listings_are_flagged(catalogue: NeedsCatalogue, directory: ResourceDirectory) -> None:
    fresh = recommend(catalogue, directory, ["ride"], today=dt.date(2024, 6, 1))
    assert not any(r.stale for r in fresh.recommendations)
    stale = recommend(catalogue, directory, ["ride"], today=dt.date(2025, 6, 1))
    assert all(r.stale for r in stale.recommendations)
    assert any("confirm them before you refer" in w for w in stale.recommendations[0].why)
