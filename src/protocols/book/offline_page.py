"""``offline-job-aid.html``: a job aid needs the server; offline, the book's own checklists stand in.

The page lists each job aid with the book pages that hold its checklists: first the pages where
the checklist can be answered (an embedded interactive checklist), then the chapters that show
it. Which page shows which checklist is read from the built pages themselves. ``offline.js``
brings the aid the officer tried to open to the top; without script the whole list still reads.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from protocols.library.container import Library
from protocols.render.common import esc
from protocols.render.labels import JOB_AIDS, job_aid_links_for_protocol

WIDGET_STATE = re.compile(r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>', re.S)
SHOWN = re.compile(r'id="((?:protocol|card)-[^"]+)"\s+data-protocol="([a-z0-9-]+)"')
"""A checklist or pocket card shown in a page, with the anchor that leads to it."""
TITLE = re.compile(r"<title>(.*?)</title>", re.S)


@dataclass
class AidChecklists:
    """One job aid (or the checklist aid on one checklist) and where the book has its checklists."""

    key: str
    """``scene-response``, or ``checklist?protocol=ID`` for the aid that runs any checklist."""
    title: str
    pages: list[tuple[str, str]] = field(default_factory=list)
    """(link text, page address below the site root), answerable pages first."""


def embedded_checklists(text: str) -> list[str]:
    """The protocol ids of the checklists a page embeds to answer (from its widget state)."""
    found: list[str] = []
    for script in WIDGET_STATE.findall(text):
        try:
            models = json.loads(script.replace("<\\/", "</")).get("state", {})
        except ValueError:
            continue
        for model in models.values():
            spec = model.get("state", {}).get("spec")
            if isinstance(spec, dict) and isinstance(spec.get("id"), str):
                found.append(spec["id"])
    return found


def page_title(text: str) -> str:
    """A page's own title, without the site's name after it."""
    found = TITLE.search(text)
    title = html.unescape(found.group(1)) if found else ""
    return title.split(" \u2014 ")[0].strip()


Pages = dict[str, list[tuple[str, str]]]


def pages_by_protocol(site: Path) -> tuple[Pages, Pages]:
    """Protocol id → (page, its title) that embed it to answer, and → (page#anchor, title) that show it."""
    answerable: Pages = {}
    shown: Pages = {}
    for page in sorted(site.rglob("*.html")):
        name = page.relative_to(site).as_posix()
        if name.startswith(("_", "reports/")):
            continue
        text = page.read_text(encoding="utf-8", errors="replace")
        title = page_title(text)
        for protocol_id in dict.fromkeys(embedded_checklists(text)):
            answerable.setdefault(protocol_id, []).append((name, title))
        for anchor, protocol_id in dict.fromkeys(SHOWN.findall(text)):
            shown.setdefault(protocol_id, []).append((f"{name}#{anchor}", title))
    return answerable, shown


def aid_checklists(site: Path, library: Library | None) -> list[AidChecklists]:
    """Every job aid the book links to, with the book pages that hold its checklists."""
    if library is None:
        return []
    answerable, shown = pages_by_protocol(site)
    aids: dict[str, AidChecklists] = {}
    for protocol in library.protocols.values():
        pages = [(f"Answer it here: {title}", page) for page, title in answerable.get(protocol.id, [])]
        pages += [(f"Read it in: {title}", page) for page, title in shown.get(protocol.id, [])]
        if not pages:
            continue
        for aid, query in job_aid_links_for_protocol(protocol.id):
            key = f"{aid.name}?{query}" if query else aid.name
            title = f"{aid.title}: {protocol.title}" if query else aid.title
            entry = aids.setdefault(key, AidChecklists(key, title))
            entry.pages += [p for p in pages if p not in entry.pages]
    order = {name: i for i, name in enumerate(JOB_AIDS)}
    return sorted(aids.values(), key=lambda a: (order.get(a.key, len(order)), a.title))


def offline_aid_page(site_title: str, aids: list[AidChecklists]) -> str:
    """The page's HTML (every string escaped); it sits at the site root."""
    items = "\n".join(
        f'<li class="hc-offline-aid" data-aid="{esc(aid.key)}"><h3>{esc(aid.title)}</h3><ul>'
        + "".join(f'<li><a href="{esc(href)}">{esc(label)}</a></li>' for label, href in aid.pages)
        + "</ul></li>"
        for aid in aids
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Job aid offline: {esc(site_title)}</title>
<link rel="icon" href="_static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="_static/handbook.css">
<script defer src="_static/offline.js"></script>
</head>
<body class="hc-offline-page">
<main>
<h1>This job aid needs a connection</h1>
<p class="hc-offline-lead" role="status">You are offline, or the handbook server cannot be reached.
A job aid saves each answer on the server, so it cannot work without one. Nothing was saved.</p>
<p>Use the checklist in the book instead: it works offline and keeps your answers on this device.
When you are back online, open the job aid again to save a record for the case file.</p>
<ul class="hc-offline-aids">
{items}
</ul>
<p><a href="index.html">Open the handbook's start page</a> · <a href="book/reference/cards.html">Pocket cards</a></p>
</main>
</body>
</html>
"""
