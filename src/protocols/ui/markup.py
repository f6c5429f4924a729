"""HTML text for the job aids, without widgets: escaped values, fact lists, bullet lists, times."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable

esc = html.escape


def facts(pairs: Iterable[tuple[str, str]]) -> str:
    """Label: value lines (escaped), one per fact; reads the same on a phone and a desk."""
    rows = "".join(f"<li><strong>{esc(k)}:</strong> {esc(v)}</li>" for k, v in pairs)
    return f'<ul class="hb-facts">{rows}</ul>'


def bullet_list(items: Iterable[str], ordered: bool = False) -> str:
    """Each item (escaped) in a list; numbered when ``ordered``."""
    tag = "ol" if ordered else "ul"
    inner = "".join(f"<li>{esc(i)}</li>" for i in items)
    return f'<{tag} class="hb-list">{inner}</{tag}>'


def when(moment: dt.datetime) -> str:
    """A time as an officer reads it, in this machine's time zone: ``Fri 03 May 2024 21:14``.

    A time without a zone (SQLite gives those back) is taken as UTC, as the store writes it.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return f"{moment.astimezone():%a %d %b %Y %H:%M}"
