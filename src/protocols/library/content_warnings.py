"""Warnings from ``handbook validate``: mistakes that load without an error but lose content in silence.

A warning never stops the handbook; it is printed after the "OK" line. Four kinds:

* **A field swallowed by block text.** A line such as ``script:`` indented too far under a
  ``rationale: >-`` (or ``|``) block is read as words of the rationale, and the item has no
  script. A line of block text that starts with a field name of the model at that place (or of
  a model around it; ``- id:`` for a list entry) is reported. Prose with a colon ("Note: call
  back") is not, as ``Note`` is no field.
* **A book page missing from** ``_toc.yml``: the build leaves it out.
* **A** ``chapter:`` **page that does not show its checklist** (no ``{protocol} <id>`` or
  ``{pocket-card} <id>`` block, and no ``ChecklistWidget.for_protocol("<id>")`` in a notebook).
* **Text in a language no safety rule reads** (:func:`protocols.library.safety_rules.unread_languages`).

The two book checks run when the content folder sits in a book project
(:func:`protocols.library.project.book_root`).
"""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel

from protocols.library.agency import AgencyProfile, Overlay, ProtocolChange, read_overlay
from protocols.library.checks import PAGE_SUFFIXES, chapter_page
from protocols.library.errors import Problem
from protocols.library.project import book_root
from protocols.library.safety_rules import SafetyRuleFile, rule_files, unread_languages
from protocols.library.yamlsource import Key, dotted, read_yaml, shown_path
from protocols.models import CONTENT_KINDS, SourceList

if TYPE_CHECKING:
    from protocols.library.container import Library

TOC_FILE = "_toc.yml"
BOOK_PAGE_SUFFIXES = (".md", ".ipynb")
EMBEDDING_DIRECTIVES = ("protocol", "pocket-card")
"""The directives that show a protocol's checklist on a page."""
_BLOCK_STYLES = (">", "|")
_FIELD_AT_LINE_START = re.compile(r"^\s*(?P<dash>-\s+)?(?P<name>[a-z_][a-z0-9_]*)\s*:(?:\s|$)")
_Composer: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def content_warnings(library: Library, agency: Path | None = None) -> list[Problem]:
    """Every warning for content that has loaded (``load_library(library.content_dir, agency)``)."""
    overlay = read_overlay(agency) if agency is not None else None
    warnings = [problem for file, model, prefix in content_files(library, overlay)
                for problem in swallowed_fields(file, model, prefix)]
    root = book_root(library.content_dir)
    if root is not None:
        warnings.extend(chapters_without_checklist(library, root))
        warnings.extend(pages_left_out(root))
    warnings.extend(unread_languages(library, agency))
    return warnings


def content_files(library: Library, overlay: Overlay | None) -> list[tuple[Path, type[BaseModel], str]]:
    """(file, model, field-path prefix) of every YAML file the content was read from."""
    files: list[tuple[Path, type[BaseModel], str]] = [
        (file, CONTENT_KINDS[kind], obj_id) for (kind, obj_id), file in sorted(library.files.items())]
    sources = library.content_dir / "sources.yaml"
    if sources.is_file():
        files.append((sources, SourceList, ""))
    agency_rules = overlay.safety_rules if overlay is not None else []
    files.extend((file, SafetyRuleFile, "") for file in rule_files(library.content_dir, agency_rules))
    if overlay is not None:
        files.append((overlay.profile_file, AgencyProfile, "agency"))
        files.extend((change.file, ProtocolChange, change.file.stem) for change in overlay.changes.values())
    return files


# --- a field swallowed by block text ----------------------------------------------------------


@dataclass(frozen=True)
class _Level:
    """One place around a block of text: the fields a line may name there, and what to line up with."""

    fields: frozenset[str]
    line: int
    key: str | None
    """The key on ``line`` (a mapping level); None for a list entry, whose ``-`` is on ``line``."""


def swallowed_fields(file: Path, model: type[BaseModel], prefix: str) -> list[Problem]:
    """A warning for each line of block text (``>-``, ``|``...) in ``file`` that starts with a field name."""
    try:
        text = file.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=_Composer)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []  # the loader reported it already: warnings are only given for content that loaded
    found: list[Problem] = []
    if root is not None:
        _walk(root, (model,), (), (), _Reader(shown_path(file), prefix, text.splitlines(), found))
    return found


