"""The built book as the server serves it: its pages, theme files and its error pages.

:class:`BookHandler` carries its own security headers, confinement and entity tags, so
``handbook preview`` can serve a build with it alone.
"""

from __future__ import annotations

from typing import Any

from tornado import web

from protocols.serve.confinement import ConfinedFiles
from protocols.serve.policy import SECURITY_HEADERS, content_security_policy, policy_kind
from protocols.serve.precompressed import CurrentVersion

BOOK_ASSET_CACHE_SECONDS = 24 * 3600


class BookHandler(ConfinedFiles, CurrentVersion, web.StaticFileHandler):
    """Serves the built book; ``/`` is its home page. Confined to the book folder on its own
    too, with its security headers and entity tags (``handbook preview`` serves a build with
    it, without the rest of the server)."""

    def set_default_headers(self) -> None:
        for name, value in SECURITY_HEADERS.items():
            self.set_header(name, value)
        self.set_header("Content-Security-Policy", content_security_policy(policy_kind(self.request.path)))
        self.clear_header("Server")

    async def get(self, path: str, include_body: bool = True) -> None:
        if not path or path.endswith("/"):
            path = f"{path}index.html"
        await super().get(path, include_body)

    def get_cache_time(self, path: str, modified: Any, mime_type: str) -> int:
        """Theme files and checklist modules change only with a new build: keep them a day.
        Pages (and the service worker, which names the edition) revalidate."""
        return BOOK_ASSET_CACHE_SECONDS if path.startswith("_static/") else 0

    def set_extra_headers(self, path: str) -> None:
        if not path.startswith("_static/"):
            self.set_header("Cache-Control", "no-cache")

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        message = "That page is not in the handbook." if status_code in (403, 404) else "Something went wrong."
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
