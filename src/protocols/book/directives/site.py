"""Directives about the site rather than one piece of content: the agency's contacts, the job aids."""

from __future__ import annotations

from typing import Any, ClassVar

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from protocols import render
from protocols.book.directives.base import NOT_LOADED, missing, report
from protocols.book.state import build_state, xref_docs
from protocols.book.xref import BOOK_LINKS
from protocols.render.labels import JOB_AIDS


class AgencyContactsDirective(SphinxDirective):
    """The agency this build is for, with its hotline and on-call numbers."""

    required_arguments = 0
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        state = build_state(self.env.app)
        if state.library is None:
            return [missing(NOT_LOADED)]
        if state.agency_files:
            self.env.note_dependency(str(state.agency_files[0]))  # the profile itself
        return [nodes.raw("", render.agency_contacts_html(state.library.agency), format="html")]


class JobAidListDirective(SphinxDirective):
    """The job-aid index; links are relative to the site root (served by ``handbook serve``).

    With arguments (job-aid names), only those aids, as one short line of links (the home page's
    first screen).
    """

    required_arguments = 0
    optional_arguments = 1
    final_argument_whitespace = True
    has_content = False

    def run(self) -> list[nodes.Node]:
        xref_docs(self.env).add(self.env.docname)
        names = self.arguments[0].split() if self.arguments else []
        for name in names:
            if name not in JOB_AIDS:
                report(self, f"unknown job aid {name!r}; known: {', '.join(JOB_AIDS)}")
        chosen = [JOB_AIDS[name] for name in names if name in JOB_AIDS]
        markup = (render.job_aid_links_html(chosen, BOOK_LINKS) if names
                  else render.job_aid_list_html(JOB_AIDS.values(), BOOK_LINKS))
        return [nodes.raw("", markup, format="html")]
