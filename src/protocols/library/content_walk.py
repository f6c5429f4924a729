"""Walk parsed content: every model nested in another, with its field path, and places in words.

Paths are the tuples the YAML line map uses (``("pause_points", 1, "items", 7)``), so a problem
found on a model can be pinned to its file and line. ``position_words`` names the same place for
a reader, counting from 1: ``pause point 2, item 8``.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from pydantic import BaseModel

from protocols.library.yamlsource import Key

LIST_NOUNS: dict[str, str] = {
    "add_items": "added item",
    "allow": "allow pattern",
    "changelog": "changelog entry",
    "check_ins": "check-in",
    "closure_criteria": "closure criterion",
    "debrief_points": "debrief point",
    "hide_items": "hidden item",
    "next_steps": "next step",
    "nodes": "decision",
    "pause_points": "pause point",
    "replace_scripts": "replaced script",
    "safe_contact_questions": "safe-contact question",
}
"""How to name one entry of a list field, where dropping the plural ``s`` is not enough."""


def entry_noun(field: str) -> str:
    """One entry of the list field ``field``, in words: ``check_ins`` → ``check-in``."""
    if field in LIST_NOUNS:
        return LIST_NOUNS[field]
    words = field.replace("_", " ")
    return words[:-1] if words.endswith("s") and not words.endswith("ss") else words


def position_words(path: Key) -> str:
    """The list entries on ``path``, counted from 1: ``pause point 2, item 8`` (empty if none)."""
    parts = [f"{entry_noun(field)} {index + 1}" for field, index in pairwise(path)
             if isinstance(field, str) and isinstance(index, int)]
    return ", ".join(parts)


def child_models(value: object, path: Key) -> Iterator[tuple[Key, BaseModel]]:
    """The models a field's ``value`` holds, with their paths: itself, or its list entries."""
    if isinstance(value, BaseModel):
        yield path, value
    elif isinstance(value, list | tuple):
        yield from (((*path, index), entry) for index, entry in enumerate(value) if isinstance(entry, BaseModel))


def nested_models(model: BaseModel, path: Key = ()) -> Iterator[tuple[Key, BaseModel]]:
    """``model`` and every model inside it (fields, list entries), depth first, with its path."""
    yield path, model
    for name in type(model).model_fields:
        for inner_path, inner in child_models(getattr(model, name), (*path, name)):
            yield from nested_models(inner, inner_path)
