"""Turn pydantic's validation errors into problems a trainer can act on."""

from __future__ import annotations

import types
import typing
from collections import defaultdict
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from protocols.library.errors import Problem
from protocols.library.positions import position_words
from protocols.library.yamlsource import Key, YamlDocument, dotted
from protocols.models import CONTENT_KINDS

_DATE = "write the date as YYYY-MM-DD, e.g. 2026-11-01"
_TRUE_FALSE = "write `true` or `false`"
_FIXES: dict[str, str] = {
    "string_too_short": "write some text here; it must not be empty",
    "string_too_long": "shorten the text, or split it into two fields or entries",
    "too_short": "add entries (one `- entry` per line) so the list has at least {min_length}",
    "too_long": "remove entries so the list has no more than {max_length}",
    "date_from_datetime_parsing": _DATE, "date_parsing": _DATE, "date_type": _DATE,
    "enum": "write one of: {expected}", "literal_error": "write one of: {expected}",
    "bool_type": _TRUE_FALSE, "bool_parsing": _TRUE_FALSE,
    "int_type": "write a whole number", "int_parsing": "write a whole number", "int_from_float": "write a whole number",
    "float_type": "write a number", "float_parsing": "write a number",
    "string_type": "write text here (put it in quotes if it looks like a number or date)",
    "list_type": "write a list here: one `- entry` per line",
    "model_type": "write a mapping of fields here (`field: value` lines)",
    "dict_type": "write a mapping of fields here (`field: value` lines)",
    "greater_than_equal": "use a larger number", "less_than_equal": "use a smaller number",
}
"""Pydantic's kind of error → what to do about it (with the error's context, as in ``_MESSAGES``)."""

_MESSAGES: dict[str, str] = {
    "bool_type": "`{input}` is not `true` or `false`", "bool_parsing": "`{input}` is not `true` or `false`",
    "int_type": "`{input}` is not a whole number", "int_parsing": "`{input}` is not a whole number",
    "int_from_float": "`{input}` is not a whole number",
    "float_type": "`{input}` is not a number", "float_parsing": "`{input}` is not a number",
    "date_from_datetime_parsing": "`{input}` is not a date", "date_parsing": "`{input}` is not a date",
    "date_type": "`{input}` is not a date",
    "string_too_short": "this text is empty",
    "string_too_long": "this text has {length} characters; the limit is {max_length}",
    "too_short": "this list has {actual_length} entries; it needs at least {min_length}",
    "too_long": "this list has {actual_length} entries; the limit is {max_length}",
    "enum": "`{input}` is not one of the values allowed here",
    "literal_error": "`{input}` is not one of the values allowed here",
    "string_type": "`{input}` is not text", "list_type": "this should be a list, not `{input}`",
    "model_type": "this should be a set of `field: value` lines, not `{input}`",
    "dict_type": "this should be a set of `field: value` lines, not `{input}`",
    "greater_than_equal": "`{input}` is too small; the smallest allowed is {ge}",
    "less_than_equal": "`{input}` is too large; the largest allowed is {le}",
}
"""Pydantic's kind of error → the message in plain words (``{input}`` and the error's context)."""

_VALUE_ERROR_FIXES: tuple[tuple[str, str], ...] = (
    ("a `choice` value needs at least two", "list at least two `choices` (`- {id: ..., label: ...}`), or use "
     "`type: yes-no`"),
    ("choice ids must be unique", "give each choice its own `id`"),
    ("`choices` only belong to", "delete the `choices` lines, or change `type:` to `choice`"),
    ("`multiple: true` only applies", "delete `multiple: true`, or change `type:` to `choice`"),
    ("`min` and `max` only apply", "delete `min` and `max`, or change `type:` to `number`"),
    ("`min` (", "swap the two numbers: `min` must be the smaller one"),
    ("a critical item cannot be `optional`", "delete `optional: true`, or `critical: true` if the item is not "
     "critical"),
    ("pause point `", "move some items into a new pause point, or delete items that are not critical"),
    ("node ids must be unique", "give each node its own `id`; the repeated ids are named above"),
    ("question and outcome ids must be unique", "give each question and outcome its own `id`; the repeated "
     "ids are named above"),
    ("`start: ", "set `start:` to the `id` of the first question, from the list above"),
    ("the questions loop", "point the `yes:` or `no:` of one question on that path at an outcome"),
    ("service `", "delete the `address` of this service and give a phone number instead"),
    ("check-ins must be in time order", "list the check-ins by `offset_hours`, smallest first"),
    ("`at_least: ", "make `at_least` no larger than the number of `questions`, or list more questions"),
)
"""The start of a model's own error message → what to do about it."""

_PATTERN_HINTS = {
    "^[a-z0-9]+(-[a-z0-9]+)*$": "use lower-case letters and digits joined by single hyphens, "
    "e.g. `scene-response`",
    r"^\d+\.\d+(\.\d+)?$": 'write the version as numbers with dots, e.g. "1.2" or "1.2.0"',
    "^[a-z]{2,3}(-[A-Z]{2})?$": "use a language code such as `en`, `es` or `es-MX`",
}


