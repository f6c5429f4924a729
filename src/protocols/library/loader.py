"""Load and validate the protocol content into a :class:`~protocols.library.container.Library`.

``Library``, ``UnknownContent`` and ``DEFAULT_CONTENT`` are imported here too, for the callers
that load content and look it up.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from protocols.library.agency import AgencyProfile, ChangeOrigins, Overlay, apply_change, read_overlay
from protocols.library.checks import cross_file_problems
from protocols.library.container import DEFAULT_CONTENT, Library
from protocols.library.errors import ContentError, Problem
from protocols.library.project import book_root
from protocols.library.safety_rules import rule_files, safety_problems
from protocols.library.snapshot import read_snapshot
from protocols.library.unique_ids import document_locator, library_problems, repeated_id_problems
from protocols.library.validation import problems_from
from protocols.library.yamlsource import Key, YamlDocument, dotted, parse_yaml, read_yaml, shown_path
from protocols.models import CONTENT_KINDS, Source, SourceList, UnknownContent
from protocols.settings import Settings

__all__ = ["DEFAULT_CONTENT", "Library", "UnknownContent", "agency_from_env", "content_from_env",
           "default_library", "load_library"]

def _read_bytes(file: Path) -> bytes | None:
    try:
        return file.read_bytes()
    except OSError:
        return None


def load_library(content_dir: Path | str | None = None, agency: Path | str | None = None) -> Library:
    """Read and validate every content file; raise ``ContentError`` listing all problems.

    ``agency`` is an agency profile (``agency.yaml``) whose overlay adds and changes content.
    """
    root = Path(content_dir) if content_dir is not None else DEFAULT_CONTENT
    if not root.is_dir():
        raise ContentError([Problem(root, None, "", "the content folder does not exist",
                                    "pass the folder that holds protocols/, rights/ and the rest")])
    reading = _Reading(root)
    sources = reading.read_sources()
    reading.refuse_unknown_folders()
    for kind, model in CONTENT_KINDS.items():
        reading.read_kind(kind, model)
    profile: AgencyProfile | None = None
    agency_rules: list[Path] = []
    if agency is not None:
        profile = _apply_agency(Path(agency), reading, agency_rules)
    library = Library(
        content_dir=root,
        sources=sources,
        files=reading.files,
        digest=reading.hasher.hexdigest()[:12],
        agency=profile,
        **reading.tables,  # type: ignore[arg-type]
    )
    problems = reading.problems
    problems.extend(cross_file_problems(library, reading.where, frozenset(reading.broken), book_root(root)))
    problems.extend(library_problems(library, reading.where))
    problems.extend(safety_problems(library, reading.where, rule_files(root, agency_rules)))
    if problems:
        raise ContentError(problems)
    return library


@dataclass
class _Reading:
    """What loading one content folder has gathered so far: the objects, where each came from,
    the problems found, and the hash of every byte read."""

    root: Path
    problems: list[Problem] = field(default_factory=list)
    tables: dict[str, dict[str, BaseModel]] = field(default_factory=lambda: {kind: {} for kind in CONTENT_KINDS})
    files: dict[tuple[str, str], Path] = field(default_factory=dict)
    docs: dict[tuple[str, str], YamlDocument] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)
    """Stems of files that failed to load: references to them are not reported twice."""
    changed: dict[str, ChangeOrigins] = field(default_factory=dict)
    """Protocols an agency's change file altered, with where each changed field came from."""
    hasher: Any = field(default_factory=hashlib.sha256)

    def read_sources(self) -> dict[str, Source]:
        """The citations of ``sources.yaml``, by id."""
        sources: dict[str, Source] = {}
        sources_file = self.root / "sources.yaml"
        if not sources_file.is_file():
            self.problems.append(Problem(_shown(sources_file, self.root), None, "", "sources.yaml is missing",
                                         "create it with a `sources:` list of citations"))
            return sources
        raw = _read_bytes(sources_file)
        self.hasher.update(raw or b"")
        loaded, sources_doc = _load_one(sources_file, SourceList, "sources", self.problems, self.root, raw)
        if isinstance(loaded, SourceList) and sources_doc is not None:
            locate = document_locator(_shown(sources_file, self.root), sources_doc)
            self.problems.extend(repeated_id_problems(loaded, "", locate))
            sources.update((source.id, source) for source in loaded.sources)
        return sources

    def refuse_unknown_folders(self) -> None:
        """A folder that is not a kind of content is named, never skipped in silence."""
        for entry in sorted(self.root.iterdir()):
            if entry.is_dir() and entry.name not in CONTENT_KINDS and not entry.name.startswith("."):
                self.problems.append(Problem(_shown(entry, self.root), None, "",
                                             f"unknown content folder `{entry.name}`",
                                             f"use one of: {', '.join(CONTENT_KINDS)}"))

    def read_kind(self, kind: str, model: type[BaseModel]) -> None:
        """Every ``.yaml`` file of one content folder."""
        folder = self.root / kind
        if not folder.is_dir():
            return
        for file in sorted(folder.iterdir()):
            if file.name.startswith(".") or file.is_dir():
                continue
            if file.suffix not in (".yaml", ".yml"):
                self.problems.append(Problem(_shown(file, self.root), None, "",
                                             "only .yaml files belong in a content folder",
                                             "rename it to .yaml or move it out of the content folder"))
                continue
            raw = _read_bytes(file)
            self.hasher.update(file.name.encode() + b"\0" + (raw or b""))
            obj, doc = _load_one(file, model, file.stem, self.problems, self.root, raw)
            if obj is None or doc is None:
                self.broken.add(file.stem)
                continue
            self._add(kind, file, obj, doc)

    def _add(self, kind: str, file: Path, obj: BaseModel, doc: YamlDocument) -> None:
        """Keep one loaded object, unless its id disagrees with its file name or is taken."""
        obj_id = str(getattr(obj, "id"))  # noqa: B009 - every content model has an id
        shown = _shown(file, self.root)
        if obj_id != file.stem:
            self.problems.append(Problem(shown, doc.line_for(("id",)), "id",
                                         f"the id `{obj_id}` does not match the file name `{file.name}`",
                                         f"rename the file to `{obj_id}.yaml` or change the id"))
        if obj_id in self.tables[kind]:
            first_line = self.docs[(kind, obj_id)].line_for(("id",))
            first = f"{_shown(self.files[(kind, obj_id)], self.root)}:{first_line}"
            self.problems.append(Problem(shown, doc.line_for(("id",)), "id",
                                         f"the id `{obj_id}` is already used by {first}",
                                         f"change the id here to a new one and rename this file to match, "
                                         f"or delete this file if it is a copy of {first}"))
            return
        self.tables[kind][obj_id] = obj
        self.files[(kind, obj_id)] = file
        self.docs[(kind, obj_id)] = doc

    def where(self, kind: str, obj_id: str, path: Key) -> tuple[Path | None, int | None, Key]:
        """The file and line a field of a loaded object came from (an agency's change file for
        the fields it changed)."""
        origins = self.changed.get(obj_id) if kind == "protocols" else None
        if origins is not None:
            in_change, path = origins.origin(path)
            if in_change:
                return origins.source.file, origins.source.line(path), path
        file = self.files.get((kind, obj_id))
        doc = self.docs.get((kind, obj_id))
        if file is None or doc is None:
            return None, None, path
        return _shown(file, self.root), doc.line_for(path), path


