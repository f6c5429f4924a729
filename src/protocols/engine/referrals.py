"""From the needs an officer spotted to the services that meet them, best first.

A service meets a need when one of its categories is one the need refers to.
Ranking: services meeting urgent needs first, then services meeting more of
the selected needs, then open 24/7, then accepting a warm handoff, then by name.

:func:`recommend` is a pure lookup. A :class:`ReferralRun` records an assessment
for one case number: the needs selected, the filters in use and the services
chosen, each with its time and content version. Like every run here, each change
replaces ``run.state`` with a new frozen :class:`ReferralState` and returns it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Literal

from pydantic import AwareDatetime

from protocols.engine.answers import CaseNumber, check_case_number, check_id, quote
from protocols.engine.base import Frozen, RunState, check_content, load
from protocols.engine.clock import require_aware
from protocols.engine.errors import AnswerError, ContentMismatch, RunClosed, StateError
from protocols.models import (
    CATEGORY_LABELS,
    Contact,
    NeedsCatalogue,
    Organization,
    ReferralCategory,
    ResourceDirectory,
    Service,
    VictimNeed,
)

STALE_AFTER_DAYS = 365
"""A listing checked longer ago than this is flagged: confirm it before referring."""

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")


class NeedView(Frozen):
    id: str
    label: str
    urgent: bool


class Filters(Frozen):
    open_24_7_only: bool = False
    language: str | None = None
    warm_handoff_only: bool = False

    def describe(self) -> str:
        parts = []
        if self.open_24_7_only:
            parts.append("open 24/7 only")
        if self.language:
            parts.append(f"speaks {self.language}")
        if self.warm_handoff_only:
            parts.append("warm handoff only")
        return ", ".join(parts) or "no filters"


class Recommendation(Frozen):
    service_id: str
    service_name: str
    organization_id: str
    organization_name: str
    meets: tuple[NeedView, ...]
    urgent: bool
    """It meets at least one urgent need."""
    categories: tuple[ReferralCategory, ...]
    open_24_7: bool
    warm_handoff: bool
    languages: tuple[str, ...]
    hours: str
    contact: Contact
    confidential_location: bool
    eligibility: str
    cost: str
    verified_on: dt.date
    stale: bool
    why: tuple[str, ...]
    """Plain reasons it is listed, e.g. ``"meets: Safe place tonight (urgent)"``."""


class ReferralResult(Frozen):
    selected: tuple[NeedView, ...]
    filters: Filters
    recommendations: tuple[Recommendation, ...]
    unmet: tuple[NeedView, ...]
    """Selected needs that no recommended service meets."""
    relax: tuple[str, ...]
    """Filters that, turned off, would give results (only when there are none)."""
    message: str

    @property
    def empty(self) -> bool:
        return not self.recommendations


def _check_needs(catalogue: NeedsCatalogue, need_ids: object) -> list[VictimNeed]:
    if isinstance(need_ids, str | bytes) or not isinstance(
        need_ids, list | tuple | set | frozenset
    ):
        raise AnswerError("give the selected needs as a list of need ids")
    by_id = {n.id: n for n in catalogue.needs}
    unknown = [n for n in need_ids if not isinstance(n, str) or n not in by_id]
    if unknown:
        shown = ", ".join(quote(u) for u in unknown[:5])
        raise AnswerError(
            f"unknown need id(s): {shown}; the needs are: {', '.join(by_id)}"
        )
    wanted = set(need_ids)
    return [n for n in catalogue.needs if n.id in wanted]


def _check_language(language: object) -> str | None:
    if language is None or language == "":
        return None
    if not isinstance(language, str) or not _LANGUAGE.match(language):
        raise AnswerError(
            "the language must be a language code such as `en`, `es` or `es-MX` (or empty for any)"
        )
    return language


def _speaks(service: Service, language: str) -> bool:
    primary = language.split("-")[0]
    return any(code.split("-")[0] == primary for code in service.languages)


def _match(
    directory: ResourceDirectory, needs: list[VictimNeed], filters: Filters, today: dt.date | None
) -> list[Recommendation]:
    found: list[Recommendation] = []
    for org in directory.organizations:
        for service in org.services:
            if filters.open_24_7_only and not service.open_24_7:
                continue
            if filters.warm_handoff_only and not service.warm_handoff:
                continue
            if filters.language and not _speaks(service, filters.language):
                continue
            met = [n for n in needs if set(n.referrals) & set(service.categories)]
            if met:
                found.append(_recommend(org, service, met, filters, today))
    found.sort(
        key=lambda r: (
            -sum(1 for n in r.meets if n.urgent),
            -len(r.meets),
            not r.open_24_7,
            not r.warm_handoff,
            r.organization_name.lower(),
            r.service_name.lower(),
        )
    )
    return found


def _recommend(
    org: Organization,
    service: Service,
    met: list[VictimNeed],
    filters: Filters,
    today: dt.date | None,
) -> Recommendation:
    why: list[str] = []
    for need in met:
        cats = [CATEGORY_LABELS[c] for c in service.categories if c in need.referrals]
        urgent = " (urgent)" if need.urgent else ""
        why.append(f"meets: {need.label}{urgent}, as {' and '.join(cats).lower()}")
    why.append("open 24/7" if service.open_24_7 else f"hours: {service.hours}")
    if service.warm_handoff:
        why.append("accepts a warm handoff: you can connect the victim directly")
    if filters.language:
        why.append(f"speaks {filters.language}")
    stale = today is not None and (today - service.verified_on).days > STALE_AFTER_DAYS
    if stale:
        why.append(
            f"details last checked on {service.verified_on.isoformat()}: confirm them before you "
            "refer"
        )
    return Recommendation(
        service_id=service.id,
        service_name=service.name,
        organization_id=org.id,
        organization_name=org.name,
        meets=tuple(NeedView(id=n.id, label=n.label, urgent=n.urgent) for n in met),
        urgent=any(n.urgent for n in met),
        categories=tuple(service.categories),
        open_24_7=service.open_24_7,
        warm_handoff=service.warm_handoff,
        languages=tuple(service.languages),
        hours=service.hours,
        contact=service.contact,
        confidential_location=service.confidential_location,
        eligibility=service.eligibility,
        cost=service.cost,
        verified_on=service.verified_on,
        stale=stale,
        why=tuple(why),
    )


def recommend(
    catalogue: NeedsCatalogue,
    directory: ResourceDirectory,
    need_ids: Iterable[str],
    *,
    open_24_7_only: bool = False,
    language: str | None = None,
    warm_handoff_only: bool = False,
    today: dt.date | None = None,
) -> ReferralResult:
    """Services that meet the selected needs, ranked; an explicit empty result if none match.

    ``today``, if given, flags listings not checked for over a year.
    Raises :class:`AnswerError` for unknown need ids or a malformed language code.
    """
    needs = _check_needs(catalogue, need_ids)
    filters = Filters(
        open_24_7_only=bool(open_24_7_only),
        language=_check_language(language),
        warm_handoff_only=bool(warm_handoff_only),
    )
    selected = tuple(NeedView(id=n.id, label=n.label, urgent=n.urgent) for n in needs)
    if not needs:
        return ReferralResult(
            selected=(),
            filters=filters,
            recommendations=(),
            unmet=(),
            relax=(),
            message="Select at least one need to see services.",
        )
    found = _match(directory, needs, filters, today)
    met_ids = {n.id for r in found for n in r.meets}
    unmet = tuple(n for n in selected if n.id not in met_ids)
    relax: list[str] = []
    if found:
        message = f"{len(found)} service{'s' if len(found) != 1 else ''} found."
        if unmet:
            message += " No service here meets: " + ", ".join(n.label for n in unmet) + "."
    else:
        options = {
            "open 24/7 only": filters.model_copy(update={"open_24_7_only": False}),
            f"language {filters.language}": filters.model_copy(update={"language": None}),
            "warm handoff only": filters.model_copy(update={"warm_handoff_only": False}),
        }
        active = {
            "open 24/7 only": filters.open_24_7_only,
            f"language {filters.language}": filters.language is not None,
            "warm handoff only": filters.warm_handoff_only,
        }
        counts: list[str] = []
        for name, relaxed in options.items():
            if active[name]:
                count = len(_match(directory, needs, relaxed, today))
                if count:
                    relax.append(name)
                    counts.append(f"turning off “{name}” shows {count}")
        if relax:
            message = (
                "No service matches every filter. Relax a filter: " + "; ".join(counts) + "."
            )
        elif any(active.values()) and _match(directory, needs, Filters(), today):
            message = (
                "No service matches these filters together. Turn off all filters to see services "
                "that meet these needs."
            )
            relax.append("all filters")
        else:
            message = (
                "No service in this directory meets the selected needs. Call the on-call "
                "advocate or your supervisor for a referral."
            )
    return ReferralResult(
        selected=selected,
        filters=filters,
        recommendations=tuple(found),
        unmet=unmet,
        relax=tuple(relax),
        message=message,
    )


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
            ReferralState(
                content_id=catalogue.id,
                content_version=catalogue.version,
                case_number=check_case_number(case_number),
                directory_id=directory.id,
                started_at=now,
            ),
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
        count = len(needs)
        text = f"{count} need{'s' if count != 1 else ''} selected"
        if urgent:
            text += f" ({urgent} urgent)"
        made = len(self.state.referrals)
        text += f" · {made} referral{'s' if made != 1 else ''} chosen"
        if self.finished and self.state.finished_at is not None:
            text = f"Finished at {self.state.finished_at:%H:%M} · {text}"
        return text

    # ----------------------------------------------------------------- changes

    def _require_open(self) -> None:
        if self.state.finished_at is not None:
            raise RunClosed(
                f"this assessment was finished at {self.state.finished_at:%H:%M}; start a new "
                "one to record more needs or referrals"
            )

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
            language=_check_language(language),
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
        meets = tuple(
            i for i in self.selected if set(self._needs[i].referrals) & set(service.categories)
        )
        if not meets:
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
            need_ids=meets,
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
