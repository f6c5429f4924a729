"""Walk parsed content: every model nested in another, with its field path.

Paths are the tuples the YAML line map uses (``("pause_points", 1, "items", 7)``), so a problem
found on a model can be pinned to its file and line; :mod:`protocols.library.positions` names the
same place for a reader.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel

from protocols.library.yamlsource import Key


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
