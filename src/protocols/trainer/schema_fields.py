"""The fields of a kind of content file, in words: what each means, whether it is required, what it takes.

``handbook schema --show KIND`` prints this for a trainer who writes a file by hand. A field's
meaning is its attribute docstring in the model, else :data:`FIELD_MEANINGS`; its form (text, an
id, a date, a list, one of some values) is read from the model's type and limits.
"""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import re
import types
import typing
from collections.abc import Iterator
from enum import Enum
from functools import cache
from itertools import pairwise
from typing import Any

from annotated_types import Ge, Le, MaxLen, MinLen
from pydantic import BaseModel, StringConstraints
from pydantic.fields import FieldInfo
from pydantic.json_schema import SkipJsonSchema

from protocols.library.agency import AgencyProfile, ProtocolChange
from protocols.library.safety_rules import SafetyRuleFile
from protocols.models import CONTENT_KINDS, SourceList
from protocols.trainer.field_meanings import FIELD_MEANINGS

SHOWN_KINDS: dict[str, type[BaseModel]] = {
    "sources": SourceList, **CONTENT_KINDS, "safety-rules": SafetyRuleFile, "agency": AgencyProfile,
    "change": ProtocolChange}
"""The kinds ``--show`` knows: the content folders, ``sources`` (sources.yaml), the safety rules and an
agency profile."""
_PATTERNS = {
    "^[a-z0-9]+(-[a-z0-9]+)*$": "an id: lower-case letters and digits joined by single hyphens, e.g. `scene-response`",
    r"^\d+\.\d+(\.\d+)?$": 'a version: numbers with dots, e.g. "1.2"',
    "^[a-z]{2,3}(-[A-Z]{2})?$": "a language code, e.g. `en`, `es` or `es-MX`",
}


def kind_named(name: str) -> str | None:
    """The kind ``name`` stands for (``protocol`` → ``protocols``, ``follow-up`` → ``followup``), or None."""
    def plain(text: str) -> str:
        return text.lower().replace("-", "").replace("_", "").removesuffix("s")

    return next((kind for kind in SHOWN_KINDS if plain(kind) == plain(name)), None)


_FILES = {"sources": "The file `sources.yaml` in the content folder.",
          "safety-rules": "The file `safety-rules.yaml` in the content folder, or a file in an agency "
                          "overlay's `safety-rules/` folder.",
          "agency": "An agency's profile, e.g. `agencies/river-city/agency.yaml`.",
          "change": "An agency's change to one shipped checklist: `changes/<checklist id>.yaml` in its "
                    "overlay folder."}


def describe_kind(kind: str) -> list[str]:
    """The lines that describe the fields of ``kind`` and of every set of fields inside it."""
    model = SHOWN_KINDS[kind]
    where = _FILES.get(kind, f"One file per entry in the content folder's `{kind}/` folder, named after its `id`.")
    lines = [f"{kind}: {_first_line(model.__doc__)}", where, "",
             "Fields (a field marked `required` must be there):", *_field_lines(model)]
    for path, is_list, inner in _inner_models(model):
        about = _first_line(inner.__doc__)
        head = f"Each entry of `{path}`" if is_list else f"`{path}`"
        lines += ["", f"{head} has these fields{f' ({about})' if about else ''}:", *_field_lines(inner)]
    return lines


def _written_fields(model: type[BaseModel]) -> list[tuple[str, FieldInfo]]:
    """The fields a file may hold, the model's own first (``id``, ``title``…), then the shared ones."""
    fields = [(name, info) for name, info in model.model_fields.items()
              if not any(type(m) is SkipJsonSchema for m in info.metadata)]
    own = inspect.get_annotations(model)
    return sorted(fields, key=lambda field: field[0] not in own)


def _field_lines(model: type[BaseModel]) -> list[str]:
    lines = []
    docs = attribute_docs(model)
    for name, info in _written_fields(model):
        lines.append(f"  {name}: {_need(info)}; {form(info.annotation, info.metadata)}")
        meaning = (docs.get(name) or info.description or FIELD_MEANINGS.get((model.__name__, name))
                   or FIELD_MEANINGS.get(("", name)) or _type_doc(info.annotation))
        if meaning:
            lines.append(f"      {_plain(meaning)}")
        values = _allowed_values(info.annotation)
        if values:
            lines.append(f"      allowed values: {', '.join(values)}")
    return lines