def _apply_agency(profile_file: Path, reading: _Reading, safety_rule_files: list[Path]) -> AgencyProfile | None:
    """Merge an agency's overlay into what was read; add any problems found, and its safety-rules files."""
    try:
        overlay = read_overlay(profile_file)
    except ContentError as exc:
        reading.problems.extend(exc.problems)
        return None
    safety_rule_files.extend(overlay.safety_rules)
    # the overlay's files are hashed as read (YamlDocument.sha256), never read a second time
    reading.hasher.update(overlay.profile_doc.sha256.encode())
    _add_agency_files(overlay, reading)
    _apply_agency_changes(overlay, reading)
    _check_profile_names(overlay, reading)
    return overlay.profile


def _add_agency_files(overlay: Overlay, reading: _Reading) -> None:
    """The overlay's own content files, refused when they would replace shipped content."""
    tables, problems = reading.tables, reading.problems
    for (kind, obj_id), file in overlay.added_files.items():
        doc = overlay.added_docs[(kind, obj_id)]
        reading.hasher.update(doc.sha256.encode())
        if obj_id in tables[kind]:
            if kind == "instruments":
                message = f"the shipped instrument `{obj_id}` is locked and cannot be replaced"
                fix = "add a licensed instrument under a new id and name it in the profile"
            else:
                message = f"the id `{obj_id}` is already used by the shipped content"
                fix = f"use a new id, or change the shipped one with changes/{obj_id}.yaml"
            problems.append(Problem(file, doc.line_for(("id",)), "id", message, fix))
            continue
        tables[kind][obj_id] = overlay.added[kind][obj_id]
        reading.files[(kind, obj_id)] = file
        reading.docs[(kind, obj_id)] = doc


