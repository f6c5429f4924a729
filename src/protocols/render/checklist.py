"""Checklist protocols as HTML: the full protocol with every item's detail, and the pocket card.

Anchors are stable so items can be linked to and cited in training: a protocol item is
``id="<protocol>-<item>"``, a pause point ``id="<protocol>-at-<pause point>"``, a pocket card
``id="card-<protocol>"`` and its items ``id="card-<protocol>-<item>"``.
"""

from __future__ import annotations

from protocols.library.agency import AgencyProfile
from protocols.library.container import Library
from protocols.models import Item, Protocol
from protocols.render.agency import agency_logo_html, card_contacts_html
from protocols.render.common import (
    NO_LINKS,
    Links,
    adapted_note_html,
    changelog_html,
    date,
    esc,
    heading,
    link_or_text,
    needs_html,
    ordered_sources,
    paragraphs,
    permalink_html,
    revision_html,
    source_list_html,
)
from protocols.render.labels import (
    ANY_CHECKLIST_AID,
    AUDIENCE_LABELS,
    KIND_HELP,
    KIND_LABELS,
    JobAid,
    job_aid_links_for_protocol,
    need_label,
    short_value,
    value_description,
)


def protocol_html(protocol: Protocol, library: Library, links: Links = NO_LINKS, *,
                  level: int = 3, job_aid: JobAid | None = None) -> str:
    """A protocol in full: objective, kind, version, pause points with every item's detail."""
    pid = protocol.id
    aids = [(job_aid, "")] if job_aid is not None else job_aid_links_for_protocol(pid)
    sources = ordered_sources(protocol.sources, (i.sources for i in protocol.items()))
    number = {sid: n for n, sid in enumerate(sources, start=1)}
    total = len(protocol.pause_points)

    head = [
        heading(level, esc(protocol.title), f"protocol-{pid}", "hc-title"),
        f'<p class="hc-objective"><span class="hc-label">Objective:</span> '
        f"{esc(protocol.objective)}</p>",
        '<div class="hc-meta">'
        f'<p class="hc-kind"><span class="hc-badge hc-badge-{esc(protocol.kind.value.lower())}">'
        f'{esc(KIND_LABELS[protocol.kind])}</span> {esc(KIND_HELP[protocol.kind])}</p>'
        f'<p class="hc-audience"><span class="hc-label">For:</span> '
        f"{esc(AUDIENCE_LABELS[protocol.audience])}</p>"
        f"{revision_html(protocol.version, protocol.revised, protocol.owner, protocol.adapted)}"
        "</div>",
        paragraphs(protocol.summary, "hc-summary"),
        needs_html(protocol.needs),
    ]
    actions = []
    card_href = links.card(pid)
    if card_href:
        actions.append(link_or_text(card_href, "Printable pocket card", "hc-action"))
    for aid, aid_query in aids:
        aid_href = links.job_aid(aid, aid_query)
        if aid_href:
            text = ("Record this checklist in a job aid" if aid is ANY_CHECKLIST_AID
                    else f"Open the job aid: {esc(aid.title)}")
            actions.append(link_or_text(aid_href, text, "hc-action hc-job-aid"))
    if actions:
        head.append(f'<p class="hc-actions">{" ".join(actions)}</p>')

    pause_points = []
    for index, pp in enumerate(protocol.pause_points, start=1):
        items = "".join(_item_html(protocol, item, number, links) for item in pp.items)
        pause_points.append(
            f'<li class="hc-pause-point" id="{esc(pid)}-at-{esc(pp.id)}">'
            + heading(level + 1, f'<span class="hc-pp-number">Pause point {index} of {total}:'
                                  f"</span> {esc(pp.title)}")
            + f'<p class="hc-when"><span class="hc-label">When:</span> {esc(pp.when)}</p>'
            + f'<ol class="hc-items">{items}</ol></li>'
        )
    body = f'<ol class="hc-pause-points">{"".join(pause_points)}</ol>'
    tail = (source_list_html(library, sources, pid, level + 1)
            + changelog_html(protocol.changelog))
    return (f'<section class="hc-protocol" id="protocol-{esc(pid)}" data-protocol="{esc(pid)}" '
            f'data-version="{esc(protocol.version)}"><header class="hc-head">{"".join(head)}'
            f"</header>{body}{tail}</section>")


