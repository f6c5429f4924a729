"""A saved run's scene log, as an export lists it: worked out again from the saved run.

The job aids save each run's log with the run (``Store.save``); an export works it out from
the run itself with :func:`protocols.engine.scene_log.scene_log`, so runs saved before the log
existed get one too, and the export needs nothing but the run. When the content a run was made
with is gone or no longer fits, the log falls back to what the saved state alone says (when the
run started and, if it did, finished): a log is never invented.
"""

from __future__ import annotations

from typing import Any

from protocols.engine import (
    ChecklistRun,
    ChecklistState,
    ConfidentialityAdvisor,
    FollowUpPlan,
    ReferralRun,
    ScenarioPlayer,
    ScreeningRun,
)
from protocols.engine.base import RunState, restore_older
from protocols.engine.errors import EngineError
from protocols.engine.scene_log import scene_log
from protocols.library.loader import Library, UnknownContent
from protocols.records.run_views import aware
from protocols.records.store import RunRecord


def _run_of(record: RunRecord, state: RunState, library: Library) -> Any:
    """The engine run a saved record holds, read with this handbook's content."""
    kind = getattr(state, "kind", "")
    if kind == "checklist":
        protocol = library.protocol(state.content_id)
        if state.content_version == protocol.version:
            return ChecklistRun.restore(protocol, record.state)
        # an older run: read under this version, but keep the answers and events as saved
        upgraded = ChecklistRun.upgrade(protocol, record.state, aware(record.updated_at))
        saved = state if isinstance(state, ChecklistState) else upgraded.state
        upgraded.state = upgraded.state.model_copy(update={"events": saved.events})
        return upgraded
    if kind == "screening":
        instrument = library.instrument(state.content_id)
        return restore_older(lambda saved: ScreeningRun.restore(instrument, saved), record.state)[0]
    if kind == "confidentiality":
        guide = library.guide(state.content_id)
        return restore_older(lambda saved: ConfidentialityAdvisor.restore(guide, saved), record.state)[0]
    if kind == "followup":
        template = library.followup.get(state.content_id)
        return FollowUpPlan.carry_over(template, record.state)[0] if template is not None else None
    if kind == "referrals":
        catalogue = library.catalogue(state.content_id)
        directory = library.directory(getattr(state, "directory_id", ""))
        return restore_older(lambda saved: ReferralRun.restore(catalogue, directory, saved), record.state)[0]
    if kind == "scenario":
        scenario = library.scenario(state.content_id)
        return restore_older(lambda saved: ScenarioPlayer.restore(scenario, saved), record.state)[0]
    return None


class _StateOnly:
    """A saved state with no content to read it by: :func:`scene_log` then reads its own times."""

    def __init__(self, state: RunState) -> None:
        self.state = state


def timeline_rows(record: RunRecord, state: RunState | None, library: Library) -> list[dict[str, str]]:
    """The run's scene log as export rows (``at``, ``kind``, ``ref``, ``label``), oldest first."""
    if state is None:
        return []
    try:
        run = _run_of(record, state, library)
    except (UnknownContent, EngineError, ValueError):
        run = None
    if run is None or getattr(state, "kind", "") == "rights":
        run = _StateOnly(state)  # a rights run keeps every notice's facts in its own state
    return [e.as_row() for e in scene_log(run)]
