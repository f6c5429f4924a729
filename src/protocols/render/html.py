"""Content → HTML fragments, for the book and for printable exports.

Pure functions: each takes a validated content object (and the library, for citations) and
returns a string of HTML. Every content string goes through ``esc`` (``html.escape`` with
quotes), so a ``<`` or ``&`` typed by a trainer is shown as typed and can never inject markup.

Anchors are stable so items can be linked to and cited in training: a protocol item is
``id="<protocol>-<item>"``, a pause point ``id="<protocol>-at-<pause point>"``, a pocket card
``id="card-<protocol>"`` and its items ``id="card-<protocol>-<item>"``.

Links to other pages are supplied by the caller through ``Links``: the Sphinx extension
returns page-relative URLs; a printable export can return ``None`` (no link, text only).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from protocols.library.agency import AgencyProfile
from protocols.library.loader import Library
from protocols.models import (
    CATEGORY_LABELS,
    ChangeLogEntry,
    ConfidentialityGuide,
    FollowUpTemplate,
    Item,
    Need,
    NeedsCatalogue,
    Outcome,
    Protocol,
    Question,
    ResourceDirectory,
    RightsNotice,
    Scenario,
    ScreeningInstrument,
    Service,
    Source,
)
from protocols.render.labels import (
    AUDIENCE_LABELS,
    CONTACT_LABELS,
    DECISION_LABELS,
    DELIVERY_LABELS,
    DOMAIN_LABELS,
    KIND_HELP,
    KIND_LABELS,
    TRANSLATION_LABELS,
    JobAid,
    job_aid_for_protocol,
    language_name,
    need_label,
    short_value,
    value_description,
)


def esc(value: object) -> str:
    """HTML-escape any value (quotes too, so it is safe inside attributes)."""
    return html.escape(str(value), quote=True)


def paragraphs(text: str, cls: str | None = None) -> str:
    """Text with blank-line breaks → escaped ``<p>`` elements."""
    attr = f' class="{esc(cls)}"' if cls else ""
    parts = [" ".join(p.split()) for p in text.split("\n\n")]
    return "".join(f"<p{attr}>{esc(p)}</p>" for p in parts if p)


def date(value: dt.date) -> str:
    """Dates as ISO ``2025-01-31``: unambiguous in every locale and on print."""
    return f'<time datetime="{value.isoformat()}">{value.isoformat()}</time>'


@dataclass(frozen=True)
class Links:
    """Where rendered content links to. Each method returns an href, or ``None`` for no link.

    The base class links nowhere (suits a printed export); the book subclasses it.
    """

    def protocol(self, protocol_id: str) -> str | None:
        """The full rendering of a protocol."""
        return None

    def card(self, protocol_id: str) -> str | None:
        """The printable pocket card of a protocol."""
        return None

    def rights_notice(self, notice_id: str) -> str | None:
        """The rendering of a rights notice (another language version)."""
        return None

    def job_aid(self, aid: JobAid, query: str = "") -> str | None:
        """The interactive job aid on the job-aid server."""
        return None


NO_LINKS = Links()


def _a(href: str | None, text_html: str, cls: str | None = None) -> str:
    """A link when there is an href, else the text alone."""
    if not href:
        return text_html
    attr = f' class="{esc(cls)}"' if cls else ""
    return f'<a href="{esc(href)}"{attr}>{text_html}</a>'


def _heading(level: int, text_html: str, permalink: str | None = None,
             cls: str | None = None) -> str:
    """``<hN>``; ``permalink`` is the id of the enclosing element the ``#`` link points to."""
    level = min(max(level, 2), 6)
    cls_attr = f' class="{esc(cls)}"' if cls else ""
    link = _permalink(permalink) if permalink else ""
    return f"<h{level}{cls_attr}>{text_html}{link}</h{level}>"


def _permalink(anchor: str, what: str = "this section") -> str:
    return (f'<a class="headerlink" href="#{esc(anchor)}" title="Link to {esc(what)}">'
            f'<span aria-hidden="true">#</span><span class="hc-sr">Link to {esc(what)}</span></a>')


