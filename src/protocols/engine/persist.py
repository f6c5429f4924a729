"""Read any saved run back, whatever its kind: for the records store.

Each state carries a ``kind`` (``checklist``, ``screening``, ``confidentiality``,
``followup``, ``scenario``, ``referrals``, ``rights``), so one call reads any of them.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, TypeAdapter

from protocols.engine.base import RunState, dump, read_saved
from protocols.engine.checklist import ChecklistState
from protocols.engine.confidentiality import AdvisorState
from protocols.engine.followup import FollowUpState
from protocols.engine.referrals import ReferralState
from protocols.engine.rights import RightsDeliveryState
from protocols.engine.scenario import ScenarioState
from protocols.engine.screening import ScreeningState

AnyState = Annotated[
    ChecklistState
    | ScreeningState
    | AdvisorState
    | FollowUpState
    | ScenarioState
    | ReferralState
    | RightsDeliveryState,
    Field(discriminator="kind"),
]
_ADAPTER: TypeAdapter[AnyState] = TypeAdapter(AnyState)


def load_state(saved: object) -> RunState:
    """A saved run (JSON text, bytes or parsed data) as its state model.

    Raises :class:`StateError` with a short description (no values) if it cannot be read.
    """
    return read_saved(saved, _ADAPTER.validate_json, _ADAPTER.validate_python)


def dump_state(state: RunState) -> dict[str, Any]:
    """A state as plain JSON data (what ``load_state`` reads back)."""
    return dump(state)
