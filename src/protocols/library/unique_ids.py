"""Every id is unique within its list, everywhere in the content.

Pasting an entry and forgetting to rename it is the easiest slip in YAML and the hardest to
see: a follow-up plan whose first check-in is pasted twice still parses. This check is generic:
it walks every parsed model and, for each list whose entries have an ``id`` field (pause points,
items, questions, needs, check-ins, decisions, options, outcomes, organisations, services, rights,
sources, safety rules …), reports each repeat with the place the id was first used.

Some models check some of their own ids as well (a protocol's items across its pause points); an
object that fails those checks is never loaded, so it never reaches this check and one fault gives
one message. Ids of whole files (one per file, named after it) are checked by the loader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from protocols.library.content_walk import nested_models
from protocols.library.errors import Problem
from protocols.library.positions import position_words
from protocols.library.yamlsource import Key, YamlDocument, dotted
from protocols.models import CONTENT_KINDS

if TYPE_CHECKING:
    from protocols.library.checks import Where
    from protocols.library.container import Library

Locate = Callable[[Key], tuple[Path | None, int | None, Key]]
"""Field path → (file, line, field path in that file) of the text that wrote it."""


def document_locator(file: Path, doc: YamlDocument) -> Locate:
    """The ``Locate`` of a model read from the one document ``doc`` of ``file``."""
    def locate(path: Key) -> tuple[Path | None, int | None, Key]:
        return file, doc.line_for(path), path

    return locate


@dataclass(frozen=True)
class RepeatedId:
    """An id used again in one list: the list, the id, the first and the repeated entry."""

    list_path: Key
    id: str
    first: int
    again: int
    times: int
    """How many entries of the list use this id."""

    @property
    def first_path(self) -> Key:
        return (*self.list_path, self.first)

    @property
    def again_path(self) -> Key:
        return (*self.list_path, self.again)


def _has_id(entry: object) -> bool:
    return isinstance(entry, BaseModel) and "id" in type(entry).model_fields


def repeated_ids(model: BaseModel) -> Iterator[RepeatedId]:
    """Each repeat of an id within a list of models with ids, anywhere inside ``model``."""
    for path, inner in nested_models(model):
        for name in type(inner).model_fields:
            entries = getattr(inner, name)
            if not isinstance(entries, list | tuple) or not entries or not all(map(_has_id, entries)):
                continue
            ids = [str(getattr(entry, "id")) for entry in entries]  # noqa: B009 - checked by _has_id
            first: dict[str, int] = {}
            for index, entry_id in enumerate(ids):
                if entry_id in first:
                    yield RepeatedId((*path, name), entry_id, first[entry_id], index, ids.count(entry_id))
                else:
                    first[entry_id] = index


def _at(file: Path | None, line: int | None) -> str:
    if file is None:
        return "<content>"
    return f"{file}:{line}" if line else str(file)


def repeated_id_problems(model: BaseModel, prefix: str, locate: Locate) -> list[Problem]:
    """One problem per repeated id in ``model``, at the repeat, naming where the id was first used."""
    problems = []
    for repeat in repeated_ids(model):
        first_file, first_line, _ = locate((*repeat.first_path, "id"))
        file, line, shown = locate((*repeat.again_path, "id"))
        times = "twice" if repeat.times == 2 else f"{repeat.times} times"
        first_words, again_words = position_words(repeat.first_path), position_words(repeat.again_path)
        problems.append(Problem(
            file, line, dotted(prefix, shown),
            f"the id `{repeat.id}` is used {times} in `{dotted('', repeat.list_path)}`: first at "
            f"{_at(first_file, first_line)} ({first_words}), again at {_at(file, line)} ({again_words})",
            f"give {again_words} its own id, or delete it if it is a copy of {first_words}"))
    return problems


def library_problems(library: Library, where: Where) -> list[Problem]:
    """Every repeated id in every loaded content object (shipped and the agency's)."""
    problems = []
    for kind in CONTENT_KINDS:
        table: dict[str, BaseModel] = getattr(library, kind)
        for obj_id, obj in table.items():
            def locate(path: Key, kind: str = kind, obj_id: str = obj_id) -> tuple[Path | None, int | None, Key]:
                return where(kind, obj_id, path)

            problems.extend(repeated_id_problems(obj, obj_id, locate))
    return problems
