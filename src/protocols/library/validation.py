"""Turn pydantic's validation errors into problems a trainer can act on."""

from __future__ import annotations

import types
import typing
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from protocols.library.errors import Problem
from protocols.library.yamlsource import Key, YamlDocument, dotted

_FIXES: dict[str, str] = {
    "missing": "add the field `{field}` here (run `handbook schema` to see every field)",
    "string_pattern_mismatch": "{pattern_hint}",
    "string_too_short": "write some text here; it must not be empty",
    "string_too_long": "shorten the text",
    "too_short": "add at least the minimum number of entries",
    "too_long": "remove entries",
    "date_from_datetime_parsing": "write the date as YYYY-MM-DD, e.g. 2026-11-01",
    "date_parsing": "write the date as YYYY-MM-DD, e.g. 2026-11-01",
    "date_type": "write the date as YYYY-MM-DD, e.g. 2026-11-01",
    "enum": "use one of the values listed",
    "literal_error": "use one of the values listed",
    "bool_type": "write `true` or `false`",
    "bool_parsing": "write `true` or `false`",
    "int_type": "write a whole number",
    "int_parsing": "write a whole number",
    "int_from_float": "write a whole number",
    "float_type": "write a number",
    "float_parsing": "write a number",
    "string_type": "write text here (put it in quotes if it looks like a number or date)",
    "list_type": "write a list here: one `- entry` per line",
    "model_type": "write a mapping of fields here (`field: value` lines)",
    "dict_type": "write a mapping of fields here (`field: value` lines)",
    "greater_than_equal": "use a larger number",
    "less_than_equal": "use a smaller number",
    "value_error": "change the content as the message says",
}

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
        kind = err["type"]
        message = str(err["msg"]).removeprefix("Value error, ")
        field = str(loc[-1]) if loc else ""
        if kind == "extra_forbidden":
            allowed = _allowed_fields(model, loc[:-1])
            message = f"unknown field `{field}`"
            fix = f"remove it or fix its spelling; allowed here: {', '.join(allowed)}"
        elif kind == "missing":
            message = f"the field `{field}` is required but missing"
            fix = _FIXES["missing"].format(field=field)
        elif kind == "string_pattern_mismatch":
            pattern = str((err.get("ctx") or {}).get("pattern", ""))
            message = f"`{_short(err.get('input'))}` is not in the expected form"
            fix = _PATTERN_HINTS.get(pattern, f"match the pattern {pattern}")
        elif kind == "content_rule":
            fix = str((err.get("ctx") or {}).get("fix", ""))
        else:
            fix = _FIXES.get(kind, "correct the value")
        problems.append(Problem(file, doc.line_for(loc), dotted(prefix, loc), message, fix))
    return problems


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
