"""Rules that span files: references must resolve, families must agree."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from protocols.library.errors import Problem
from protocols.library.yamlsource import Key, dotted

if TYPE_CHECKING:
    from protocols.library.container import Library

Where = Callable[[str, str, Key], tuple[Path | None, int | None, Key]]
"""(kind, id, field path) → (file, line, field path in that file) of the text that wrote it."""
PAGE_SUFFIXES = (".md", ".ipynb", ".rst")


def cross_file_problems(library: Library, where: Where, broken: frozenset[str] = frozenset(),
                        book_root: Path | None = None) -> list[Problem]:
    """Every dangling reference or inconsistency between content files.

    References to an id in ``broken`` (a file that failed to load and was
    reported already) are skipped, so one fault gives one message. Chapters are
    checked against the pages under ``book_root`` when there is one.
    """
    return [*_source_refs(library, where), *_protocol_refs(library, where, broken),
            *_rights_families(library, where), *_referral_coverage(library, where, broken),
            *(_chapter_pages(library, where, book_root) if book_root is not None else [])]


def _problem(where: Where, kind: str, obj_id: str, path: Key, message: str,
             fix: str) -> Problem:
    file, line, shown_path = where(kind, obj_id, path)
    return Problem(file, line, dotted(obj_id, shown_path), message, fix)


def _referral_coverage(library: Library, where: Where, broken: frozenset[str]) -> Iterator[Problem]:
    """Each referral category a need names has a service in the directory officers use.

    With an agency that is the agency's directory, and the problem is reported there (the
    file to fix). Without one, any directory in the content will do; a category none of
    them offers is reported on the directory when there is one, else on the need.
    """
    agency = library.agency
    if agency is not None:
        if agency.resource_directory not in library.resources:
            return  # reported on the profile
        directory_ids = [agency.resource_directory]
    else:
        directory_ids = sorted(library.resources)
    if not directory_ids or (agency is None and broken):
        return  # a file that failed to load (perhaps a directory) would only add noise
    offered = {category for directory_id in directory_ids
               for org in library.resources[directory_id].organizations for service in org.services
               for category in service.categories}
    wanted: dict[str, list[tuple[str, Key]]] = {}
    for catalogue in library.needs.values():
        for n_index, need in enumerate(catalogue.needs):
            for r_index, category in enumerate(need.referrals):
                if category not in offered:
                    wanted.setdefault(category, []).append((catalogue.id, ("needs", n_index, "referrals", r_index)))
    for missing, refs in wanted.items():
        names = []
        for catalogue_id, path in refs:
            file, line, _shown = where("needs", catalogue_id, path)
            names.append(f"`{library.needs[catalogue_id].needs[int(path[1])].id}` ({file}:{line})")
        message = (f"no service has the category `{missing}`, so an officer would get no referral for the "
                   f"need(s) {', '.join(names)}")
        if len(directory_ids) == 1:
            yield _problem(where, "resources", directory_ids[0], ("organizations",), message,
                           f"add a service with `categories: [{missing}]` to this directory")
        else:
            catalogue_id, path = refs[0]
            yield _problem(where, "needs", catalogue_id, path, message,
                           f"add a service with `categories: [{missing}]` to one of the directories: "
                           f"{', '.join(directory_ids)}")


def chapter_page(book_root: Path, chapter: str) -> Path | None:
    """The page file a ``chapter:`` names (``book/arrive/scene-safety`` → its ``.md``), if it is one
    inside the book; ``None`` for anything else (no such page, an empty name, a path outside)."""
    base = book_root / chapter.strip()
    root = book_root.resolve()
    if not base.name or root not in base.resolve().parents:
        return None
    return next((page for suffix in PAGE_SUFFIXES if (page := base.with_name(base.name + suffix)).is_file()), None)


def _chapter_pages(library: Library, where: Where, book_root: Path) -> Iterator[Problem]:
    """Each protocol's ``chapter`` names a page of the book."""
    for protocol in library.protocols.values():
        chapter = protocol.chapter
        if chapter is None:
            continue
        if chapter_page(book_root, chapter) is None:
            yield _problem(where, "protocols", protocol.id, ("chapter",),
                           f"the chapter `{chapter}` is not a page of the book (no {chapter}.md)",
                           "name a page under book/ without its suffix, e.g. `book/arrive/scene-safety`, "
                           "or remove `chapter`")


