"""Where a victim is sent next, as HTML: the resource directory, the needs assessment and follow-up."""

from __future__ import annotations

from protocols.library.container import Library
from protocols.models import CATEGORY_LABELS, FollowUpTemplate, NeedsCatalogue, ResourceDirectory, Service
from protocols.render.common import (
    NO_LINKS,
    Links,
    changelog_html,
    date,
    esc,
    heading,
    needs_html,
    paragraphs,
    revision_html,
    source_list_html,
)
from protocols.render.labels import CONTACT_LABELS, DOMAIN_LABELS, language_name


def resource_directory_html(directory: ResourceDirectory, links: Links = NO_LINKS, *,
                            level: int = 3) -> str:
    """A referral directory as cards: 24/7, languages, warm handoff, confidentiality, verified."""
    did = directory.id
    parts = [heading(level, esc(directory.title), f"directory-{did}", "hc-title")]
    if directory.sample:
        parts.append('<div class="hc-sample" role="note"><p><strong class="hc-sample-label">'
                     f"SAMPLE</strong> {esc(directory.notice)}</p></div>")
    else:
        parts.append(paragraphs(directory.notice, "hc-intro"))
    parts.append(f'<p class="hc-area"><span class="hc-label">Area:</span> {esc(directory.area)}</p>')
    for org in directory.organizations:
        services = "".join(_service_html(did, s) for s in org.services)
        parts.append(
            f'<section class="hc-org" id="{esc(did)}-{esc(org.id)}">'
            f"{heading(level + 1, esc(org.name))}{paragraphs(org.description)}"
            f'<ul class="hc-services">{services}</ul></section>')
    return f'<section class="hc-directory" id="directory-{esc(did)}">{"".join(parts)}</section>'


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def _service_html(did: str, service: Service) -> str:
    contact = service.contact
    lines = []
    if contact.phone:
        digits = "".join(ch for ch in contact.phone if ch.isdigit() or ch == "+")
        lines.append(f'Phone: <a href="tel:{esc(digits)}">{esc(contact.phone)}</a>')
    if contact.text:
        lines.append(f"Text: {esc(contact.text)}")
    if contact.web:
        lines.append(f'Web: <span class="hc-url">{esc(contact.web)}</span>')
    if contact.address:
        lines.append(f"Address: {esc(contact.address)}")
    if service.confidential_location:
        lines.append("Address: confidential — never give it out; call instead.")
    categories = ", ".join(CATEGORY_LABELS[c] for c in service.categories)
    languages = ", ".join(language_name(code) for code in service.languages)
    badges = []
    if service.open_24_7:
        badges.append('<span class="hc-badge hc-badge-247">Open 24/7</span>')
    if service.warm_handoff:
        badges.append('<span class="hc-badge">Warm handoff</span>')
    if service.confidential_location:
        badges.append('<span class="hc-badge">Confidential location</span>')
    return (
        f'<li class="hc-service" id="{esc(did)}-{esc(service.id)}">'
        f'<p class="hc-service-name"><strong>{esc(service.name)}</strong> {"".join(badges)}</p>'
        f"{paragraphs(service.description)}"
        '<dl class="hc-facts">'
        f"<dt>Helps with</dt><dd>{esc(categories)}</dd>"
        f"<dt>Contact</dt><dd>{'<br>'.join(lines) or 'Not listed'}</dd>"
        f"<dt>Hours</dt><dd>{esc(service.hours)}</dd>"
        f"<dt>Open 24/7</dt><dd>{_yes_no(service.open_24_7)}</dd>"
        f"<dt>Languages</dt><dd>{esc(languages)}</dd>"
        f"<dt>Warm handoff</dt><dd>{_yes_no(service.warm_handoff)}"
        f"{' (call with the victim and introduce them)' if service.warm_handoff else ''}</dd>"
        f"<dt>Confidential location</dt><dd>{_yes_no(service.confidential_location)}</dd>"
        f"<dt>Who can use it</dt><dd>{esc(service.eligibility)}</dd>"
        f"<dt>Cost</dt><dd>{esc(service.cost)}</dd>"
        f"<dt>Verified on</dt><dd>{date(service.verified_on)}</dd>"
        "</dl></li>")


