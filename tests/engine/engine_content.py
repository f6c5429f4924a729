"""Small content objects built in Python, so engine tests do not depend on the YAML."""

from __future__ import annotations

import datetime as dt
from typing import Any

from protocols.models import (
    ConfidentialityGuide,
    FollowUpTemplate,
    NeedsCatalogue,
    Protocol,
    ResourceDirectory,
    Scenario,
    ScreeningInstrument,
)

UTC = dt.UTC
T0 = dt.datetime(2024, 5, 3, 21, 0, tzinfo=UTC)  # a Friday
"""A fixed start time for tests."""

REVIEWED: dict[str, Any] = {
    "version": "1.0",
    "revised": "2024-04-01",
    "owner": "Training unit",
    "sources": ["test-source"],
}


def at(minutes: int) -> dt.datetime:
    """``T0`` plus some minutes."""
    return T0 + dt.timedelta(minutes=minutes)


def item(item_id: str, value: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": item_id,
        "prompt": extra.pop("prompt", f"Prompt for {item_id}"),
        "value": value,
        "rationale": "Why it matters.",
        "needs": ["safety"],
        "sources": ["test-source"],
        **extra,
    }


YES_NO = {"type": "yes-no"}
TIME = {"type": "time"}
TEXT = {"type": "text", "max_length": 100}
NUMBER = {"type": "number", "min": 0, "max": 10, "unit": "people"}
CHOICE = {
    "type": "choice",
    "choices": [{"id": "handed", "label": "Handed over"}, {"id": "read", "label": "Read aloud"}],
}
MULTI = {
    "type": "choice",
    "multiple": True,
    "choices": [
        {"id": "phone", "label": "Phone"},
        {"id": "text", "label": "Text message"},
        {"id": "email", "label": "Email"},
    ],
}


def make_protocol(version: str = "1.0") -> Protocol:
    return Protocol.model_validate(
        {
            **REVIEWED,
            "version": version,
            "id": "test-response",
            "title": "Respond to a test case",
            "objective": "Keep the victim safe and informed.",
            "audience": "officer",
            "kind": "READ-DO",
            "needs": ["safety"],
            "summary": "A small protocol for tests.",
            "pause_points": [
                {
                    "id": "arrive",
                    "title": "Scene safe",
                    "when": "On arrival.",
                    "items": [
                        item("scene-safe", YES_NO, critical=True, na_allowed=False,
                             prompt="Scene is safe"),
                        item("hotline-called", TIME, critical=True, prompt="Hotline called at"),
                        item("people-present", NUMBER),
                    ],
                },
                {
                    "id": "engage",
                    "title": "Engage and assess",
                    "when": "Once the scene is safe.",
                    "items": [
                        item("rights-given", CHOICE, critical=True, prompt="Rights notice given"),
                        item("contact-ways", MULTI),
                        item("notes", TEXT, optional=True),
                    ],
                },
                {
                    "id": "leave",
                    "title": "Before you leave",
                    "when": "Before leaving the scene.",
                    "items": [
                        item("scene-safe-again", YES_NO, critical=True, repeats="scene-safe",
                             prompt="Victim is safe as you leave"),
                        item("card-left", YES_NO, optional=True),
                    ],
                },
            ],
        }
    )


def make_instrument(*, override: bool = True) -> ScreeningInstrument:
    return ScreeningInstrument.model_validate(
        {
            **REVIEWED,
            "id": "sample-screen",
            "title": "Sample danger screen",
            "sample": True,
            "licence": "Sample for tests.",
            "attribution": "Test suite.",
            "applies_to": "Intimate-partner cases.",
            "introduction": "I am going to ask some questions.",
            "questions": [
                {"id": f"q{n}", "number": n, "text": f"Question {n}?"} for n in range(1, 8)
            ],
            "rules": [
                {"description": "Any yes to questions 1-3", "questions": [1, 2, 3], "at_least": 1},
                {"description": "3 or more yes to questions 4-7", "questions": [4, 5, 6, 7],
                 "at_least": 3},
            ],
            "officer_belief_override": override,
            "follow_on_protocol": "test-response",
            "needs": ["safety"],
        }
    )


def make_guide() -> ConfidentialityGuide:
    def outcome(oid: str, decision: str) -> dict[str, Any]:
        return {
            "id": oid,
            "title": f"Outcome {oid}",
            "decision": decision,
            "rule": f"Rule for {oid}.",
            "citation": f"Cite {oid}",
            "script": f"Say {oid}.",
            "next_steps": [f"Step for {oid}."],
        }

    return ConfidentialityGuide.model_validate(
        {
            **REVIEWED,
            "id": "test-guide",
            "title": "What can I keep private?",
            "audience": "officer",
            "introduction": "Use this when asked.",
            "opening_script": "I cannot promise to keep everything private.",
            "start": "mandated",
            "questions": [
                {"id": "mandated", "text": "Does a law require a report?", "yes": "must-report",
                 "no": "court-order"},
                {"id": "court-order", "text": "Is there a court order?", "yes": "ask-sup",
                 "no": "consent"},
                {"id": "consent", "text": "Has the victim given written consent?",
                 "yes": "share", "no": "private"},
            ],
            "outcomes": [
                outcome("must-report", "must-disclose"),
                outcome("ask-sup", "ask-supervisor"),
                outcome("share", "share-with-consent"),
                outcome("private", "keep-private"),
            ],
            "needs": ["information"],
        }
    )


