"""A recorded needs assessment: the needs selected, the filters in use and the services chosen.

A :class:`ReferralRun` records an assessment for one case number, each step with its time
and content version. Like every run here, each change replaces ``run.state`` with a new
frozen :class:`ReferralState` and returns it. The lookup it uses, :func:`recommend`, lives in
:mod:`protocols.engine.referral_matching`; its names are importable from here too.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AwareDatetime

from protocols.engine.answers import CaseNumber, check_case_number, check_id, plural, quote
from protocols.engine.base import Frozen, RunState, check_content, first_state, load, require_open
from protocols.engine.clock import require_aware
from protocols.engine.errors import AnswerError, ContentMismatch, StateError
from protocols.engine.referral_matching import (
    STALE_AFTER_DAYS,
    Filters,
    NeedView,
    Recommendation,
    ReferralResult,
    check_language,
    meets,
    recommend,
)
from protocols.models import NeedsCatalogue, ResourceDirectory, VictimNeed

__all__ = [
    "STALE_AFTER_DAYS",
    "ChosenReferral",
    "Filters",
    "NeedView",
    "Recommendation",
    "ReferralChange",
    "ReferralResult",
    "ReferralRun",
    "ReferralState",
    "SelectedNeed",
    "recommend",
]


# --------------------------------------------------------------------------- a recorded assessment


class SelectedNeed(Frozen):
    need_id: str
    selected_at: AwareDatetime
    content_version: str


class ChosenReferral(Frozen):
    """A service the victim was referred to, as the directory listed it at the time."""

    service_id: str
    service_name: str
    organization_name: str
    phone: str | None
    hours: str
    warm_handoff: bool
    need_ids: tuple[str, ...]
    """The selected needs it meets."""
    chosen_at: AwareDatetime
    content_version: str


class ReferralChange(Frozen):
    """A need deselected or a referral removed, kept so the record shows every step."""

    change: Literal["need-deselected", "referral-removed"]
    target: str
    at: AwareDatetime


class ReferralState(RunState):
    """A needs assessment and its referrals for one case; ``content_id`` is the catalogue's."""

    kind: Literal["referrals"] = "referrals"
    case_number: CaseNumber
    directory_id: str
    needs: tuple[SelectedNeed, ...] = ()
    filters: Filters = Filters()
    referrals: tuple[ChosenReferral, ...] = ()
    history: tuple[ReferralChange, ...] = ()
    finished_at: AwareDatetime | None = None