@dataclass(frozen=True)
class _Reader:
    """What the walk of one file reports into."""

    file: Path
    prefix: str
    lines: list[str]
    found: list[Problem]


def _walk(node: yaml.Node, models: tuple[type[BaseModel], ...], path: Key, outer: tuple[_Level, ...],
          reader: _Reader) -> None:
    """Check each block scalar under ``node``; ``outer`` lists the places around it, nearest first."""
    fields = _field_names(models)
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            key = str(key_node.value)
            here = (_Level(fields, key_node.start_mark.line + 1, key), *outer)
            _visit(value, _field_models(models, key), (*path, key), here, reader)
    elif isinstance(node, yaml.SequenceNode):
        for index, entry in enumerate(node.value):
            here = (_Level(fields, entry.start_mark.line + 1, None), *outer)
            _visit(entry, models, (*path, index), here, reader)


def _visit(node: yaml.Node, models: tuple[type[BaseModel], ...], path: Key, levels: tuple[_Level, ...],
           reader: _Reader) -> None:
    if isinstance(node, yaml.ScalarNode):
        if node.style in _BLOCK_STYLES:
            reader.found.extend(_swallowed(node, path, levels, reader))
    else:
        _walk(node, models, path, levels, reader)


def _swallowed(node: yaml.Node, path: Key, levels: tuple[_Level, ...], reader: _Reader) -> Iterator[Problem]:
    """A warning for each source line of the block text ``node`` that starts with a field of ``levels``."""
    holder = next((str(part) for part in reversed(path) if isinstance(part, str)), "")
    start, end = node.start_mark, node.end_mark
    last = end.line + 1 if end.column > 0 else end.line
    for number in range(start.line + 1, min(last, len(reader.lines))):
        match = _FIELD_AT_LINE_START.match(reader.lines[number])
        if match is None:
            continue
        name, dash = match["name"], match["dash"] is not None
        level = next((lv for lv in levels if (lv.key is None) == dash and name in lv.fields), None)
        if level is None:
            continue
        written = f"- {name}:" if dash else f"{name}:"
        fix = (f"indent `{written}` so that its `-` lines up with the `-` on line {level.line}" if dash
               else f"indent `{written}` to line up with `{level.key}:` on line {level.line}")
        yield Problem(reader.file, number + 1, dotted(reader.prefix, path),
                      f"`{written}` is indented too far, so it is read as words of the `{holder}` text "
                      f"(line {start.line + 1}), not as a field", fix)


def _field_names(models: tuple[type[BaseModel], ...]) -> frozenset[str]:
    return frozenset(name for model in models for name in model.model_fields)


def _field_models(models: tuple[type[BaseModel], ...], key: str) -> tuple[type[BaseModel], ...]:
    """The models a field ``key`` of ``models`` holds (itself, its list entries, or its options)."""
    return tuple(found for model in models if (info := model.model_fields.get(key)) is not None
                 for found in _models_in(info.annotation))


def _models_in(annotation: Any) -> tuple[type[BaseModel], ...]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return (annotation,)
    return tuple(found for arg in typing.get_args(annotation) for found in _models_in(arg))


# --- the book: pages left out of the table of contents, chapters without their checklist -------