def problems_from(
    exc: ValidationError, model: type[BaseModel], doc: YamlDocument, file: Path, prefix: str
) -> list[Problem]:
    """One problem per pydantic error, with file, line, field path, message and fix."""
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc: Key = tuple(err["loc"])
        message, fix = _message_and_fix(err, model, loc)
        if err["type"] == "content_rule":
            message += _first_use(doc, file, loc)
        problems.append(Problem(file, doc.line_for(loc), dotted(prefix, loc), message, fix))
    return problems


def _first_use(doc: YamlDocument, file: Path, loc: Key) -> str:
    """For an ``id`` at ``loc`` that an earlier entry of the same kind already has: where each one is."""
    again_line = doc.lines.get(loc)
    if not loc or loc[-1] != "id" or again_line is None:
        return ""
    value = _value_at(doc.data, loc)
    earlier = sorted((line, path) for path, line in doc.lines.items()
                     if line < again_line and _same_shape(path, loc) and _value_at(doc.data, path) == value)
    if value is None or not earlier:
        return ""
    first_line, first_path = earlier[0]
    return (f": first at {file}:{first_line} ({position_words(first_path)}), "
            f"again at {file}:{again_line} ({position_words(loc)})")


def _same_shape(path: Key, loc: Key) -> bool:
    """The same field names, any list positions: ``pause_points[0].items[3].id`` ~ ``pause_points[1].items[0].id``."""
    return len(path) == len(loc) and all(
        (isinstance(a, int) and isinstance(b, int)) or a == b for a, b in zip(path, loc, strict=True))


def _value_at(data: Any, path: Key) -> Any:
    """The value at ``path`` in the parsed data, or None if there is none."""
    for part in path:
        if isinstance(part, int) and isinstance(data, list) and part < len(data):
            data = data[part]
        elif isinstance(part, str) and isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def _message_and_fix(err: ErrorDetails, model: type[BaseModel], loc: Key) -> tuple[str, str]:
    """What is wrong and what to do, in plain words, for one pydantic error."""
    kind, ctx = err["type"], dict(err.get("ctx") or {})
    message = str(err["msg"]).removeprefix("Value error, ")
    field = next((str(part) for part in reversed(loc) if isinstance(part, str)), "")
    if kind == "extra_forbidden":
        allowed = _allowed_fields(model, loc[:-1])
        return f"unknown field `{field}`", f"remove it or fix its spelling; allowed here: {', '.join(allowed)}"
    if kind == "missing":
        return (f"the field `{field}` is required but missing",
                f"add the field `{field}` here ({_schema_command(model)} lists every field)")
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return (f"`{_short(err.get('input'))}` is not in the expected form",
                _PATTERN_HINTS.get(pattern, f"match the pattern {pattern}"))
    if kind == "content_rule":
        return message, str(ctx.get("fix", ""))
    if kind == "value_error":
        return message, value_error_fix(message) or _schema_hint(model, field)
    value = err.get("input")
    details = defaultdict(str, ctx, input=_short(value), length=len(value) if isinstance(value, str) else 0)
    if kind in _MESSAGES:
        message = _MESSAGES[kind].format_map(details)
    return message, _FIXES[kind].format_map(details) if kind in _FIXES else _schema_hint(model, field)


def value_error_fix(message: str) -> str | None:
    """What to do about a model's own error message, or None for a message no fix is written for."""
    return next((fix for starts, fix in _VALUE_ERROR_FIXES if message.startswith(starts)), None)


_OTHER_KINDS = {"SourceList": "sources", "SafetyRuleFile": "safety-rules", "AgencyProfile": "agency",
                "ProtocolChange": "change"}
"""Models of files that are not content kinds → the name ``handbook schema --show`` knows them by."""


def _schema_command(model: type[BaseModel]) -> str:
    """``handbook schema --show KIND`` for the kind of file ``model`` reads."""
    kind = next((name for name, kind_model in CONTENT_KINDS.items() if kind_model is model),
                _OTHER_KINDS.get(model.__name__))
    if kind is None:
        return "`handbook schema --show`"
    return f"`handbook schema --show {kind}`"


def _schema_hint(model: type[BaseModel], field: str) -> str:
    """A fix for an error with no written fix: where to read what the field takes."""
    return f"write `{field}` as {_schema_command(model)} describes it" if field else (
        f"compare this file with {_schema_command(model)}")


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _allowed_fields(model: type[BaseModel], loc: Key) -> list[str]:
    """The field names of the model found at ``loc`` inside ``model``."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            continue
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(part)
            if info is None:
                return []
            current = info.annotation
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """The model inside ``list[X]``, ``X | None`` or ``Annotated[X, ...]``."""
    for _ in range(5):
        origin = typing.get_origin(annotation)
        if origin is None:
            return annotation
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if origin in (list, typing.Union, types.UnionType, typing.Annotated) and args:
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            annotation = models[0] if models else args[0]
        else:
            return annotation
    return annotation


def enum_values(enum: type[Enum]) -> list[str]:
    """The values a trainer may write for an enum field."""
    return [str(member.value) for member in enum]