def _needs(needs: Iterable[Need], label: str = "Victim needs served") -> str:
    tags = "".join(f'<li class="hc-need hc-need-{esc(n.value)}">{esc(need_label(n))}</li>'
                   for n in needs)
    return (f'<div class="hc-needs"><span class="hc-label">{esc(label)}:</span> '
            f'<ul class="hc-need-list">{tags}</ul></div>')


def _revision(version: str, revised: dt.date, owner: str) -> str:
    return (f'<p class="hc-revision"><span>Version <strong>{esc(version)}</strong></span> '
            f"<span>Revised <strong>{date(revised)}</strong></span> "
            f"<span>Owner: <strong>{esc(owner)}</strong></span></p>")


def citation_html(source: Source) -> str:
    """One citation: publisher, title (italic), year, note; the address as plain text."""
    parts = [f"{esc(source.publisher)}.", f"<cite>{esc(source.title)}</cite>.", f"{source.year}."]
    if source.note:
        parts.append(esc(source.note))
    if source.url:
        parts.append(f'<span class="hc-url">{esc(source.url)}</span>')
    return " ".join(parts)


def _source_list(library: Library, source_ids: Sequence[str], anchor_prefix: str,
                 level: int, title: str = "Sources") -> str:
    if not source_ids:
        return ""
    items = []
    for sid in source_ids:
        source = library.sources.get(sid)
        body = citation_html(source) if source else esc(sid)
        items.append(f'<li id="{esc(anchor_prefix)}-src-{esc(sid)}">{body}</li>')
    return (f'<section class="hc-sources">{_heading(level, esc(title))}'
            f'<ol class="hc-source-list">{"".join(items)}</ol></section>')


def _changelog(entries: Sequence[ChangeLogEntry]) -> str:
    """The newest entry in view (what, when, why), and the whole log in a box that opens."""
    if not entries:
        return ""
    newest = entries[0]
    latest = (f'<p class="hc-latest-change"><span class="hc-label">Latest change</span> '
              f"(version {esc(newest.version)}, {date(newest.date)}): {esc(newest.change)} "
              f'<span class="hc-label">Why:</span> {esc(newest.why)}</p>')
    rows = "".join(
        f"<tr><td>{esc(e.version)}</td><td>{date(e.date)}</td>"
        f"<td>{esc(e.change)}</td><td>{esc(e.why)}</td></tr>"
        for e in entries
    )
    count = len(entries)
    return latest + (
        '<details class="hc-changelog">'
        f"<summary>Change log ({count} {'entry' if count == 1 else 'entries'})</summary>"
        '<div class="hc-table-wrap"><table class="hc-table"><thead><tr><th scope="col">Version'
        '</th><th scope="col">Date</th><th scope="col">Change</th><th scope="col">Why</th>'
        f"</tr></thead><tbody>{rows}</tbody></table></div></details>"
    )


def _ordered_sources(first: Sequence[str], more: Iterable[Sequence[str]]) -> list[str]:
    seen: list[str] = []
    for group in (first, *more):
        for sid in group:
            if sid not in seen:
                seen.append(sid)
    return seen


# --------------------------------------------------------------------------- protocols


