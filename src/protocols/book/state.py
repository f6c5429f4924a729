"""What the extension keeps during a build: the loaded content on the app, link targets on the env.

The app's :class:`BuildState` is per process and never pickled. The tables on the build
environment (where each object is rendered, which pages hold cross-links, which pages list a
whole content folder) are pickled with it, so the event handlers here keep them right across
incremental and parallel builds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from protocols.library.loader import Library


@dataclass
class BuildState:
    """Per-build state kept on the Sphinx app (not pickled with the environment)."""

    library: Library | None = None
    content_dir: Path | None = None
    agency_files: tuple[Path, ...] = ()
    """The agency profile and its overlay files: every content page depends on them."""
    failed: int = 0
    logo: str | None = None
    """The agency logo's file name in ``_static``, when the profile names one."""
    history: tuple[dict[str, list[Any]], set[str]] | None = None
    """The book's git history and uncommitted files (:mod:`protocols.book.history`), read once."""


def build_state(app: Sphinx) -> BuildState:
    """The app's state, made on first use."""
    state = getattr(app, "_handbook_state", None)
    if state is None:
        state = BuildState()
        app._handbook_state = state  # type: ignore[attr-defined]
    return state


def targets(env: BuildEnvironment) -> dict[str, dict[str, list[str]]]:
    """``"kind:id"`` → {docname: [anchor]}: where each object is rendered."""
    if not hasattr(env, "handbook_targets"):
        env.handbook_targets = {}  # type: ignore[attr-defined]
    return env.handbook_targets  # type: ignore[attr-defined,no-any-return]


def note_target(env: BuildEnvironment, kind: str, obj_id: str) -> None:
    """Record that the page being read shows ``kind:obj_id`` at the anchor ``kind-obj_id``."""
    places = targets(env).setdefault(f"{kind}:{obj_id}", {})
    places.setdefault(env.docname, []).append(f"{kind}-{obj_id}")


def xref_docs(env: BuildEnvironment) -> set[str]:
    """The pages whose HTML holds cross-links to resolve."""
    if not hasattr(env, "handbook_xref_docs"):
        env.handbook_xref_docs = set()  # type: ignore[attr-defined]
    return env.handbook_xref_docs  # type: ignore[attr-defined,no-any-return]


def listings(env: BuildEnvironment) -> dict[str, dict[str, list[str]]]:
    """docname → {content folder: file names}: pages that show every file of a folder."""
    if not hasattr(env, "handbook_listings"):
        env.handbook_listings = {}  # type: ignore[attr-defined]
    return env.handbook_listings  # type: ignore[attr-defined,no-any-return]


def folder_listing(folder: Path) -> list[str]:
    """The YAML file names in ``folder`` (empty when it cannot be read)."""
    try:
        return sorted(p.name for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))
    except OSError:
        return []


def note_listing(env: BuildEnvironment, folder: Path) -> None:
    """Re-read this page when a file is added to or removed from ``folder``."""
    listings(env).setdefault(env.docname, {})[str(folder)] = folder_listing(folder)


def files_for(library: Library, kind: str, obj_id: str) -> list[Path]:
    """The YAML files an object's rendering depends on: its own file and the citations."""
    files = []
    file = library.files.get((kind, obj_id))
    if file is not None:
        files.append(file)
    sources = library.content_dir / "sources.yaml"
    if sources.is_file():
        files.append(sources)
    return files


def purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    """``env-purge-doc``: forget what a page recorded before it is read again."""
    for places in targets(env).values():
        places.pop(docname, None)
    xref_docs(env).discard(docname)
    listings(env).pop(docname, None)


def outdated(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
             removed: set[str]) -> list[str]:
    """``env-get-outdated``: pages listing a whole content folder, when a file came or went."""
    return [docname for docname, folders in listings(env).items()
            if docname not in removed
            and any(folder_listing(Path(folder)) != names for folder, names in folders.items())]


def merge_info(app: Sphinx, env: BuildEnvironment, docnames: set[str],
               other: BuildEnvironment) -> None:
    """``env-merge-info``: take what a parallel reader recorded for its pages."""
    table = targets(env)
    for key, places in targets(other).items():
        for docname, anchors in places.items():
            if docname in docnames:
                table.setdefault(key, {})[docname] = anchors
    xref_docs(env).update(d for d in xref_docs(other) if d in docnames)
    listings(env).update({d: v for d, v in listings(other).items() if d in docnames})
