"""``handbook preview``: build, serve on this machine, and rebuild when a file changes.

The loop is plain and testable without a browser or a timer:

1. ``scan`` records the size and change time of every watched file (the content folder,
   the agency's folder, ``book/``, ``_toc.yml`` and ``_config.yml``);
2. ``PreviewLoop.step`` compares a new scan with the last one; when something changed it
   validates the content first. Problems are printed with file, line and fix, and the
   build is skipped, so the preview keeps showing the last good build;
3. valid content is rebuilt incrementally (Sphinx reads again only the pages that
   depend on what changed), in a process forked from a warm parent that imported Jupyter
   Book and Sphinx once (``protocols.trainer.warm_build``), and the loop prints
   ``Rebuilt in N s: <pages>``;
4. every build moves the loop's :class:`~protocols.trainer.preview_reload.BuildGeneration` on, and
   a page open in the browser reloads itself (``protocols.trainer.preview_reload``).

``run`` calls ``step`` once a second. There is no extra dependency: polling is enough
for a folder of a few hundred small files.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from protocols.book.build import BuildRun
from protocols.library.errors import ContentError
from protocols.library.loader import DEFAULT_CONTENT, load_library
from protocols.trainer.preview_reload import BuildGeneration, preview_routes

Snapshot = dict[str, tuple[int, int]]
"""file path → (change time in ns, size)."""
SKIPPED_PARTS = frozenset({"__pycache__", ".ipynb_checkpoints", "_build"})
MAX_PAGES_SHOWN = 8


def watched_paths(root: Path, content: Path | None, agency: Path | None) -> list[Path]:
    """What a trainer edits: the content, the agency's folder, the chapters and the book config."""
    paths = [content if content is not None else DEFAULT_CONTENT]
    if agency is not None:
        paths.append(agency.parent)
    paths += [root / "book", root / "_toc.yml", root / "_config.yml"]
    return paths


def _files(path: Path) -> Iterable[Path]:
    if path.is_file():
        yield path
    elif path.is_dir():
        for file in path.rglob("*"):
            parts = file.relative_to(path).parts
            if any(p.startswith(".") or p in SKIPPED_PARTS for p in parts) or file.name.endswith("~"):
                continue  # editor swap and backup files, checkpoints
            if file.is_file():
                yield file


def scan(paths: Iterable[Path]) -> Snapshot:
    """The size and change time of every watched file."""
    found: Snapshot = {}
    for path in paths:
        for file in _files(path):
            try:
                info = file.stat()
            except OSError:
                continue  # removed while scanning: the next scan sees it gone
            found[str(file)] = (info.st_mtime_ns, info.st_size)
    return found


def changed(old: Snapshot, new: Snapshot) -> list[str]:
    """Files added, removed or modified between two scans."""
    return sorted((old.keys() ^ new.keys()) | {k for k in old.keys() & new.keys() if old[k] != new[k]})


def content_problems(content: Path | None, agency: Path | None) -> tuple[list[str], list[str]]:
    """(problems that stop a build, reading-level warnings) for the content and agency."""
    try:
        library = load_library(content, agency)
    except ContentError as exc:
        return [str(p) for p in exc.problems], []
    from protocols.trainer.readability import problems as readability_problems

    return [], [str(p) for p in readability_problems(library)]


@dataclass
class PreviewLoop:
    """Watch → validate → rebuild. ``validate`` and ``build`` can be swapped in tests."""

    paths: list[Path]
    validate: Callable[[], tuple[list[str], list[str]]]
    build: Callable[[], BuildRun]
    echo: Callable[[str], None] = print
    snapshot: Snapshot = field(default_factory=dict)
    builds: int = 0
    """Builds that ran (skipped ones are not counted)."""
    generation: BuildGeneration = field(default_factory=BuildGeneration)
    """Moved on after every build that ran: the pages open in the browser reload."""

    def start(self) -> str:
        """The first scan and build."""
        self.snapshot = scan(self.paths)
        return self._validate_and_build(first=True)

    def step(self) -> str | None:
        """One poll: None when nothing changed, else "invalid", "failed" or "rebuilt"."""
        new = scan(self.paths)
        files = changed(self.snapshot, new)
        if not files:
            return None
        self.snapshot = new
        shown = ", ".join(Path(f).name for f in files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")
        self.echo(f"Changed: {shown}")
        return self._validate_and_build()

    def _validate_and_build(self, first: bool = False) -> str:
        problems, warnings = self.validate()
        if problems:
            for line in problems:
                self.echo(f"  {line}")
            self.echo(f"Not rebuilt: {len(problems)} problem(s) above. The preview still shows the "
                      "last good build. Fix the file and save it again.")
            return "invalid"
        for line in warnings:
            self.echo(f"  reading level: {line}")
        if warnings:
            self.echo(f"{len(warnings)} text(s) are above their reading level. The preview is "
                      "rebuilt, but `handbook validate` will refuse them until they are simpler.")
        result = self.build()
        self.builds += 1
        self.generation.bump()  # even a failed build may have rewritten pages: show what is served
        if not result.ok:
            for line in result.problems()[:40] or result.log.splitlines()[-20:]:
                self.echo(f"  {line}")
            self.echo("The build failed: the lines above name the page and line. Fix them and save.")
            return "failed"
        if first:
            self.echo(f"Built in {result.seconds:.1f} s ({len(result.pages)} pages read).")
            return "rebuilt"
        pages = ", ".join(result.pages[:MAX_PAGES_SHOWN]) if result.pages else "no page needed it"
        if len(result.pages) > MAX_PAGES_SHOWN:
            pages += f" and {len(result.pages) - MAX_PAGES_SHOWN} more"
        self.echo(f"Rebuilt in {result.seconds:.1f} s: {pages}")
        return "rebuilt"

    def run(self, stop: threading.Event, interval: float = 1.0) -> None:
        """Poll every ``interval`` seconds until ``stop`` is set."""
        while not stop.wait(interval):
            self.step()


def make_loop(root: Path, out: Path, *, content: Path | None, agency: Path | None,
              used_agency: Path | None, echo: Callable[[str], None]) -> PreviewLoop:
    """The real loop: validates with ``used_agency`` and builds ``root`` into ``out``, each build
    forked from a warm parent (``protocols.trainer.warm_build``)."""
    from protocols.trainer.warm_build import WarmBuilder

    return PreviewLoop(
        paths=watched_paths(root, content, used_agency),
        validate=lambda: content_problems(content, used_agency),
        build=WarmBuilder(root, out, content, agency).build,
        echo=echo,
    )


class StaticServer:
    """The built site on ``ip:port`` (port 0: any free port), served from a thread; its pages
    reload themselves when ``builds`` moves on (pass the loop's :attr:`PreviewLoop.generation`)."""

    def __init__(self, folder: Path, ip: str = "127.0.0.1", port: int = 0,
                 builds: BuildGeneration | None = None) -> None:
        self.folder = folder
        self.ip = ip
        self.port = port
        self.builds = builds if builds is not None else BuildGeneration()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.ip}:{self.port}/"

    def start(self) -> None:
        from tornado import httpserver, netutil, web

        sockets = netutil.bind_sockets(self.port, self.ip)
        self.port = sockets[0].getsockname()[1]
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            app = web.Application(preview_routes(self.folder, self.builds))
            server = httpserver.HTTPServer(app)
            server.add_sockets(sockets)
            self._loop = loop
            ready.set()
            loop.run_forever()
            server.stop()
            loop.close()

        self._thread = threading.Thread(target=serve, name="handbook-preview", daemon=True)
        self._thread.start()
        ready.wait(10)

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(5)