def needs_catalogue_html(catalogue: NeedsCatalogue, library: Library, links: Links = NO_LINKS,
                         *, level: int = 3) -> str:
    """The needs assessment grouped by domain: what to ask, signs, where each need leads."""
    cid = catalogue.id
    parts = [heading(level, esc(catalogue.title), f"needs-{cid}", "hc-title"),
             revision_html(catalogue.version, catalogue.revised, catalogue.owner),
             paragraphs(catalogue.introduction, "hc-intro")]
    for domain, label in DOMAIN_LABELS.items():
        needs = [n for n in catalogue.needs if n.domain is domain]
        if not needs:
            continue
        rows = []
        for need in needs:
            urgent = ('<span class="hc-flag hc-urgent-label">Urgent</span> ' if need.urgent else "")
            signs = ("<p><span class=\"hc-label\">Signs:</span> "
                     + esc("; ".join(need.signs)) + "</p>" if need.signs else "")
            referrals = esc(", ".join(CATEGORY_LABELS[c] for c in need.referrals))
            rows.append(
                f'<li class="hc-need-item{" hc-urgent" if need.urgent else ""}" '
                f'id="{esc(cid)}-{esc(need.id)}"><p class="hc-need-label">{urgent}'
                f"<strong>{esc(need.label)}</strong></p>"
                f'<div class="hc-script"><p class="hc-label">Ask:</p><blockquote><p>'
                f"{esc(need.ask)}</p></blockquote></div>{signs}"
                f'<p><span class="hc-label">Refer to:</span> {referrals}</p></li>')
        parts.append(f'<section class="hc-domain hc-domain-{esc(domain.value)}">'
                     f"{heading(level + 1, esc(label))}<ul class=\"hc-need-items\">"
                     f'{"".join(rows)}</ul></section>')
    parts.append(source_list_html(library, catalogue.sources, cid, level + 1))
    parts.append(changelog_html(catalogue.changelog))
    return f'<section class="hc-needs-catalogue" id="needs-{esc(cid)}">{"".join(parts)}</section>'


def offset_words(hours: int) -> str:
    if hours % 24 == 0:
        days = hours // 24
        if days % 7 == 0 and days >= 7:
            weeks = days // 7
            return f"{weeks} week{'s' if weeks != 1 else ''}"
        return f"{days} day{'s' if days != 1 else ''}"
    return f"{hours} hour{'s' if hours != 1 else ''}"


def follow_up_html(template: FollowUpTemplate, library: Library, links: Links = NO_LINKS, *,
                   level: int = 3) -> str:
    """A follow-up plan template: dated check-ins with tasks, safe contact, closure."""
    tid = template.id
    check_ins = "".join(
        f'<li class="hc-check-in" id="{esc(tid)}-{esc(c.id)}">'
        f'<p><strong>{esc(c.label)}</strong> <span class="hc-when">— '
        f"{esc(offset_words(c.offset_hours))} after the first contact"
        f"{', moved to the next business day if it falls on a weekend' if c.business_day else ''}"
        "</span></p><ul>" + "".join(f"<li>{esc(t)}</li>" for t in c.tasks) + "</ul></li>"
        for c in template.check_ins)
    methods = esc(", ".join(CONTACT_LABELS[m] for m in template.contact_methods))
    parts = [
        heading(level, esc(template.title), f"follow-up-{tid}", "hc-title"),
        revision_html(template.version, template.revised, template.owner),
        f'<p class="hc-applies"><span class="hc-label">Use it for:</span> '
        f"{esc(template.applies_to)}</p>",
        heading(level + 1, "Check-ins"),
        f'<ol class="hc-check-ins">{check_ins}</ol>',
        heading(level + 1, "Contact safely"),
        f"<p><span class=\"hc-label\">Ways to make contact:</span> {methods}</p>",
        "<p class=\"hc-label\">Before the first contact, ask:</p><ul>"
        + "".join(f"<li>{esc(q)}</li>" for q in template.safe_contact_questions) + "</ul>",
        heading(level + 1, "Close the plan when"),
        "<ul>" + "".join(f"<li>{esc(c)}</li>" for c in template.closure_criteria) + "</ul>",
        needs_html(template.needs),
        source_list_html(library, template.sources, tid, level + 1),
        changelog_html(template.changelog),
    ]
    return f'<section class="hc-follow-up" id="follow-up-{esc(tid)}">{"".join(parts)}</section>'