def protocol_html(protocol: Protocol, library: Library, links: Links = NO_LINKS, *,
                  level: int = 3, job_aid: JobAid | None = None) -> str:
    """A protocol in full: objective, kind, version, pause points with every item's detail."""
    pid = protocol.id
    aid = job_aid if job_aid is not None else job_aid_for_protocol(pid)
    sources = _ordered_sources(protocol.sources, (i.sources for i in protocol.items()))
    number = {sid: n for n, sid in enumerate(sources, start=1)}
    total = len(protocol.pause_points)

    head = [
        _heading(level, esc(protocol.title), f"protocol-{pid}", "hc-title"),
        f'<p class="hc-objective"><span class="hc-label">Objective:</span> '
        f"{esc(protocol.objective)}</p>",
        '<div class="hc-meta">'
        f'<p class="hc-kind"><span class="hc-badge hc-badge-{esc(protocol.kind.value.lower())}">'
        f'{esc(KIND_LABELS[protocol.kind])}</span> {esc(KIND_HELP[protocol.kind])}</p>'
        f'<p class="hc-audience"><span class="hc-label">For:</span> '
        f"{esc(AUDIENCE_LABELS[protocol.audience])}</p>"
        f"{_revision(protocol.version, protocol.revised, protocol.owner)}"
        "</div>",
        paragraphs(protocol.summary, "hc-summary"),
        _needs(protocol.needs),
    ]
    actions = []
    card_href = links.card(pid)
    if card_href:
        actions.append(_a(card_href, "Printable pocket card", "hc-action"))
    if aid is not None:
        aid_href = links.job_aid(aid)
        if aid_href:
            actions.append(_a(aid_href, f"Open the job aid: {esc(aid.title)}",
                              "hc-action hc-job-aid"))
    if actions:
        head.append(f'<p class="hc-actions">{" ".join(actions)}</p>')

    pause_points = []
    for index, pp in enumerate(protocol.pause_points, start=1):
        items = "".join(_item_html(protocol, item, number, links) for item in pp.items)
        pause_points.append(
            f'<li class="hc-pause-point" id="{esc(pid)}-at-{esc(pp.id)}">'
            + _heading(level + 1, f'<span class="hc-pp-number">Pause point {index} of {total}:'
                                  f"</span> {esc(pp.title)}")
            + f'<p class="hc-when"><span class="hc-label">When:</span> {esc(pp.when)}</p>'
            + f'<ol class="hc-items">{items}</ol></li>'
        )
    body = f'<ol class="hc-pause-points">{"".join(pause_points)}</ol>'
    tail = (_source_list(library, sources, pid, level + 1)
            + _changelog(protocol.changelog))
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
                f'{_a("#" + protocol.id + "-" + earlier.id, "“" + esc(earlier.prompt) + "”")}, '
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
              f'{esc(item.prompt)}</strong>{_permalink(anchor, "this item")}</p>')
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
            f'<section class="hc-card-pp">{_heading(level + 1, f"{index}. {esc(pp.title)}")}'
            f'<p class="hc-card-when">{esc(pp.when)}</p><ol>{"".join(rows)}</ol></section>')
    full = links.protocol(pid)
    more = (f'<p class="hc-card-more hc-screen-only">{_a(full, "Why each item matters")}</p>'
            if full else "")
    return (
        f'<article class="hc-card" id="card-{esc(pid)}" data-protocol="{esc(pid)}" '
        f'data-version="{esc(protocol.version)}">'
        f'<header class="hc-card-head">{agency_logo_html(agency, logo_url, "hc-card-logo")}'
        f'{_heading(level, esc(protocol.title), f"card-{pid}", "hc-card-title")}'
        f'<p class="hc-card-meta"><span class="hc-badge hc-badge-{esc(protocol.kind.value.lower())}">'
        f"{esc(KIND_LABELS[protocol.kind])}</span> <span>Version {esc(protocol.version)}</span> "
        f"<span>Revised {date(protocol.revised)}</span>"
        + (f' <span class="hc-added-by">Added by {esc(added_by)}</span>' if added_by else "")
        + "</p>"
        f'<p class="hc-card-objective">{esc(protocol.objective)}</p></header>'
        f'{"".join(sections)}'
        f'<footer class="hc-card-foot">{esc(book_title)} · {esc(pid)} v{esc(protocol.version)} · '
        f"revised {date(protocol.revised)} · owner: {esc(protocol.owner)}"
        f"{_card_contacts(agency)}</footer>{more}"
        "</article>"
    )


def _tel(phone: str, text_html: str | None = None) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    return f'<a href="tel:{esc(digits)}">{text_html or esc(phone)}</a>'


def _card_contacts(agency: AgencyProfile | None) -> str:
    if agency is None:
        return ""
    return (f'<span class="hc-card-contacts">{esc(agency.hotline.label)}: '
            f'<span class="hc-tel">{esc(agency.hotline.phone)}</span> · {esc(agency.on_call.label)}: '
            f'<span class="hc-tel">{esc(agency.on_call.phone)}</span></span>')


# --------------------------------------------------------------------------- agency


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
                    f"{_tel(contact.phone)}{web}</li>")
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


# --------------------------------------------------------------------------- screening


