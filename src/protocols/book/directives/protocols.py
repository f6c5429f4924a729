"""The protocol directives: ``protocol``, ``pocket-card`` and ``pocket-cards``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

from protocols import render
from protocols.book.directives.base import NOT_LOADED, ContentDirective, depend_on_agency, missing, report
from protocols.book.state import build_state, files_for, note_listing, note_target, xref_docs
from protocols.book.xref import BOOK_LINKS, NoAidLinks
from protocols.library.loader import Library
from protocols.render.labels import JOB_AIDS, JobAid


class ProtocolDirective(ContentDirective):
    """The full protocol, with links to its pocket card and job aid."""

    table, noun, target_kind = "protocols", "protocol", "protocol"
    option_spec: ClassVar[dict[str, Any]] = {
        **ContentDirective.option_spec,
        "job-aid": directives.unchanged,
    }

    def render(self, library: Library, obj: Any) -> str:
        aid: JobAid | None = None
        name = self.options.get("job-aid")
        if name:
            if name != "none" and name not in JOB_AIDS:
                report(self, f"unknown job aid {name!r}; known: {', '.join(JOB_AIDS)} (or 'none')")
            aid = JOB_AIDS.get(name)
            if aid is None:
                return render.protocol_html(obj, library, NoAidLinks(), level=self.level)
        return render.protocol_html(obj, library, BOOK_LINKS, level=self.level, job_aid=aid)


class PocketCardDirective(ContentDirective):
    """One protocol's compact printable card."""

    table, noun, target_kind, default_level = "protocols", "protocol", "card", 2

    def render(self, library: Library, obj: Any) -> str:
        return pocket_card(self, library, obj, self.level)


class PocketCardsDirective(SphinxDirective):
    """Every protocol's pocket card, in the order the book presents them."""

    required_arguments = 0
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        library = build_state(self.env.app).library
        if library is None:
            return [missing(NOT_LOADED)]
        # A new or removed protocol file: the cards page is read again.
        note_listing(self.env, library.content_dir / "protocols")
        depend_on_agency(self)
        parts = []
        for protocol in reading_order(self.env, library):
            for file in files_for(library, "protocols", protocol.id):
                self.env.note_dependency(str(file))
            note_target(self.env, "card", protocol.id)
            parts.append(pocket_card(self, library, protocol, 2))
        xref_docs(self.env).add(self.env.docname)
        if not parts:
            parts.append('<p class="hc-missing">There are no protocols in the content yet.</p>')
        return [nodes.raw("", f'<div class="hc-cards">{"".join(parts)}</div>', format="html")]


def pocket_card(directive: SphinxDirective, library: Library, protocol: Any, level: int) -> str:
    """One protocol's card, titled with the book and marked when the agency's overlay added it."""
    config = directive.config
    return render.pocket_card_html(protocol, BOOK_LINKS, level=level,
                                   book_title=config.html_title or config.project,
                                   agency=library.agency,
                                   added_by=_added_by(directive, library, protocol.id),
                                   logo_url=_logo_url(directive.env))


def _logo_url(env: BuildEnvironment) -> str | None:
    """The agency logo's address relative to the page being read (None: no logo)."""
    name = build_state(env.app).logo
    if name is None:
        return None
    return relative_uri(env.app.builder.get_target_uri(env.docname), f"_static/{name}")


def _added_by(directive: SphinxDirective, library: Library, protocol_id: str) -> str | None:
    """The agency's short name when the protocol comes from its overlay, else None."""
    file = library.files.get(("protocols", protocol_id))
    if library.agency is None or file is None:
        return None
    overlay = {f.resolve() for f in build_state(directive.env.app).agency_files}
    return library.agency.short_name if file.resolve() in overlay else None


def reading_order(env: BuildEnvironment, library: Library) -> list[Any]:
    """Protocols sorted by where their chapter sits in the table of contents, then by id."""
    order: dict[str, int] = {}
    site_map = getattr(env.app.config, "external_site_map", None)
    if site_map is not None:
        try:
            for index, name in enumerate(site_map):
                order.setdefault(str(name), index)
        except TypeError:  # pragma: no cover - a different sphinx-external-toc
            order = {}
    positions: dict[str, int] = {}
    for chapter in {p.chapter for p in library.protocols.values() if p.chapter in order}:
        try:
            text = Path(env.doc2path(str(chapter))).read_text(encoding="utf-8")
        except OSError:
            continue
        for match in re.finditer(r"\{protocol\}\s+([a-z0-9-]+)", text):
            positions.setdefault(match.group(1), match.start())
    return sorted(library.protocols.values(),
                  key=lambda p: (order.get(p.chapter or "", len(order) + 1),
                                 positions.get(p.id, 1 << 30), p.id))
