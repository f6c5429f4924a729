"""`handbook serve`: the built book and the Voila job aids at one local address.

Standalone Voila (it refuses code execution from the browser) with our own
template (no CDN requests), sources stripped, idle kernels culled, and only the
routes a reader needs: the book at ``/`` and the job aids at
``/voila/render/<aid>.ipynb``. No directory listing, no file downloads.

Every route the server answers is wrapped (``routes.guarded``), so the rules below hold
for all of them, including Voila's own static files, websockets and error pages. This
module only wires them; each rule lives in its own module:

- ``policy``: security headers (CSP, nosniff, referrer, framing) on every response, set by
  one tornado output transform; the policy depends on the path alone, so a 304, a HEAD
  or a 404 for a page carries the policy its 200 did; job-aid pages get a per-response
  script nonce instead of ``'unsafe-inline'``;
- ``precompressed``: static files' entity tags follow the file's bytes on disk, so a
  rebuilt page is never answered "304 Not Modified";
- ``guard``: the ``Host`` header must name this server (DNS-rebinding guard) unless
  authentication is configured; with ``trusted_header`` set, every request must carry the
  user name a reverse proxy puts there; ``?template=`` and ``?theme=`` on a job aid are
  refused with HTTP 400; a new job-aid session is refused while the content differs from
  what the server started with (``content_watch``): the book and the job aids never disagree;
- ``kernel_owners`` and ``kernels``: each job-aid kernel belongs to the page that started
  it: its REST routes and websocket need the secret cookie that page got (another page
  knowing the kernel id gets 403), and the kernel's environment names the signed-in user
  (``auth``: who that is);
- ``session_lock``: a job aid behind its idle lock shows its content again only on the
  server's yes (the token typed again, or the same proxy user); its kernel takes no widget
  message meanwhile;
- ``health``: ``/healthz`` says whether the server may take new job-aid sessions (the content
  in place and unchanged, the records store answering at this schema), for a load balancer
  or orchestrator; ``/healthz/live`` only that the process answers;
- ``confinement``: file routes refuse hidden files, traversal, symlinks that leave the
  served folder, and source, configuration and database files.

See SECURITY.md for the threat model and the tests that prove each rule.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from tornado import web
from traitlets.config import Config

from protocols import settings
from protocols.serve import session_lock
from protocols.serve.auth import auth_problem, recorded_as, trusted_header_identity_provider
from protocols.serve.content_watch import ContentWatch
from protocols.serve.guard import guard_policy
from protocols.serve.health import Readiness, health_routes
from protocols.serve.kernels import kernel_user_environment
from protocols.serve.options import ServeOptions
from protocols.serve.policy import SECURITY_HEADERS, SecurityHeaders
from protocols.serve.routes import handbook_routes
from protocols.serve.session_lock import FailedSignIns, counted_token_identity_provider

__all__ = ["ServeOptions", "auth_problem", "make_app", "recorded_as", "voila_config"]
"""What the command line uses (``auth_problem`` and ``recorded_as`` check and describe the
options before the server starts)."""

PACKAGE = Path(__file__).parent
VOILA_DATA = PACKAGE / "voila_data"
FRONT_END_EXTENSIONS = ("@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8",
                        "anywidget")
"""The JupyterLab extensions a job-aid page loads: ipywidgets 8, Voila's manager for it, anywidget."""