def instrument_html(instrument: ScreeningInstrument, library: Library,
                    links: Links = NO_LINKS, *, level: int = 3) -> str:
    """A screening instrument: SAMPLE label, licence, numbered questions, rules in words."""
    iid = instrument.id
    parts = [_heading(level, esc(instrument.title), f"instrument-{iid}", "hc-title")]
    if instrument.sample:
        parts.append(
            '<div class="hc-sample" role="note"><p><strong class="hc-sample-label">SAMPLE'
            "</strong> This is an illustrative instrument written for this handbook. It is not a "
            "validated risk assessment. Your agency replaces it with the licensed instrument it "
            "has adopted.</p></div>")
    parts.append(_revision(instrument.version, instrument.revised, instrument.owner))
    parts.append(
        '<dl class="hc-facts">'
        f"<dt>Use it for</dt><dd>{esc(instrument.applies_to)}</dd>"
        f"<dt>Licence</dt><dd>{esc(instrument.licence)}</dd>"
        f"<dt>Attribution</dt><dd>{esc(instrument.attribution)}</dd>"
        "<dt>Wording</dt><dd>Locked: ask each question exactly as written. Do not add, drop or "
        "reword questions.</dd></dl>")
    parts.append('<div class="hc-script"><p class="hc-label">What to say first:</p>'
                 f"<blockquote>{paragraphs(instrument.introduction)}</blockquote></div>")
    questions = "".join(
        f'<li value="{q.number}" id="{esc(iid)}-q{q.number}"><span class="hc-q-text">'
        f"{esc(q.text)}</span> "
        '<span class="hc-answers">Answer: Yes / No / Not answered</span></li>'
        for q in instrument.questions)
    parts.append(_heading(level + 1, "Questions"))
    parts.append(f'<ol class="hc-questions">{questions}</ol>')
    rules = []
    for rule in instrument.rules:
        numbers = _join_numbers(rule.questions)
        times = "answer is" if rule.at_least == 1 else "answers are"
        rules.append(
            f"<li><p>{esc(rule.description)}</p><p class=\"hc-rule-words\">In other words: the "
            f"case screens in when {_count_words(rule.at_least)} {times} “yes” among questions "
            f"{esc(numbers)}.</p></li>")
    parts.append(_heading(level + 1, "When the case screens in"))
    parts.append('<p>The case screens in if <strong>any</strong> of these rules is met. '
                 "“Not answered” never counts as “yes”.</p>")
    parts.append(f'<ol class="hc-rules">{"".join(rules)}</ol>')
    if instrument.officer_belief_override:
        parts.append(
            '<p class="hc-override"><span class="hc-label">Officer belief:</span> even when no '
            "rule is met, you may screen the case in because you believe the victim is in "
            "danger. Record your reason.</p>")
    else:
        parts.append('<p class="hc-override"><span class="hc-label">Officer belief:</span> '
                     "this instrument does not allow a screen-in on officer belief.</p>")
    follow = library.protocols.get(instrument.follow_on_protocol)
    name = esc(follow.title) if follow else esc(instrument.follow_on_protocol)
    parts.append(
        f'<p class="hc-follow-on"><span class="hc-label">After a screen-in:</span> run the '
        f"protocol {_a(links.protocol(instrument.follow_on_protocol), '“' + name + '”')}.</p>")
    parts.append(_needs(instrument.needs))
    parts.append(_source_list(library, instrument.sources, iid, level + 1))
    parts.append(_changelog(instrument.changelog))
    return f'<section class="hc-instrument" id="instrument-{esc(iid)}">{"".join(parts)}</section>'


def _join_numbers(numbers: Sequence[int]) -> str:
    ordered = sorted(numbers)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{ordered[0]} to {ordered[-1]}"
    if len(ordered) == 1:
        return str(ordered[0])
    return ", ".join(map(str, ordered[:-1])) + f" and {ordered[-1]}"


def _count_words(n: int) -> str:
    words = {1: "at least one", 2: "at least two", 3: "at least three", 4: "at least four",
             5: "at least five"}
    return words.get(n, f"at least {n}")


# --------------------------------------------------------------------------- rights


