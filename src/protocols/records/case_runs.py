"""A case's earlier runs, as the job aids need them when the case is opened again.

Reads only: which run of an aid was finished last, and whether the case screened in.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from protocols.engine.base import restore_older
from protocols.engine.errors import EngineError
from protocols.engine.screening import ScreeningRun
from protocols.library.loader import Library, UnknownContent
from protocols.records.monitoring import SCREENING_AID
from protocols.records.store import RunRecord, Store

FINISHED = "completed"
"""The store status of a finished run (a completed checklist, a finished screening, a closed plan)."""


def latest_finished(store: Store, aid: str, case_number: str,
                    content_ids: Iterable[str] | None = None) -> RunRecord | None:
    """The case's newest run of ``aid`` if it is finished and no run of it is still open.

    ``content_ids`` limits the runs to those content documents. ``None`` when the case has no
    run yet, or has an open one (that one is resumed instead). Raises ``StoreError``.
    """
    wanted = set(content_ids) if content_ids is not None else None
    runs = [r for r in store.find(aid, case_number) if wanted is None or r.content_id in wanted]
    if not runs or any(r.status != FINISHED for r in runs):
        return None
    return runs[0]


def case_screen_in(store: Store, library: Library, case_number: str) -> ScreeningRun | None:
    """The case's newest finished screening that screened in, by a rule or on officer belief.

    One screen-in is enough: a later screening that did not screen in does not hide it. A
    screening this handbook's instruments can no longer read is passed over. Raises ``StoreError``.
    """
    for record in store.find(SCREENING_AID, case_number):
        if record.status != FINISHED:
            continue
        try:
            instrument = library.instrument(record.content_id)
            run, _made_under = restore_older(partial(ScreeningRun.restore, instrument), record.state)
        except (UnknownContent, EngineError):
            continue
        if run.finished and run.evaluate().screened_in:
            return run
    return None
