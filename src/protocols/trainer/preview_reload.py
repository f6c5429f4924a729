"""``handbook preview`` reloads the open page by itself after each rebuild.

The preview serves the build with :class:`PreviewPages`, which adds one script
(``ui/static/preview_reload.js``) to every HTML page it sends, naming the build the page
came from. The script asks :data:`BUILD_ROUTE` whether that is still the latest build; the
server holds the question open until a new build is ready (or :data:`WAIT_SECONDS` pass),
so a page reloads within moments of a rebuild without polling. Nothing of this is written
into the built site: the published book never has the script.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import secrets
import threading
from pathlib import Path

from tornado import web

from protocols.serve.book_pages import BookHandler
from protocols.serve.confinement import bad_file_path
from protocols.serve.policy import SECURITY_HEADERS, content_security_policy, policy_kind

SCRIPT = Path(__file__).parents[1] / "ui" / "static" / "preview_reload.js"
SCRIPT_ROUTE = "/_preview/reload.js"
BUILD_ROUTE = "/_preview/build"
WAIT_SECONDS = 25.0
"""How long a question to :data:`BUILD_ROUTE` is held open before it is answered "no change"."""
_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)


class BuildGeneration:
    """Which build the preview serves: an id that changes after every build (thread-safe).

    The id starts with a random part, so a page left open across a restart of the preview
    reloads too.
    """

    def __init__(self) -> None:
        self._prefix = secrets.token_hex(4)
        self._count = 0
        self._lock = threading.Lock()
        self._waiting: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    @property
    def current(self) -> str:
        return f"{self._prefix}-{self._count}"

    def bump(self) -> None:
        """A build finished (from any thread): answer every open question."""
        with self._lock:
            self._count += 1
            waiting, self._waiting = self._waiting, []
        for loop, future in waiting:
            loop.call_soon_threadsafe(_wake, future)

    async def changed_from(self, seen: str, timeout: float = WAIT_SECONDS) -> None:
        """Return once the build is no longer ``seen``, or after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            if self.current != seen:
                return
            self._waiting.append((loop, future))
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            pass
        finally:
            with self._lock:
                if (loop, future) in self._waiting:
                    self._waiting.remove((loop, future))


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def with_reload_script(page: bytes, build: str) -> bytes:
    """``page`` with the reload script added at the end of its head (or at the end)."""
    tag = (f'<script src="{SCRIPT_ROUTE}" data-build="{build}" data-endpoint="{BUILD_ROUTE}" defer>'
           "</script>").encode()
    match = _HEAD_END.search(page)
    if match is None:
        return page + tag
    return page[:match.start()] + tag + page[match.start():]


class _PreviewHeaders:
    """The security headers every route of the preview sends, chosen by path as in ``serve``."""

    def set_default_headers(self) -> None:
        handler: web.RequestHandler = self  # type: ignore[assignment]
        for name, value in SECURITY_HEADERS.items():
            handler.set_header(name, value)
        handler.set_header("Content-Security-Policy", content_security_policy(policy_kind(handler.request.path)))
        handler.clear_header("Server")


class PreviewPages(BookHandler):
    """The built book, each HTML page with the reload script; other files as ``serve`` sends them."""

    builds: BuildGeneration

    def initialize(self, path: str, builds: BuildGeneration) -> None:  # type: ignore[override]
        super().initialize(path)
        self.builds = builds

    async def get(self, path: str, include_body: bool = True) -> None:
        page = f"{path}index.html" if not path or path.endswith("/") else path
        if not page.lower().endswith((".html", ".htm")) or bad_file_path(page):
            await super().get(path, include_body)
            return
        self.path = self.parse_url_path(page)
        absolute = self.validate_absolute_path(self.root, self.get_absolute_path(self.root, self.path))
        if absolute is None:
            return
        self.absolute_path = absolute
        try:
            body = with_reload_script(Path(absolute).read_bytes(), self.builds.current)
        except OSError:
            raise web.HTTPError(404) from None
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-cache")
        # The tag follows the bytes sent (the page and the build it names), so a reload after a
        # rebuild always gets the new page.
        self.set_header("Etag", f'"{hashlib.sha256(body).hexdigest()[:40]}"')
        if self.check_etag_header():
            self.set_status(304)
            return
        self.set_header("Content-Length", len(body))
        if include_body:
            self.write(body)


class BuildQuestion(_PreviewHeaders, web.RequestHandler):
    """``GET /_preview/build?seen=ID``: ``{"build": ID}`` once the build is not ``seen``."""

    builds: BuildGeneration
    gone = False
    """The page was closed or reloaded while the question waited."""

    def initialize(self, builds: BuildGeneration) -> None:
        self.builds = builds

    def on_connection_close(self) -> None:
        self.gone = True

    async def get(self) -> None:
        await self.builds.changed_from(self.get_query_argument("seen", ""))
        if self.gone:
            return
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps({"build": self.builds.current}))


class ReloadScript(_PreviewHeaders, web.RequestHandler):
    """``GET /_preview/reload.js``: the script :class:`PreviewPages` adds to each page."""

    def get(self) -> None:
        self.set_header("Content-Type", "application/javascript; charset=UTF-8")
        self.set_header("Cache-Control", "no-cache")
        self.finish(SCRIPT.read_bytes())


Route = tuple[str, type[web.RequestHandler], dict[str, object]]


def preview_routes(folder: Path, builds: BuildGeneration) -> list[Route]:
    """The preview's routes: the two above, then the built book at ``/``."""
    return [
        (BUILD_ROUTE, BuildQuestion, {"builds": builds}),
        (SCRIPT_ROUTE, ReloadScript, {}),
        (r"/(.*)", PreviewPages, {"path": str(folder), "builds": builds}),
    ]