def rights_notice_html(notice: RightsNotice, library: Library, links: Links = NO_LINKS, *,
                       level: int = 3, used: Collection[str] | None = None) -> str:
    """A rights notice: jurisdiction, citation, version, language, rights, delivery.

    ``used``: the notice ids the agency gives; other language versions are listed only
    when the agency uses them (``None``: list them all).
    """
    nid = notice.id
    parts = [_heading(level, esc(notice.title), f"rights-{nid}", "hc-title")]
    if notice.translation_review == "needs-review":
        parts.append('<p class="hc-translation-status" role="note"><strong>Needs translator review.</strong> '
                     "A qualified translator has not checked this translation yet. Use the English "
                     "version as the reference, read by a qualified interpreter.</p>")
    review = TRANSLATION_LABELS.get(notice.translation_review, "")
    parts.append(
        '<dl class="hc-facts">'
        f"<dt>Jurisdiction</dt><dd>{esc(notice.jurisdiction)}</dd>"
        f"<dt>Law</dt><dd>{esc(notice.citation)}</dd>"
        f"<dt>Language</dt><dd>{esc(language_name(notice.language))}"
        + (f' <span class="hc-note">{esc(review)}</span>' if review and
           notice.translation_review != "reviewed" else "")
        + "</dd>"
        f"<dt>In effect from</dt><dd>{date(notice.effective)}</dd>"
        f"<dt>Version</dt><dd>{esc(notice.version)}, revised {date(notice.revised)}, owner: "
        f"{esc(notice.owner)}</dd>"
        f"<dt>When to give it</dt><dd>{esc(notice.when_to_give)}</dd>"
        "<dt>How it can be given</dt><dd>"
        + esc(", ".join(DELIVERY_LABELS[m] for m in notice.delivery_methods)) + "</dd></dl>")
    others = [n for n in library.notices_in_family(notice.family)
              if n.id != nid and (used is None or n.id in used)]
    if others:
        versions = ", ".join(
            f'<span lang="{esc(n.language)}">'
            f"{_a(links.rights_notice(n.id), esc(language_name(n.language)))}</span>"
            + (' <span class="hc-note">(needs translator review)</span>'
               if n.translation_review == "needs-review" else "")
            for n in others)
        parts.append(f'<p class="hc-languages"><span class="hc-label">Also in:</span> '
                     f"{versions}</p>")
    rights = "".join(
        f'<li id="{esc(nid)}-{esc(r.id)}"><p class="hc-right-title"><strong>{esc(r.title)}'
        f'</strong></p>{paragraphs(r.text)}<p class="hc-citation">{esc(r.citation)} '
        f'<span class="hc-checked" lang="en">(checked against the law on {date(r.verified_on)})</span></p></li>'
        for r in notice.rights)
    parts.append(f'<div class="hc-notice" lang="{esc(notice.language)}">'
                 f"{paragraphs(notice.introduction, 'hc-intro')}"
                 f'<ol class="hc-rights">{rights}</ol></div>')
    parts.append(_needs(notice.needs))
    parts.append(_source_list(library, notice.sources, nid, level + 1))
    parts.append(_changelog(notice.changelog))
    return (f'<section class="hc-rights-notice" id="rights-{esc(nid)}" '
            f'data-family="{esc(notice.family)}">{"".join(parts)}</section>')


# --------------------------------------------------------------------------- confidentiality


def confidentiality_html(guide: ConfidentialityGuide, library: Library,
                         links: Links = NO_LINKS, *, level: int = 3) -> str:
    """A confidentiality decision guide: opening script, question flow, outcomes."""
    gid = guide.id
    parts = [_heading(level, esc(guide.title), f"guide-{gid}", "hc-title"),
             _revision(guide.version, guide.revised, guide.owner),
             paragraphs(guide.introduction, "hc-intro"),
             '<div class="hc-script hc-opening"><p class="hc-label">Say this at the start, to '
             f"every victim:</p><blockquote>{paragraphs(guide.opening_script)}</blockquote></div>",
             _heading(level + 1, "Decide: start at question 1"),
             f'<ol class="hc-flow">{_flow(guide)}</ol>',
             _heading(level + 1, "Outcomes"),
             '<ol class="hc-outcomes">'
             + "".join(_outcome_html(gid, o) for o in guide.outcomes) + "</ol>",
             _needs(guide.needs),
             _source_list(library, guide.sources, gid, level + 1),
             _changelog(guide.changelog)]
    return f'<section class="hc-guide" id="guide-{esc(gid)}">{"".join(parts)}</section>'