def voila_config(options: ServeOptions, failed_sign_ins: FailedSignIns | None = None) -> Config:
    """The Voila settings the handbook relies on; ``failed_sign_ins`` counts wrong tokens."""
    c = Config()
    c.Voila.ip = options.ip
    c.Voila.port = options.port
    c.Voila.port_retries = 0
    c.Voila.open_browser = options.open_browser
    c.Voila.root_dir = str(options.widgets_dir)
    c.Voila.tornado_settings = {"headers": dict(SECURITY_HEADERS)}
    if options.token:
        c.Voila.token = options.token
        c.Voila.identity_provider_class = counted_token_identity_provider(failed_sign_ins or FailedSignIns())
    if options.trusted_header:
        c.Voila.identity_provider_class = trusted_header_identity_provider(options.trusted_header)
    c.VoilaConfiguration.template = "handbook"
    c.VoilaConfiguration.strip_sources = True
    c.VoilaConfiguration.show_tracebacks = False
    c.VoilaConfiguration.allow_template_override = "NO"
    c.VoilaConfiguration.allow_theme_override = "NO"
    c.VoilaConfiguration.file_allowlist = []
    # Only the widget front ends the job aids use: nothing else installed in the
    # environment (a syntax highlighter, a future extension) is loaded into an aid's page.
    c.VoilaConfiguration.extension_allowlist = list(FRONT_END_EXTENSIONS)
    # A preheated kernel starts before anyone asks for it, so it cannot know who will: with a
    # sign-on proxy every kernel starts for its request, with that request's user.
    c.VoilaConfiguration.preheat_kernel = options.preheat and not options.trusted_header
    c.VoilaConfiguration.default_pool_size = options.pool_size
    c.MappingKernelManager.cull_idle_timeout = options.cull_idle_seconds
    c.MappingKernelManager.cull_interval = 60
    c.MappingKernelManager.cull_connected = True
    # Kernels talk to the server over Unix sockets in the private runtime folder: no TCP port
    # to race for when twenty kernels start at once, none another local user could reach.
    c.KernelManager.transport = "ipc"
    if options.fork_kernels:
        # Kernels forked from a warm parent when ``handbook serve`` runs one (protocols.serve.forkserver).
        from protocols.serve.kernel_provisioner import PROVISIONER

        c.KernelProvisionerFactory.default_provisioner_name = PROVISIONER
    return c


def idle_lock_settings(options: ServeOptions, failed_sign_ins: FailedSignIns) -> dict[str, Any]:
    """How a locked job aid is resumed: the sign-in to check again, and the shared failure count."""
    sign_in: session_lock.SignIn = "header" if options.trusted_header else "token" if options.token else "none"
    return {"sign_in": sign_in, "attempts": failed_sign_ins, "token": options.token,
            "header": options.trusted_header}


def make_app(options: ServeOptions) -> Any:
    """A Voila application that also serves the book; call ``.start()`` to run it."""
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (str(VOILA_DATA), os.environ.get("JUPYTER_PATH", "")) if p
    )
    from voila.app import Voila  # imported late: it is slow and needs JUPYTER_PATH set

    from protocols.serve.template_cache import share_compiled_templates

    share_compiled_templates()

    book_dir = options.book_dir
    # What the kernels were given (cli.serve set these before calling): new sessions only while it holds.
    given = settings.Settings.from_env()
    policy = replace(guard_policy(options), content_watch=ContentWatch(given.content, given.agency))
    for name, value in kernel_user_environment(options).items():  # what a pool's kernels inherit
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value

    failed_sign_ins = FailedSignIns()  # one count for /login, ?token= and the idle lock's token
    readiness = Readiness(given.database_url, given.library_snapshot, policy.content_watch)
    idle_lock = idle_lock_settings(options, failed_sign_ins)

    class HandbookVoila(Voila):  # type: ignore[misc]
        def init_handlers(self) -> list[Any]:
            web_app = getattr(self, "app", None)
            if web_app is not None and SecurityHeaders not in web_app.transforms:
                # First, so it sees the body before compression or chunked encoding.
                web_app.transforms.insert(0, SecurityHeaders)
            if web_app is not None and web.GZipContentEncoding not in web_app.transforms:
                # Pages, scripts and styles travel compressed: a weak mobile link is the norm.
                web_app.transforms.append(web.GZipContentEncoding)
            # The probes first: an orchestrator asks the replica itself, without the sign-on proxy.
            return [*health_routes(readiness),
                    *handbook_routes(super().init_handlers(), book_dir, policy, idle_lock)]

    app = HandbookVoila(config=voila_config(options, failed_sign_ins))
    app.initialize(argv=[])
    return app
