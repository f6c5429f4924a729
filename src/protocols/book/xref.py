"""Cross-references between rendered content: placeholders while reading, page links when writing.

The renderers (:mod:`protocols.render`) ask a :class:`protocols.render.Links` for each link.
While pages are read, :data:`BOOK_LINKS` answers with ``hc-xref:`` placeholders, because the
page that shows a protocol or card may not have been read yet. Once every page is read,
``doctree-resolved`` turns each placeholder into a page-relative URL (or drops the link when
nothing shows its target), and ``env-updated`` rewrites pages whose link targets moved.
"""

from __future__ import annotations

import json
import re

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.osutil import relative_uri

from protocols import render
from protocols.book.state import build_state, targets, xref_docs
from protocols.render.job_aid_links import job_aid_url
from protocols.render.labels import ANY_CHECKLIST_AID, JOB_AIDS, JobAid

XREF = "hc-xref:"
_XREF_RE = re.compile(r"hc-xref:(protocol|card|rights|aid):([a-z0-9-]+)(\?[A-Za-z0-9=&;_-]*)?")
_LINK_RE = re.compile(r'<a href="(hc-xref:[^"]*)"(?: class="[^"]*")?>(.*?)</a>', re.S)
_LOOKUP_ORDER = {"protocol": ("protocol", "card"), "card": ("card",), "rights": ("rights",)}
"""Where a link of each kind may land: a protocol shown only as a card links to the card."""


class BookLinks(render.Links):
    """Placeholder links, resolved into page-relative URLs once every page has been read."""

    def protocol(self, protocol_id: str) -> str | None:
        return f"{XREF}protocol:{protocol_id}"

    def card(self, protocol_id: str) -> str | None:
        return f"{XREF}card:{protocol_id}"

    def rights_notice(self, notice_id: str) -> str | None:
        return f"{XREF}rights:{notice_id}"

    def job_aid(self, aid: JobAid, query: str = "") -> str | None:
        return f"{XREF}aid:{aid.name}" + (f"?{query}" if query else "")


class NoAidLinks(BookLinks):
    """Book links without the job-aid link (``:job-aid: none``)."""

    def job_aid(self, aid: JobAid, query: str = "") -> str | None:
        return None


BOOK_LINKS = BookLinks()


def doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: replace the placeholders in the page's raw HTML."""
    if app.builder.format != "html":
        return
    for node in list(doctree.findall(nodes.raw)):
        text = node.astext()
        if XREF not in text:
            continue
        resolved = resolve_links(app, docname, text)
        node.replace(node.children[0], nodes.Text(resolved))


def env_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-updated``: pages with cross-links are rewritten when a link target moved."""
    snapshot = json.dumps(
        {key: sorted(places) for key, places in sorted(targets(env).items())}, sort_keys=True)
    previous = getattr(env, "handbook_targets_snapshot", None)
    env.handbook_targets_snapshot = snapshot  # type: ignore[attr-defined]
    if previous is not None and previous != snapshot:
        return sorted(xref_docs(env))
    return []


def resolve_links(app: Sphinx, docname: str, text: str) -> str:
    """``text`` with each placeholder link made a URL, or reduced to its text when it has none."""
    def replace(match: re.Match[str]) -> str:
        url = _href(app, docname, match.group(1).replace("&amp;", "&"))
        if url is None:
            return match.group(2)
        return match.group(0).replace(match.group(1), render.esc(url), 1)

    return _LINK_RE.sub(replace, text)


def _href(app: Sphinx, docname: str, token: str) -> str | None:
    match = _XREF_RE.fullmatch(token)
    if match is None:
        return None
    kind, obj_id, query = match.group(1), match.group(2), (match.group(3) or "")
    if kind == "aid":
        aid = JOB_AIDS.get(obj_id) or (ANY_CHECKLIST_AID if obj_id == ANY_CHECKLIST_AID.name else None)
        return _job_aid_url(app, docname, aid, query.replace("&amp;", "&")) if aid else None
    for target_kind in _LOOKUP_ORDER[kind]:
        place = _place(app, f"{target_kind}:{obj_id}", docname)
        if place is not None:
            target_doc, anchor = place
            if target_doc == docname:
                # A protocol shown only as a card: no link from the card to itself.
                return None if target_kind != kind else f"#{anchor}"
            uri = app.builder.get_relative_uri(docname, target_doc)
            return f"{uri}#{anchor}"
    return None


def _place(app: Sphinx, key: str, from_doc: str) -> tuple[str, str] | None:
    """The page and anchor a link from ``from_doc`` to ``key`` goes to (same page, chapter, first)."""
    places = targets(app.env).get(key) or {}
    if not places:
        return None
    if from_doc in places:
        return from_doc, places[from_doc][0]
    library = build_state(app).library
    kind, _, obj_id = key.partition(":")
    if kind == "protocol" and library is not None:
        preferred = getattr(library.protocols.get(obj_id), "chapter", None)
        if preferred in places:
            return preferred, places[preferred][0]
    docname = sorted(places)[0]
    return docname, places[docname][0]


def _job_aid_url(app: Sphinx, docname: str, aid: JobAid, query: str) -> str:
    return job_aid_url(str(app.config.handbook_job_aid_base or ""), f"{aid.name}.ipynb{query}",
                       lambda site_path: relative_uri(app.builder.get_target_uri(docname), site_path))
