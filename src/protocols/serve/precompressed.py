"""Static files: entity tags and gzip-compressed copies that follow each file's current bytes.

Compressing Voila's front end (about 3.5 MB of scripts per job-aid page) on every request
cost about 0.15 s of a two-core server's time on each page load. A static file handler
with :class:`Precompressed` in its bases answers a client that accepts gzip with bytes
compressed the first time the file was asked for (at the same level as before, so weak
links get the same savings), kept until the file changes.

Tornado keeps the first hash it computes for a file for as long as the server runs, so after
``handbook build`` a reload got "304 Not Modified" and the browser showed the old page.
:class:`CurrentVersion` makes the entity tag a hash of the bytes on disk now: it is kept
only while the file's modification time, change time, size and inode stay the same.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import threading
from typing import Any, ClassVar

COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/xml",
                "image/svg+xml", "application/wasm")
MIN_BYTES = 1024
MAX_FILE_BYTES = 20 * 2**20
MAX_CACHE_BYTES = 96 * 2**20
"""The cache is emptied when it would grow past this (it holds one copy of each front end)."""
LEVEL = 6


FileKey = tuple[int, int, int, int]
"""What must stay the same for a file's bytes to be taken as unchanged: modification time,
change time (both in ns), size and inode (a build that replaces a file gives a new one)."""
MAX_HASHED_BYTES = 64 * 2**20
"""Larger files get no entity tag (the browser revalidates them by modification time)."""
MAX_VERSIONS = 10_000


def file_key(info: os.stat_result) -> FileKey:
    return (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino)


class GzipCache:
    """Compressed copies of files, keyed by path and :data:`FileKey`."""

    def __init__(self, limit: int = MAX_CACHE_BYTES) -> None:
        self.limit = limit
        self._items: dict[str, tuple[FileKey, bytes]] = {}
        """path -> the key of the version compressed, and its compressed bytes."""
        self._size = 0
        self._lock = threading.Lock()

    def get(self, path: str) -> bytes | None:
        """The compressed file, or ``None`` if it is too small, too big or unreadable."""
        try:
            info = os.stat(path)
        except OSError:
            return None
        if not MIN_BYTES <= info.st_size <= MAX_FILE_BYTES:
            return None
        with self._lock:
            found = self._items.get(path)
        if found is not None and found[0] == file_key(info):
            return found[1]
        try:
            with open(path, "rb") as handle:
                before = file_key(os.fstat(handle.fileno()))
                body = gzip.compress(handle.read(), LEVEL, mtime=0)
                after = file_key(os.fstat(handle.fileno()))
        except OSError:
            return None
        if before != after:
            return body  # written to while it was read: send it, keep nothing
        with self._lock:
            replaced = self._items.pop(path, None)
            if replaced is not None:
                self._size -= len(replaced[1])  # an older version of the file: not kept beside it
            if self._size + len(body) > self.limit:
                self._items.clear()
                self._size = 0
            self._items[path] = (after, body)
            self._size += len(body)
        return body


class FileVersions:
    """A content hash per file, computed again whenever the file's :data:`FileKey` changes."""

    def __init__(self, limit: int = MAX_VERSIONS) -> None:
        self.limit = limit
        self._items: dict[str, tuple[FileKey, str]] = {}
        self._lock = threading.Lock()

    def get(self, path: str) -> str | None:
        """A hash of the file's current bytes, or ``None`` if it is unreadable or too big."""
        try:
            key = file_key(os.stat(path))
        except OSError:
            return None
        with self._lock:
            found = self._items.get(path)
        if found is not None and found[0] == key:
            return found[1]
        return self._hash(path)

    def _hash(self, path: str) -> str | None:
        hasher = hashlib.sha256()
        try:
            with open(path, "rb") as handle:
                before = file_key(os.fstat(handle.fileno()))
                if before[2] > MAX_HASHED_BYTES:
                    return None
                for block in iter(functools.partial(handle.read, 1 << 16), b""):
                    hasher.update(block)
                after = file_key(os.fstat(handle.fileno()))
        except OSError:
            return None
        version = hasher.hexdigest()[:40]
        if before == after:  # not written to while it was read: safe to keep
            with self._lock:
                if len(self._items) >= self.limit:
                    self._items.clear()
                self._items[path] = (after, version)
        return version


class CurrentVersion:
    """Mix into a ``tornado.web.StaticFileHandler`` subclass, before it in the bases: its entity
    tag is a hash of the file as it is now (Tornado's own is never computed again)."""

    file_versions: ClassVar[FileVersions] = FileVersions()

    def compute_etag(self) -> str | None:
        path: str | None = getattr(self, "absolute_path", None)
        if path is None:
            return None
        version = self.file_versions.get(path)
        return f'"{version}"' if version else None


class _PerResponse:
    """``get_content`` that is per response on a handler and the file's bytes on the class."""

    def __get__(self, handler: Any, owner: type[Any] | None = None) -> Any:
        if handler is None:
            return super(Precompressed, owner).get_content  # type: ignore[misc]
        return functools.partial(handler._response_content)


class Precompressed:
    """Mix into a ``tornado.web.StaticFileHandler`` subclass, before it in the bases."""

    gzip_cache: ClassVar[GzipCache] = GzipCache()
    _gzip_body: bytes | None = None
    _gzip_checked = False
    absolute_path: str
    request: Any

    def _compressed(self) -> bytes | None:
        """This response's gzip body, if the client takes gzip and the file is worth it."""
        if self._gzip_checked:
            return self._gzip_body
        self._gzip_checked = True
        headers = self.request.headers
        if "gzip" not in headers.get("Accept-Encoding", "") or "Range" in headers:
            return None
        content_type = str(self.get_content_type())  # type: ignore[attr-defined]
        if not content_type.startswith(COMPRESSIBLE):
            return None
        self._gzip_body = self.gzip_cache.get(self.absolute_path)
        return self._gzip_body

    def set_extra_headers(self, path: str) -> None:
        super().set_extra_headers(path)  # type: ignore[misc]
        if self._compressed() is not None:
            self.set_header("Content-Encoding", "gzip")  # type: ignore[attr-defined]

    def compute_etag(self) -> str | None:
        etag: str | None = super().compute_etag()  # type: ignore[misc]
        if etag and self._compressed() is not None:
            etag = etag[:-1] + '-gz"' if etag.endswith('"') else etag + "-gz"
        return etag

    def get_content_size(self) -> int:
        body = self._compressed()
        return len(body) if body is not None else int(super().get_content_size())  # type: ignore[misc]

    def _response_content(self, abspath: str, start: int | None = None, end: int | None = None) -> Any:
        body = self._compressed()
        if body is None:
            return super(Precompressed, type(self)).get_content(abspath, start, end)  # type: ignore[misc]
        return body[start:end]

    get_content = _PerResponse()
    """On a handler: this response's bytes. On the class (Tornado hashes a file's version
    that way): the file's own bytes, as before."""