class ReferralRun:
    """A needs assessment for one case number, with the referrals chosen from one directory."""

    def __init__(
        self, catalogue: NeedsCatalogue, directory: ResourceDirectory, state: ReferralState
    ) -> None:
        check_content(state, catalogue.id, catalogue.version, "needs assessment")
        if state.directory_id != directory.id:
            raise ContentMismatch(
                f"this saved assessment used directory `{state.directory_id}`, not "
                f"`{directory.id}`; open it with `{state.directory_id}`"
            )
        known = {n.id for n in catalogue.needs}
        for need in state.needs:
            if need.need_id not in known:
                raise StateError(
                    f"the saved assessment selects need `{need.need_id}`, which catalogue "
                    f"`{catalogue.id}` does not have"
                )
        self.catalogue = catalogue
        self.directory = directory
        self._needs = {n.id: n for n in catalogue.needs}
        self._services = {s.id: (o, s) for o in directory.organizations for s in o.services}
        self.state = state

    @classmethod
    def start(
        cls,
        catalogue: NeedsCatalogue,
        directory: ResourceDirectory,
        case_number: object,
        now: dt.datetime,
    ) -> ReferralRun:
        now = require_aware(now)
        return cls(
            catalogue,
            directory,
            first_state(ReferralState, catalogue, now, case_number=check_case_number(case_number),
                        directory_id=directory.id),
        )

    @classmethod
    def restore(
        cls, catalogue: NeedsCatalogue, directory: ResourceDirectory, saved: object
    ) -> ReferralRun:
        """Continue a saved assessment (state or JSON) exactly where it stopped."""
        return cls(catalogue, directory, load(ReferralState, saved))

    # ----------------------------------------------------------------- lookups

    @property
    def selected(self) -> tuple[str, ...]:
        """The selected need ids, in the catalogue's order."""
        chosen = {n.need_id for n in self.state.needs}
        return tuple(n.id for n in self.catalogue.needs if n.id in chosen)

    @property
    def chosen(self) -> tuple[str, ...]:
        """The ids of the services chosen, in the order they were chosen."""
        return tuple(r.service_id for r in self.state.referrals)

    @property
    def finished(self) -> bool:
        return self.state.finished_at is not None

    def need(self, need_id: object) -> VictimNeed:
        key = check_id(need_id, "the need id")
        need = self._needs.get(key)
        if need is None:
            raise AnswerError(f"there is no need {quote(key)} in `{self.catalogue.id}`")
        return need

    def recommendations(self, today: dt.date | None = None) -> ReferralResult:
        """The services for the selected needs under the saved filters (see :func:`recommend`)."""
        f = self.state.filters
        return recommend(
            self.catalogue,
            self.directory,
            self.selected,
            open_24_7_only=f.open_24_7_only,
            language=f.language,
            warm_handoff_only=f.warm_handoff_only,
            today=today,
        )

    def progress_text(self) -> str:
        """E.g. ``"3 needs selected (2 urgent) · 1 referral chosen"``."""
        needs = [self._needs[i] for i in self.selected]
        urgent = sum(1 for n in needs if n.urgent)
        text = f"{plural(len(needs), 'need')} selected"
        if urgent:
            text += f" ({urgent} urgent)"
        text += f" · {plural(len(self.state.referrals), 'referral')} chosen"
        if self.finished and self.state.finished_at is not None:
            text = f"Finished at {self.state.finished_at:%H:%M} · {text}"
        return text

    # ----------------------------------------------------------------- changes

    def _require_open(self) -> None:
        require_open(self.state.finished_at, "this assessment was finished at {at:%H:%M}; start a new "
                     "one to record more needs or referrals")

    def select_need(self, need_id: object, selected: object, now: dt.datetime) -> ReferralState:
        """Select a need (``selected=True``) or take it off (kept in the history)."""
        now = require_aware(now)
        need = self.need(need_id)
        if not isinstance(selected, bool):
            raise AnswerError("say whether the need is selected: true or false")
        self._require_open()
        present = need.id in self.selected
        if selected == present:
            return self.state
        if selected:
            entry = SelectedNeed(
                need_id=need.id, selected_at=now, content_version=self.catalogue.version
            )
            update: dict[str, object] = {"needs": (*self.state.needs, entry)}
        else:
            update = {
                "needs": tuple(n for n in self.state.needs if n.need_id != need.id),
                "history": (
                    *self.state.history,
                    ReferralChange(change="need-deselected", target=need.id, at=now),
                ),
            }
        self.state = self.state.model_copy(update=update)
        return self.state

    def set_filters(
        self,
        now: dt.datetime,
        *,
        open_24_7_only: object = False,
        language: object = None,
        warm_handoff_only: object = False,
    ) -> ReferralState:
        """Keep the filters in use, so a resumed assessment shows the same list."""
        require_aware(now)
        self._require_open()
        if not isinstance(open_24_7_only, bool) or not isinstance(warm_handoff_only, bool):
            raise AnswerError("the 24/7 and warm handoff filters are on or off (true or false)")
        filters = Filters(
            open_24_7_only=open_24_7_only,
            language=check_language(language),
            warm_handoff_only=warm_handoff_only,
        )
        if filters == self.state.filters:
            return self.state
        self.state = self.state.model_copy(update={"filters": filters})
        return self.state

    def choose(self, service_id: object, now: dt.datetime) -> ReferralState:
        """Record a referral to a service that meets at least one selected need."""
        now = require_aware(now)
        key = check_id(service_id, "the service id")
        self._require_open()
        found = self._services.get(key)
        if found is None:
            raise AnswerError(f"there is no service {quote(key)} in `{self.directory.id}`")
        org, service = found
        met = tuple(i for i in self.selected if meets(self._needs[i], service))
        if not met:
            raise AnswerError(
                f"“{service.name}” does not meet any selected need; select the need first"
            )
        if key in self.chosen:
            return self.state
        entry = ChosenReferral(
            service_id=service.id,
            service_name=service.name,
            organization_name=org.name,
            phone=service.contact.phone,
            hours=service.hours,
            warm_handoff=service.warm_handoff,
            need_ids=met,
            chosen_at=now,
            content_version=self.catalogue.version,
        )
        self.state = self.state.model_copy(update={"referrals": (*self.state.referrals, entry)})
        return self.state

    def drop(self, service_id: object, now: dt.datetime) -> ReferralState:
        """Take a referral off the list (kept in the history)."""
        now = require_aware(now)
        key = check_id(service_id, "the service id")
        self._require_open()
        if key not in self.chosen:
            raise StateError(f"service {quote(key)} is not on the referral list")
        self.state = self.state.model_copy(
            update={
                "referrals": tuple(r for r in self.state.referrals if r.service_id != key),
                "history": (
                    *self.state.history,
                    ReferralChange(change="referral-removed", target=key, at=now),
                ),
            }
        )
        return self.state

    def finish(self, now: dt.datetime) -> ReferralState:
        """Close the assessment; refused while no need is selected."""
        now = require_aware(now)
        self._require_open()
        if not self.selected:
            raise StateError(
                "no need is selected; select the needs the victim has before finishing"
            )
        self.state = self.state.model_copy(update={"finished_at": now})
        return self.state