def _apply_agency_changes(overlay: Overlay, reading: _Reading) -> None:
    """The overlay's change files, each applied to the shipped protocol it names."""
    tables, problems = reading.tables, reading.problems
    for protocol_id, source in overlay.changes.items():
        reading.hasher.update(source.doc.sha256.encode())
        line = source.line(("protocol",))
        if protocol_id in tables["instruments"]:
            problems.append(Problem(source.file, line, "protocol", f"`{protocol_id}` is a screening instrument; "
                                    "its wording and rules are locked", "remove this change file"))
            continue
        base = tables["protocols"].get(protocol_id)
        if base is None:
            problems.append(Problem(source.file, line, "protocol", f"there is no protocol `{protocol_id}` to change",
                                    f"use one of: {', '.join(sorted(tables['protocols']))}"))
            continue
        try:
            result = apply_change(base, source, overlay.profile.short_name)  # type: ignore[arg-type]
        except ContentError as exc:
            problems.extend(exc.problems)
            continue
        tables["protocols"][protocol_id] = result.protocol
        reading.changed[protocol_id] = result.origins


def _check_profile_names(overlay: Overlay, reading: _Reading) -> None:
    """The rights notices, instrument and directory the profile names must exist."""
    profile = overlay.profile
    for setting, kind, ids in (("rights_notices", "rights", profile.rights_notices),
                             ("screening_instrument", "instruments", [profile.screening_instrument]),
                             ("resource_directory", "resources", [profile.resource_directory])):
        for index, obj_id in enumerate(ids):
            if obj_id not in reading.tables[kind]:
                key: Key = (setting, index) if setting == "rights_notices" else (setting,)
                reading.problems.append(Problem(overlay.profile_file, overlay.profile_doc.line_for(key),
                                                dotted("agency", key), f"there is no {kind} `{obj_id}`",
                                                f"use one of: {', '.join(sorted(reading.tables[kind]))}"))


def agency_from_env() -> Path | None:
    """The agency profile the agency setting (:data:`protocols.settings.AGENCY`) names, if any."""
    return Settings.from_env().agency


def content_from_env() -> Path | None:
    """The content folder the content setting (:data:`protocols.settings.CONTENT`) names, if any."""
    return Settings.from_env().content


@cache
def default_library() -> Library:
    """The content this process uses (its content and agency settings), loaded once.

    A job-aid kernel started by ``handbook serve`` takes the server's validated snapshot
    (:data:`protocols.settings.LIBRARY_SNAPSHOT`) when it still matches the content files.
    """
    settings = Settings.from_env()
    if settings.library_snapshot is not None:
        saved = read_snapshot(settings.library_snapshot, settings.content, settings.agency)
        if saved is not None:
            return saved
    return load_library(settings.content, settings.agency)


def _shown(file: Path, root: Path) -> Path:
    """The path as a trainer sees it: relative to the working folder when possible."""
    return shown_path(file)


def _load_one(file: Path, model: type[BaseModel], prefix: str, problems: list[Problem],
              root: Path, raw: bytes | None) -> tuple[BaseModel | None, YamlDocument | None]:
    """Parse and validate one file from its bytes (``None``: it could not be read)."""
    shown = _shown(file, root)
    doc, read_problems = parse_yaml(raw, shown) if raw is not None else read_yaml(file, shown)
    if doc is None:
        problems.extend(read_problems)
        return None, None
    try:
        return model.model_validate(doc.data), doc
    except ValidationError as exc:
        problems.extend(problems_from(exc, model, doc, shown, prefix))
        return None, doc
