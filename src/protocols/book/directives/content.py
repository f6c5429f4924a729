"""Directives for the other kinds of content, one id each: instruments, rights notices, guides,
directories, the needs assessment, follow-up templates and scenarios."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from protocols import render
from protocols.book.directives.base import ContentDirective, report
from protocols.book.state import files_for, note_listing
from protocols.book.xref import BOOK_LINKS
from protocols.library.loader import Library
from protocols.render.labels import JOB_AIDS


class RenderedDirective(ContentDirective):
    """A directive whose HTML is one renderer's: ``renderer(obj, library, links, level=...)``."""

    renderer: ClassVar[Callable[..., str]]

    def render(self, library: Library, obj: Any) -> str:
        return type(self).renderer(obj, library, BOOK_LINKS, level=self.level)


class InstrumentDirective(RenderedDirective):
    table, noun, target_kind = "instruments", "screening instrument", "instrument"
    renderer = render.instrument_html

    def dependencies(self, library: Library, obj: Any) -> list[Path]:
        files = files_for(library, "instruments", obj.id)
        follow = library.files.get(("protocols", obj.follow_on_protocol))
        return [*files, follow] if follow else files


class RightsNoticeDirective(ContentDirective):
    table, noun, target_kind = "rights", "rights notice", "rights"

    def dependencies(self, library: Library, obj: Any) -> list[Path]:
        files = files_for(library, "rights", obj.id)
        files += [library.files[("rights", n.id)] for n in library.notices_in_family(obj.family)
                  if n.id != obj.id and ("rights", n.id) in library.files]
        # A new language version: this page is read again to link to it.
        note_listing(self.env, library.content_dir / "rights")
        return files

    def instead(self, library: Library, obj: Any) -> str | None:
        agency = library.agency
        if agency is None or obj.id in agency.rights_notices:
            return None
        return render.not_used_html(obj.title, agency)

    def render(self, library: Library, obj: Any) -> str:
        used = library.agency.rights_notices if library.agency is not None else None
        return render.rights_notice_html(obj, library, BOOK_LINKS, level=self.level, used=used)


class ConfidentialityDirective(RenderedDirective):
    table, noun, target_kind = "confidentiality", "confidentiality guide", "guide"
    renderer = render.confidentiality_html


class ResourceDirectoryDirective(ContentDirective):
    """A directory by id; ``agency`` means the directory the agency profile names."""

    table, noun, target_kind = "resources", "resource directory", "directory"

    def resolve_id(self, library: Library, argument: str) -> str | None:
        if argument != "agency":
            return argument
        if library.agency is None:
            report(self, "`agency` needs an agency profile, and this build has none. Build with "
                         "--agency, set handbook_default_agency, or name a directory id")
            return None
        return library.agency.resource_directory

    def dependencies(self, library: Library, obj: Any) -> list[Path]:
        file = library.files.get(("resources", obj.id))
        return [file] if file else []

    def render(self, library: Library, obj: Any) -> str:
        return render.resource_directory_html(obj, BOOK_LINKS, level=self.level)


class NeedsCatalogueDirective(RenderedDirective):
    table, noun, target_kind = "needs", "needs assessment", "needs"
    renderer = render.needs_catalogue_html


class FollowUpDirective(RenderedDirective):
    table, noun, target_kind = "followup", "follow-up template", "follow-up"
    renderer = render.follow_up_html


class ScenarioDirective(ContentDirective):
    table, noun, target_kind = "scenarios", "scenario", "scenario"

    def render(self, library: Library, obj: Any) -> str:
        return render.scenario_html(obj, library, BOOK_LINKS, level=self.level,
                                    player=JOB_AIDS["scenario-player"])
