"""One saved run of every job aid for one case, each made through its aid's own controller.

The controllers are what the job-aid pages call (one engine call, one save), so a run made
here is saved exactly as an officer's would be, with no browser.
"""

from __future__ import annotations

import datetime as dt

from protocols.library.loader import Library
from protocols.records import Store
from protocols.ui.checklist_session import ChecklistSession
from protocols.ui.confidentiality_aid import AdvisorController
from protocols.ui.follow_up_aid import FollowUpController
from protocols.ui.needs_and_referrals_aid import ReferralController
from protocols.ui.rights_notification_aid import RightsController
from protocols.ui.scenario_player_aid import ScenarioController
from protocols.ui.screening_aid import ScreeningController

BELIEF_NOTE = "Typed-reason-ELM-STREET"
"""Typed into the screen-in checklist's free-text item: redacted unless notes are exported."""
CHECK_IN_NOTE = "Typed-note-SISTERS-FLAT"
"""Typed as a follow-up check-in's note: redacted unless notes are exported."""
CASE_AIDS = ("scene-response", "screening", "screen-in-response", "rights-notification", "needs-and-referrals",
             "confidentiality", "follow-up")
"""The aids whose runs belong in a case file (the scenario player's are training)."""


def _ok(step: object) -> None:
    assert getattr(step, "saved", True), step


def scene_response(store: Store, library: Library, case: str) -> str:
    protocol = library.protocol("scene-response")
    session, _ = ChecklistSession.start_or_resume(protocol, store, "scene-response", case)
    for item in list(protocol.items())[:3]:
        value = item.value.choices[0].id if item.value.choices else "yes"
        reply = session.handle({"type": "answer", "item": item.id, "answer": {"value": value}})
        assert reply["type"] == "saved", reply
    return session.run_id


def screening_and_follow_on(store: Store, library: Library, case: str) -> tuple[str, str]:
    """A screening screened in on belief, then its follow-on checklist with a typed reason."""
    screening = ScreeningController(library.instrument("sample-danger-screen"), library, store)
    screening.start(case)
    for step in (screening.answer(1, "yes"), screening.answer(1, "no"), screening.answer(2, "no"),
                 screening.believe("He said he would come back tonight"), screening.finish()):
        _ok(step)
    follow_on = screening.follow_on()
    assert follow_on is not None
    session, _ = follow_on
    reply = session.handle({"type": "answer", "item": "belief-reason", "answer": {"value": BELIEF_NOTE}})
    assert reply["type"] == "saved", reply
    assert screening.session is not None
    return screening.session.run_id, session.run_id


def rights(store: Store, library: Library, case: str) -> str:
    controller = RightsController(library, store)
    controller.start(case)
    _ok(controller.record("ca-marsy-en", "handed"))
    _ok(controller.record("ca-marsy-es", "read-aloud"))
    return store.find("rights-notification", case)[0].id


def needs_and_referrals(store: Store, library: Library, case: str) -> str:
    catalogue = library.catalogue("needs-assessment")
    controller = ReferralController(catalogue, library.directory("sample-directory"), store)
    controller.start(case)
    _ok(controller.toggle_need(catalogue.needs[0].id, True))
    found = controller.result().recommendations
    _ok(controller.choose(found[0].service_id))
    _ok(controller.finish())
    assert controller.session is not None
    return controller.session.run_id


def confidentiality(store: Store, library: Library, case: str) -> str:
    controller = AdvisorController(library.guide("confidentiality-decisions"), store)
    controller.start(case)
    _ok(controller.answer("yes"))
    _ok(controller.answer("no"))
    assert controller.session is not None
    return controller.session.run_id


def follow_up(store: Store, library: Library, case: str) -> str:
    controller = FollowUpController(library, store)
    controller.start(case)
    _ok(controller.create("standard-follow-up", dt.datetime.now(dt.UTC).astimezone() - dt.timedelta(days=2),
                          method="phone"))
    first = library.template("standard-follow-up").check_ins[0].id
    _ok(controller.record(first, "reached", CHECK_IN_NOTE))
    assert controller.session is not None
    return controller.session.run_id


def scenario(store: Store, library: Library, label: str) -> str:
    controller = ScenarioController(library, store)
    scenario_id = next(iter(library.scenarios))
    _ok(controller.start(scenario_id, label))
    node = library.scenario(scenario_id).nodes[0]
    _ok(controller.choose(node.options[0].id))
    assert controller.session is not None
    return controller.session.run_id


def every_aid(store: Store, library: Library, case: str) -> dict[str, str]:
    """Run id by aid name: one run of each job aid for ``case`` (the scenario under it as its label)."""
    screening_id, follow_on_id = screening_and_follow_on(store, library, case)
    return {"scene-response": scene_response(store, library, case), "screening": screening_id,
            "screen-in-response": follow_on_id, "rights-notification": rights(store, library, case),
            "needs-and-referrals": needs_and_referrals(store, library, case),
            "confidentiality": confidentiality(store, library, case), "follow-up": follow_up(store, library, case),
            "scenario-player": scenario(store, library, case)}
