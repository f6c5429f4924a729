"""Guidance an officer can trust, in the shipped checklists, guides and scenarios.

Each test names a way a list could harm a victim or force a false record, and checks the
shipped content does not: unsafe promises (secrecy, the officer's own availability: the
shipped safety rules over every text a victim hears or reads), paper or texts left before
asking what is safe to keep, answers with nowhere to go, family or children as interpreters,
grant rules applied to police records, and a gun that the training never mentions.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from protocols import Library, load_library
from protocols.library.safety_rules import SHIPPED_RULES, read_rules, unsafe_texts
from protocols.library.spoken_fields import spoken_texts
from protocols.library.yamlsource import dotted
from protocols.models import ConfidentialityGuide, Item, Protocol, Reviewed, Scenario

ROOT = Path(__file__).resolve().parents[2]
RIVER_CITY = ROOT / "agencies" / "river-city" / "agency.yaml"
GRANT_RULES = ("12291", "94.115", "90.4")


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


def _choice_labels(item: Item) -> dict[str, str]:
    return {c.id: c.label for c in item.value.choices or []}


def _order(protocol: Protocol, pause_point: str) -> list[str]:
    return [i.id for pp in protocol.pause_points if pp.id == pause_point for i in pp.items]


@pytest.mark.parametrize("agency", [None, RIVER_CITY], ids=["shipped", "river-city"])
def test_no_text_a_victim_hears_breaks_a_shipped_safety_rule(agency: Path | None) -> None:
    """Secrecy, the officer's own availability, the suspect's fate: the rules `handbook validate` applies."""
    library = load_library(agency=agency)
    rules, problems = read_rules([SHIPPED_RULES])
    assert problems == [] and rules
    opening = library.protocol("scene-response").item("introduced-with-limits").script
    assert opening in {text for _path, text in spoken_texts(library.protocol("scene-response"))}  # scripts are read
    found = [(dotted(obj_id, path), rule.id, words)
             for _kind, obj_id, path, rule, words in unsafe_texts(library, rules)]
    assert found == []


def test_the_opening_scripts_say_what_police_cannot_keep_and_offer_an_advocate(library: Library) -> None:
    scripts = [library.protocol("scene-response").item("introduced-with-limits").script or "",
               library.confidentiality["confidentiality-decisions"].opening_script]
    for script in scripts:
        assert "can't keep what you tell me secret" in script, script
        assert "advocate" in script and "prosecutor" in script, script


def test_strangling_with_ems_declined_has_an_answer(library: Library) -> None:
    labels = _choice_labels(library.protocol("scene-response").item("medical-need"))
    assert any("strangl" in label.lower() and "declined" in label.lower() for label in labels.values()), labels


@pytest.mark.parametrize(("protocol_id", "item_id"),
                         [("scene-response", "self-harm-asked"), ("follow-up-check-in", "self-harm-check")])
def test_thoughts_of_self_harm_without_a_plan_lead_to_a_crisis_line(
        library: Library, protocol_id: str, item_id: str) -> None:
    item = library.protocol(protocol_id).item(item_id)
    no_plan = [label for label in _choice_labels(item).values() if "no plan" in label.lower()]
    assert len(no_plan) >= 2, no_plan
    assert all("crisis" in label.lower() for label in no_plan), no_plan
    assert "988" in (item.help or "") and "samhsa-988" in item.sources


def test_interpreters_are_qualified_and_anyone_else_is_a_recorded_emergency(library: Library) -> None:
    item = library.protocol("scene-response").item("language-used")
    labels = _choice_labels(item)
    assert "family-member" not in labels
    others = [label for key, label in labels.items()
              if not key.startswith(("own-language", "qualified", "bilingual"))]
    assert others and all(label.startswith("Emergency only") for label in others), others
    assert "Never ask a child" in item.rationale
    assert "doj-lep-guidance-2002" in item.sources


def test_the_scene_safe_to_keep_check_is_critical_and_comes_before_anything_is_left(library: Library) -> None:
    scene = library.protocol("scene-response")
    order = _order(scene, "before-you-leave")
    check = scene.item("safe-to-keep-checked")
    assert check.critical
    labels = " ".join(_choice_labels(check).values()).lower()
    assert all(word in labels for word in ("paper", "text", "email"))
    for later in ("referral-made", "rights-notice-given", "contact-details-left", "follow-up-set"):
        assert order.index("safe-to-keep-checked") < order.index(later), later
    assert scene.item("safe-contact-agreed").critical


def test_the_rights_notice_safe_to_keep_check_covers_every_channel_and_comes_first(library: Library) -> None:
    rights = library.protocol("rights-notification")
    check = rights.item("safe-to-keep-notice")
    assert check.critical
    sent = {c.id.removeprefix("sent-") for c in rights.item("delivery-method").value.choices or []} - {
        "handed", "read-aloud"}
    covered = {c.id.removesuffix("-safe") for c in check.value.choices or []}
    assert sent <= covered, sent - covered
    assert "paper" in covered
    order = _order(rights, "give-the-notice")
    assert order.index("safe-to-keep-notice") < order.index("delivery-method")


def test_the_referral_safe_to_keep_check_comes_before_the_handoff(library: Library) -> None:
    handoff = library.protocol("referral-handoff")
    assert handoff.item("safe-to-keep-details").critical
    order = _order(handoff, "make-the-handoff")
    assert order.index("safe-to-keep-details") < order.index("handoff-type")


def _outcomes_after(guide: ConfidentialityGuide, node: str) -> set[str]:
    ids = {q.id for q in guide.questions}
    if node not in ids:
        return {node}
    question = guide.question(node)
    return _outcomes_after(guide, question.yes) | _outcomes_after(guide, question.no)


def test_the_police_branch_of_the_privacy_guide_applies_no_grant_rules(library: Library) -> None:
    guide = library.confidentiality["confidentiality-decisions"]
    start = guide.question(guide.start)
    police = _outcomes_after(guide, start.yes)
    assert {"share-under-agency-rules", "send-to-records-or-legal"} <= police
    for outcome_id in police:
        outcome = guide.outcome(outcome_id)
        cited = [rule for rule in GRANT_RULES if rule in outcome.citation + outcome.rule]
        assert not cited, (outcome_id, cited)
    community = guide.outcome(start.no)
    assert any(rule in community.citation for rule in GRANT_RULES)


def test_death_notification_plans_for_homicide_interpreters_and_distant_family(library: Library) -> None:
    notice = library.protocol("death-notification")
    plan = _order(notice, "plan-and-prepare")
    for item_id in ("homicide-coordinated", "interpreter-ready", "next-of-kin-confirmed"):
        assert item_id in plan and notice.item(item_id).critical, item_id
    assert "elsewhere-local-agency" in _choice_labels(notice.item("next-of-kin-confirmed"))
    assert "child" in notice.item("interpreter-ready").rationale


def test_the_interview_states_the_advocate_rules_with_their_statutes(library: Library) -> None:
    interview = library.protocol("trauma-informed-interview")
    told = interview.item("advocate-right-told")
    assert told.critical
    assert {"ca-penal-679-04", "ca-penal-679-05", "ca-penal-236-21"} <= set(told.sources)
    assert "in writing" in told.rationale and "attorney" in told.rationale
    who = interview.item("support-person-offered")
    assert "attorney-present" in _choice_labels(who) and "support-person-excluded" in _choice_labels(who)
    assert "no such power over the" in who.rationale


def _reachable(scenario: Scenario) -> set[str]:
    seen: set[str] = set()
    todo = [scenario.start]
    while todo:
        node = scenario.node(todo.pop())
        if node.id not in seen:
            seen.add(node.id)
            todo += [o.next for o in node.options if o.next]
    return seen


def test_the_peer_support_scenario_trains_the_gun_and_the_absent_partner(library: Library) -> None:
    scenario = library.scenarios["peer-support-after-dv"]
    gun = scenario.node("gun-and-partner")
    assert gun.id in _reachable(scenario)
    best = next(o for o in gun.options if o.rating.value == "correct")
    exercised = {(e.protocol, e.item) for e in best.exercises}
    assert {("scene-response", "weapons-status"), ("scene-response", "suspect-status")} <= exercised
    assert "emergency protective order" in best.text and "state law" in best.text
    assert {"ca-penal-18250", "ca-fam-6250"} <= set(scenario.sources)


@pytest.mark.parametrize("scenario_id", ["crisis-hotline-night", "embedded-mental-health-team",
                                         "peer-support-after-dv"])
def test_a_scenario_says_what_it_trains_and_claims_no_outcomes(library: Library, scenario_id: str) -> None:
    based_on = library.scenarios[scenario_id].based_on
    assert based_on.startswith("Trains "), based_on
    assert not re.search(r"\b(reported|resulting|recovery|reduced|repeat victimization)\b", based_on, re.I)


def test_practice_claims_are_no_stronger_than_the_research(library: Library) -> None:
    listening = library.protocol("active-listening").item("body-language")
    assert "non-verbal" not in listening.rationale
    texts = [library.protocol("screen-in-response").item("next-day-follow-up").rationale,
             library.followup["screen-in-follow-up"].applies_to]
    for text in texts:
        assert "police call" not in text and "separation" in text, text
    summary = library.protocol("trauma-informed-interview").summary
    assert "cognitive" in summary and "may differ" in summary
    assert "memon-2010-cognitive-interview" in library.protocol("trauma-informed-interview").sources


def test_the_de_escalation_limit_says_it_is_about_safety(library: Library) -> None:
    script = library.protocol("de-escalation").item("limit-stated").script or ""
    assert "hands" in script and "safety" in script and "not about blame" in script


def test_each_changed_document_dates_its_newest_change_on_its_revised_day(library: Library) -> None:
    documents: dict[str, Reviewed] = {
        **library.protocols, **library.confidentiality, **library.followup, **library.scenarios,
        **library.needs}
    for document_id, document in documents.items():
        if document.changelog:
            assert document.changelog[0].date == document.revised, document_id
