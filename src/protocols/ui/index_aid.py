"""The job-aid landing page: every job aid with its purpose, and the way back to the handbook.

Below the job aids it lists every checklist that has no job aid of its own (shipped, or added
by an agency's overlay), each linked to the checklist job aid (``checklist.ipynb?protocol=<id>``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import ipywidgets as widgets

from protocols.library.errors import ContentError
from protocols.library.loader import Library, default_library
from protocols.models import Protocol
from protocols.render.labels import ANY_CHECKLIST_AID, JOB_AIDS, JobAid, aid_running_checklist, checklist_aid_path
from protocols.ui.frame import BOOK_TITLE, FRAME_CSS, aid_box
from protocols.ui.markup import esc
from protocols.ui.plain import static_style
from protocols.ui.widget_kit import html_box, styles

INDEX_CSS = static_style("index.css")
"""The list of job aids: one large link per aid."""

CHECKLIST_AID = ANY_CHECKLIST_AID.name
"""The notebook (``widgets/checklist.ipynb``) that runs any checklist with no job aid of its own."""


def without_own_aid(library: Library) -> list[Protocol]:
    """The checklists no job aid of their own runs, by title: the checklist job aid opens these."""
    return sorted((p for p in library.protocols.values() if aid_running_checklist(p.id) is None),
                  key=lambda p: (p.title.lower(), p.id))


def available_aids(folder: Path | None = None) -> set[str]:
    """The job aids whose notebook is in ``folder`` (the folder Voila serves; the working folder)."""
    where = folder if folder is not None else Path.cwd()
    return {p.stem for p in where.glob("*.ipynb")}


def checklist_links_html(checklists: Iterable[Protocol]) -> str:
    """One large link per checklist (its title and objective), to the checklist job aid opened on it."""
    rows = [f'<li id="checklist-{esc(p.id)}"><a href="/{esc(checklist_aid_path(p.id))}">'
            f'<span class="hb-aid-name">{esc(p.title)}</span>'
            f'<span class="hb-aid-purpose">{esc(p.objective)}</span></a></li>' for p in checklists]
    return f'<ul class="hb-checklist-list">{"".join(rows)}</ul>'


def _more_checklists_html(checklists: Sequence[Protocol]) -> str:
    if not checklists:
        return ""
    return ('<h2 id="more-checklists">More checklists</h2>'
            "<p>Each of these opens in the checklist job aid and saves each answer under the case number.</p>"
            f'<nav aria-label="More checklists">{checklist_links_html(checklists)}</nav>')


def index_html(aids: Iterable[JobAid], available: set[str], checklists: Sequence[Protocol] = ()) -> str:
    """The landing page's body: one entry per job aid, linked when its notebook is here, then
    ``checklists`` (those with no job aid of their own) linked to the checklist job aid when it is here."""
    rows = []
    for aid in aids:
        name = f'<span class="hb-aid-name">{esc(aid.title)}</span>'
        purpose = f'<span class="hb-aid-purpose">{esc(aid.summary)}</span>'
        if aid.name in available:
            rows.append(f'<li id="aid-{esc(aid.name)}"><a href="/{esc(aid.path)}">{name}{purpose}</a></li>')
        else:
            rows.append(f'<li id="aid-{esc(aid.name)}"><div class="hb-missing">{name}{purpose}'
                        "<span>Not installed on this server yet.</span></div></li>")
    return (
        FRAME_CSS + INDEX_CSS
        + '<header class="hb-aid-header">'
        + f'<p class="hb-aid-brand">{esc(BOOK_TITLE)}</p>'
        + '<h1 class="hb-aid-title">Job aids</h1>'
        + '<nav aria-label="Handbook"><ul class="hb-aid-nav"><li><a href="/">Back to the handbook</a></li>'
        + "</ul></nav></header>"
        + "<p>Tools to use at a scene and after it. Each one saves a record under the case number only: "
        "never type a victim's name.</p>"
        + f'<nav aria-label="Job aids"><ul class="hb-aid-list">{"".join(rows)}</ul></nav>'
        + (_more_checklists_html(checklists) if CHECKLIST_AID in available else "")
    )


def _checklists(library: Library | None) -> list[Protocol]:
    """The checklists with no job aid of their own; none when the content cannot be loaded
    (each aid then says what is wrong with it)."""
    try:
        return without_own_aid(library or default_library())
    except ContentError:
        return []


def job_aid_index(folder: Path | None = None, library: Library | None = None) -> widgets.VBox:
    """The landing page of the job aids (``library``: whose checklists to list; default: the
    default library)."""
    available = available_aids(folder)
    listed = ", ".join(aid.name for aid in JOB_AIDS.values() if aid.name in available)
    checklists = _checklists(library) if CHECKLIST_AID in available else []
    body = index_html(JOB_AIDS.values(), available, checklists)
    return aid_box([styles(), html_box(body)], f"list of job aids ({listed})")
