"""`handbook serve`: the built book and the Voila job aids at one local address.

Standalone Voila (it refuses code execution from the browser) with our own
template (no CDN requests), sources stripped, template and theme overrides off,
idle kernels culled, and only the routes a reader needs: the book at ``/`` and
the job aids at ``/voila/render/<aid>.ipynb``. No directory listing, no file
downloads.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tornado import web
from traitlets.config import Config

PACKAGE = Path(__file__).parent
VOILA_DATA = PACKAGE / "voila_data"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
        "connect-src 'self' ws: wss:; worker-src 'self' blob:; frame-ancestors 'self'; "
        "base-uri 'self'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "SAMEORIGIN",
}
_DROPPED_ROUTES = ("/voila/tree", "/voila/api/contents", "/voila/files")


@dataclass(frozen=True)
class ServeOptions:
    widgets_dir: Path
    book_dir: Path
    ip: str = "127.0.0.1"
    port: int = 8866
    preheat: bool = True
    pool_size: int = 1
    cull_idle_seconds: int = 35 * 60
    token: str | None = None
    open_browser: bool = False


class BookHandler(web.StaticFileHandler):
    """Serves the built book; ``/`` is its home page."""

    def set_default_headers(self) -> None:
        for name, value in SECURITY_HEADERS.items():
            self.set_header(name, value)

    async def get(self, path: str, include_body: bool = True) -> None:
        if not path or path.endswith("/"):
            path = f"{path}index.html"
        await super().get(path, include_body)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        message = "That page is not in the handbook." if status_code == 404 else "Something went wrong."
        self.finish(
            "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Not found</title>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'></head><body>"
            f"<main><h1>{message}</h1><p><a href='/'>Go to the handbook home page</a> or "
            "<a href='/voila/render/index.ipynb'>the job aids</a>.</p></main></body></html>"
        )


class NoBookHandler(web.RequestHandler):
    """Shown at ``/`` when the book has not been built yet."""

    def get(self, _path: str = "") -> None:
        self.set_status(404)
        self.finish(
            "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Handbook not built</title>"
            "</head><body><main><h1>The handbook has not been built yet</h1>"
            "<p>Run <code>handbook build</code>, then reload. The job aids still work: "
            "<a href='/voila/render/index.ipynb'>open the job aids</a>.</p></main></body></html>"
        )


def voila_config(options: ServeOptions) -> Config:
    """The Voila settings the handbook relies on."""
    c = Config()
    c.Voila.ip = options.ip
    c.Voila.port = options.port
    c.Voila.port_retries = 0
    c.Voila.open_browser = options.open_browser
    c.Voila.root_dir = str(options.widgets_dir)
    c.Voila.tornado_settings = {"headers": dict(SECURITY_HEADERS)}
    if options.token:
        c.Voila.token = options.token
    c.VoilaConfiguration.template = "handbook"
    c.VoilaConfiguration.strip_sources = True
    c.VoilaConfiguration.show_tracebacks = False
    c.VoilaConfiguration.allow_template_override = "NO"
    c.VoilaConfiguration.allow_theme_override = "NO"
    c.VoilaConfiguration.file_allowlist = []
    c.VoilaConfiguration.preheat_kernel = options.preheat
    c.VoilaConfiguration.default_pool_size = options.pool_size
    c.MappingKernelManager.cull_idle_timeout = options.cull_idle_seconds
    c.MappingKernelManager.cull_interval = 60
    c.MappingKernelManager.cull_connected = True
    return c


def make_app(options: ServeOptions) -> Any:
    """A Voila application that also serves the book; call ``.start()`` to run it."""
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (str(VOILA_DATA), os.environ.get("JUPYTER_PATH", "")) if p
    )
    from voila.app import Voila  # imported late: it is slow and needs JUPYTER_PATH set

    book_dir = options.book_dir

    class HandbookVoila(Voila):  # type: ignore[misc]
        def init_handlers(self) -> list[Any]:
            handlers = [
                h for h in super().init_handlers()
                if not any(route in h[0] for route in _DROPPED_ROUTES) and h[0] != self.server_url
            ]
            if (book_dir / "index.html").is_file():
                handlers.append((r"/(.*)", BookHandler, {"path": str(book_dir)}))
            else:
                handlers.append((r"/(.*)", NoBookHandler))
            return handlers

    app = HandbookVoila(config=voila_config(options))
    app.initialize(argv=[])
    return app
