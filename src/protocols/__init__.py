"""Crisis-intervention protocols: validated content and the logic that runs it.

Importing the package loads nothing else: ``from protocols import load_library`` loads the
content library on first use, so ``import protocols.serve.app`` does not load pydantic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from protocols.library.errors import ContentError, Problem
    from protocols.library.loader import Library, load_library

__all__ = ["ContentError", "Library", "Problem", "load_library"]

_HOMES = {"ContentError": "protocols.library.errors", "Problem": "protocols.library.errors",
          "Library": "protocols.library.loader", "load_library": "protocols.library.loader"}


def __getattr__(name: str) -> Any:
    """The public names, imported when first asked for."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'protocols' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(home), name)
