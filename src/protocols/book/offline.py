"""The offline handbook: after one visit, every page, style, script, font and image works with no network.

At ``build-finished`` this module writes, at the site root:

* ``service-worker.js``: the book's own worker (``assets/service-worker.js``) with this edition's
  precache list and change notes in front of it. It answers the book's files from its cache and
  sends a job-aid page that cannot be reached to ``offline-job-aid.html``;
* ``manifest.webmanifest``: so a phone can install the handbook as an app;
* ``offline-job-aid.html``: what an officer sees when a job aid needs a connection that is not
  there, with the book's own checklists for that aid.

Every page gets the manifest link and ``offline.js`` (``html-page-context``), which registers the
worker and, when a new edition is waiting, says so with what changed and offers to update.
The precache is what the pages use, found by reading them (never a guess), and it must fit
``handbook_offline_budget_kb``: a build over budget fails with the largest files named.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

from protocols.book.offline_files import precached_files
from protocols.book.offline_page import aid_checklists, offline_aid_page
from protocols.book.state import build_state
from protocols.book.static_widgets import prune_modules
from protocols.library.container import Library

logger = logging.getLogger(__name__)

SERVICE_WORKER = "service-worker.js"
MANIFEST = "manifest.webmanifest"
OFFLINE_AID_PAGE = "offline-job-aid.html"
PAGE_SCRIPT = "offline.js"
DEFAULT_BUDGET_KB = 5120
"""What a phone keeps of the handbook (stored, uncompressed): the book was 3.0 MB when set."""
THEME_COLOUR = "#1d3557"


def add_config_values(app: Sphinx) -> None:
    app.add_config_value("handbook_offline", True, "html", [bool])
    app.add_config_value("handbook_offline_budget_kb", DEFAULT_BUDGET_KB, "html", [int])


def link_offline_parts(app: Sphinx, pagename: str, _template: str, context: dict[str, Any],
                       _doctree: Any) -> None:
    """``html-page-context``: the manifest link, the theme colour and ``offline.js`` on every page."""
    if app.builder.format != "html" or not app.config.handbook_offline:
        return
    to_root = context["pathto"]("", 1) or "./"
    tags = (f'<link rel="manifest" href="{to_root}{MANIFEST}">\n'
            f'<meta name="theme-color" content="{THEME_COLOUR}">\n'
            f'<meta name="handbook-job-aid-base" content="{to_root}{app.config.handbook_job_aid_base}">\n')
    context["metatags"] = context.get("metatags", "") + tags
    app.add_js_file(PAGE_SCRIPT, priority=600, loading_method="defer")


def change_notes(library: Library) -> list[dict[str, str]]:
    """Every changelog line of the content, newest first: what an update banner can show."""
    notes: list[dict[str, str]] = []
    kinds: dict[str, dict[str, Any]] = {
        "checklist": library.protocols, "rights notice": library.rights,
        "screening": library.instruments, "confidentiality guide": library.confidentiality,
        "needs catalogue": library.needs, "follow-up plan": library.followup,
        "scenario": library.scenarios,
    }
    for kind, documents in kinds.items():
        for doc_id, document in documents.items():
            title = str(getattr(document, "title", doc_id))
            for entry in document.changelog:
                notes.append({"key": f"{kind}:{doc_id}@{entry.version}", "kind": kind, "title": title,
                              "version": entry.version, "date": entry.date.isoformat(),
                              "change": " ".join(entry.change.split())})
    notes.sort(key=lambda note: (note["date"], note["key"]), reverse=True)
    return notes


def edition_id(site: Path, files: list[str]) -> str:
    """A digest of every precached file's name and bytes: changes whenever the site does."""
    digest = hashlib.sha256()
    for name in files:
        digest.update(name.encode())
        digest.update(hashlib.sha256((site / name).read_bytes()).digest())
    return digest.hexdigest()[:16]


def worker_source(edition: dict[str, Any]) -> str:
    """``service-worker.js``: this edition's facts, then the worker's code."""
    code = (Path(__file__).parent / "assets" / SERVICE_WORKER).read_text(encoding="utf-8")
    return f"const EDITION = {json.dumps(edition, separators=(',', ':'))};\n{code}"


def web_manifest(title: str) -> str:
    manifest = {
        "name": title, "short_name": "Handbook", "start_url": "./index.html", "scope": "./",
        "display": "standalone", "background_color": "#ffffff", "theme_color": THEME_COLOUR,
        "description": "Crisis intervention guidance, checklists and pocket cards; works offline.",
        "icons": [{"src": "_static/favicon.svg", "sizes": "any", "type": "image/svg+xml",
                   "purpose": "any"}],
    }
    return json.dumps(manifest, indent=2) + "\n"


def write_offline_handbook(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: the offline page, the manifest, then the worker with the precache list."""
    if exception is not None or app.builder.format != "html":
        return
    site = Path(app.outdir)
    if not app.config.handbook_offline:
        # A worker left by an earlier build would go on serving its edition: remove it, and a
        # browser that asks for it again (a 404) drops its registration.
        for name in (SERVICE_WORKER, MANIFEST, OFFLINE_AID_PAGE):
            (site / name).unlink(missing_ok=True)
        return
    prune_modules(site)
    library = build_state(app).library
    title = str(app.config.html_title or app.config.project)
    base = str(app.config.handbook_job_aid_base)
    (site / OFFLINE_AID_PAGE).write_text(
        offline_aid_page(title, aid_checklists(site, library)), encoding="utf-8")
    (site / MANIFEST).write_text(web_manifest(title), encoding="utf-8")
    files = precached_files(site, extra=(OFFLINE_AID_PAGE, MANIFEST))
    total = sum((site / name).stat().st_size for name in files)
    budget = int(app.config.handbook_offline_budget_kb) * 1024
    if total > budget:
        largest = sorted(files, key=lambda name: (site / name).stat().st_size, reverse=True)[:5]
        logger.warning(
            "the offline copy of the handbook is %d KB, over its budget of %d KB "
            "(handbook_offline_budget_kb); the largest files: %s. Make them smaller or raise the "
            "budget knowingly: a phone keeps all of it.",
            total // 1024, budget // 1024, ", ".join(f"{n} ({(site / n).stat().st_size // 1024} KB)"
                                                    for n in largest),
            type="handbook", subtype="offline")
    edition = {
        "id": edition_id(site, files), "files": files, "bytes": total,
        "jobAidBase": base if "://" not in base else "",
        "offlinePage": OFFLINE_AID_PAGE,
        "changes": change_notes(library) if library is not None else [],
    }
    (site / SERVICE_WORKER).write_text(worker_source(edition), encoding="utf-8")
    logger.info("handbook: offline copy %d files, %d KB (budget %d KB), edition %s",
                len(files), total // 1024, budget // 1024, edition["id"])
