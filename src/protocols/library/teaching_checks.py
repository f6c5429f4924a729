"""Checks of what a trainer teaches with, which ``handbook validate`` runs after loading.

* A checklist taught in a chapter must give its knowledge check 3 questions: a chapter ends with
  3-5 self-check questions on a protocol's critical items
  (:func:`protocols.render.knowledge.knowledge_questions`), and one with too few items to draw them
  from would show "too few items" there. A protocol with no chapter (a card or job aid only) is
  not asked about.
* A scenario's decisions need names of their own: the trainer's summary names each by its
  ``title``, else its question.

They are not load errors: content that loaded before still loads (a server, a build and the job
aids keep working), and ``validate`` says what to change before the next publication.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from protocols.library.errors import Problem
from protocols.library.yamlsource import Key, dotted, read_yaml, shown_path
from protocols.render.knowledge import MAX_QUESTIONS, MIN_QUESTIONS, knowledge_questions

if TYPE_CHECKING:
    from protocols.library.container import Library
    from protocols.models import Protocol

KNOWLEDGE_CHECK_FIX = (
    "a question is drawn from a critical item (`critical: true`), with the other items' prompts and "
    "rationales as the wrong answers: give the checklist at least two critical items, at least two "
    "items that are not critical, and a rationale of its own for each item (two pause points help too)")


def teaching_problems(library: Library) -> list[Problem]:
    """Every knowledge-check and decision-name problem of the loaded content."""
    return [*knowledge_check_problems(library), *decision_name_problems(library)]


def knowledge_check_problems(library: Library) -> list[Problem]:
    """A problem for each protocol with a chapter that gives fewer than :data:`MIN_QUESTIONS` questions."""
    problems = []
    for protocol in library.protocols.values():
        if protocol.chapter is None:
            continue
        count = len(knowledge_questions(protocol, MAX_QUESTIONS))
        if count < MIN_QUESTIONS:
            problems.append(_problem(library, "protocols", protocol.id, ("pause_points",),
                                     f"the checklist gives {_questions(count)} for its knowledge check "
                                     f"({_shape(protocol)}); its chapter's check needs at least {MIN_QUESTIONS}",
                                     KNOWLEDGE_CHECK_FIX))
    return problems


def decision_name_problems(library: Library) -> list[Problem]:
    """A problem for each scenario decision that shares its name with an earlier one."""
    problems = []
    for scenario in library.scenarios.values():
        first: dict[str, int] = {}
        for index, node in enumerate(scenario.nodes):
            name = node.name.casefold()
            if name in first:
                problems.append(_problem(
                    library, "scenarios", scenario.id, ("nodes", index, "title"),
                    f"decisions {first[name] + 1} and {index + 1} are both called “{node.name}” in the "
                    "trainer's summary, so a trainer cannot tell them apart",
                    f"give decision {index + 1} a short `title:` of its own (a few words on what it is "
                    "about, e.g. `title: Getting him home safely`), next to its `id:`"))
            else:
                first[name] = index
    return problems


def _problem(library: Library, kind: str, obj_id: str, path: Key, message: str, fix: str) -> Problem:
    """A problem at ``path`` of a loaded file, with the line it was written on."""
    file = library.files.get((kind, obj_id))
    if file is None:
        return Problem(None, None, dotted(obj_id, path), message, fix)
    shown = shown_path(file)
    doc, _ = read_yaml(file, shown)
    return Problem(shown, doc.line_for(path) if doc is not None else None, dotted(obj_id, path), message, fix)


def _questions(count: int) -> str:
    return "no question" if count == 0 else f"only {count} question{'s' if count != 1 else ''}"


def _shape(protocol: Protocol) -> str:
    items = protocol.items()
    critical = sum(1 for item in items if item.critical)
    others = len(items) - critical
    points = len(protocol.pause_points)
    return (f"{critical} critical and {others} other item{'s' if others != 1 else ''}"
            f" in {points} pause point{'s' if points != 1 else ''}")
