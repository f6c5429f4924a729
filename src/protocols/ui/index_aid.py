"""The job-aid landing page: every job aid with its purpose, and the way back to the handbook."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import ipywidgets as widgets

from protocols.render.labels import JOB_AIDS, JobAid
from protocols.ui.frame import BOOK_TITLE, FRAME_CSS, aid_box
from protocols.ui.markup import esc
from protocols.ui.plain import static_style
from protocols.ui.widget_kit import html_box, styles

INDEX_CSS = static_style("index.css")
"""The list of job aids: one large link per aid."""


def available_aids(folder: Path | None = None) -> set[str]:
    """The job aids whose notebook is in ``folder`` (the folder Voila serves; the working folder)."""
    where = folder if folder is not None else Path.cwd()
    return {p.stem for p in where.glob("*.ipynb")}


def index_html(aids: Iterable[JobAid], available: set[str]) -> str:
    """The landing page's body: one entry per job aid, linked when its notebook is here."""
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
    )


def job_aid_index(folder: Path | None = None) -> widgets.VBox:
    """The landing page of the job aids."""
    available = available_aids(folder)
    listed = ", ".join(aid.name for aid in JOB_AIDS.values() if aid.name in available)
    return aid_box([styles(), html_box(index_html(JOB_AIDS.values(), available))], f"list of job aids ({listed})")
