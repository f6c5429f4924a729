"""Keeping content current: what an agency changed, and what is due for review."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from protocols.library.loader import Library
from protocols.models import RightsNotice

LAW_CHECK = "rights-law-check"
"""The review kind of a rights notice's check against the law (each right's ``verified_on``)."""

KIND_LABELS = {"protocols": "protocol", "instruments": "screening instrument", "rights": "rights notice",
               "confidentiality": "confidentiality guide", "resources": "resource directory",
               "needs": "needs assessment", "followup": "follow-up template", "scenarios": "scenario",
               LAW_CHECK: "law check of rights notice"}


def agency_diff(base: Library, adapted: Library) -> list[str]:
    """Plain lines describing what the agency's overlay and profile change against the base."""
    lines: list[str] = []
    profile = adapted.agency
    if profile is not None:
        lines.append(f"Agency: {profile.name} ({profile.jurisdiction})")
        lines.append(f"  hotline: {profile.hotline.label} {profile.hotline.phone}")
        lines.append(f"  on call: {profile.on_call.label} {profile.on_call.phone}")
        lines.append(f"  rights notices: {', '.join(profile.rights_notices)}")
        lines.append(f"  screening instrument: {profile.screening_instrument}")
        lines.append(f"  resource directory: {profile.resource_directory}")
        lines.append(f"  retention: {profile.retention_days} days")
    for kind in ("protocols", "instruments", "rights", "confidentiality", "resources", "needs", "followup",
                 "scenarios"):
        base_table = getattr(base, kind)
        for obj_id in sorted(set(getattr(adapted, kind)) - set(base_table)):
            lines.append(f"+ {KIND_LABELS[kind]} {obj_id} (added by the agency)")
    for protocol_id, protocol in sorted(adapted.protocols.items()):
        original = base.protocols.get(protocol_id)
        if original is None or original == protocol:
            continue
        lines.append(f"~ protocol {protocol_id}")
        before = {i.id: (pp.id, i) for pp in original.pause_points for i in pp.items}
        after = {i.id: (pp.id, i) for pp in protocol.pause_points for i in pp.items}
        for item_id in after.keys() - before.keys():
            pp_id, item = after[item_id]
            critical = " (critical)" if item.critical else ""
            lines.append(f"    + item {item_id} in {pp_id}{critical}: {item.prompt}")
        for item_id in before.keys() - after.keys():
            lines.append(f"    - item {item_id} hidden: {before[item_id][1].prompt}")
        for item_id in before.keys() & after.keys():
            old, new = before[item_id][1], after[item_id][1]
            if old.script != new.script:
                lines.append(f"    ~ script of {item_id}")
                lines.append(f"        was: {old.script or '(none)'}")
                lines.append(f"        now: {new.script or '(none)'}")
        if protocol.version_line() != original.version_line():
            lines.append("    ~ version line (cards, pages and job aids)")
            lines.append(f"        was: {original.version_line()}")
            lines.append(f"        now: {protocol.version_line()}")
    if len(lines) == (7 if profile else 0):
        lines.append("No content changes: the agency uses the shipped content as it is.")
    return lines


@dataclass(frozen=True)
class ReviewStatus:
    kind: str
    obj_id: str
    title: str
    owner: str
    revised: dt.date
    """When it was last revised (for a law check: when its wording was checked against the law)."""
    due: dt.date
    days_left: int
    detail: str = ""
    """What exactly is due, when the id alone does not say (which rights a law check covers)."""

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def law_checks(notice: RightsNotice, today: dt.date) -> list[ReviewStatus]:
    """The notice's rights, grouped by the date their wording was checked against the law.

    Each group falls due ``review_every_days`` after that date, like the notice's own review,
    and goes to the notice's owner.
    """
    checked: dict[dt.date, list[str]] = {}
    for right in notice.rights:
        checked.setdefault(right.verified_on, []).append(right.id)
    out = []
    for day, ids in sorted(checked.items()):
        rights = f"all {len(ids)} rights" if len(ids) == len(notice.rights) else "rights " + ", ".join(ids)
        due = day + dt.timedelta(days=notice.review_every_days)
        out.append(ReviewStatus(LAW_CHECK, notice.id, notice.title, notice.owner, day, due,
                                (due - today).days,
                                f"{rights} last checked against the law on {day.isoformat()}"))
    return out


def review_status(library: Library, today: dt.date) -> list[ReviewStatus]:
    """Every reviewed document with its review date, and every rights notice's law check, soonest first."""
    out: list[ReviewStatus] = []
    for kind in ("protocols", "instruments", "rights", "confidentiality", "needs", "followup", "scenarios"):
        for obj_id, obj in getattr(library, kind).items():
            due = obj.revised + dt.timedelta(days=obj.review_every_days)
            out.append(ReviewStatus(kind, obj_id, obj.title, obj.owner, obj.revised, due, (due - today).days))
    for notice in library.rights.values():
        out.extend(law_checks(notice, today))
    return sorted(out, key=lambda r: (r.due, r.kind, r.obj_id, r.detail))
