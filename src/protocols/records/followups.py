"""Record a follow-up check-in or close a plan outside the job aid (the ``handbook followups`` CLI).

The same engine calls as the follow-up job aid (``FollowUpPlan.record`` / ``close``), saved
with the same revision check, so the store's audit log has the change with its actor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from protocols.engine import FollowUpPlan
from protocols.engine.errors import EngineError
from protocols.engine.scene_log import scene_log
from protocols.library.loader import Library
from protocols.records.monitoring import FOLLOW_UP_AID
from protocols.records.store import RevisionConflict, RunRecord, Store, StoreError


class FollowUpError(Exception):
    """The check-in or closure was not saved; the message says why and what to do."""


def plan_status(plan: FollowUpPlan) -> str:
    """The store status of a plan: completed once closed (as the job aid saves it)."""
    return "completed" if plan.closed else "in-progress"


def open_plan(store: Store, library: Library, run_id: str) -> tuple[RunRecord, FollowUpPlan]:
    """The saved follow-up plan ``run_id``, read under the current content.

    A plan made under an older version of its template continues under the current one, as
    it does in the follow-up job aid; the next save records that version.
    """
    record = store.get(run_id)
    if record is None or record.aid != FOLLOW_UP_AID:
        raise FollowUpError(f"there is no follow-up plan {run_id!r}; list the plans with "
                            "`handbook runs --aid follow-up`")
    template = library.followup.get(record.content_id)
    if template is None:
        raise FollowUpError(f"plan {run_id} uses the follow-up template {record.content_id!r}, which this "
                            "handbook's content no longer has; change it in the job aid")
    try:
        return record, FollowUpPlan.carry_over(template, record.state)[0]
    except EngineError as exc:
        raise FollowUpError(f"plan {run_id} cannot be changed here: {exc}") from None


def change_plan(store: Store, library: Library, run_id: str,
                change: Callable[[FollowUpPlan, dt.datetime], object], now: dt.datetime) -> FollowUpPlan:
    """Apply one engine change to the saved plan ``run_id`` and save it."""
    record, plan = open_plan(store, library, run_id)
    return apply_change(store, record, plan, change, now)


def apply_change(store: Store, record: RunRecord, plan: FollowUpPlan,
                 change: Callable[[FollowUpPlan, dt.datetime], object], now: dt.datetime) -> FollowUpPlan:
    """Apply one engine change to a plan read by :func:`open_plan`; save it at the revision it was read at."""
    try:
        change(plan, now)
    except EngineError as exc:
        raise FollowUpError(f"nothing was saved: {exc}") from None
    try:
        store.save(record.id, record.revision, plan_status(plan), plan.state.model_dump_json(),
                   content_version=plan.state.content_version, scene_log=scene_log(plan))
    except RevisionConflict:
        raise FollowUpError(f"plan {record.id} was changed by someone else just now; nothing was saved; "
                            "run the command again") from None
    except StoreError as exc:
        raise FollowUpError(str(exc)) from None
    return plan
