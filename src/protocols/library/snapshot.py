"""A validated library saved once by ``handbook serve`` and reused by every job-aid kernel.

Reading and validating the YAML content takes each kernel about half a second of CPU; a
server starting twenty kernels for twenty supervisors spends ten seconds on it. The server
validates the content once, writes the result into a private folder it made for this run,
and names the file in the snapshot setting (:data:`protocols.settings.LIBRARY_SNAPSHOT`); a
kernel loads it in milliseconds.

The snapshot carries a key made from every content and agency file's bytes: if a trainer
edits a file while the server runs, the key no longer matches and the kernel reads the
YAML as before (so it reports the edit's problems too). The file is a pickle written by the
same user into a folder only that user can read; it is never read from anywhere else.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import tempfile
from pathlib import Path

from protocols.library.container import DEFAULT_CONTENT, Library
from protocols.settings import LIBRARY_SNAPSHOT

ENV = LIBRARY_SNAPSHOT.name
"""The variable that names the snapshot (kept for callers that set it by name)."""
FORMAT = 1
PREFIX = "handbook-library-"
OWNER_FILE = "server.pid"
"""The process id of the server that made the folder (so a later server can tidy up after a crash)."""


def content_files(content_dir: Path | None, agency: Path | None) -> list[tuple[str, Path]]:
    """Every file the library is built from, as (name relative to its folder, path): the
    content folder's YAML, then the agency's folder's."""
    folders = [content_dir or DEFAULT_CONTENT]
    if agency is not None:
        folders.append(agency.parent)
    return [(str(file.relative_to(folder)), file) for folder in folders for file in sorted(folder.rglob("*.yaml"))]


def content_key(content_dir: Path | None, agency: Path | None) -> str:
    """A hash of every content file (and the agency's folder) that the library is built from."""
    hasher = hashlib.sha256(f"format {FORMAT}".encode())
    if agency is not None:
        hasher.update(str(agency.resolve()).encode())
    for name, file in content_files(content_dir, agency):
        hasher.update(name.encode())
        hasher.update(file.read_bytes())
    return hasher.hexdigest()


def write_snapshot(library: Library, content_dir: Path | None, agency: Path | None,
                   parent: Path | None = None) -> Path:
    """Save the library into a new private folder (under ``parent``, else the temp folder)."""
    folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))  # mode 0700
    (folder / OWNER_FILE).write_text(str(os.getpid()), encoding="ascii")
    path = folder / "library.pickle"
    payload = {"format": FORMAT, "key": content_key(content_dir, agency), "library": library}
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def read_snapshot(path: Path, content_dir: Path | None, agency: Path | None) -> Library | None:
    """The saved library if it is this user's private file and still matches the content, else None."""
    try:
        info = path.stat()
        folder = path.parent.stat()
    except OSError:
        return None
    if info.st_uid != os.getuid() or folder.st_uid != os.getuid() or folder.st_mode & 0o077:
        return None
    try:
        with path.open("rb") as handle:
            payload = pickle.load(handle)
        key = content_key(content_dir, agency)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT or payload.get("key") != key:
        return None
    library = payload.get("library")
    return library if isinstance(library, Library) else None


def remove_abandoned(parent: Path | None = None) -> int:
    """Remove this user's snapshot folders whose server is gone (killed, so it could not tidy up).

    Only folders this user owns, with a server process id that no longer runs, are removed;
    anything else is left alone. Returns how many were removed.
    """
    removed = 0
    for folder in Path(parent or tempfile.gettempdir()).glob(f"{PREFIX}*"):
        try:
            if folder.is_symlink() or not folder.is_dir() or folder.stat().st_uid != os.getuid():
                continue
            pid = int((folder / OWNER_FILE).read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            continue
        if pid <= 0 or _running(pid):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: running
    return True
