"""``change-history``: every chapter's commits and every checklist's and notice's change notes.

The "Last updated" line on each page (:mod:`protocols.book.history`) links to its section here.
The page is read again on every build that changes a chapter, a content file or the git index,
so a new commit shows on the next build.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, ClassVar

import yaml
from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from protocols.book.directives.base import NOT_LOADED, missing
from protocols.book.history import MOST_COMMITS, Change, anchor, chapter_history
from protocols.book.state import build_state
from protocols.models.common import Reviewed
from protocols.render.common import esc

_HEADING = re.compile(r"^#\s+(.+)$", re.M)


def toc_chapters(root: Path) -> list[str]:
    """The book's pages in ``_toc.yml`` order (the root page first)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8")) or {}
    names = [str(toc.get("root", ""))]
    for part in toc.get("parts", []):
        names += [str(chapter["file"]) for chapter in part.get("chapters", [])]
    return [name for name in names if name]


def source_of(root: Path, docname: str) -> Path | None:
    for suffix in (".md", ".ipynb"):
        if (root / f"{docname}{suffix}").is_file():
            return root / f"{docname}{suffix}"
    return None


def page_title(source: Path) -> str:
    """The first heading of a Markdown page or of a notebook's first Markdown cell."""
    text = source.read_text(encoding="utf-8")
    if source.suffix == ".ipynb":
        cells = json.loads(text).get("cells", [])
        text = "\n".join("".join(c.get("source", "")) for c in cells if c.get("cell_type") == "markdown")
    found = _HEADING.search(text)
    return found.group(1).strip() if found else source.stem


def chapter_section(docname: str, title: str, changes: list[Change], pending: bool) -> str:
    rows = "".join(f"<li><time>{esc(c.day)}</time>: {esc(c.subject)}</li>" for c in changes[:MOST_COMMITS])
    more = (f"<li>And {len(changes) - MOST_COMMITS} earlier changes.</li>" if len(changes) > MOST_COMMITS else "")
    note = "<p>Changed since the last commit: the change is not yet reviewed.</p>" if pending else ""
    empty = "" if changes or pending else "<p>No history is recorded in this copy of the handbook.</p>"
    return (f'<section class="hc-history" id="{esc(anchor(docname))}"><h3>{esc(title)}</h3>'
            f"{note}{empty}<ul>{rows}{more}</ul></section>")


def document_section(kind: str, obj_id: str, document: Reviewed, title: str) -> str:
    rows = "".join(
        f"<li><time>{esc(entry.date.isoformat())}</time>, version {esc(entry.version)}: {esc(entry.change)} "
        f"<em>Why:</em> {esc(entry.why)}</li>" for entry in document.changelog)
    return (f'<section class="hc-history" id="{esc(anchor(f"{kind}-{obj_id}"))}"><h3>{esc(title)}</h3>'
            f"<p>Version {esc(document.version)}, revised {esc(document.revised.isoformat())}.</p>"
            f"<ul>{rows}</ul></section>")


class ChangeHistoryDirective(SphinxDirective):
    """The whole book's change history, chapters first, then checklists and rights notices."""

    required_arguments = 0
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        state = build_state(self.env.app)
        if state.library is None:
            return [missing(NOT_LOADED)]
        root = Path(self.env.srcdir)
        history, pending = chapter_history(self.env.app)
        index = root / ".git" / "index"
        if index.is_file():
            self.env.note_dependency(str(index))  # a commit changes the history
        parts = ['<h2 id="history-chapters">Chapters</h2>']
        for docname in toc_chapters(root):
            source = source_of(root, docname)
            if source is None:
                continue
            self.env.note_dependency(str(source))
            name = source.relative_to(root).as_posix()
            parts.append(chapter_section(docname, page_title(source), history.get(name, []), name in pending))
        parts.append('<h2 id="history-checklists">Checklists and rights notices</h2>')
        library = state.library
        for protocol_id, protocol in sorted(library.protocols.items(), key=lambda p: p[1].title):
            parts.append(document_section("protocol", protocol_id, protocol, f"Checklist: {protocol.title}"))
        for notice_id, notice in sorted(library.rights.items(), key=lambda n: n[1].title):
            parts.append(document_section("rights", notice_id, notice, f"Rights notice: {notice.title}"))
        for path in library.files.values():
            self.env.note_dependency(str(path))
        return [nodes.raw("", "\n".join(parts), format="html")]
