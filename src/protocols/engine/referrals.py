"""From the needs an officer spotted to the services that meet them, best first.

A service meets a need when one of its categories is one the need refers to.
Ranking: services meeting urgent needs first, then services meeting more of
the selected needs, then open 24/7, then accepting a warm handoff, then by name.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from protocols.engine.answers import quote
from protocols.engine.base import Frozen
from protocols.engine.errors import AnswerError
from protocols.models import (
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
        cats = [c.value for c in service.categories if c in need.referrals]
        urgent = " (urgent)" if need.urgent else ""
        why.append(f"meets: {need.label}{urgent} · {', '.join(cats)}")
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
