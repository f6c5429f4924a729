"""Voila's front-end chunks for a job-aid page in one response, not seventy.

Voila's front end is a webpack build split into about 240 numbered chunks
(``<n>.voila.js``); a job-aid page loads some seventy of them one request at a time, each
found only once the chunk before it has run. With twenty supervisors opening aids at once,
those requests were a quarter of the server's work, and on one phone they made a waterfall.

A chunk file only registers its modules with the page's webpack runtime (``push`` onto a
global array); the runtime installs whatever is already there when it starts and never
fetches an installed chunk. So the page template loads, just before Voila's ``voila.js``,
:data:`ROUTE`: the chunks listed in ``front_end_chunks.json``, read from the installed
Voila and joined once per server. The list only says which chunks; their text is always
the installed Voila's. A chunk missing from the list is fetched as before; a listed chunk
a page does not need costs only its parsing. ``scripts/record_front_end_chunks.py``
refreshes the list by opening every job aid in Chromium.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tornado import web

CHUNK_LIST = Path(__file__).with_name("front_end_chunks.json")
ROUTE = "/voila/handbook/front-end-chunks.js"
CHUNK_NAME = re.compile(r"[0-9]+\.voila\.js")
"""What a numbered chunk of Voila's front end is called (nothing else is ever joined)."""


@dataclass(frozen=True)
class Bundle:
    """The joined chunks: plain and gzip-compressed, with an entity tag."""

    body: bytes
    gzipped: bytes
    etag: str
    chunks: tuple[str, ...]


@dataclass(frozen=True)
class ChunkList:
    """The list file as read: the Voila it was recorded with, its chunk names, what is wrong."""

    voila: str | None
    chunks: tuple[str, ...]
    problem: str | None = None


def read_chunk_list(path: Path = CHUNK_LIST) -> ChunkList:
    """The list file; an unreadable or malformed file gives no chunks and says why."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return ChunkList(None, (), f"{path} cannot be read ({exc.strerror or exc})")
    except ValueError as exc:
        return ChunkList(None, (), f"{path} is not JSON ({exc})")
    if not isinstance(data, dict) or not isinstance(data.get("chunks"), list):
        return ChunkList(None, (), f'{path} needs {{"voila": VERSION, "chunks": [NAME, ...]}}')
    names = data["chunks"]
    chunks = tuple(n for n in names if isinstance(n, str) and CHUNK_NAME.fullmatch(n))
    bad = [n for n in names if n not in chunks]
    problem = f"{path}: not chunk names (<n>.voila.js), left out: {bad[:3]}" if bad else None
    voila = data.get("voila")
    return ChunkList(voila if isinstance(voila, str) else None, chunks, problem)


def listed_chunks(path: Path = CHUNK_LIST) -> list[str]:
    """The chunk names in the list file; an unreadable or malformed list means none."""
    return list(read_chunk_list(path).chunks)


def stale_list_note(path: Path = CHUNK_LIST) -> str | None:
    """What to say at start when the list is damaged or recorded with another Voila."""
    from importlib.metadata import PackageNotFoundError, version

    listed = read_chunk_list(path)
    refresh = "refresh it with `python scripts/record_front_end_chunks.py`"
    if listed.problem is not None:
        return f"note: the job aids' front-end chunk list: {listed.problem}; {refresh}"
    try:
        installed = version("voila")
    except PackageNotFoundError:
        return None
    if listed.voila == installed:
        return None
    return (f"note: the job aids' front-end chunk list was recorded with Voila {listed.voila}, this is "
            f"Voila {installed}: pages still work, some chunks load one by one; {refresh}")


def join_chunks(names: Iterable[str], static_dirs: Sequence[str]) -> Bundle:
    """The named chunks found in ``static_dirs`` (the first folder holding each), in order."""
    parts: list[bytes] = []
    found: list[str] = []
    for name in names:
        if not CHUNK_NAME.fullmatch(name):
            continue
        for folder in static_dirs:
            candidate = Path(folder) / name
            if candidate.is_file():
                parts.append(candidate.read_bytes().rstrip() + b"\n")
                found.append(name)
                break
    body = b"".join(parts) or b"/* no front-end chunks listed */\n"
    return Bundle(body, gzip.compress(body, 6, mtime=0), f'"{hashlib.sha256(body).hexdigest()[:32]}"',
                  tuple(found))


@functools.cache
def page_bundle(static_dirs: tuple[str, ...]) -> Bundle:
    """The listed chunks from the folders Voila serves ``/voila/static/`` from, joined once."""
    return join_chunks(listed_chunks(), static_dirs)


class FrontEndChunksHandler(web.RequestHandler):
    """Serves :func:`page_bundle`, gzip-compressed when the browser takes it.

    Tornado's own entity-tag handling answers a revalidation with 304; the tag is the
    bundle's, one per encoding, not a hash of the body per response.
    """

    def initialize(self, static_dirs: Sequence[str]) -> None:
        self.static_dirs = tuple(static_dirs)
        self.compressed = False

    def get(self) -> None:
        bundle = page_bundle(self.static_dirs)
        self.compressed = "gzip" in self.request.headers.get("Accept-Encoding", "")
        self.set_header("Content-Type", "application/javascript; charset=UTF-8")
        self.set_header("Cache-Control", "no-cache")
        self.set_header("Vary", "Accept-Encoding")
        if self.compressed:
            self.set_header("Content-Encoding", "gzip")
        self.write(bundle.gzipped if self.compressed else bundle.body)

    def compute_etag(self) -> str:
        etag = page_bundle(self.static_dirs).etag
        return etag[:-1] + '-gz"' if self.compressed else etag
