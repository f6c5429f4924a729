"""A checklist taught in a chapter must give a knowledge check its questions.

A chapter ends with 3-5 self-check questions on a protocol's critical items
(:func:`protocols.render.knowledge.knowledge_questions`). A protocol with a ``chapter:`` and too
few items to draw them from would show "too few items" there, so validation refuses it, saying
what to add. A protocol with no chapter (a card or job aid only) is not asked about.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from protocols.library.errors import Problem
from protocols.library.yamlsource import dotted
from protocols.render.knowledge import MAX_QUESTIONS, MIN_QUESTIONS, knowledge_questions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from protocols.library.checks import Where
    from protocols.library.container import Library
    from protocols.models import Protocol

KNOWLEDGE_CHECK_FIX = (
    "a question is drawn from a critical item (`critical: true`), with the other items' prompts and "
    "rationales as the wrong answers: give the checklist at least two critical items, at least two "
    "items that are not critical, and a rationale of its own for each item (two pause points help too)")


def knowledge_check_problems(library: Library, where: Where) -> Iterator[Problem]:
    """A problem for each protocol with a chapter that gives fewer than :data:`MIN_QUESTIONS` questions."""
    for protocol in library.protocols.values():
        if protocol.chapter is None:
            continue
        count = len(knowledge_questions(protocol, MAX_QUESTIONS))
        if count < MIN_QUESTIONS:
            file, line, path = where("protocols", protocol.id, ("pause_points",))
            yield Problem(file, line, dotted(protocol.id, path),
                          f"the checklist gives {_questions(count)} for its knowledge check "
                          f"({_shape(protocol)}); its chapter's check needs at least {MIN_QUESTIONS}",
                          KNOWLEDGE_CHECK_FIX)


def _questions(count: int) -> str:
    return "no question" if count == 0 else f"only {count} question{'s' if count != 1 else ''}"


def _shape(protocol: Protocol) -> str:
    items = protocol.items()
    critical = sum(1 for item in items if item.critical)
    points = len(protocol.pause_points)
    return (f"{critical} critical and {len(items) - critical} other item{'s' if len(items) - critical != 1 else ''}"
            f" in {points} pause point{'s' if points != 1 else ''}")