def _question_order(guide: ConfidentialityGuide) -> list[Question]:
    """Questions in the order an officer meets them: from the start, "yes" branch first."""
    by_id = {q.id: q for q in guide.questions}
    order: list[Question] = []

    def visit(node_id: str) -> None:
        question = by_id.get(node_id)
        if question is None or question in order:
            return
        order.append(question)
        visit(question.yes)
        visit(question.no)

    visit(guide.start)
    return order + [q for q in guide.questions if q not in order]


def _flow(guide: ConfidentialityGuide) -> str:
    """The decision questions as a numbered flow: each answer goes to a question or an outcome."""
    order = _question_order(guide)
    number = {q.id: n for n, q in enumerate(order, start=1)}

    def target_html(target: str) -> str:
        if target in number:
            return (f'go to <a href="#{esc(guide.id)}-q-{esc(target)}">question '
                    f"{number[target]}</a>")
        outcome = guide.outcome(target)
        return (f'<a class="hc-outcome-link" href="#{esc(guide.id)}-{esc(outcome.id)}">'
                f'{esc(outcome.title)}</a> <span class="hc-decision">'
                f"({esc(DECISION_LABELS[outcome.decision])})</span>")

    items = []
    for question in order:
        help_html = f'<p class="hc-help">{esc(question.help)}</p>' if question.help else ""
        items.append(
            f'<li class="hc-question" id="{esc(guide.id)}-q-{esc(question.id)}">'
            f'<p class="hc-q-text">{esc(question.text)}</p>{help_html}'
            '<ul class="hc-branches">'
            f'<li><span class="hc-answer">Yes:</span> {target_html(question.yes)}</li>'
            f'<li><span class="hc-answer">No:</span> {target_html(question.no)}</li>'
            "</ul></li>")
    return "".join(items)


def _outcome_html(gid: str, outcome: Outcome) -> str:
    steps = ("<p class=\"hc-label\">Next steps:</p><ul>"
             + "".join(f"<li>{esc(s)}</li>" for s in outcome.next_steps) + "</ul>"
             if outcome.next_steps else "")
    return (
        f'<li class="hc-outcome hc-decision-{esc(outcome.decision)}" id="{esc(gid)}-{esc(outcome.id)}">'
        f'<p class="hc-outcome-title"><strong>{esc(outcome.title)}</strong></p>'
        f'<p><span class="hc-label">Decision:</span> {esc(DECISION_LABELS[outcome.decision])}</p>'
        f'<p><span class="hc-label">Rule:</span> {esc(outcome.rule)}</p>'
        f'<p><span class="hc-label">Law or policy:</span> {esc(outcome.citation)}</p>'
        '<div class="hc-script"><p class="hc-label">What to say:</p>'
        f"<blockquote>{paragraphs(outcome.script)}</blockquote></div>{steps}</li>")


# --------------------------------------------------------------------------- resources


def resource_directory_html(directory: ResourceDirectory, links: Links = NO_LINKS, *,
                            level: int = 3) -> str:
    """A referral directory as cards: 24/7, languages, warm handoff, confidentiality, verified."""
    did = directory.id
    parts = [_heading(level, esc(directory.title), f"directory-{did}", "hc-title")]
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
            f"{_heading(level + 1, esc(org.name))}{paragraphs(org.description)}"
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


# --------------------------------------------------------------------------- needs


def needs_catalogue_html(catalogue: NeedsCatalogue, library: Library, links: Links = NO_LINKS,
                         *, level: int = 3) -> str:
    """The needs assessment grouped by domain: what to ask, signs, where each need leads."""
    cid = catalogue.id
    parts = [_heading(level, esc(catalogue.title), f"needs-{cid}", "hc-title"),
             _revision(catalogue.version, catalogue.revised, catalogue.owner),
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
                     f"{_heading(level + 1, esc(label))}<ul class=\"hc-need-items\">"
                     f'{"".join(rows)}</ul></section>')
    parts.append(_source_list(library, catalogue.sources, cid, level + 1))
    parts.append(_changelog(catalogue.changelog))
    return f'<section class="hc-needs-catalogue" id="needs-{esc(cid)}">{"".join(parts)}</section>'


# --------------------------------------------------------------------------- follow-up