def _cited(library: Library) -> Iterator[tuple[str, str, Key, str]]:
    """(kind, id, path, source id) for every citation in the content."""
    for kind in ("protocols", "instruments", "rights", "confidentiality", "needs", "followup",
                 "scenarios"):
        for obj_id, obj in getattr(library, kind).items():
            for index, source_id in enumerate(obj.sources):
                yield kind, obj_id, ("sources", index), source_id
    for protocol in library.protocols.values():
        for p_index, pause_point in enumerate(protocol.pause_points):
            for i_index, item in enumerate(pause_point.items):
                for s_index, source_id in enumerate(item.sources):
                    yield ("protocols", protocol.id,
                           ("pause_points", p_index, "items", i_index, "sources", s_index),
                           source_id)


def _source_refs(library: Library, where: Where) -> Iterator[Problem]:
    """Each cited source id is in ``sources.yaml``; an unknown one is reported with the nearest ids."""
    known = sorted(library.sources)
    for kind, obj_id, path, source_id in _cited(library):
        if source_id not in library.sources:
            nearest = difflib.get_close_matches(source_id, known, n=3, cutoff=0.6)
            if nearest:
                guess = " or ".join(f"`{near}`" for near in nearest)
                fix = (f"did you mean {guess}? Fix the spelling, or add a source with `id: {source_id}` "
                       "to sources.yaml")
            else:
                fix = (f"add a source with `id: {source_id}` to sources.yaml, or use one of its ids: "
                       f"{', '.join(known[:10]) or 'none yet'}{' …' if len(known) > 10 else ''}")
            yield _problem(where, kind, obj_id, path, f"cites the source `{source_id}`, which "
                           "is not in sources.yaml", fix)


def _protocol_refs(library: Library, where: Where, broken: frozenset[str]) -> Iterator[Problem]:
    known = ", ".join(sorted(library.protocols)) or "none"
    for instrument in library.instruments.values():
        if instrument.follow_on_protocol not in library.protocols | dict.fromkeys(broken):
            yield _problem(where, "instruments", instrument.id, ("follow_on_protocol",),
                           f"the follow-on protocol `{instrument.follow_on_protocol}` does not "
                           "exist", f"use one of: {known}")
    for scenario in library.scenarios.values():
        for n_index, node in enumerate(scenario.nodes):
            for o_index, option in enumerate(node.options):
                for e_index, ref in enumerate(option.exercises):
                    path: Key = ("nodes", n_index, "options", o_index, "exercises", e_index)
                    protocol = library.protocols.get(ref.protocol)
                    if ref.protocol in broken:
                        continue
                    if protocol is None:
                        yield _problem(where, "scenarios", scenario.id, (*path, "protocol"),
                                       f"links to the protocol `{ref.protocol}`, which does "
                                       "not exist", f"use one of: {known}")
                    elif ref.item not in {item.id for item in protocol.items()}:
                        yield _problem(where, "scenarios", scenario.id, (*path, "item"),
                                       f"links to the item `{ref.item}`, which protocol "
                                       f"`{ref.protocol}` does not have",
                                       "use an item id from that protocol's YAML file")


def _rights_families(library: Library, where: Where) -> Iterator[Problem]:
    by_family: dict[str, list[str]] = {}
    for notice in library.rights.values():
        by_family.setdefault(notice.family, []).append(notice.id)
    for family, ids in by_family.items():
        notices = [library.rights[i] for i in ids]
        languages = [n.language for n in notices]
        for notice in notices:
            if languages.count(notice.language) > 1:
                yield _problem(where, "rights", notice.id, ("language",),
                               f"notice family `{family}` has more than one "
                               f"`{notice.language}` version",
                               "give each language version its own `language`")
        right_ids = {tuple(r.id for r in n.rights) for n in notices}
        if len(right_ids) > 1:
            for notice in notices[1:]:
                yield _problem(where, "rights", notice.id, ("rights",),
                               f"the rights of `{notice.id}` do not match the other language "
                               f"versions of `{family}` (same ids, same order expected)",
                               "translate every right and keep the ids and order the same")
