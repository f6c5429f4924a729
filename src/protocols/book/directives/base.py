"""What every handbook directive shares: the lookup by id, dependency notes, warnings, raw HTML.

An unknown id is a warning that names the directive, the page, the line and the known ids
(``-W`` makes it fatal) and leaves a short "Missing ..." note in the page; never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from protocols import render
from protocols.book.state import build_state, files_for, note_target, xref_docs
from protocols.book.xref import XREF
from protocols.library.loader import Library

logger = logging.getLogger(__name__)

NOT_LOADED = "The handbook content could not be loaded; see the build errors."


def report(directive: SphinxDirective, text: str) -> None:
    """Warn about a directive's argument or option, with the page and line it is on."""
    env = directive.env
    logger.warning(f"{{{directive.name}}} on page {env.docname!r}, line {directive.lineno}: {text}",
                   location=(env.docname, directive.lineno), type="handbook", subtype="unknown-id")


def missing(text: str) -> nodes.raw:
    """A short note in the page where content could not be shown."""
    return nodes.raw("", f'<p class="hc-missing">{render.esc(text)}</p>', format="html")


def depend_on_agency(directive: SphinxDirective, files: list[Path] | tuple[Path, ...] = ()) -> None:
    """Re-read the page when one of ``files`` or of the agency's files changes."""
    for file in (*files, *build_state(directive.env.app).agency_files):
        directive.env.note_dependency(str(file))


class ContentDirective(SphinxDirective):
    """Base: look an id up in one table of the library, note dependencies, emit raw HTML."""

    required_arguments = 1
    optional_arguments = 0
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {
        "heading-level": lambda value: directives.choice(value, ("2", "3", "4")),
    }
    table: ClassVar[str] = ""
    noun: ClassVar[str] = ""
    target_kind: ClassVar[str | None] = None
    default_level: ClassVar[int] = 3

    @property
    def level(self) -> int:
        return int(self.options.get("heading-level", self.default_level))

    @property
    def library(self) -> Library | None:
        """The content this build renders (None: it did not load)."""
        return build_state(self.env.app).library

    def run(self) -> list[nodes.Node]:
        library = self.library
        if library is None:
            return [missing(NOT_LOADED)]
        obj_id = self.resolve_id(library, self.arguments[0].strip())
        if obj_id is None:
            return [missing(f"Missing {self.noun}: {self.arguments[0].strip()}")]
        table: dict[str, Any] = getattr(library, self.table)
        obj = table.get(obj_id)
        if obj is None:
            self._unknown(obj_id, sorted(table))
            return [missing(f"Missing {self.noun}: {obj_id}")]
        depend_on_agency(self, self.dependencies(library, obj))
        instead = self.instead(library, obj)
        if instead is not None:
            return [nodes.raw("", instead, format="html")]
        if self.target_kind:
            note_target(self.env, self.target_kind, obj_id)
        return [self._content_node(self.render(library, obj))]

    def _content_node(self, markup: str) -> nodes.Node:
        """The rendered content as the page's raw HTML (its links resolved once all is read)."""
        if XREF in markup:
            xref_docs(self.env).add(self.env.docname)
        node = nodes.raw("", markup, format="html")
        node["classes"].append("hc-content")
        self.set_source_info(node)
        return node

    def _unknown(self, obj_id: str, known: list[str]) -> None:
        shown = ", ".join(known) if known else "none: the content folder has no " + self.table
        report(self, f"there is no {self.noun} {obj_id!r}. Known {self.noun} ids: {shown}")

    def dependencies(self, library: Library, obj: Any) -> list[Path]:
        return files_for(library, self.table, obj.id)

    def resolve_id(self, library: Library, argument: str) -> str | None:
        """The content id the argument names (``None``: already reported)."""
        return argument

    def instead(self, library: Library, obj: Any) -> str | None:
        """Markup to show in place of the object (e.g. "not used by this agency"), or None."""
        return None

    def render(self, library: Library, obj: Any) -> str:  # pragma: no cover - abstract
        raise NotImplementedError
