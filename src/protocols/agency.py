"""Agency adaptation: a profile, plus an overlay folder that adds and changes content.

An agency never edits the shipped content. Its profile names the agency, its numbers,
the rights notices and the directory it uses, and an overlay folder that may:

* add objects of any kind (``protocols/``, ``resources/``, ``scenarios/`` …, same layout
  as the shipped content; a new id each),
* change shipped protocols through ``changes/<protocol-id>.yaml``: add items, replace the
  script of an item, hide optional items.

Screening instruments are locked: an overlay may add a licensed instrument as a new file,
but may not change or replace one. Every change is validated again under the checklist
rules (at most 9 items, critical items first), with errors naming the overlay file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from protocols.errors import ContentError, Problem
from protocols.models import (
    CONTENT_KINDS,
    ChangeLogEntry,
    Item,
    Protocol,
    ShortText,
    Slug,
    Strict,
    Text,
)
from protocols.validation import problems_from
from protocols.yamlsource import read_yaml


class AgencyContact(Strict):
    label: ShortText
    phone: ShortText
    web: ShortText | None = None


class AgencyProfile(Strict):
    """``agency.yaml``: who the agency is and which content it uses."""

    id: Slug
    name: ShortText
    short_name: ShortText
    jurisdiction: ShortText
    logo: str | None = None
    """An image file next to the profile (SVG or PNG)."""
    hotline: AgencyContact
    on_call: AgencyContact
    rights_notices: list[Slug] = Field(min_length=1)
    screening_instrument: Slug
    resource_directory: Slug
    retention_days: int = Field(default=365, ge=30, le=3650)
    holidays: list[dt.date] = Field(default_factory=list)
    overlay: str | None = None
    """A folder next to the profile with the agency's added and changed content."""


class AddedItem(Strict):
    pause_point: Slug
    after: Slug | None = None
    """Put the new item after this item; omit to put it last (critical items go first)."""
    item: Item


class ScriptChange(Strict):
    item: Slug
    script: Text


class ProtocolChange(Strict):
    """``changes/<protocol-id>.yaml``: an agency's changes to one shipped protocol."""

    protocol: Slug
    why: Text
    date: dt.date
    add_items: list[AddedItem] = Field(default_factory=list)
    replace_scripts: list[ScriptChange] = Field(default_factory=list)
    hide_items: list[Slug] = Field(default_factory=list)


@dataclass
class Overlay:
    """What an agency's overlay holds, read and validated on its own."""

    profile: AgencyProfile
    profile_file: Path
    added: dict[str, dict[str, Any]] = field(default_factory=dict)
    """kind → id → object added by the agency."""
    added_files: dict[tuple[str, str], Path] = field(default_factory=dict)
    changes: dict[str, tuple[ProtocolChange, Path]] = field(default_factory=dict)


def read_profile(file: Path) -> tuple[AgencyProfile | None, list[Problem]]:
    doc, problems = read_yaml(file)
    if doc is None:
        return None, problems
    try:
        return AgencyProfile.model_validate(doc.data), []
    except ValidationError as exc:
        return None, problems_from(exc, AgencyProfile, doc, file, "agency")


def read_overlay(profile_file: Path) -> Overlay:
    """Read the profile and its overlay folder; ``ContentError`` lists every problem."""
    if not profile_file.is_file():
        raise ContentError([Problem(profile_file, None, "", "the agency profile does not exist",
                                    "pass the path of an agency.yaml file")])
    profile, problems = read_profile(profile_file)
    if profile is None:
        raise ContentError(problems)
    overlay = Overlay(profile, profile_file)
    if profile.logo and not (profile_file.parent / profile.logo).is_file():
        problems.append(Problem(profile_file, None, "agency.logo", f"the logo file {profile.logo} does not exist",
                                "put the image next to agency.yaml or remove `logo`"))
    if profile.overlay:
        folder = profile_file.parent / profile.overlay
        if not folder.is_dir():
            problems.append(Problem(profile_file, None, "agency.overlay",
                                    f"the overlay folder {profile.overlay} does not exist",
                                    "create it or remove `overlay`"))
        else:
            _read_folder(folder, overlay, problems)
    if problems:
        raise ContentError(problems)
    return overlay


