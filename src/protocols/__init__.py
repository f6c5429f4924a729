"""Crisis-intervention protocols: validated content and the logic that runs it."""

from protocols.errors import ContentError, Problem
from protocols.library import Library, load_library

__all__ = ["ContentError", "Library", "Problem", "load_library"]
