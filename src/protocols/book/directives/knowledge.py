"""The ``knowledge-check`` directive: self-check questions at the end of a chapter."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives

from protocols import render
from protocols.book.directives.base import NOT_LOADED, ContentDirective, depend_on_agency, missing, report
from protocols.book.state import files_for
from protocols.library.loader import Library
from protocols.models import ReferralCategory
from protocols.render.knowledge import DEFAULT_QUESTIONS, knowledge_check_html
from protocols.render.knowledge_content import CHECK_SOURCES, KINDS, build_check


class KnowledgeCheckDirective(ContentDirective):
    """Self-check questions at the end of a chapter (answers checked in the page).

    ``{knowledge-check} <protocol-id>`` asks about a protocol's critical items;
    ``{knowledge-check} <source>:<id>`` about other content (``confidentiality``, ``needs``,
    ``followup``, ``rights``, ``scenario``; ``rights:agency`` is the agency's first notice;
    ``reviews:all`` asks about every checklist's owner, review interval and last change).
    ``:ask:`` keeps some kinds of question; ``:referrals:`` keeps the needs that lead there;
    ``:pause-point:`` keeps one pause point of a protocol.

    A protocol goes through the base class's ``run``. Other sources keep their own lookup:
    the table depends on the source, ``reviews:all`` names no single object, and their
    warnings and placeholders are worded for a knowledge check; they share the base's
    dependency notes and output node.
    """

    table, noun = "protocols", "protocol"
    option_spec: ClassVar[dict[str, Any]] = {
        "questions": lambda value: directives.choice(value, ("3", "4", "5")),
        "ask": directives.unchanged,
        "referrals": directives.unchanged,
        "pause-point": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        source, _, obj_id = self.arguments[0].strip().rpartition(":")
        if source in ("", "protocol"):
            return super().run()
        source_spec = CHECK_SOURCES.get(source)
        library = self.library
        if source_spec is None:
            return self._bad(f"unknown content kind {source!r}; use one of: protocol, "
                             + ", ".join(CHECK_SOURCES))
        if library is None:
            return [missing(NOT_LOADED)]
        table_name, noun = source_spec
        table: dict[str, Any] = getattr(library, table_name)
        found_id = self._alias(library, source, obj_id)
        if found_id is None:
            return [missing(f"Missing {noun}: {self.arguments[0].strip()}")]
        if found_id not in table and not (source == "reviews" and found_id == "all"):
            shown = ", ".join(sorted(table)) or "none"
            return self._bad(f"there is no {noun} {found_id!r}. Known {noun} ids: {shown}")
        kinds = [k for k in re.split(r"[\s,]+", self.options.get("ask", "")) if k]
        unknown = [k for k in kinds if k not in KINDS[source]]
        if unknown:
            return self._bad(f":ask: {', '.join(unknown)} is not a kind of {source} question; "
                             f"use: {', '.join(KINDS[source])}")
        try:
            check = build_check(library, source, found_id, self._referrals(),
                                int(self.options.get("questions", DEFAULT_QUESTIONS)), kinds,
                                seed=self.env.docname)
        except ValueError as exc:
            return self._bad(str(exc))
        files = ([library.files[("protocols", p)] for p in sorted(library.protocols)
                  if ("protocols", p) in library.files] if source == "reviews"
                 else files_for(library, table_name, found_id))
        depend_on_agency(self, files)
        return [self._content_node(check.html())]

    def _alias(self, library: Library, source: str, obj_id: str) -> str | None:
        if source != "rights" or obj_id != "agency":
            return obj_id
        if library.agency is None or not library.agency.rights_notices:
            self._bad("`rights:agency` needs an agency profile that lists rights notices; build "
                      "with --agency or name a notice id")
            return None
        return library.agency.rights_notices[0]

    def _referrals(self) -> list[ReferralCategory]:
        words = [w for w in re.split(r"[\s,]+", self.options.get("referrals", "")) if w]
        known = {c.value: c for c in ReferralCategory}
        wrong = [w for w in words if w not in known]
        if wrong:
            raise ValueError(f":referrals: {', '.join(wrong)} is not a referral category; use: "
                             + ", ".join(known))
        return [known[w] for w in words]

    def _bad(self, text: str) -> list[nodes.Node]:
        report(self, text)
        return [missing(f"Missing knowledge check: {self.arguments[0].strip()}")]

    def render(self, library: Library, obj: Any) -> str:
        count = int(self.options.get("questions", DEFAULT_QUESTIONS))
        pause_point = self.options.get("pause-point") or None
        known = [pp.id for pp in obj.pause_points]
        if pause_point is not None and pause_point not in known:
            self._bad(f":pause-point: {obj.id} has no pause point {pause_point!r}; known: "
                      + ", ".join(known))
            return f'<p class="hc-missing">Missing pause point: {render.esc(pause_point)}</p>'
        return knowledge_check_html(obj, count, pause_point)
