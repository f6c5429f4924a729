"""The job-aid landing page: every job aid with its purpose, and the way back to the handbook."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import ipywidgets as widgets

from protocols.render.labels import JOB_AIDS, JobAid
from protocols.ui.aid_parts import esc, html_box, styles
from protocols.ui.frame import FRAME_CSS, HANDBOOK_NAME, aid_box

INDEX_CSS = """
<style>
.hb-aid .hb-aid-list { list-style: none; margin: 0.5rem 0; padding: 0; }
.hb-aid .hb-aid-list li { border: 1px solid #c9d1d9; border-radius: 6px; margin: 0.5rem 0; padding: 0; }
.hb-aid .hb-aid-list a { display: block; min-height: 44px; padding: 0.6rem 0.8rem; text-decoration: none;
  color: #1b1f24; }
.hb-aid .hb-aid-list a:hover { background: #eef5fc; }
.hb-aid .hb-aid-list a:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
.hb-aid .hb-aid-list .hb-aid-name { display: block; color: #0b5cad; font-weight: 700; font-size: 1.1rem;
  text-decoration: underline; }
.hb-aid .hb-aid-list .hb-aid-purpose { display: block; margin-top: 0.15rem; }
.hb-aid .hb-aid-list .hb-missing { padding: 0.6rem 0.8rem; color: #4a5560; }
.hb-aid .hb-aid-list .hb-missing .hb-aid-name { color: #4a5560; text-decoration: none; }
</style>
"""


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
        + f'<p class="hb-aid-brand">{esc(HANDBOOK_NAME)}</p>'
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
