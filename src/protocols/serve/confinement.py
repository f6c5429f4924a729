"""File routes serve only files really inside their folder, and never source, settings or data.

Every file route refuses hidden files, traversal, symlinks that leave the served folder, and
source, configuration and database files (:data:`DENIED_SUFFIXES`), checked on the URL's path
before the disk is touched and again on the real path found.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Awaitable, Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from tornado import web

DENIED_SUFFIXES = frozenset({
    ".ipynb", ".py", ".pyc", ".pyo", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".env", ".j2",
    ".jinja", ".md", ".rst", ".sqlite", ".sqlite3", ".db", ".sh", ".pem", ".key", ".log",
})
"""Never served from any file route, even if someone copies such a file into a served folder."""
_DENIED_ENDINGS = ("-wal", "-shm", "-journal", "-schema.lock")


def bad_file_path(path: str) -> bool:
    """True for any path a file route must never serve, before touching the disk."""
    if not path:
        return False
    if "\\" in path or "\x00" in path or path.startswith("/") or ":" in path.split("/")[0]:
        return True
    parts = path.split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts[:-1]):
        return True
    name = parts[-1]
    if name in (".", "..") or name.startswith("."):
        return True
    lowered = name.lower()
    return PurePosixPath(lowered).suffix in DENIED_SUFFIXES or lowered.endswith(_DENIED_ENDINGS)


def _inside(path: str, roots: Iterable[str]) -> bool:
    """True when ``path``, symlinks followed, is one of ``roots`` or lies within one."""
    real = os.path.realpath(path)
    for root in roots:
        base = _real_root(root)
        if real == base or real.startswith(base.rstrip(os.sep) + os.sep):
            return True
    return False


@functools.lru_cache(maxsize=64)
def _real_root(root: str) -> str:
    """A served folder's real path, resolved once: the folders are fixed when the server starts."""
    return os.path.realpath(root)


def real_job_aid(folder: str, url_path: str) -> bool:
    """False when the page's notebook is a link to (or into) something outside ``folder``,
    or not a plain file: such a notebook would run code nobody put in the job aids."""
    notebook = os.path.join(folder, url_path.rsplit("/", 1)[-1])
    if not os.path.lexists(notebook):
        return True  # Voila answers 404 itself
    return os.path.isfile(notebook) and _inside(notebook, [folder])


class ConfinedFiles:
    """For file routes: refuse bad paths with a plain 404 and never leave the served folders."""

    def get(self, path: str, include_body: bool = True) -> Awaitable[None]:
        if bad_file_path(path):
            raise web.HTTPError(404)
        return super().get(path, include_body)  # type: ignore[misc, no-any-return]

    def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
        result: str | None = super().validate_absolute_path(root, absolute_path)  # type: ignore[misc]
        if result is None:
            return None
        found = getattr(self, "roots", None) or root  # Voila's handlers keep a list; Jupyter's a tuple
        roots = [found] if isinstance(found, str) else list(found)
        if not _inside(result, roots) or bad_file_path(Path(result).name):
            raise web.HTTPError(404)
        return result

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        handler: Any = self
        handler.set_header("Content-Type", "text/plain; charset=utf-8")
        handler.finish("Not found.\n" if status_code in (403, 404) else "Request refused.\n")


_REMEMBERED_LIMIT = 4096
_VALIDATED: dict[tuple[type, str, str], str] = {}
_LOOKED_UP: dict[tuple[tuple[str, ...], str], tuple[str, str]] = {}


def _remember(memo: dict[Any, Any], key: Any, value: Any) -> None:
    if len(memo) >= _REMEMBERED_LIMIT:
        memo.clear()  # bounded: only the few hundred front-end files are ever asked for twice
    memo[key] = value


class InstalledFiles(ConfinedFiles):
    """Voila's front-end files: installed with the server and fixed while it runs, so each file
    a URL leads to is checked (real path, inside a served folder, a file) once, not per request."""

    def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
        key = (type(self), root, absolute_path)
        known = _VALIDATED.get(key)
        if known is not None:
            return known
        result = super().validate_absolute_path(root, absolute_path)
        if result is not None:
            _remember(_VALIDATED, key, result)
        return result


class RememberedLookup:
    """For Voila's merged static folders: which folder holds a file is looked up once."""

    roots: list[str]
    root: str

    def get_absolute_path(self, root: str, path: str) -> str:
        key = (tuple(self.roots), path)
        known = _LOOKED_UP.get(key)
        if known is not None:
            self.root, found = known
            return found
        absolute: str = super().get_absolute_path(root, path)  # type: ignore[misc]
        if os.path.isfile(absolute):
            _remember(_LOOKED_UP, key, (self.root, absolute))
        return absolute


class TemplateFiles(InstalledFiles):
    """Voila's template file route: only ``<template>/static/<file>`` paths."""

    def parse_url_path(self, url_path: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_-]+/static/.+", url_path) or bad_file_path(url_path):
            raise web.HTTPError(404)
        return super().parse_url_path(url_path)  # type: ignore[misc, no-any-return]
