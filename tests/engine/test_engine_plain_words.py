"""Words a job aid shows come from the engine: headlines, decisions, verdicts, labels, languages."""

from __future__ import annotations

from engine_content import T0, at

from protocols.engine import (
    CheckInResult,
    ConfidentialityAdvisor,
    SafeContact,
    ScenarioPlayer,
    ScreeningRun,
    language_name,
    language_options,
)
from protocols.engine.followup import METHOD_LABELS, RESULT_LABELS
from protocols.models import (
    ConfidentialityGuide,
    ContactMethod,
    Rating,
    Scenario,
    ScreeningInstrument,
)


def test_screening_headlines(instrument: ScreeningInstrument) -> None:
    run = ScreeningRun.start(instrument, "24-1", T0)
    assert run.evaluate().headline == "Not screened in"
    run.override("Visible marks on the neck", at(1))
    assert run.evaluate().headline == "Screened in on officer belief"
    run.answer(1, "yes", at(2))
    assert run.evaluate().headline == "Screened in by the protocol"


def test_rule_text_has_no_doubled_full_stop(instrument: ScreeningInstrument) -> None:
    rule = instrument.rules[0].model_copy(update={"description": "Any yes to questions 1-3."})
    changed = instrument.model_copy(update={"rules": [rule, *instrument.rules[1:]]})
    run = ScreeningRun.start(changed, "24-1", T0)
    run.answer(1, "yes", at(1))
    result = run.evaluate()
    assert result.fired[0].text.startswith("Any yes to questions 1-3: 1 yes")
    assert ".:" not in result.message


def test_confidentiality_decision_in_words(guide: ConfidentialityGuide) -> None:
    advisor = ConfidentialityAdvisor.start(guide, T0)
    advisor.answer("yes", at(1))
    outcome = advisor.summary().outcome
    assert outcome is not None
    assert outcome.decision == "must-disclose"
    assert outcome.decision_text == "You must share it"


def test_scenario_verdicts(scenario: Scenario) -> None:
    player = ScenarioPlayer.start(scenario, T0)
    node = player.current_node
    assert node is not None
    option = node.options[0]
    feedback = player.choose(option.id, at(1))
    words = {Rating.CORRECT: "Good choice", Rating.PARTIAL: "Partly right",
             Rating.WRONG: "Not the best choice"}
    assert feedback.verdict == words[option.rating]
    assert player.debrief().entries[0].verdict == feedback.verdict


def test_follow_up_labels_cover_every_value() -> None:
    assert set(RESULT_LABELS) == set(CheckInResult)
    assert set(METHOD_LABELS) == set(ContactMethod)


def test_safe_contact_reads_as_words() -> None:
    assert SafeContact(method=ContactMethod.THROUGH_ADVOCATE).text() == "through an advocate"
    assert SafeContact(method=ContactMethod.IN_PERSON, may_leave_message=True).text() == (
        "in person; may leave a message"
    )
    assert SafeContact(method=ContactMethod.PHONE).text() == "by phone"


def test_language_names() -> None:
    assert language_name("en") == "English"
    assert language_name("es") == "Spanish (español)"
    assert language_name("es-MX") == "Spanish (español), MX"
    assert language_name("xx") == "xx"
    assert language_name("xx-YY") == "xx, YY"
    assert language_options(["vi", "es", "en", "es-MX"]) == [
        ("English", "en"), ("Spanish (español)", "es"), ("Vietnamese (Tiếng Việt)", "vi")
    ]
