"""From the needs an officer spotted to the services that meet them, best first.

A service meets a need when one of its categories is one the need refers to.
Ranking: services meeting urgent needs first, then services meeting more of
the selected needs, then open 24/7, then accepting a warm handoff, then by name.

:func:`recommend` is a pure lookup in a :class:`~protocols.models.ResourceDirectory`;
:class:`~protocols.engine.referrals.ReferralRun` records an assessment that uses it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from protocols.engine.answers import plural, quote
from protocols.engine.base import Frozen
from protocols.engine.errors import AnswerError
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

_LISTED = ("open_24_7", "warm_handoff", "hours", "contact", "confidential_location", "eligibility", "cost",
           "verified_on")
"""The fields a :class:`Recommendation` repeats from the directory's listing as they are."""


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

    def relaxations(self) -> dict[str, Filters]:
        """Each filter in use, by name, and these filters with that one turned off."""
        relaxed: dict[str, Filters] = {}
        if self.open_24_7_only:
            relaxed["open 24/7 only"] = self.model_copy(update={"open_24_7_only": False})
        if self.language is not None:
            relaxed[f"language {self.language}"] = self.model_copy(update={"language": None})
        if self.warm_handoff_only:
            relaxed["warm handoff only"] = self.model_copy(update={"warm_handoff_only": False})
        return relaxed


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


# --------------------------------------------------------------------------- checking the request


def check_needs(catalogue: NeedsCatalogue, need_ids: object) -> list[VictimNeed]:
    """The catalogue's needs with these ids, in the catalogue's order; :class:`AnswerError` for unknown ids."""
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


def check_language(language: object) -> str | None:
    """A language code (``es``, ``es-MX``), or ``None`` for any language."""
    if language is None or language == "":
        return None
    if not isinstance(language, str) or not _LANGUAGE.match(language):
        raise AnswerError(
            "the language must be a language code such as `en`, `es` or `es-MX` (or empty for any)"
        )
    return language


def meets(need: VictimNeed, service: Service) -> bool:
    """Whether one of the service's categories is one the need refers to."""
    return bool(set(need.referrals) & set(service.categories))


# --------------------------------------------------------------------------- matching


def _speaks(service: Service, language: str) -> bool:
    primary = language.split("-")[0]
    return any(code.split("-")[0] == primary for code in service.languages)


def _passes(service: Service, filters: Filters) -> bool:
    if filters.open_24_7_only and not service.open_24_7:
        return False
    if filters.warm_handoff_only and not service.warm_handoff:
        return False
    return not (filters.language and not _speaks(service, filters.language))


def _rank(found: Recommendation) -> tuple[Any, ...]:
    return (-sum(1 for n in found.meets if n.urgent), -len(found.meets), not found.open_24_7,
            not found.warm_handoff, found.organization_name.lower(), found.service_name.lower())


def match(
    directory: ResourceDirectory, needs: list[VictimNeed], filters: Filters, today: dt.date | None
) -> list[Recommendation]:
    """The directory's services that pass ``filters`` and meet one of ``needs``, best first."""
    found: list[Recommendation] = []
    for org in directory.organizations:
        for service in org.services:
            met = [n for n in needs if meets(n, service)] if _passes(service, filters) else []
            if met:
                found.append(_recommendation(org, service, met, filters, today))
    return sorted(found, key=_rank)


def _reasons(service: Service, met: list[VictimNeed], filters: Filters, stale: bool) -> tuple[str, ...]:
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
    if stale:
        why.append(
            f"details last checked on {service.verified_on.isoformat()}: confirm them before you "
            "refer"
        )
    return tuple(why)


def _recommendation(
    org: Organization, service: Service, met: list[VictimNeed], filters: Filters, today: dt.date | None
) -> Recommendation:
    stale = today is not None and (today - service.verified_on).days > STALE_AFTER_DAYS
    return Recommendation(
        service_id=service.id,
        service_name=service.name,
        organization_id=org.id,
        organization_name=org.name,
        meets=tuple(NeedView(id=n.id, label=n.label, urgent=n.urgent) for n in met),
        urgent=any(n.urgent for n in met),
        categories=tuple(service.categories),
        languages=tuple(service.languages),
        stale=stale,
        why=_reasons(service, met, filters, stale),
        **{name: getattr(service, name) for name in _LISTED},
    )


# --------------------------------------------------------------------------- the answer


def _found_message(found: list[Recommendation], unmet: tuple[NeedView, ...]) -> str:
    message = f"{plural(len(found), 'service')} found."
    if unmet:
        message += " No service here meets: " + ", ".join(n.label for n in unmet) + "."
    return message


def _nothing_found(
    directory: ResourceDirectory, needs: list[VictimNeed], filters: Filters, today: dt.date | None
) -> tuple[str, tuple[str, ...]]:
    """The message when nothing matches, and the filters that, turned off, would give results."""
    relaxations = filters.relaxations()
    counts = {name: len(match(directory, needs, relaxed, today)) for name, relaxed in relaxations.items()}
    relax = tuple(name for name, count in counts.items() if count)
    if relax:
        shown = "; ".join(f"turning off “{name}” shows {counts[name]}" for name in relax)
        return f"No service matches every filter. Relax a filter: {shown}.", relax
    if relaxations and match(directory, needs, Filters(), today):
        return ("No service matches these filters together. Turn off all filters to see services "
                "that meet these needs."), ("all filters",)
    return ("No service in this directory meets the selected needs. Call the on-call "
            "advocate or your supervisor for a referral."), ()


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
    needs = check_needs(catalogue, need_ids)
    filters = Filters(open_24_7_only=bool(open_24_7_only), language=check_language(language),
                      warm_handoff_only=bool(warm_handoff_only))
    if not needs:
        return ReferralResult(selected=(), filters=filters, recommendations=(), unmet=(), relax=(),
                              message="Select at least one need to see services.")
    selected = tuple(NeedView(id=n.id, label=n.label, urgent=n.urgent) for n in needs)
    found = match(directory, needs, filters, today)
    met_ids = {n.id for r in found for n in r.meets}
    unmet = tuple(n for n in selected if n.id not in met_ids)
    relax: tuple[str, ...] = ()
    if found:
        message = _found_message(found, unmet)
    else:
        message, relax = _nothing_found(directory, needs, filters, today)
    return ReferralResult(selected=selected, filters=filters, recommendations=tuple(found),
                          unmet=unmet, relax=relax, message=message)
