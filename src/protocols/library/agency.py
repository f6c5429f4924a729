"""Agency adaptation: a profile, plus an overlay folder that adds and changes content.

An agency never edits the shipped content. Its profile names the agency, its numbers,
the rights notices and the directory it uses, and an overlay folder that may:

* add objects of any kind (``protocols/``, ``resources/``, ``scenarios/`` …, same layout
  as the shipped content; a new id each),
* change shipped protocols through ``changes/<protocol-id>.yaml``: add items, replace the
  script of an item, hide optional items. One file per protocol, named after it; a second
  file for the same protocol is refused rather than merged in some order. The changed
  protocol gets its own version, ``<shipped version>-<agency id>.<the file's version>``
  (``1.0-river-city.2``), which every card, job aid and record shows.
* add safety rules (``safety-rules/*.yaml``, the format of ``content/safety-rules.yaml``):
  they add to the shipped rules and cannot replace or switch off any of them.

Screening instruments are locked: an overlay may add a licensed instrument as a new file,
but may not change or replace one. Every change is validated again under the checklist
rules (at most 9 items, critical items first), with errors naming the overlay file and line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from protocols.engine.answers import DEFAULT_CASE_NUMBER_FORMAT, CaseNumberFormat
from protocols.library.errors import ContentError, Problem
from protocols.library.validation import problems_from, value_error_fix
from protocols.library.yamlsource import Key, YamlDocument, dotted, read_yaml, shown_path
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
from protocols.models.checklist import Adaptation

MAX_VERSION_LENGTH = 20
"""The longest version a job-aid record keeps (the records store's ``content_version`` column)."""
SAFETY_RULES_FOLDER = "safety-rules"
OVERLAY_FOLDERS = ("changes", SAFETY_RULES_FOLDER, *CONTENT_KINDS)
"""The folders an overlay may hold."""


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
    case_number: CaseNumberFormat = DEFAULT_CASE_NUMBER_FORMAT
    """How the agency writes its case numbers (a pattern and an example); the job aids refuse
    any other form. Without it, a case number needs at least one digit."""
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
    version: int = 1
    """The agency's own version of this change: 1, 2, 3 …, raised by one on each edit. The
    adapted protocol's version is ``<shipped version>-<agency id>.<this number>``."""
    add_items: list[AddedItem] = Field(default_factory=list)
    replace_scripts: list[ScriptChange] = Field(default_factory=list)
    hide_items: list[Slug] = Field(default_factory=list)

    @field_validator("version", mode="before")
    @classmethod
    def _whole_number(cls, value: object) -> int:
        # A `version` is kept as written (so `1.10` stays `1.10`): the number arrives as text.
        number = int(value) if isinstance(value, str) and value.isascii() and value.isdigit() else value
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 999:
            raise PydanticCustomError(
                "content_rule", f"`version: {str(value)[:40]}` is not a whole number from 1 to 999",
                {"fix": "write your own version of this change as a whole number, such as `version: 2`, "
                        "and raise it by one each time you edit this file; the handbook adds the "
                        "shipped version and your agency id itself (1.0-your-agency.2)"})
        return number


@dataclass(frozen=True)
class ChangeFile:
    """One parsed ``changes/<protocol-id>.yaml`` file, with its lines."""

    change: ProtocolChange
    file: Path
    doc: YamlDocument
    agency_id: str
    """The id of the agency whose overlay holds the file (part of the adapted version)."""

    def line(self, path: Key) -> int | None:
        return self.doc.line_for(path)


@dataclass
class Overlay:
    """What an agency's overlay holds, read and validated on its own."""

    profile: AgencyProfile
    profile_file: Path
    profile_doc: YamlDocument
    added: dict[str, dict[str, Any]] = field(default_factory=dict)
    """kind → id → object added by the agency."""
    added_files: dict[tuple[str, str], Path] = field(default_factory=dict)
    added_docs: dict[tuple[str, str], YamlDocument] = field(default_factory=dict)
    changes: dict[str, ChangeFile] = field(default_factory=dict)
    safety_rules: list[Path] = field(default_factory=list)
    """The agency's safety-rules files (read with the shipped rules by ``protocols.library.safety_rules``)."""


def read_profile(file: Path) -> tuple[AgencyProfile | None, list[Problem]]:
    profile, _doc, problems = _read_profile(file)
    return profile, problems


def _read_profile(file: Path) -> tuple[AgencyProfile | None, YamlDocument | None, list[Problem]]:
    shown = shown_path(file)
    doc, problems = read_yaml(file, shown)
    if doc is None:
        return None, None, problems
    try:
        return AgencyProfile.model_validate(doc.data), doc, []
    except ValidationError as exc:
        return None, doc, problems_from(exc, AgencyProfile, doc, shown, "agency")


def read_overlay(profile_file: Path) -> Overlay:
    """Read the profile and its overlay folder; ``ContentError`` lists every problem."""
    if not profile_file.is_file():
        raise ContentError([Problem(shown_path(profile_file), None, "", "the agency profile does not exist",
                                    "pass the path of an agency.yaml file")])
    profile, doc, problems = _read_profile(profile_file)
    if profile is None or doc is None:
        raise ContentError(problems)
    shown = shown_path(profile_file)
    overlay = Overlay(profile, shown, doc)
    if profile.logo and not (profile_file.parent / profile.logo).is_file():
        problems.append(Problem(shown, doc.line_for(("logo",)), "agency.logo",
                                f"the logo file {profile.logo} does not exist",
                                "put the image next to agency.yaml or remove `logo`"))
    if profile.overlay:
        folder = profile_file.parent / profile.overlay
        if not folder.is_dir():
            problems.append(Problem(shown, doc.line_for(("overlay",)), "agency.overlay",
                                    f"the overlay folder {profile.overlay} does not exist",
                                    "create it or remove `overlay`"))
        else:
            _read_folder(folder, overlay, problems)
    if problems:
        raise ContentError(problems)
    return overlay


def _yaml_files(folder: Path, problems: list[Problem]) -> list[Path]:
    """The content files in one overlay folder; anything else there is reported, not skipped."""
    if not folder.is_dir():
        return []
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir() or entry.suffix not in (".yaml", ".yml"):
            problems.append(Problem(shown_path(entry), None, "",
                                    f"`{entry.name}` is not read: only .yaml files belong in an overlay folder",
                                    "rename it to .yaml or move it out of the overlay folder"))
            continue
        found.append(entry)
    return found


def _read_folder(folder: Path, overlay: Overlay, problems: list[Problem]) -> None:
    for entry in sorted(folder.iterdir()):
        if entry.is_dir() and entry.name not in OVERLAY_FOLDERS:
            problems.append(Problem(shown_path(entry), None, "", f"unknown overlay folder `{entry.name}`",
                                    f"use one of: {', '.join(OVERLAY_FOLDERS)}"))
        elif entry.is_file() and entry.suffix in (".yaml", ".yml"):
            problems.append(Problem(shown_path(entry), None, "",
                                    "a content file directly in the overlay folder is not read",
                                    f"move it into the folder of its kind: {', '.join(OVERLAY_FOLDERS)}"))
    for kind, model in CONTENT_KINDS.items():
        for file in _yaml_files(folder / kind, problems):
            _read_added(kind, model, file, overlay, problems)
    for file in _yaml_files(folder / "changes", problems):
        _read_change(file, overlay, problems)
    overlay.safety_rules = _yaml_files(folder / SAFETY_RULES_FOLDER, problems)


M = TypeVar("M", bound=BaseModel)


def _read_model(model: type[M], file: Path, problems: list[Problem]) -> tuple[Path, YamlDocument, M] | None:
    """Parse and validate one overlay file: its shown path, document and object, or None (problems added)."""
    shown = shown_path(file)
    doc, read_problems = read_yaml(file, shown)
    if doc is None:
        problems.extend(read_problems)
        return None
    try:
        return shown, doc, model.model_validate(doc.data)
    except ValidationError as exc:
        problems.extend(problems_from(exc, model, doc, shown, file.stem))
        return None


def _read_added(kind: str, model: type[BaseModel], file: Path, overlay: Overlay,
                problems: list[Problem]) -> None:
    read = _read_model(model, file, problems)
    if read is None:
        return
    shown, doc, obj = read
    obj_id = str(getattr(obj, "id"))  # noqa: B009 - every content model has an id
    if obj_id != file.stem:
        problems.append(Problem(shown, doc.line_for(("id",)), "id",
                                f"the id `{obj_id}` does not match the file name `{file.name}`",
                                f"rename the file to `{obj_id}.yaml` or change the id"))
        return
    first = overlay.added_files.get((kind, obj_id))
    if first is not None:
        first_line = overlay.added_docs[(kind, obj_id)].line_for(("id",))
        problems.append(Problem(shown, doc.line_for(("id",)), "id",
                                f"the id `{obj_id}` is already used by {first}:{first_line} (first used there)",
                                "give each file its own id; keep one of the two files"))
        return
    overlay.added.setdefault(kind, {})[obj_id] = obj
    overlay.added_files[(kind, obj_id)] = shown
    overlay.added_docs[(kind, obj_id)] = doc


def _read_change(file: Path, overlay: Overlay, problems: list[Problem]) -> None:
    read = _read_model(ProtocolChange, file, problems)
    if read is None:
        return
    shown, doc, change = read
    line = doc.line_for(("protocol",))
    first = overlay.changes.get(change.protocol)
    if first is not None:
        problems.append(Problem(shown, line, f"{file.stem}.protocol",
                                f"protocol `{change.protocol}` is already changed by {first.file}",
                                "put every change to one protocol in one file, "
                                f"changes/{change.protocol}.yaml"))
        return
    if change.protocol != file.stem:
        problems.append(Problem(shown, line, f"{file.stem}.protocol",
                                f"this file changes `{change.protocol}` but is named `{file.name}`",
                                f"rename the file to `{change.protocol}.yaml` (one change file per protocol, "
                                "named after it)"))
        return
    overlay.changes[change.protocol] = ChangeFile(change, shown, doc, overlay.profile.id)


@dataclass(frozen=True)
class ChangeOrigins:
    """Which file wrote each part of a changed protocol: the shipped file or the change file."""

    source: ChangeFile
    layout: tuple[tuple[str, ...], ...]
    """Item ids per pause point, after the change."""
    shipped: dict[str, tuple[int, int]]
    """Item id → (pause point, item) index in the shipped file."""
    added: dict[str, int]
    """Item id → its index in ``add_items``."""
    added_to: dict[int, int]
    """Pause point index → the first ``add_items`` entry that adds to it."""
    scripts: dict[str, int]
    """Item id → its index in ``replace_scripts``."""

    def origin(self, path: Key) -> tuple[bool, Key]:
        """(written in the change file?, the path in that file) for ``path`` of the changed protocol."""
        if len(path) >= 2 and path[0] == "changelog" and isinstance(path[1], int):
            return (True, ("why",)) if path[1] == 0 else (False, ("changelog", path[1] - 1, *path[2:]))
        if len(path) < 2 or path[0] != "pause_points" or not isinstance(path[1], int):
            return False, path
        p_index = path[1]
        if (len(path) >= 4 and path[2] == "items" and isinstance(path[3], int)
                and p_index < len(self.layout) and path[3] < len(self.layout[p_index])):
            item_id, rest = self.layout[p_index][path[3]], path[4:]
            if item_id in self.added:
                return True, ("add_items", self.added[item_id], "item", *rest)
            if rest[:1] == ("script",) and item_id in self.scripts:
                return True, ("replace_scripts", self.scripts[item_id], "script")
            shipped_pp, shipped_item = self.shipped[item_id]
            return False, ("pause_points", shipped_pp, "items", shipped_item, *rest)
        if len(path) <= 3 and p_index in self.added_to:
            return True, ("add_items", self.added_to[p_index])
        return False, path


@dataclass(frozen=True)
class ChangedProtocol:
    protocol: Protocol
    origins: ChangeOrigins


_Report = Callable[[Key, str, str], None]
"""Records one problem of a change file: the key it sits at, what is wrong, how to fix it."""


def apply_change(protocol: Protocol, source: ChangeFile, agency: str) -> ChangedProtocol:
    """The protocol with the agency's change applied, under the agency's version
    (:class:`~protocols.models.checklist.Adaptation`); ``ContentError`` if it breaks a rule."""
    change, file = source.change, source.file
    data = protocol.model_dump(mode="json")
    shipped = {item.id: (p, i) for p, pp in enumerate(protocol.pause_points) for i, item in enumerate(pp.items)}
    problems: list[Problem] = []

    def problem(path: Key, message: str, fix: str) -> None:
        problems.append(Problem(file, source.line(path), dotted(file.stem, path), message, fix))

    _check_targets(protocol, change, problem)
    _check_version_length(protocol, source, problem)
    scripts = {s.item: s.script for s in change.replace_scripts}
    hidden_ids = set(change.hide_items)
    for pp in data["pause_points"]:
        pp["items"] = [i for i in pp["items"] if i["id"] not in hidden_ids]
        for item in pp["items"]:
            if item["id"] in scripts:
                item["script"] = scripts[item["id"]]
    added_to = _insert_added(protocol.id, change, data, problem)
    if problems:
        raise ContentError(problems)
    origins = ChangeOrigins(
        source, tuple(tuple(str(i["id"]) for i in pp["items"]) for pp in data["pause_points"]), shipped,
        {added.item.id: index for index, added in enumerate(change.add_items)}, added_to,
        {script.item: index for index, script in enumerate(change.replace_scripts)})
    entry = ChangeLogEntry(version=protocol.version, date=change.date,
                           change=f"{agency} adaptation: {_summary(change)}", why=change.why)
    data["changelog"] = [entry.model_dump(mode="json"), *data["changelog"]]
    try:
        changed = Protocol.model_validate(data)
    except ValidationError as exc:
        _report_broken_rules(exc, origins, problem)
        raise ContentError(problems) from None
    return ChangedProtocol(_adapted(changed, protocol, source, agency), origins)


def _report_broken_rules(exc: ValidationError, origins: ChangeOrigins, problem: _Report) -> None:
    """Each checklist rule the changed protocol breaks, at the line of the change file that broke it."""
    for err in exc.errors(include_url=False):
        in_change, path = origins.origin(tuple(err["loc"]))
        if not in_change:
            # The shipped file was valid, so an added item broke the rule.
            in_change, path = origins.origin(tuple(err["loc"])[:2])
        message = str(err["msg"]).removeprefix("Value error, ")
        fix = str((err.get("ctx") or {}).get("fix", "")) or value_error_fix(message) or (
            "change the overlay so the protocol still follows the checklist rules")
        problem(path if in_change else ("add_items",), f"{message} (after the agency change)", fix)


def adapted_version(shipped_version: str, source: ChangeFile) -> str:
    """``<shipped version>-<agency id>.<change file version>``, e.g. ``1.0-river-city.2``."""
    return f"{shipped_version}-{source.agency_id}.{source.change.version}"


def _check_version_length(protocol: Protocol, source: ChangeFile, problem: _Report) -> None:
    """The adapted version fits in a job-aid record."""
    version = adapted_version(protocol.version, source)
    if len(version) <= MAX_VERSION_LENGTH:
        return
    room = MAX_VERSION_LENGTH - len(version) + len(source.agency_id)
    where = ("version",) if "version" in source.change.model_fields_set else ("protocol",)
    problem(where, f"the adapted version `{version}` has {len(version)} characters; a job-aid record "
                   f"keeps at most {MAX_VERSION_LENGTH}",
            f"give the agency a shorter `id` in agency.yaml (at most {max(room, 2)} characters here)")


def _adapted(changed: Protocol, shipped: Protocol, source: ChangeFile, agency: str) -> Protocol:
    """The changed protocol under the agency's version, dated by the later of the shipped revision
    and the change. Set after validation: content may not use an adapted version, only an agency
    change makes one."""
    adaptation = Adaptation(agency=agency, version=adapted_version(shipped.version, source),
                            date=source.change.date, shipped_version=shipped.version,
                            shipped_revised=shipped.revised)
    newest = changed.changelog[0].model_copy(update={"version": adaptation.version})
    return changed.model_copy(update={
        "version": adaptation.version, "revised": max(shipped.revised, adaptation.date),
        "adapted": adaptation, "changelog": [newest, *changed.changelog[1:]]})


def _check_targets(protocol: Protocol, change: ProtocolChange, problem: _Report) -> None:
    """Every item a change rewords or hides exists, and only optional items are hidden."""
    items = {i.id: i for i in protocol.items()}
    for index, script in enumerate(change.replace_scripts):
        if script.item not in items:
            problem(("replace_scripts", index, "item"), f"protocol `{protocol.id}` has no item `{script.item}`",
                    f"use one of: {', '.join(items)}")
    for index, hidden in enumerate(change.hide_items):
        if hidden not in items:
            problem(("hide_items", index), f"protocol `{protocol.id}` has no item `{hidden}`",
                    f"use one of: {', '.join(items)}")
        elif not items[hidden].optional:
            problem(("hide_items", index), f"item `{hidden}` is not optional, so an agency may not hide it",
                    "hide only items marked `optional: true`; critical items always stay")
        elif hidden in {s.item for s in change.replace_scripts}:
            problem(("hide_items", index), f"item `{hidden}` is hidden and also gets a new script",
                    "remove one of the two changes")


def _insert_added(protocol_id: str, change: ProtocolChange, data: dict[str, Any],
                  problem: _Report) -> dict[int, int]:
    """Put the added items in place in the dumped protocol; return, for each pause point that
    gained items, the index of its first ``add_items`` entry."""
    pause_points = {pp["id"]: (p, pp) for p, pp in enumerate(data["pause_points"])}
    added_to: dict[int, int] = {}
    for index, added in enumerate(change.add_items):
        found = pause_points.get(added.pause_point)
        if found is None:
            problem(("add_items", index, "pause_point"),
                    f"protocol `{protocol_id}` has no pause point `{added.pause_point}`",
                    f"use one of: {', '.join(pause_points)}")
            continue
        p_index, target = found
        new = added.item.model_dump(mode="json")
        ids = [i["id"] for i in target["items"]]
        if added.after is None:
            target["items"].append(new)
        elif added.after in ids:
            target["items"].insert(ids.index(added.after) + 1, new)
        else:
            problem(("add_items", index, "after"), f"pause point `{added.pause_point}` has no item `{added.after}`",
                    f"use one of: {', '.join(ids)}")
            continue
        added_to.setdefault(p_index, index)
    return added_to


def _summary(change: ProtocolChange) -> str:
    parts = []
    if change.add_items:
        parts.append(f"{len(change.add_items)} item(s) added")
    if change.replace_scripts:
        parts.append(f"{len(change.replace_scripts)} script(s) replaced")
    if change.hide_items:
        parts.append(f"{len(change.hide_items)} optional item(s) hidden")
    return ", ".join(parts) or "no changes"