def make_catalogue() -> NeedsCatalogue:
    return NeedsCatalogue.model_validate(
        {
            **REVIEWED,
            "id": "test-needs",
            "title": "Needs",
            "introduction": "Look for these needs.",
            "needs": [
                {"id": "shelter-tonight", "domain": "safety", "label": "Safe place tonight",
                 "ask": "Do you have a safe place to stay?", "referrals": ["shelter", "hotline"],
                 "urgent": True},
                {"id": "someone-to-talk", "domain": "emotional", "label": "Someone to talk to",
                 "ask": "Would it help to talk to someone?",
                 "referrals": ["hotline", "counselling-individual"]},
                {"id": "ride", "domain": "logistics", "label": "Transport",
                 "ask": "Do you need a ride?", "referrals": ["transport"]},
                {"id": "lawyer", "domain": "logistics", "label": "Legal help",
                 "ask": "Do you need legal advice?", "referrals": ["legal"]},
            ],
        }
    )


def service(sid: str, categories: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "id": sid,
        "name": extra.pop("name", f"Service {sid}"),
        "description": "Helps.",
        "categories": categories,
        "contact": {"phone": "555-0100"},
        "hours": extra.pop("hours", "Mon-Fri 9-5"),
        "open_24_7": extra.pop("open_24_7", False),
        "languages": extra.pop("languages", ["en"]),
        "eligibility": "Anyone.",
        "warm_handoff": extra.pop("warm_handoff", False),
        "confidential_location": False,
        "verified_on": extra.pop("verified_on", "2024-01-10"),
        **extra,
    }


def make_directory() -> ResourceDirectory:
    return ResourceDirectory.model_validate(
        {
            "id": "test-directory",
            "title": "Test directory",
            "sample": True,
            "notice": "Sample data.",
            "area": "Test County",
            "organizations": [
                {
                    "id": "org-a",
                    "name": "Alpha",
                    "description": "Org A.",
                    "services": [
                        service("a-hotline", ["hotline"], open_24_7=True, warm_handoff=True,
                                languages=["en", "es"], name="A hotline"),
                        service("a-counsel", ["counselling-individual"], name="A counselling"),
                    ],
                },
                {
                    "id": "org-b",
                    "name": "Beta",
                    "description": "Org B.",
                    "services": [
                        service("b-shelter", ["shelter", "transport"], open_24_7=True,
                                name="B shelter"),
                        service("b-rides", ["transport"], warm_handoff=True, name="B rides",
                                languages=["es-MX"]),
                    ],
                },
            ],
        }
    )


def make_template() -> FollowUpTemplate:
    return FollowUpTemplate.model_validate(
        {
            **REVIEWED,
            "id": "test-followup",
            "title": "Follow-up",
            "applies_to": "Every victim.",
            "check_ins": [
                {"id": "next-day", "label": "Next business day", "offset_hours": 24,
                 "business_day": True, "tasks": ["Call the victim."]},
                {"id": "one-week", "label": "One week", "offset_hours": 168,
                 "tasks": ["Check the safety plan."]},
                {"id": "one-month", "label": "One month", "offset_hours": 720,
                 "business_day": True, "tasks": ["Review referrals."]},
            ],
            "contact_methods": ["phone", "text", "through-advocate"],
            "safe_contact_questions": ["When is it safe to call?"],
            "closure_criteria": ["Victim has a safety plan.", "Referrals confirmed."],
            "needs": ["continuity"],
        }
    )


def make_scenario() -> Scenario:
    def option(oid: str, rating: str, nxt: str | None, **extra: Any) -> dict[str, Any]:
        return {"id": oid, "text": f"Do {oid}", "rating": rating, "feedback": f"About {oid}.",
                "next": nxt, **extra}

    return Scenario.model_validate(
        {
            **REVIEWED,
            "id": "test-scenario",
            "title": "A night call",
            "content_warning": "Mentions violence.",
            "based_on": "A composite case.",
            "summary": "Practice the first minutes.",
            "minutes": 5,
            "start": "arrive",
            "nodes": [
                {"id": "arrive", "situation": "You arrive.", "question": "What first?",
                 "options": [
                     option("check-safety", "correct", "talk",
                            exercises=[{"protocol": "test-response", "item": "scene-safe"}]),
                     option("ask-why", "wrong", "talk"),
                     option("wait", "partial", "talk"),
                 ]},
                {"id": "talk", "situation": "The victim is upset.", "question": "What now?",
                 "options": [
                     option("open-invite", "correct", None,
                            exercises=[{"protocol": "test-response", "item": "rights-given"},
                                       {"protocol": "other", "item": "missing"}]),
                     option("chronology", "partial", None),
                 ]},
            ],
            "debrief_points": ["Safety first."],
            "needs": ["safety"],
        }
    )
