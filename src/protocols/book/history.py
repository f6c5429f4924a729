"""When each page last changed, and its change history: a line on every page, one history page.

A chapter's history is the git history of its Markdown file; a checklist's or notice's is its
version and change notes. Every page gets a "Last updated" line at the top of its text
(``html-page-context``), which the printed manual keeps, linking to its section of the page
that holds the ``{change-history}`` directive. Outside a git checkout (an unpacked release)
the chapters' dates are not known and the line says so; nothing fails.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from protocols.book.state import build_state, targets
from protocols.render.common import esc

HISTORY_DOC = "book/reference/changes"
"""The page with the ``{change-history}`` directive, where every "Last updated" line links."""
MOST_COMMITS = 8
"""Commits listed per chapter on the history page (the newest)."""
_RECORD = "\x1e"


@dataclass(frozen=True)
class Change:
    """One commit that touched a file: its day and the first line of its message."""

    day: str
    subject: str


def git_history(root: Path, folders: tuple[str, ...] = ("book",)) -> dict[str, list[Change]]:
    """Path below ``root`` → its commits, newest first (empty outside a git checkout)."""
    try:
        done = subprocess.run(
            ["git", "log", f"--format={_RECORD}%cs%x09%s", "--name-only", "--", *folders],
            cwd=root, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    if done.returncode != 0:
        return {}
    history: dict[str, list[Change]] = {}
    for record in done.stdout.split(_RECORD)[1:]:
        head, _, names = record.partition("\n")
        day, _, subject = head.partition("\t")
        for name in filter(None, (line.strip() for line in names.splitlines())):
            history.setdefault(name, []).append(Change(day, subject.strip()))
    return history


def uncommitted(root: Path, folders: tuple[str, ...] = ("book",)) -> set[str]:
    """Paths below ``root`` changed since the last commit (or new and not yet committed)."""
    try:
        done = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "--", *folders],
                              cwd=root, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return set()
    return {line[3:].strip() for line in done.stdout.splitlines() if len(line) > 3} if done.returncode == 0 else set()


def anchor(docname: str) -> str:
    """The id of a page's section on the history page."""
    return "history-" + re.sub(r"[^a-z0-9]+", "-", docname.lower()).strip("-")


def chapter_history(app: Sphinx) -> tuple[dict[str, list[Change]], set[str]]:
    """The build's git history and uncommitted files, read once per build."""
    state = build_state(app)
    if state.history is None:
        root = Path(app.srcdir)
        state.history = (git_history(root), uncommitted(root))
    return state.history


def shown_documents(app: Sphinx, docname: str) -> list[tuple[str, str, str]]:
    """(title, version, revised) of each checklist and notice the page shows."""
    library = build_state(app).library
    if library is None or app.env is None:
        return []
    found: list[tuple[str, str, str]] = []
    for key, places in targets(app.env).items():
        if docname not in places:
            continue
        kind, _, obj_id = key.partition(":")
        document = (library.protocols.get(obj_id) if kind == "protocol"
                    else library.rights.get(obj_id) if kind == "rights" else None)
        if document is not None:
            found.append((document.title, document.version, document.revised.isoformat()))
    return sorted(set(found))


def last_updated_html(day: str | None, pending: bool, shown: list[tuple[str, str, str]], link: str) -> str:
    """The line at the top of a page (every string escaped)."""
    days = [d for d in (day, *(revised for _t, _v, revised in shown)) if d]
    when = max(days) if days else None
    said = f"Last updated {esc(when)}" if when else "Last updated: not recorded in this copy"
    if pending:
        said += " (with changes not yet reviewed and committed)"
    versions = "; ".join(f"{esc(title)}: version {esc(version)}" for title, version, _r in shown)
    extra = f". {versions}" if versions else ""
    return (f'<p class="hc-last-updated">{said}{extra}. '
            f'<a href="{esc(link)}">Change history</a></p>\n')


def add_last_updated(app: Sphinx, pagename: str, _template: str, context: dict[str, Any],
                     doctree: Any) -> None:
    """``html-page-context``: the "Last updated" line at the top of every document page."""
    if app.builder.format != "html" or doctree is None or app.env is None or "body" not in context:
        return
    if HISTORY_DOC not in app.env.found_docs or pagename == HISTORY_DOC:
        return
    history, pending = chapter_history(app)
    source = Path(app.env.doc2path(pagename)).resolve()
    try:
        name = source.relative_to(Path(app.srcdir).resolve()).as_posix()
    except ValueError:
        return
    changes = history.get(name, [])
    link = context["pathto"](HISTORY_DOC) + "#" + anchor(pagename)
    line = last_updated_html(changes[0].day if changes else (dt.date.today().isoformat() if name in pending
                                                            else None),
                             name in pending, shown_documents(app, pagename), link)
    context["body"] = line + str(context["body"])
