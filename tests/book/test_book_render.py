"""protocols.render: content → HTML, tested as pure functions on a small fixture library."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from protocols import render
from protocols.library.loader import Library, load_library
from protocols.render.labels import JOB_AIDS, JobAid, job_aid_for_protocol

FIXTURE = Path(__file__).parent / "fixtures" / "content"
HOSTILE = '<script>alert("x")</script> & <b onmouseover="y">'


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(FIXTURE)


class Everywhere(render.Links):
    """Links that go somewhere, to check they are drawn."""

    def protocol(self, protocol_id: str) -> str | None:
        return f"/p/{protocol_id}"

    def card(self, protocol_id: str) -> str | None:
        return f"/cards#{protocol_id}"

    def rights_notice(self, notice_id: str) -> str | None:
        return f"/rights#{notice_id}"

    def job_aid(self, aid: JobAid, query: str = "") -> str | None:
        return f"/{aid.path}" + (f"?{query}" if query else "")


def test_protocol_shows_every_item_with_a_stable_anchor(library):
    protocol = library.protocol("scene-response")
    out = render.protocol_html(protocol, library)
    assert 'id="protocol-scene-response"' in out
    for pp in protocol.pause_points:
        assert f'id="scene-response-at-{pp.id}"' in out
        for item in pp.items:
            assert f'id="scene-response-{item.id}"' in out
            assert f'href="#scene-response-{item.id}"' in out  # a permalink to copy


def test_protocol_states_objective_kind_version_and_owner(library):
    out = render.protocol_html(library.protocol("scene-response"), library)
    assert "Make the scene safe and start support" in out
    assert "Objective:" in out and "Every victim is safe" in out
    assert ">Do, then check<" in out and "confirm every item" in out and "DO-CONFIRM" not in out
    assert "Version <strong>1.2</strong>" in out
    assert '<time datetime="2025-01-15">2025-01-15</time>' in out
    assert "Owner: <strong>Training unit</strong>" in out
    assert "For:</span> Officers" in out


def test_critical_items_are_marked_in_words(library):
    protocol = library.protocol("scene-response")
    out = render.protocol_html(protocol, library)
    critical = [i for i in protocol.items() if i.critical]
    assert out.count(">Critical</span>") == len(critical) == 2
    assert "Optional</span>" in out  # people-present is optional


def test_every_content_string_is_escaped(library):
    out = render.protocol_html(library.protocol("scene-response"), library)
    assert "Threats controlled &amp; suspect located &lt;check&gt;" in out
    assert "<check>" not in out
    assert "&lt;as listed&gt;" in out  # a source note


def test_hostile_text_cannot_inject_markup(library):
    protocol = library.protocol("scene-response")
    item = protocol.pause_points[0].items[0].model_copy(
        update={"prompt": HOSTILE, "rationale": HOSTILE, "help": HOSTILE, "script": HOSTILE})
    pause_point = protocol.pause_points[0].model_copy(
        update={"title": HOSTILE, "when": HOSTILE,
                "items": [item, *protocol.pause_points[0].items[1:]]})
    evil = protocol.model_copy(update={
        "title": HOSTILE, "objective": HOSTILE, "summary": HOSTILE, "owner": HOSTILE,
        "pause_points": [pause_point, *protocol.pause_points[1:]]})
    for out in (render.protocol_html(evil, library, Everywhere()),
                render.pocket_card_html(evil, Everywhere(), book_title=HOSTILE)):
        assert "<script" not in out
        assert "onmouseover=\"" not in out
        assert "&lt;script&gt;" in out


def test_values_are_described_not_ticked(library):
    out = render.protocol_html(library.protocol("scene-response"), library)
    assert "Record:</span> Yes or no" in out
    assert "One of: None, EMS called, Declined" in out
    assert "Time (hh:mm)" in out
    assert "Number (people, 0 to 50)" in out
    assert "“not applicable” is not allowed" in out


def test_repeated_killer_item_links_back(library):
    out = render.protocol_html(library.protocol("scene-response"), library)
    assert re.search(r'repeats <a href="#scene-response-threats-controlled">', out)


def test_sources_are_citations_and_items_point_to_them(library):
    out = render.protocol_html(library.protocol("scene-response"), library)
    assert '<li id="scene-response-src-iacp-elerv">' in out
    assert "International Association of Chiefs of Police." in out
    assert "<cite>Enhancing Law Enforcement Response to Victims, 2nd edition</cite>" in out
    assert '<a href="#scene-response-src-iacp-elerv">[2]</a>' in out


def test_needs_are_tagged(library):
    out = render.protocol_html(library.protocol("scene-response"), library)
    assert "Victim needs served:" in out and "ELERV" not in out
    assert '<li class="hc-need hc-need-safety">Safety</li>' in out


def test_changelog_is_collapsed(library):
    out = render.protocol_html(library.protocol("scene-response"), library)
    assert '<details class="hc-changelog"><summary>Change log (2 entries)</summary>' in out
    assert "<details open" not in out


def test_protocol_links_to_its_card_and_job_aid(library):
    plain = render.protocol_html(library.protocol("scene-response"), library)
    assert "Printable pocket card" not in plain  # no links when the caller gives none
    linked = render.protocol_html(library.protocol("scene-response"), library, Everywhere())
    assert 'href="/cards#scene-response"' in linked
    assert 'href="/voila/render/scene-response.ipynb"' in linked
    screen_in = render.protocol_html(library.protocol("screen-in-response"), library,
                                     Everywhere())
    assert 'href="/voila/render/screening.ipynb"' in screen_in


def test_job_aids_are_the_agreed_nine():
    assert list(JOB_AIDS) == ["scene-response", "needs-and-referrals", "screening",
                              "rights-notification", "confidentiality", "follow-up",
                              "scenario-player", "tracker", "acknowledgements"]
    assert job_aid_for_protocol("screen-in-response") is JOB_AIDS["screening"]
    assert job_aid_for_protocol("no-such-protocol") is None
    out = render.job_aid_list_html(JOB_AIDS.values(), Everywhere())
    assert out.count('href="/voila/render/') == 9


def test_pocket_card_is_compact_and_versioned(library):
    protocol = library.protocol("scene-response")
    out = render.pocket_card_html(protocol)
    assert out.startswith('<article class="hc-card" id="card-scene-response"')
    assert "Version 1.2" in out and "Revised <time" in out and "2025-01-15" in out
    assert out.count(">Critical</span>") == 2
    assert 'id="card-scene-response-interpreter"' in out
    assert "Nobody can be helped" not in out  # rationale stays in the chapter
    for item in protocol.items():
        assert render.esc(item.prompt) in out


def test_screening_instrument(library):
    out = render.instrument_html(library.instrument("sample-danger-screen"), library,
                                 Everywhere())
    assert ">SAMPLE</strong>" in out and "not a validated risk assessment" in out
    assert "CC BY 4.0" in out and "Not a validated instrument." in out
    assert '<li value="1" id="sample-danger-screen-q1">' in out
    assert "at least one answer is “yes” among questions 1 and 2" in out
    assert "at least two answers are “yes” among questions 1 to 3" in out
    assert "because you believe the victim is in danger" in out
    assert '<a href="/p/screen-in-response">“Act on a screen-in”</a>' in out


def test_rights_notice_links_its_other_languages(library):
    out = render.rights_notice_html(library.notice("federal-cvra-en"), library, Everywhere())
    for expected in ("United States (federal)", "18 U.S.C. § 3771", "English (en)",
                     '<time datetime="2015-05-29">', "Handed to the victim, Read aloud",
                     "To be protected", "§ 3771(a)(1)"):
        assert render.esc(expected) in out or expected in out
    assert '<a href="/rights#federal-cvra-es">Spanish (Español) (es)</a>' in out
    spanish = render.rights_notice_html(library.notice("federal-cvra-es"), library)
    assert '<div class="hc-notice" lang="es">' in spanish
    assert "has not been reviewed yet" in spanish


def test_confidentiality_guide_is_a_numbered_flow(library):
    out = render.confidentiality_html(library.guide("what-can-stay-private"), library)
    assert "I cannot promise everything stays private" in out
    assert 'id="what-can-stay-private-q-imminent-harm"' in out
    assert 'go to <a href="#what-can-stay-private-q-mandated">question 2</a>' in out
    assert '<a class="hc-outcome-link" href="#what-can-stay-private-must-act">' in out
    assert "Must disclose" in out and "Keep private" in out
    assert "Agency policy 4.1" in out and "I have to share this to keep someone safe." in out


def test_resource_directory(library):
    out = render.resource_directory_html(library.directory("sample-county"))
    assert ">SAMPLE</strong> SAMPLE DATA." in out
    assert "Open 24/7" in out and "Warm handoff" in out
    assert "confidential — never give it out" in out
    assert "Spanish (Español) (es)" in out
    assert '<time datetime="2025-01-10">' in out
    assert 'href="tel:5550100"' in out


def test_needs_follow_up_and_scenario(library):
    needs = render.needs_catalogue_html(library.catalogue("victim-needs"), library)
    assert "Urgent</span>" in needs and "Do you have somewhere safe to stay tonight?" in needs
    assert "Shelter, Hotline" in needs
    plan = render.follow_up_html(library.template("standard-follow-up"), library)
    assert "1 day after the first contact, moved to the next business day" in plan
    assert "1 week after" in plan and "Is it safe to call this number?" in plan
    scenario = render.scenario_html(library.scenario("kitchen-call"), library, Everywhere(),
                                    player=JOB_AIDS["scenario-player"])
    assert "Content warning:" in scenario and "About 10 minutes" in scenario
    assert 'href="/voila/render/scenario-player.ipynb?scenario=kitchen-call"' in scenario