def _item_html(protocol: Protocol, item: Item, number: dict[str, int], links: Links) -> str:
    anchor = f"{protocol.id}-{item.id}"
    flags = []
    if item.critical:
        flags.append('<span class="hc-flag hc-critical-label">Critical</span>')
    if item.optional:
        flags.append('<span class="hc-flag hc-optional-label">Optional</span>')
    records = esc(value_description(item))
    records += "" if item.na_allowed else " (“not applicable” is not allowed)"
    details = [f'<p class="hc-records"><span class="hc-label">Record:</span> {records}</p>']
    if item.repeats:
        try:
            earlier = protocol.item(item.repeats)
            details.append(
                f'<p class="hc-repeats"><span class="hc-label">Check again:</span> this repeats '
                f'{link_or_text("#" + protocol.id + "-" + earlier.id, "“" + esc(earlier.prompt) + "”")}, '
                "because its answer can change.</p>")
        except KeyError:
            pass
    details.append(f'<p class="hc-rationale"><span class="hc-label">Why:</span> '
                   f"{esc(item.rationale)}</p>")
    if item.help:
        details.append(f'<p class="hc-help"><span class="hc-label">How:</span> '
                       f"{esc(item.help)}</p>")
    if item.script:
        details.append(
            '<div class="hc-script"><p class="hc-label">What to say:</p>'
            f"<blockquote>{paragraphs(item.script)}</blockquote></div>")
    cites = ", ".join(
        f'<a href="#{esc(protocol.id)}-src-{esc(sid)}">[{number[sid]}]</a>'
        for sid in sorted((s for s in item.sources if s in number), key=number.__getitem__))
    tags = ", ".join(esc(need_label(n)) for n in item.needs)
    details.append(f'<p class="hc-item-meta"><span>Needs: {tags}</span>'
                   + (f" <span>Sources: {cites}</span>" if cites else "") + "</p>")
    cls = "hc-item hc-critical" if item.critical else "hc-item"
    prompt = (f'<p class="hc-prompt">{"".join(flags)} <strong class="hc-prompt-text">'
              f'{esc(item.prompt)}</strong>{permalink_html(anchor, "this item")}</p>')
    return f'<li class="{cls}" id="{esc(anchor)}">{prompt}{"".join(details)}</li>'


def pocket_card_html(protocol: Protocol, links: Links = NO_LINKS, *, level: int = 2,
                     book_title: str = "Crisis Intervention Field Handbook",
                     agency: AgencyProfile | None = None, added_by: str | None = None,
                     logo_url: str | None = None) -> str:
    """A compact card: title, kind, version and revision date, pause points and items.

    With an ``agency``, the card's foot carries its hotline and on-call numbers, and its
    head the agency's logo when ``logo_url`` says where the site serves it;
    ``added_by`` marks a list the agency added to the shipped ones.
    """
    pid = protocol.id
    sections = []
    for index, pp in enumerate(protocol.pause_points, start=1):
        rows = []
        for item in pp.items:
            flag = ('<span class="hc-flag hc-critical-label">Critical</span> '
                    if item.critical else "")
            optional = ' <span class="hc-optional-note">(optional)</span>' if item.optional else ""
            rows.append(
                f'<li class="{"hc-critical" if item.critical else ""}" '
                f'id="card-{esc(pid)}-{esc(item.id)}">{flag}{esc(item.prompt)}{optional} '
                f'<span class="hc-card-value">[{esc(short_value(item))}]</span></li>')
        sections.append(
            f'<section class="hc-card-pp">{heading(level + 1, f"{index}. {esc(pp.title)}")}'
            f'<p class="hc-card-when">{esc(pp.when)}</p><ol>{"".join(rows)}</ol></section>')
    full = links.protocol(pid)
    more = (f'<p class="hc-card-more hc-screen-only">{link_or_text(full, "Why each item matters")}</p>'
            if full else "")
    return (
        f'<article class="hc-card" id="card-{esc(pid)}" data-protocol="{esc(pid)}" '
        f'data-version="{esc(protocol.version)}">'
        f'<header class="hc-card-head">{agency_logo_html(agency, logo_url, "hc-card-logo")}'
        f'{heading(level, esc(protocol.title), f"card-{pid}", "hc-card-title")}'
        f'<p class="hc-card-meta"><span class="hc-badge hc-badge-{esc(protocol.kind.value.lower())}">'
        f"{esc(KIND_LABELS[protocol.kind])}</span> <span>Version {esc(protocol.version)}"
        f"{adapted_note_html(protocol.adapted)}</span> "
        f"<span>Revised {date(protocol.revised)}</span>"
        + (f' <span class="hc-added-by">Added by {esc(added_by)}</span>' if added_by else "")
        + "</p>"
        f'<p class="hc-card-objective">{esc(protocol.objective)}</p></header>'
        f'{"".join(sections)}'
        f'<footer class="hc-card-foot">{esc(book_title)} · {esc(pid)} v{esc(protocol.version)}'
        f'{adapted_note_html(protocol.adapted)} · '
        f"revised {date(protocol.revised)} · owner: {esc(protocol.owner)}"
        f"{card_contacts_html(agency)}</footer>{more}"
        "</article>"
    )
