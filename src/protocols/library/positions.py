"""Places in content, in words, counting from 1: ``("pause_points", 1, "items", 7)`` →
``pause point 2, item 8``. A leaf module: problems (``errors``) name their place with it."""

from __future__ import annotations

from itertools import pairwise

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


def position_words(path: tuple[str | int, ...]) -> str:
    """The list entries on ``path``, counted from 1: ``pause point 2, item 8`` (empty if none)."""
    parts = [f"{entry_noun(field)} {index + 1}" for field, index in pairwise(path)
             if isinstance(field, str) and isinstance(index, int)]
    return ", ".join(parts)
