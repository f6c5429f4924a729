"""The routes the server answers: the Voila routes a reader needs, the idle lock's, and the book.

Every route is wrapped by :func:`guarded`, so the request checks (``guard``), file confinement
(``confinement``), precompressed files and entity tags (``precompressed``) hold for all of
them, including Voila's own static files, websockets and error pages.
"""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path
from typing import Any

from tornado import web

from protocols.serve import session_lock
from protocols.serve.book_pages import BookHandler, NoBookHandler
from protocols.serve.confinement import ConfinedFiles, InstalledFiles, RememberedLookup, TemplateFiles
from protocols.serve.guard import Guarded, GuardPolicy
from protocols.serve.kernels import JobAidKernels
from protocols.serve.precompressed import CurrentVersion, Precompressed

RENDER_ROUTE = r"/voila/render/([A-Za-z0-9][A-Za-z0-9_-]{0,99}\.ipynb)"
"""Job aids: one flat folder of notebooks with plain names. Anything else is not a route."""
_KEPT_ROUTE_PREFIXES = (
    "/api/kernels/",          # the kernel a job-aid page talks to, and its websocket
    "/voila/templates/",      # the template's CSS and JS
    "/voila/static/",         # Voila's front end
    "/voila/labextensions/",  # widget front ends (ipywidgets, anywidget)
    "/voila/api/themes/",
    "/voila/api/shutdown/",   # a page closing its own kernel
    "/voila/query/",          # preheated kernels learn their request
    "/login",
    "/logout",
)
"""Voila routes kept; any other route Voila registers (file downloads, the tree,
the contents API, and whatever a future version adds) is dropped."""


class _PlainErrors:
    """Error pages as one plain line: Jupyter's error template cannot render here (it needs
    settings standalone Voila does not have) and would only log a traceback."""

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        handler: Any = self
        handler.set_header("Content-Type", "text/plain; charset=utf-8")
        try:
            reason = HTTPStatus(status_code).phrase
        except ValueError:
            reason = "Error"
        handler.finish(f"{status_code} {reason}\n")


def guarded(cls: type[Any], policy: GuardPolicy, *, job_aid_page: bool = False) -> type[Any]:
    """``cls`` with the shared request checks, and file confinement for file routes."""
    from jupyter_server.base.handlers import APIHandler
    from jupyter_server.services.kernels.websocket import KernelWebsocketHandler
    from voila.handler import BaseVoilaHandler
    from voila.static_file_handler import MultiStaticFileHandler, TemplateStaticFileHandler

    from protocols.serve.session_lock import LockedKernelChannel, SessionLockHandler

    json_errors = issubclass(cls, (APIHandler, SessionLockHandler))
    bases: tuple[type[Any], ...] = (Guarded,)
    if job_aid_page:
        bases += (JobAidKernels,)
    if issubclass(cls, KernelWebsocketHandler):
        bases += (LockedKernelChannel,)  # a page behind its idle lock sends its kernel nothing
    if issubclass(cls, web.StaticFileHandler):
        bases += (Precompressed,)  # compressed once, then from memory
        if not issubclass(cls, CurrentVersion):
            bases += (CurrentVersion,)  # entity tags follow the file's bytes
    if issubclass(cls, ConfinedFiles):
        pass  # the book (rebuilt while the server runs): confined already, checked every time
    elif issubclass(cls, web.StaticFileHandler):
        bases += (TemplateFiles,) if issubclass(cls, TemplateStaticFileHandler) else (InstalledFiles,)
        if issubclass(cls, MultiStaticFileHandler):
            bases += (RememberedLookup,)
    elif not (json_errors or issubclass(cls, (BaseVoilaHandler, BookHandler, NoBookHandler))):
        bases += (_PlainErrors,)  # JSON from API handlers and Voila's own pages stay as they are
    namespace = {"handbook_policy": policy, "handbook_job_aid_page": job_aid_page,
                 "handbook_json_errors": json_errors, "__module__": __name__}
    return type(f"Guarded{cls.__name__}", (*bases, cls), namespace)


def handbook_routes(voila_routes: list[Any], book_dir: Path, policy: GuardPolicy,
                    idle_lock: dict[str, Any] | None = None) -> list[Any]:
    """Keep the Voila routes a reader needs, guard every one, and add the idle lock's routes
    (``idle_lock``: :func:`protocols.serve.app.idle_lock_settings`) and the book."""
    from voila.static_file_handler import MultiStaticFileHandler

    from protocols.serve.front_end_bundle import ROUTE, FrontEndChunksHandler

    routes: list[Any] = []
    if idle_lock is not None and policy.kernel_owners is not None:
        routes.append((session_lock.ROUTE, guarded(session_lock.SessionLockHandler, policy),
                       {"locks": policy.kernel_owners, **idle_lock}))
    for route in voila_routes:
        pattern, cls, *rest = route
        if pattern.endswith("/voila/static/(.*)") and issubclass(cls, MultiStaticFileHandler) and rest:
            # Voila's front-end chunks in one response (protocols.serve.front_end_bundle), from the
            # same folders as the route that would otherwise serve them one by one.
            routes.append((ROUTE, guarded(FrontEndChunksHandler, policy), {"static_dirs": rest[0]["paths"]}))
        if "/voila/render/" in pattern:
            routes.append((RENDER_ROUTE, guarded(cls, policy, job_aid_page=True), *rest))
        elif pattern.startswith(_KEPT_ROUTE_PREFIXES):
            routes.append((pattern, guarded(cls, policy), *rest))
    if (book_dir / "index.html").is_file():
        routes.append((r"/(.*)", guarded(BookHandler, policy), {"path": str(book_dir)}))
    else:
        routes.append((r"/(.*)", guarded(NoBookHandler, policy)))
    return routes