def _need(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    default = info.get_default(call_default_factory=True)
    if default is None or default == [] or default == {} or isinstance(default, BaseModel):
        return "optional"
    shown = str(default.value if isinstance(default, Enum) else default)
    return f"optional (default: {shown.lower() if isinstance(default, bool) else shown})"


def form(annotation: Any, metadata: list[Any]) -> str:
    """What a field takes, in words: ``text (up to 200 characters)``, ``a list of ids (at least 1)`` …"""
    inner, more = _unwrap(annotation)
    metadata = [*metadata, *more]
    origin = typing.get_origin(inner)
    if origin is list:
        (entry,) = typing.get_args(inner) or (Any,)
        least = next((m.min_length for m in metadata if isinstance(m, MinLen)), 0)
        return f"a list, one `- entry` per line{f' (at least {least})' if least else ''}; each entry: " + form(
            entry, [])
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return "a set of fields, described below"
    if (isinstance(inner, type) and issubclass(inner, Enum)) or origin is typing.Literal:
        return "one of the allowed values"
    return _scalar_form(inner, metadata)


def _scalar_form(inner: Any, metadata: list[Any]) -> str:
    simple = {bool: "`true` or `false`", int: "a whole number", float: "a number",
              dt.date: "a date, YYYY-MM-DD", dt.datetime: "a date and time"}
    if inner in simple:
        limits = [f"at least {m.ge}" for m in metadata if isinstance(m, Ge)]
        limits += [f"at most {m.le}" for m in metadata if isinstance(m, Le)]
        return simple[inner] + (f" ({', '.join(limits)})" if limits else "")
    for constraint in metadata:
        if isinstance(constraint, StringConstraints):
            if constraint.pattern in _PATTERNS:
                return _PATTERNS[str(constraint.pattern)]
            if constraint.max_length:
                return f"text (up to {constraint.max_length} characters)"
        if isinstance(constraint, MaxLen):
            return f"text (up to {constraint.max_length} characters)"
    return "text"


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """The type inside ``X | None`` and ``Annotated[X, ...]``, with the Annotated limits."""
    metadata: list[Any] = []
    for _ in range(5):
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation, *extra = typing.get_args(annotation)
            metadata += extra
        elif origin in (typing.Union, types.UnionType):
            args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                break
        else:
            break
    return annotation, metadata


def _allowed_values(annotation: Any) -> list[str]:
    """The values an enum or ``Literal`` field (or list of them) takes."""
    inner, _ = _unwrap(annotation)
    if typing.get_origin(inner) is list:
        inner, _ = _unwrap((typing.get_args(inner) or (None,))[0])
    if isinstance(inner, type) and issubclass(inner, Enum):
        return [str(member.value) for member in inner]
    if typing.get_origin(inner) is typing.Literal:
        return [str(value) for value in typing.get_args(inner)]
    return []


def _type_doc(annotation: Any) -> str:
    """The first paragraph of the docstring of the enum or set of fields a field holds."""
    inner, _ = _unwrap(annotation)
    if typing.get_origin(inner) is list:
        inner, _ = _unwrap((typing.get_args(inner) or (None,))[0])
    if isinstance(inner, type) and issubclass(inner, Enum | BaseModel) and inner.__doc__:
        return _first_line(inner.__doc__)
    return ""


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def _inner_models(model: type[BaseModel], path: str = "") -> Iterator[tuple[str, bool, type[BaseModel]]]:
    """Each set of fields inside ``model``, depth first: the field path to it, whether it is a list's entry."""
    for name, info in _written_fields(model):
        for inner in _models_in(info.annotation):
            inner_path = f"{path}.{name}" if path else name
            yield inner_path, typing.get_origin(_unwrap(info.annotation)[0]) is list, inner
            yield from _inner_models(inner, inner_path)


@cache
def attribute_docs(model: type[BaseModel]) -> dict[str, str]:
    """The docstring written under each field of ``model`` (and of its base models)."""
    docs: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or cls is BaseModel:
            continue
        try:
            tree = ast.parse(inspect.getsource(cls))
        except (OSError, TypeError, SyntaxError):
            continue
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for field, after in pairwise(body):
            if (isinstance(field, ast.AnnAssign) and isinstance(field.target, ast.Name)
                    and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                    and isinstance(after.value.value, str)):
                docs[field.target.id] = inspect.cleandoc(after.value.value)
    return docs


def _first_line(doc: str | None) -> str:
    return _plain(inspect.cleandoc(doc).split("\n\n")[0]) if doc else ""


def _plain(doc: str) -> str:
    """A docstring as a trainer reads it: one line, ``code`` as `code`, no Sphinx roles."""
    text = re.sub(r":[a-z]+:`~?([^`]+)`", r"\1", " ".join(doc.split()))
    return text.replace("``", "`")
