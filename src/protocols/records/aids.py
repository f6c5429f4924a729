"""The names job aids save their runs under, in the order an officer meets them."""

from __future__ import annotations

SAVED_AIDS: dict[str, str] = {
    "scene-response": "Scene response checklist",
    "screening": "Danger screening",
    "screen-in-response": "Screen-in response checklist (after a screen-in)",
    "rights-notification": "Rights notification",
    "needs-and-referrals": "Needs and referrals",
    "confidentiality": "Confidentiality decisions",
    "follow-up": "Follow-up plan",
    "scenario-player": "Scenario player (training; its case column is the session label)",
}
"""Aid name → what it records. A store may also hold runs of aids an agency added."""
TRAINING_AIDS = frozenset({"scenario-player"})
"""Aids whose runs are training, not case records: a case file leaves them out."""


def known_aids(saved: list[str]) -> list[str]:
    """The aids ``handbook runs --aid`` accepts: these, then any others the store has runs of."""
    return [*SAVED_AIDS, *(a for a in saved if a not in SAVED_AIDS)]
