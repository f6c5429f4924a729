"""The shipped content is valid and covers what the handbook promises."""

from __future__ import annotations

from protocols import load_library
from protocols.models import MAX_ITEMS_PER_PAUSE_POINT, ReferralCategory

REQUIRED_PROTOCOLS = {
    "scene-response", "screen-in-response", "de-escalation", "active-listening",
    "trauma-informed-interview", "referral-handoff", "rights-notification",
    "death-notification", "follow-up-check-in", "supervisor-review",
}


def test_shipped_content_loads() -> None:
    library = load_library()
    assert set(library.protocols) >= REQUIRED_PROTOCOLS
    assert len(library.scenarios) >= 3
    assert library.instrument("sample-danger-screen").sample is True


def test_scene_response_follows_the_pause_points() -> None:
    scene = load_library().protocol("scene-response")
    assert [pp.id for pp in scene.pause_points] == ["scene-safe", "engage-and-assess",
                                                    "before-you-leave"]


def test_every_pause_point_is_short_and_critical_first() -> None:
    for protocol in load_library().protocols.values():
        for pp in protocol.pause_points:
            assert 1 <= len(pp.items) <= MAX_ITEMS_PER_PAUSE_POINT
            flags = [item.critical for item in pp.items]
            assert flags == sorted(flags, reverse=True), (protocol.id, pp.id)


def test_every_item_has_rationale_source_and_need() -> None:
    for protocol in load_library().protocols.values():
        for item in protocol.items():
            assert item.rationale and item.sources and item.needs, (protocol.id, item.id)


def test_sample_directory_covers_every_referral_category() -> None:
    directory = load_library().directory("sample-directory")
    assert directory.sample
    offered = {c for org in directory.organizations for s in org.services for c in s.categories}
    assert offered == set(ReferralCategory)


def test_rights_notices_cover_federal_and_california_in_two_languages() -> None:
    library = load_library()
    assert library.notice("us-federal-cvra-en").language == "en"
    languages = {n.language for n in library.notices_in_family("ca-marsy")}
    assert {"en", "es"} <= languages
    spanish = next(n for n in library.notices_in_family("ca-marsy") if n.language == "es")
    assert spanish.translation_review == "needs-review"


def test_screening_rules_have_the_lap_shape() -> None:
    instrument = load_library().instrument("sample-danger-screen")
    assert len(instrument.questions) == 11
    shapes = {(tuple(r.questions), r.at_least) for r in instrument.rules}
    assert shapes == {((1, 2, 3), 1), (tuple(range(4, 12)), 4)}
