"""Which content text is said, read or handed to a victim: the text the safety rules read.

Checked (``SPOKEN``), because a victim hears or reads the words as they are written:

* a checklist item's ``script`` (also an agency's ``replace_scripts`` and added items, which
  land in the changed protocol; and every item of an agency's own protocols);
* a screening instrument's ``introduction`` and its questions' ``text`` (read aloud);
* a rights notice's ``title`` and ``introduction``, and each right's ``title`` and ``text``;
* a confidentiality guide's ``opening_script`` and each outcome's ``script``;
* a need's ``ask`` (the question put to the victim);
* a follow-up plan's ``safe_contact_questions``;
* a scenario option's ``text`` when the option is rated ``correct``: it is the model answer
  officers learn to say.

Not checked, on purpose (``NOT_SPOKEN`` gives the reason for each field): guidance for the
officer (prompts, rationale, help, tasks, next steps), names and labels, citations and change
logs, the resource directory (a 24-hour line's description of itself, "call any time", is true
of the line; it is not a promise by the officer), and text that holds deliberate bad examples:
scenario options rated ``wrong`` or ``partial`` (``BAD_EXAMPLES``), feedback and debrief
points, which quote the wrong words in order to explain them.

Every text field of every content model is in exactly one of the two tables; a test fails
when a new field is added to the models without being placed here.

The rules are written for English, and a rule reads only texts in its own ``language``
(default ``en``). A document's texts are English unless its model names a language field in
``LANGUAGE_FIELD`` (a rights notice's ``language``). A text in a language that no rule is written
for (the Spanish rights notice, for one) is not checked by any rule: ``handbook validate`` warns
of it, and the translator's review must check it for unsafe wording.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pydantic import BaseModel
from pydantic.types import StringConstraints

from protocols.library.content_walk import child_models
from protocols.library.yamlsource import Key
from protocols.models import (
    CONTENT_KINDS,
    ChangeLogEntry,
    CheckIn,
    Choice,
    ConfidentialityGuide,
    Contact,
    FollowUpTemplate,
    Item,
    NeedsCatalogue,
    Node,
    Option,
    Organization,
    Outcome,
    PausePoint,
    Protocol,
    Question,
    Rating,
    ResourceDirectory,
    Right,
    RightsNotice,
    Scenario,
    ScreeningInstrument,
    ScreeningQuestion,
    ScreenInRule,
    Service,
    ValueSpec,
    VictimNeed,
)
from protocols.models.checklist import Adaptation

SPOKEN: Mapping[type[BaseModel], frozenset[str]] = {
    Item: frozenset({"script"}),
    ScreeningInstrument: frozenset({"introduction"}),
    ScreeningQuestion: frozenset({"text"}),
    RightsNotice: frozenset({"title", "introduction"}),
    Right: frozenset({"title", "text"}),
    ConfidentialityGuide: frozenset({"opening_script"}),
    Outcome: frozenset({"script"}),
    VictimNeed: frozenset({"ask"}),
    FollowUpTemplate: frozenset({"safe_contact_questions"}),
    Option: frozenset({"text"}),
}
"""Model → its fields that a victim hears or reads."""

_OFFICER = "guidance for the officer, not words said to the victim"
_NAME = "a name or label, not a sentence said to the victim"
_RECORD = "a record for editors (review, citation, change log)"
_DIRECTORY = "the directory describes the service itself (a 24-hour line may say so); not the officer's words"
_TEACHING = "training text that may quote wrong words to explain them"

NOT_SPOKEN: Mapping[type[BaseModel], Mapping[str, str]] = {
    Protocol: {"title": _NAME, "objective": _OFFICER, "summary": _OFFICER, "owner": _RECORD,
               "chapter": "the name of a book page"},
    ChangeLogEntry: {"change": _RECORD, "why": _RECORD},
    Adaptation: {"agency": _NAME, "version": _RECORD},
    PausePoint: {"title": _NAME, "when": _OFFICER},
    Item: {"prompt": _OFFICER, "rationale": _OFFICER, "help": _OFFICER},
    ValueSpec: {"unit": _NAME},
    Choice: {"label": "an answer the officer records"},
    ScreeningInstrument: {"title": _NAME, "licence": _RECORD, "attribution": _RECORD, "applies_to": _OFFICER,
                          "owner": _RECORD},
    ScreenInRule: {"description": _OFFICER},
    RightsNotice: {"jurisdiction": _NAME, "citation": _RECORD, "when_to_give": _OFFICER, "owner": _RECORD},
    Right: {"citation": _RECORD},
    ConfidentialityGuide: {"title": _NAME, "introduction": _OFFICER, "owner": _RECORD},
    Question: {"text": "a question the officer answers about the request", "help": _OFFICER},
    Outcome: {"title": _NAME, "rule": "the rule of law, stated for the officer", "citation": _RECORD,
              "next_steps": _OFFICER},
    ResourceDirectory: {"title": _NAME, "notice": _DIRECTORY, "area": _NAME},
    Organization: {"name": _NAME, "description": _DIRECTORY},
    Service: {"name": _NAME, "description": _DIRECTORY, "hours": _DIRECTORY, "eligibility": _DIRECTORY,
              "cost": _DIRECTORY},
    Contact: {"phone": _DIRECTORY, "text": _DIRECTORY, "web": _DIRECTORY, "address": _DIRECTORY},
    NeedsCatalogue: {"title": _NAME, "introduction": _OFFICER, "owner": _RECORD},
    VictimNeed: {"label": _NAME, "signs": "what the officer may notice, sometimes a wrong thing happening"},
    FollowUpTemplate: {"title": _NAME, "applies_to": _OFFICER, "closure_criteria": _OFFICER, "owner": _RECORD},
    CheckIn: {"label": _NAME, "tasks": _OFFICER},
    Scenario: {"title": _NAME, "content_warning": _TEACHING, "based_on": _TEACHING, "summary": _TEACHING,
               "debrief_points": _TEACHING, "owner": _RECORD},
    Node: {"title": _NAME, "situation": "the story: it may describe someone else saying the wrong thing",
           "question": "a question to the trainee"},
    Option: {"feedback": _TEACHING},
}
"""Model → its text fields that the safety rules do not read, and why."""

BAD_EXAMPLES: Mapping[type[BaseModel], Callable[[Any], bool]] = {
    Option: lambda option: option.rating is not Rating.CORRECT,
}
"""Models that may hold a deliberate bad example: when the test is true, none of their text is read."""


DEFAULT_LANGUAGE = "en"
"""The language of every text whose model has no entry in ``LANGUAGE_FIELD``."""

LANGUAGE_FIELD: Mapping[type[BaseModel], str] = {
    RightsNotice: "language",
}
"""Top-level model → its field that names the language of all of its text."""


def text_language(model: BaseModel) -> str:
    """The language tag (``en``, ``es-MX``) of the text in ``model``, a top-level content document."""
    field = LANGUAGE_FIELD.get(type(model))
    return str(getattr(model, field)) if field is not None else DEFAULT_LANGUAGE


def spoken_texts(model: BaseModel, path: Key = ()) -> Iterator[tuple[Key, str]]:
    """(field path, text) for every spoken text inside ``model``; lists give one text per entry."""
    is_bad_example = BAD_EXAMPLES.get(type(model))
    if is_bad_example is not None and is_bad_example(model):
        return
    spoken = SPOKEN.get(type(model), frozenset())
    for name in type(model).model_fields:
        value = getattr(model, name)
        if name in spoken:
            if isinstance(value, str):
                yield (*path, name), value
            elif isinstance(value, list | tuple):
                yield from (((*path, name, i), text) for i, text in enumerate(value) if isinstance(text, str))
        else:
            for inner_path, inner in child_models(value, (*path, name)):
                yield from spoken_texts(inner, inner_path)


def content_models() -> list[type[BaseModel]]:
    """Every model a content file can hold, the top-level kinds first."""
    found: list[type[BaseModel]] = []

    def visit(annotation: Any) -> None:
        if typing.get_origin(annotation) is not None:
            for arg in typing.get_args(annotation):
                visit(arg)
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in found:
            found.append(annotation)
            for info in annotation.model_fields.values():
                visit(info.annotation)

    for model in CONTENT_KINDS.values():
        visit(model)
    return found


def _is_prose(annotation: Any, metadata: list[Any]) -> bool:
    """Whether a field of this type holds free text (not an id, version or language code)."""
    if any(isinstance(m, StringConstraints) and m.pattern for m in metadata):
        return False
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        return _is_prose(base, [*metadata, *extra])
    if origin in (list, tuple, typing.Union, types.UnionType):
        return any(_is_prose(arg, []) for arg in typing.get_args(annotation))
    return annotation is str


def prose_fields(model: type[BaseModel]) -> frozenset[str]:
    """The fields of ``model`` that hold free text."""
    return frozenset(name for name, info in model.model_fields.items()
                     if _is_prose(info.annotation, list(info.metadata)))