def _offset_words(hours: int) -> str:
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
        f"{esc(_offset_words(c.offset_hours))} after the first contact"
        f"{', moved to the next business day if it falls on a weekend' if c.business_day else ''}"
        "</span></p><ul>" + "".join(f"<li>{esc(t)}</li>" for t in c.tasks) + "</ul></li>"
        for c in template.check_ins)
    methods = esc(", ".join(CONTACT_LABELS[m] for m in template.contact_methods))
    parts = [
        _heading(level, esc(template.title), f"follow-up-{tid}", "hc-title"),
        _revision(template.version, template.revised, template.owner),
        f'<p class="hc-applies"><span class="hc-label">Use it for:</span> '
        f"{esc(template.applies_to)}</p>",
        _heading(level + 1, "Check-ins"),
        f'<ol class="hc-check-ins">{check_ins}</ol>',
        _heading(level + 1, "Contact safely"),
        f"<p><span class=\"hc-label\">Ways to make contact:</span> {methods}</p>",
        "<p class=\"hc-label\">Before the first contact, ask:</p><ul>"
        + "".join(f"<li>{esc(q)}</li>" for q in template.safe_contact_questions) + "</ul>",
        _heading(level + 1, "Close the plan when"),
        "<ul>" + "".join(f"<li>{esc(c)}</li>" for c in template.closure_criteria) + "</ul>",
        _needs(template.needs),
        _source_list(library, template.sources, tid, level + 1),
        _changelog(template.changelog),
    ]
    return f'<section class="hc-follow-up" id="follow-up-{esc(tid)}">{"".join(parts)}</section>'


# --------------------------------------------------------------------------- scenarios


def scenario_html(scenario: Scenario, library: Library, links: Links = NO_LINKS, *,
                  level: int = 3, player: JobAid | None = None) -> str:
    """A training scenario's summary card with a link to the scenario player."""
    sid = scenario.id
    parts = [
        _heading(level, esc(scenario.title), f"scenario-{sid}", "hc-title"),
        '<div class="hc-warning" role="note"><p><strong>Content warning:</strong> '
        f"{esc(scenario.content_warning)}</p></div>",
        paragraphs(scenario.summary, "hc-summary"),
        '<dl class="hc-facts">'
        f"<dt>Time</dt><dd>About {scenario.minutes} minutes</dd>"
        f"<dt>Decisions</dt><dd>{len(scenario.nodes)}</dd>"
        f"<dt>Based on</dt><dd>{esc(scenario.based_on)}</dd>"
        f"<dt>Version</dt><dd>{esc(scenario.version)}, revised {date(scenario.revised)}</dd>"
        "</dl>",
        _needs(scenario.needs),
    ]
    if player is not None:
        href = links.job_aid(player, f"scenario={sid}")
        if href:
            parts.append(f'<p class="hc-actions">{_a(href, "Play this scenario", "hc-action hc-job-aid")}'
                         "</p>")
    parts.append('<details class="hc-debrief"><summary>Debrief points (for the trainer)</summary>'
                 "<ul>" + "".join(f"<li>{esc(p)}</li>" for p in scenario.debrief_points)
                 + "</ul></details>")
    return f'<section class="hc-scenario" id="scenario-{esc(sid)}">{"".join(parts)}</section>'


# --------------------------------------------------------------------------- job aids


def job_aid_links_html(aids: Iterable[JobAid], links: Links = NO_LINKS) -> str:
    """A short row of job-aid links (titles only), for a page's first screen."""
    entries = "".join(f"<li>{_a(links.job_aid(aid), esc(aid.title), 'hc-job-aid')}</li>" for aid in aids)
    return f'<ul class="hc-job-aid-links">{entries}</ul>'


def job_aid_list_html(aids: Iterable[JobAid], links: Links = NO_LINKS) -> str:
    """The job-aid index: one line each, linked when the job-aid server is reachable."""
    rows = "".join(
        f'<li class="hc-job-aid-entry" id="job-aid-{esc(aid.name)}"><p>'
        f'<strong>{_a(links.job_aid(aid), esc(aid.title), "hc-job-aid")}</strong> — '
        f'{esc(aid.summary)}</p><p class="hc-job-aid-path"><code>{esc(aid.path)}</code></p></li>'
        for aid in aids)
    return f'<ul class="hc-job-aids">{rows}</ul>'