def _read_folder(folder: Path, overlay: Overlay, problems: list[Problem]) -> None:
    for entry in sorted(folder.iterdir()):
        if entry.is_dir() and entry.name not in (*CONTENT_KINDS, "changes"):
            problems.append(Problem(entry, None, "", f"unknown overlay folder `{entry.name}`",
                                    f"use one of: changes, {', '.join(CONTENT_KINDS)}"))
    for kind, model in CONTENT_KINDS.items():
        for file in sorted((folder / kind).glob("*.yaml")) if (folder / kind).is_dir() else []:
            doc, read_problems = read_yaml(file)
            if doc is None:
                problems.extend(read_problems)
                continue
            try:
                obj = model.model_validate(doc.data)
            except ValidationError as exc:
                problems.extend(problems_from(exc, model, doc, file, file.stem))
                continue
            overlay.added.setdefault(kind, {})[str(getattr(obj, "id"))] = obj  # noqa: B009
            overlay.added_files[(kind, str(getattr(obj, "id")))] = file  # noqa: B009
    changes = folder / "changes"
    for file in sorted(changes.glob("*.yaml")) if changes.is_dir() else []:
        doc, read_problems = read_yaml(file)
        if doc is None:
            problems.extend(read_problems)
            continue
        try:
            change = ProtocolChange.model_validate(doc.data)
        except ValidationError as exc:
            problems.extend(problems_from(exc, ProtocolChange, doc, file, file.stem))
            continue
        overlay.changes[change.protocol] = (change, file)


def apply_change(protocol: Protocol, change: ProtocolChange, file: Path, agency: str) -> Protocol:
    """The protocol with the agency's change applied; ``ContentError`` if it breaks a rule."""
    data = protocol.model_dump(mode="json")
    items = {i.id: i for i in protocol.items()}
    problems: list[Problem] = []
    for index, script in enumerate(change.replace_scripts):
        if script.item not in items:
            problems.append(Problem(file, None, f"replace_scripts[{index}].item",
                                    f"protocol `{protocol.id}` has no item `{script.item}`",
                                    f"use one of: {', '.join(items)}"))
    for index, hidden in enumerate(change.hide_items):
        if hidden not in items:
            problems.append(Problem(file, None, f"hide_items[{index}]",
                                    f"protocol `{protocol.id}` has no item `{hidden}`",
                                    f"use one of: {', '.join(items)}"))
        elif not items[hidden].optional:
            problems.append(Problem(file, None, f"hide_items[{index}]",
                                    f"item `{hidden}` is not optional, so an agency may not hide it",
                                    "hide only items marked `optional: true`; critical items always stay"))
    scripts = {s.item: s.script for s in change.replace_scripts}
    hidden_ids = set(change.hide_items)
    for pp in data["pause_points"]:
        pp["items"] = [i for i in pp["items"] if i["id"] not in hidden_ids]
        for item in pp["items"]:
            if item["id"] in scripts:
                item["script"] = scripts[item["id"]]
    pause_points = {pp["id"]: pp for pp in data["pause_points"]}
    for index, added in enumerate(change.add_items):
        target = pause_points.get(added.pause_point)
        if target is None:
            problems.append(Problem(file, None, f"add_items[{index}].pause_point",
                                    f"protocol `{protocol.id}` has no pause point `{added.pause_point}`",
                                    f"use one of: {', '.join(pause_points)}"))
            continue
        new = added.item.model_dump(mode="json")
        ids = [i["id"] for i in target["items"]]
        if added.after is None:
            target["items"].append(new)
        elif added.after in ids:
            target["items"].insert(ids.index(added.after) + 1, new)
        else:
            problems.append(Problem(file, None, f"add_items[{index}].after",
                                    f"pause point `{added.pause_point}` has no item `{added.after}`",
                                    f"use one of: {', '.join(ids)}"))
    if problems:
        raise ContentError(problems)
    entry = ChangeLogEntry(version=protocol.version, date=change.date,
                           change=f"{agency} adaptation: {_summary(change)}", why=change.why)
    data["changelog"] = [entry.model_dump(mode="json"), *data["changelog"]]
    try:
        return Protocol.model_validate(data)
    except ValidationError as exc:
        raise ContentError([Problem(file, None, f"{protocol.id} (after the agency change)",
                                    str(err["msg"]).removeprefix("Value error, "),
                                    "change the overlay so the protocol still follows the checklist rules")
                            for err in exc.errors(include_url=False)]) from None


def _summary(change: ProtocolChange) -> str:
    parts = []
    if change.add_items:
        parts.append(f"{len(change.add_items)} item(s) added")
    if change.replace_scripts:
        parts.append(f"{len(change.replace_scripts)} script(s) replaced")
    if change.hide_items:
        parts.append(f"{len(change.hide_items)} optional item(s) hidden")
    return ", ".join(parts) or "no changes"
