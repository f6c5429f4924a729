"""What every HTML fragment shares: escaping, paragraphs, dates, headings, links, needs, sources and
the change log.

Every content string goes through :func:`esc` (``html.escape`` with quotes), so a ``<`` or ``&``
typed by a trainer is shown as typed and can never inject markup. ``Links`` says where
cross-links go: the book returns page-relative URLs; a printable export links nowhere.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from protocols.library.container import Library
from protocols.models import ChangeLogEntry, Need, Source
from protocols.models.checklist import Adaptation
from protocols.render.labels import JobAid, need_label


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


def link_or_text(href: str | None, text_html: str, cls: str | None = None) -> str:
    """A link when there is an href, else the text alone."""
    if not href:
        return text_html
    attr = f' class="{esc(cls)}"' if cls else ""
    return f'<a href="{esc(href)}"{attr}>{text_html}</a>'


def heading(level: int, text_html: str, permalink: str | None = None,
             cls: str | None = None) -> str:
    """``<hN>``; ``permalink`` is the id of the enclosing element the ``#`` link points to."""
    level = min(max(level, 2), 6)
    cls_attr = f' class="{esc(cls)}"' if cls else ""
    link = permalink_html(permalink) if permalink else ""
    return f"<h{level}{cls_attr}>{text_html}{link}</h{level}>"


def permalink_html(anchor: str, what: str = "this section") -> str:
    return (f'<a class="headerlink" href="#{esc(anchor)}" title="Link to {esc(what)}">'
            f'<span aria-hidden="true">#</span><span class="hc-sr">Link to {esc(what)}</span></a>')


def needs_html(needs: Iterable[Need], label: str = "Victim needs served") -> str:
    tags = "".join(f'<li class="hc-need hc-need-{esc(n.value)}">{esc(need_label(n))}</li>'
                   for n in needs)
    return (f'<div class="hc-needs"><span class="hc-label">{esc(label)}:</span> '
            f'<ul class="hc-need-list">{tags}</ul></div>')


def revision_html(version: str, revised: dt.date, owner: str, adapted: Adaptation | None = None) -> str:
    """Version, revision date and owner; for an agency's adaptation, whose adaptation of which
    shipped version (``River City PD adaptation of 1.0``)."""
    return (f'<p class="hc-revision"><span>Version <strong>{esc(version)}</strong>{adapted_note_html(adapted)}'
            f"</span> <span>Revised <strong>{date(revised)}</strong></span> "
            f"<span>Owner: <strong>{esc(owner)}</strong></span></p>")


def adapted_note_html(adapted: Adaptation | None) -> str:
    """`` (River City PD adaptation of 1.0)`` after an adapted version; nothing for shipped content."""
    return f' <span class="hc-adapted">({esc(adapted.note)})</span>' if adapted else ""


def citation_html(source: Source) -> str:
    """One citation: publisher, title (italic), year, note; the address as plain text."""
    parts = [f"{esc(source.publisher)}.", f"<cite>{esc(source.title)}</cite>.", f"{source.year}."]
    if source.note:
        parts.append(esc(source.note))
    if source.url:
        parts.append(f'<span class="hc-url">{esc(source.url)}</span>')
    return " ".join(parts)


def source_list_html(library: Library, source_ids: Sequence[str], anchor_prefix: str,
                 level: int, title: str = "Sources") -> str:
    if not source_ids:
        return ""
    items = []
    for sid in source_ids:
        source = library.sources.get(sid)
        body = citation_html(source) if source else esc(sid)
        items.append(f'<li id="{esc(anchor_prefix)}-src-{esc(sid)}">{body}</li>')
    return (f'<section class="hc-sources">{heading(level, esc(title))}'
            f'<ol class="hc-source-list">{"".join(items)}</ol></section>')


def changelog_html(entries: Sequence[ChangeLogEntry]) -> str:
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


def ordered_sources(first: Sequence[str], more: Iterable[Sequence[str]]) -> list[str]:
    seen: list[str] = []
    for group in (first, *more):
        for sid in group:
            if sid not in seen:
                seen.append(sid)
    return seen
