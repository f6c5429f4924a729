"""The agency's part of a page: its logo, its numbers, and a note where it does not use some content."""

from __future__ import annotations

from pathlib import PurePosixPath

from protocols.library.agency import AgencyProfile
from protocols.render.common import esc


def tel_link(phone: str, text_html: str | None = None) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    return f'<a href="tel:{esc(digits)}">{text_html or esc(phone)}</a>'


def card_contacts_html(agency: AgencyProfile | None) -> str:
    if agency is None:
        return ""
    return (f'<span class="hc-card-contacts">{esc(agency.hotline.label)}: '
            f'<span class="hc-tel">{esc(agency.hotline.phone)}</span> · {esc(agency.on_call.label)}: '
            f'<span class="hc-tel">{esc(agency.on_call.phone)}</span></span>')


def agency_logo_name(agency: AgencyProfile | None) -> str | None:
    """The file name the agency's logo is published under in the book's ``_static`` folder."""
    if agency is None or not agency.logo:
        return None
    return "agency-logo" + PurePosixPath(agency.logo).suffix.lower()


def agency_logo_html(agency: AgencyProfile | None, url: str | None, cls: str, height: int = 40) -> str:
    """``<img>`` of the agency's logo at ``url`` (same site), alt text "<name> logo"; else ""."""
    if agency is None or not agency.logo or not url:
        return ""
    return (f'<img class="{esc(cls)}" src="{esc(url)}" alt="{esc(agency.name)} logo" '
            f'height="{height}">')


def agency_contacts_html(agency: AgencyProfile | None) -> str:
    """Who this copy of the handbook is set up for, and the two numbers an officer calls."""
    if agency is None:
        return ('<div class="hc-agency"><p>No agency profile is set for this build, so there are '
                "no local numbers here. Build with <code>handbook build --agency agency.yaml"
                "</code>.</p></div>")
    rows = []
    for label, contact in (("Crisis hotline", agency.hotline), ("On-call advocate", agency.on_call)):
        web = (f' · <span class="hc-url">{esc(contact.web)}</span>' if contact.web else "")
        rows.append(f'<li><span class="hc-label">{label}:</span> {esc(contact.label)}, '
                    f"{tel_link(contact.phone)}{web}</li>")
    return (
        f'<div class="hc-agency" data-agency="{esc(agency.id)}">'
        f'<p class="hc-agency-name">Set up for <strong>{esc(agency.name)}</strong></p>'
        f'<ul class="hc-agency-numbers">{"".join(rows)}'
        f'<li><span class="hc-label">Jurisdiction:</span> {esc(agency.jurisdiction)}</li></ul></div>')


def not_used_html(title: str, agency: AgencyProfile,
                  advice: str = "Use the notice your agency gives.") -> str:
    """Said in place of content the agency does not use (e.g. another state's rights notice)."""
    return (f'<p class="hc-not-used" role="note">“{esc(title)}” is not used by '
            f"{esc(agency.short_name)}. {esc(advice)}</p>")