def pages_left_out(root: Path) -> list[Problem]:
    """A warning for each page under ``book/`` that ``_toc.yml`` does not list (the build skips it)."""
    toc_file = root / TOC_FILE
    try:
        toc = yaml.safe_load(toc_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        return [Problem(shown_path(toc_file), mark.line + 1 if mark else None, "",
                        "cannot read the table of contents, so no page could be checked against it",
                        "check the indentation, colons and dashes of this file")]
    listed: dict[str, str | None] = {}
    globs: list[str] = []
    _toc_entries(toc, None, listed, globs)
    warnings = []
    for page in _book_pages(root):
        name = page.relative_to(root).with_suffix("").as_posix()
        if name in listed or any(fnmatch(name, pattern) for pattern in globs):
            continue
        part = next((caption for other, caption in listed.items()
                     if caption and other.rsplit("/", 1)[0] == name.rsplit("/", 1)[0]), None)
        where = f"under the part `{part}`" if part else "under the part it belongs to"
        warnings.append(Problem(shown_path(page), None, "",
                                f"{TOC_FILE} does not list this page, so the book leaves it out",
                                f"add the line `- file: {name}` to {TOC_FILE}, {where}; or delete the page"))
    return warnings


def _toc_entries(entry: object, caption: str | None, listed: dict[str, str | None], globs: list[str]) -> None:
    """Collect the pages (``root``, ``file``) and ``glob`` patterns of a table of contents, with their part."""
    if isinstance(entry, list):
        for inner in entry:
            _toc_entries(inner, caption, listed, globs)
    elif isinstance(entry, dict):
        caption = str(entry["caption"]) if isinstance(entry.get("caption"), str) else caption
        for key in ("root", "file"):
            if isinstance(entry.get(key), str):
                listed.setdefault(_page_name(entry[key]), caption)
        if isinstance(entry.get("glob"), str):
            globs.append(_page_name(entry["glob"]))
        for value in entry.values():
            _toc_entries(value, caption, listed, globs)


def _page_name(written: str) -> str:
    """A page as the table of contents names it: from the project folder, without its suffix."""
    name = written.strip().lstrip("/")
    suffix = next((s for s in PAGE_SUFFIXES if name.endswith(s)), "")
    return name.removesuffix(suffix) if suffix else name


def _book_pages(root: Path) -> list[Path]:
    """Every page under ``book/``, leaving out hidden folders and files (``.ipynb_checkpoints``)."""
    book = root / "book"
    return sorted(page for page in book.rglob("*") if page.suffix in BOOK_PAGE_SUFFIXES and page.is_file()
                  and not any(part.startswith((".", "__")) for part in page.relative_to(book).parts))


def chapters_without_checklist(library: Library, root: Path) -> list[Problem]:
    """A warning for each protocol whose ``chapter:`` page does not show its checklist.

    An agency's own protocols are left out: their ``chapter`` names a shared page (for the card's
    place and the job aid's link) that the agency does not change.
    """
    shown_on: dict[str, list[str]] = {}
    for book_page in _book_pages(root):
        for protocol_id in _checklists_on(book_page):
            shown_on.setdefault(protocol_id, []).append(book_page.relative_to(root).with_suffix("").as_posix())
    content = library.content_dir.resolve()
    warnings = []
    for protocol in library.protocols.values():
        file = library.files[("protocols", protocol.id)]
        if protocol.chapter is None or not file.resolve().is_relative_to(content):
            continue
        page = chapter_page(root, protocol.chapter)
        if page is not None and protocol.id not in _checklists_on(page):
            warnings.append(_chapter_warning(protocol.id, file, page, shown_on.get(protocol.id, [])))
    return warnings


def _chapter_warning(protocol_id: str, file: Path, page: Path, pages_with_it: list[str]) -> Problem:
    doc, _ = read_yaml(file)
    also = (f", or change `chapter:` to `{pages_with_it[0]}`, which shows it" if pages_with_it
            else ", or change `chapter:`")
    return Problem(
        shown_path(file), doc.line_for(("chapter",)) if doc is not None else None, f"{protocol_id}.chapter",
        f"the page {shown_path(page)} does not show this checklist (it has no `{{protocol}} {protocol_id}` "
        "block), so a reader sent there will not find it",
        f"add the two lines ```{{protocol}} {protocol_id} and ``` to the page, where the checklist belongs{also}")


_DIRECTIVE = re.compile(r"^\s*(?:`{3,}|:{3,})\{(?:" + "|".join(EMBEDDING_DIRECTIVES) + r")\}[ \t]+([^\s`]+)"
                        r"|^\s*\.\.\s+(?:" + "|".join(EMBEDDING_DIRECTIVES) + r")::[ \t]+(\S+)", re.M)
_WIDGET = re.compile(r"ChecklistWidget\.for_protocol\(\s*[\"']([^\"']+)[\"']")


def _checklists_on(page: Path) -> set[str]:
    """The protocols whose checklist ``page`` shows: by a directive, or by a checklist widget in a notebook."""
    try:
        text = page.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    if page.suffix == ".ipynb":
        try:
            cells = json.loads(text).get("cells", [])
            text = "\n".join("".join(cell.get("source", "")) for cell in cells if isinstance(cell, dict))
        except (ValueError, AttributeError):
            pass  # not a notebook Jupyter can read: the build reports it; search the raw text
    found = {a or b for a, b in _DIRECTIVE.findall(text)}
    return found | set(_WIDGET.findall(text))
