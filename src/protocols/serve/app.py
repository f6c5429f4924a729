"""`handbook serve`: the built book and the Voila job aids at one local address.

Standalone Voila (it refuses code execution from the browser) with our own
template (no CDN requests), sources stripped, idle kernels culled, and only the
routes a reader needs: the book at ``/`` and the job aids at
``/voila/render/<aid>.ipynb``. No directory listing, no file downloads.

Every route the server answers is wrapped here, so the rules below hold for all
of them, including Voila's own static files, websockets and error pages:

- security headers (CSP, nosniff, referrer, framing) on every response, set by
  one tornado output transform; the policy depends on the path alone, so a 304,
  a HEAD or a 404 for a page carries the policy its 200 did (a browser applies a
  304's headers to the page it kept); job-aid pages get a per-response script
  nonce instead of ``'unsafe-inline'``;
- static files' entity tags follow the file's bytes on disk (``precompressed``),
  so a rebuilt page is never answered "304 Not Modified";
- a new job-aid session is refused while the content differs from what the server
  started with (``content_watch``): the book and the job aids never disagree;
- the ``Host`` header must name this server (DNS-rebinding guard) unless
  authentication is configured;
- with ``trusted_header`` set, every request must carry the user name a
  reverse proxy puts there;
- ``?template=`` and ``?theme=`` on a job aid are refused with HTTP 400;
- each job-aid kernel belongs to the page that started it: its REST routes and
  websocket need the secret cookie that page got (another page knowing the
  kernel id gets 403), and the kernel's environment names the signed-in user;
- a job aid behind its idle lock shows its content again only on the server's yes
  (``session_lock``): the token typed again, or the same proxy user; its kernel takes no
  widget message meanwhile;
- file routes refuse hidden files, traversal, symlinks that leave the served
  folder, and source, configuration and database files.

See SECURITY.md for the threat model and the tests that prove each rule.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import os
import re
import secrets
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

from tornado import httputil, web
from traitlets.config import Config

from protocols.serve import session_lock
from protocols.serve.content_watch import ContentWatch
from protocols.serve.precompressed import CurrentVersion, Precompressed
from protocols.serve.session_lock import FailedSignIns, counted_token_identity_provider

PACKAGE = Path(__file__).parent
VOILA_DATA = PACKAGE / "voila_data"
IDLE_LOCK_ENV = "HANDBOOK_IDLE_LOCK_MINUTES"
"""How the idle-lock time reaches the job-aid kernels (see ``protocols.ui.idle_lock``)."""

USER_ENV = "HANDBOOK_USER"
"""Who a job-aid kernel's saves are recorded as: the proxy's user, :data:`TOKEN_USER`, the user
who started the server on loopback without sign-in (:attr:`ServeOptions.local_user`), or unset."""
TOKEN_USER = "token-user"
"""With ``--token`` everyone shares one secret, so every kernel's user is this one name."""
KERNEL_KEY_COOKIES = {"/api/kernels/": "handbook-kernel", "/voila/api/shutdown/": "handbook-kernel-shutdown"}
"""Route prefix -> name of the owner cookie scoped to ``<prefix><kernel id>`` (HttpOnly, SameSite)."""
_KERNEL_ROUTE = re.compile(rf"^({'|'.join(map(re.escape, KERNEL_KEY_COOKIES))})([0-9a-fA-F-]{{1,64}})(?:/|$)")
"""A kernel's owner-checked routes: the prefixes of :data:`KERNEL_KEY_COOKIES` and the kernel id."""
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
TRUSTED_USER_RE = re.compile(r"^[A-Za-z0-9._@+-]{1,128}$")
"""What a user name from a trusted proxy header may look like."""
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
FRONT_END_EXTENSIONS = ("@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8",
                        "anywidget")
"""The JupyterLab extensions a job-aid page loads: ipywidgets 8, Voila's manager for it, anywidget."""
DENIED_SUFFIXES = frozenset({
    ".ipynb", ".py", ".pyc", ".pyo", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".env", ".j2",
    ".jinja", ".md", ".rst", ".sqlite", ".sqlite3", ".db", ".sh", ".pem", ".key", ".log",
})
"""Never served from any file route, even if someone copies such a file into a served folder."""
_DENIED_ENDINGS = ("-wal", "-shm", "-journal")

_BASE_CSP = {
    "default-src": "'self'",
    "script-src": "'self' blob:",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "worker-src": "'self' blob:",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}
BOOK_SCRIPT_SRC = "'self' 'unsafe-inline' 'unsafe-eval' blob:"
"""Book pages only. They are static files: the theme has inline scripts, and the offline
widget runtime that draws the embedded checklists (html-manager) validates widget state
with a schema compiler that builds functions from strings. Nothing typed by a user is
ever part of a book page. Job-aid pages need neither (tests/security prove both)."""


NONCED_PATHS = ("/login", "/logout")
"""Jupyter's own HTML pages outside ``/voila/``: their inline scripts get a nonce too."""


def policy_kind(path: str, content_type: str | None = None) -> str:
    """Which policy a response for the URL ``path`` carries, whatever its status.

    ``job-aid`` for Voila's routes (and Jupyter's login pages), ``book`` for what may be a
    book page (``…/`` or ``….html``, outside Jupyter's API), ``other`` for the rest. The
    status must not choose it: a browser applies a 304's headers to the page it kept, so a
    304 (which has no ``Content-Type``) with a stricter policy than its 200 broke the book
    page it revalidated. Only a body that is not HTML (``content_type``), which no browser
    takes for the page, gets ``other`` on a book path.
    """
    path = unquote(path)
    if path.startswith("/voila/") or path in NONCED_PATHS:
        return "job-aid"
    if content_type and not content_type.startswith("text/html"):
        return "other"
    if not path.startswith("/api/") and (path.endswith("/") or path.lower().endswith((".html", ".htm"))):
        return "book"
    return "other"


def content_security_policy(kind: str = "other", nonce: str | None = None, host: str | None = None) -> str:
    """The CSP header value for a response of ``kind``.

    ``job-aid``: Voila's HTML; inline scripts run only with ``nonce``, no eval.
    ``book``: the book's HTML pages (see :data:`BOOK_SCRIPT_SRC`).
    ``other``: everything else (scripts, styles, data, errors): no inline script, no eval.
    Every kind: the server's own origin only, ``blob:`` for widget modules (anywidget
    imports its module from a blob URL), no plugins, no framing, no foreign forms.
    """
    if nonce is None:
        return _fixed_policy(kind, host)
    return _policy(kind, nonce, host)


@functools.lru_cache(maxsize=256)
def _fixed_policy(kind: str, host: str | None) -> str:
    """The policies without a nonce repeat on every static file: built once per kind and host."""
    return _policy(kind, None, host)


def _policy(kind: str, nonce: str | None, host: str | None) -> str:
    policy = dict(_BASE_CSP)
    if kind == "job-aid":
        policy["script-src"] = f"'self' 'nonce-{nonce}' blob:" if nonce else "'self' blob:"
    elif kind == "book":
        policy["script-src"] = BOOK_SCRIPT_SRC
    if host and re.fullmatch(r"[A-Za-z0-9.:\[\]-]{1,255}", host):
        # 'self' covers same-origin websockets in current browsers; older ones need them named.
        policy["connect-src"] = f"'self' ws://{host} wss://{host}"
    return "; ".join(f"{name} {value}" for name, value in policy.items())


SECURITY_HEADERS = {
    "Content-Security-Policy": content_security_policy(),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
"""Set on every response by :class:`SecurityHeaders` (the CSP chosen per response)."""


@dataclass(frozen=True)
class ServeOptions:
    widgets_dir: Path
    book_dir: Path
    ip: str = "127.0.0.1"
    port: int = 8866
    preheat: bool = True
    pool_size: int = 1
    fork_kernels: bool = True
    cull_idle_seconds: int = 35 * 60
    token: str | None = None
    trusted_header: str | None = None
    allowed_hosts: tuple[str, ...] = ()
    open_browser: bool = False
    local_user: str | None = None
    """``$HANDBOOK_USER`` of whoever started the server. Without sign-in (loopback) every save is
    recorded as this user; a token or a sign-on proxy names the user instead."""


def is_loopback(ip: str) -> bool:
    """True for addresses only this machine can reach."""
    if ip == "localhost":
        return True
    try:
        return ipaddress.ip_address(ip.strip("[]")).is_loopback
    except ValueError:
        return False


def auth_problem(ip: str, token: str | None, trusted_header: str | None) -> str | None:
    """Why the server must not start with these settings, or None when it may."""
    if trusted_header is not None and not re.fullmatch(r"[A-Za-z0-9-]{1,64}", trusted_header):
        return (f"--trusted-header must be an HTTP header name such as X-Forwarded-User "
                f"(letters, digits and -), not {trusted_header[:40]!r}")
    if token is not None and len(token) < 16:
        return ("the token is too short: use at least 16 random characters, e.g. "
                "`python -c \"import secrets; print(secrets.token_urlsafe(24))\"`")
    if token and trusted_header:
        return "use either --token or --trusted-header, not both"
    if not is_loopback(ip) and not token and not trusted_header:
        return (
            f"refusing to listen on {ip} without authentication: anyone on the network could open "
            "the job aids and the case records they reach. Either keep the default --ip 127.0.0.1 "
            "behind your agency's single sign-on reverse proxy and pass --trusted-header "
            "X-Forwarded-User (the header the proxy sets to the signed-in user), or pass a token "
            "with --token SECRET (or the HANDBOOK_TOKEN environment variable). See SECURITY.md."
        )
    return None


class KernelOwners:
    """Which page started which job-aid kernel: the secret that page's cookie carries.

    jupyter_server lets anyone who may use the server at all reach any kernel whose id
    they know; this ties each kernel to the one page that started it.
    """

    def __init__(self) -> None:
        self._keys: dict[str, str] = {}
        self._users: dict[str, str | None] = {}
        self._locked: set[str] = set()

    def bind(self, kernel_id: str, alive: Iterable[str] = (), user: str | None = None) -> str:
        """A fresh secret for ``kernel_id``, started for ``user``; kernels no longer ``alive``
        are forgotten."""
        living = set(alive) | {kernel_id}
        for gone in [k for k in self._keys if k not in living]:
            del self._keys[gone]
            self._users.pop(gone, None)
            self._locked.discard(gone)
        key = secrets.token_urlsafe(32)
        self._keys[kernel_id] = key
        self._users[kernel_id] = user
        self._locked.discard(kernel_id)
        return key

    def owned(self, kernel_id: str) -> bool:
        """A page started (or took) this kernel and it has not been forgotten."""
        return kernel_id in self._keys

    def user_of(self, kernel_id: str) -> str | None:
        """Who the kernel was started for (:func:`page_user`), for the idle lock's resume check."""
        return self._users.get(kernel_id)

    def lock(self, kernel_id: str) -> None:
        """The page is behind its idle lock: its kernel takes no widget message (``session_lock``)."""
        if kernel_id in self._keys:
            self._locked.add(kernel_id)

    def unlock(self, kernel_id: str) -> None:
        self._locked.discard(kernel_id)

    def is_locked(self, kernel_id: str) -> bool:
        return kernel_id in self._locked

    def allows(self, kernel_id: str, key: str | None, exists: Callable[[], bool]) -> bool:
        """True for the owner's key, and for ids of no kernel at all (Jupyter answers 404).

        ``exists`` is asked only for an id no page owns.
        """
        known = self._keys.get(kernel_id)
        if known is None:
            return not exists()  # a kernel no page started (a pool's spare): nobody's to use
        return key is not None and secrets.compare_digest(known.encode(), key.encode())


@dataclass(frozen=True)
class GuardPolicy:
    """The per-request checks every route shares."""

    allowed_hosts: frozenset[str] | None
    """Host names the ``Host`` header may carry; None accepts any."""
    trusted_header: str | None = None
    token: bool = False
    """Token authentication is on (the kernels' user is :data:`TOKEN_USER`)."""
    kernel_owners: KernelOwners | None = field(default=None, compare=False)
    """None: kernels are not tied to pages (only for tests of the other rules)."""
    job_aids_dir: str | None = None
    """The job-aid folder: a page's notebook must really be in it (no symlink from elsewhere)."""
    content_watch: ContentWatch | None = field(default=None, compare=False)
    """None: new job-aid sessions are not checked against the content the server started with."""
    local_user: str | None = None
    """Without sign-in: who every kernel's saves are recorded as (:attr:`ServeOptions.local_user`)."""


def guard_policy(options: ServeOptions) -> GuardPolicy:
    """Hosts to accept: loopback names and the bound address, plus any configured.

    Without authentication the check always applies (a web page cannot reach the
    server by re-pointing its own DNS name at 127.0.0.1). With authentication it
    applies only when hosts are configured; ``*`` turns it off.
    """
    configured = {h.lower().strip("[]") for h in options.allowed_hosts}
    authenticated = bool(options.token or options.trusted_header)
    hosts: frozenset[str] | None = None
    if "*" not in configured and (configured or not authenticated):
        hosts = frozenset({*LOOPBACK_NAMES, options.ip.lower().strip("[]"), *configured})
    return GuardPolicy(hosts, options.trusted_header, token=bool(options.token), kernel_owners=KernelOwners(),
                       job_aids_dir=str(options.widgets_dir), local_user=options.local_user)


def _host_name(host_header: str) -> str:
    match = re.match(r"^(\[[^\]]*\]|[^:]*)(:\d+)?$", host_header)
    name = match.group(1) if match else host_header
    return name.strip("[]").lower()


def trusted_user(value: str | None) -> str | None:
    """The user name from a trusted proxy header, or None when absent or malformed."""
    if value is None:
        return None
    value = value.strip()
    return value if TRUSTED_USER_RE.fullmatch(value) else None


def refusal(handler: web.RequestHandler, policy: GuardPolicy, job_aid_page: bool) -> tuple[int, str] | None:
    """The status and plain message to refuse this request with, or None to let it through."""
    request = handler.request
    if policy.allowed_hosts is not None and _host_name(request.host or "") not in policy.allowed_hosts:
        return 403, ("Refused: this server does not answer to that host name. An administrator can "
                     "allow it with `handbook serve --allowed-host NAME`.\n")
    if policy.trusted_header and trusted_user(request.headers.get(policy.trusted_header)) is None:
        return 401, ("Sign in through your agency's sign-on page: this server accepts requests only "
                     "through it.\n")
    kernel_route = _KERNEL_ROUTE.match(request.path)
    if kernel_route and policy.kernel_owners is not None:
        prefix, kernel_id = kernel_route.groups()
        key = handler.get_cookie(KERNEL_KEY_COOKIES[prefix])
        def exists() -> bool:
            return kernel_id in handler.settings.get("kernel_manager", ())

        if not policy.kernel_owners.allows(kernel_id, key, exists):
            return 403, ("Refused: this job aid's kernel belongs to another page. Open the job aid "
                         "yourself to get your own.\n")
    if job_aid_page:
        if policy.job_aids_dir is not None and not _real_job_aid(policy.job_aids_dir, request.path):
            return 404, "Not found.\n"
        # A page's look is fixed: no template or theme from the URL.
        asked = sorted(name for name in ("template", "theme") if name in request.query_arguments)
        if asked:
            shown = " and ".join(f"?{name}=" for name in asked)
            return 400, (f"Refused: {shown} cannot be used here. A job aid always uses the handbook's "
                         "own template and theme; remove it from the address.\n")
        if policy.content_watch is not None and (paused := policy.content_watch.refusal()) is not None:
            return 503, paused
    return None


def _real_job_aid(folder: str, url_path: str) -> bool:
    """False when the page's notebook is a link to (or into) something outside ``folder``,
    or not a plain file: such a notebook would run code nobody put in the job aids."""
    notebook = os.path.join(folder, url_path.rsplit("/", 1)[-1])
    if not os.path.lexists(notebook):
        return True  # Voila answers 404 itself
    return os.path.isfile(notebook) and _inside(notebook, [folder])


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


class SecurityHeaders(web.OutputTransform):
    """Adds the security headers to every response, whatever handler wrote it.

    For HTML from the Voila routes (job-aid pages and their error pages) it also
    gives every ``<script`` a fresh nonce and names only that nonce in the CSP, so
    markup that reaches the page any other way cannot run script.
    """

    _SCRIPT_TAG = re.compile(rb"<script(?=[\s>/])", re.IGNORECASE)

    def __init__(self, request: httputil.HTTPServerRequest) -> None:
        super().__init__(request)
        self._request = request
        self._nonce: bytes | None = None
        self._carry = b""

    def transform_first_chunk(
        self, status_code: int, headers: httputil.HTTPHeaders, chunk: bytes, finishing: bool
    ) -> tuple[int, httputil.HTTPHeaders, bytes]:
        kind = policy_kind(self._request.path, headers.get("Content-Type"))
        nonce: str | None = None
        if kind == "job-aid" and headers.get("Content-Type", "").startswith("text/html"):
            # Voila's HTML: inline scripts need this response's nonce. A body that cannot be
            # rewritten (a fixed length announced before its end) keeps its scripts blocked.
            # (Voila's pages are never cached, so no 304 ever stands for one.)
            nonce = secrets.token_urlsafe(18)
            if finishing or "Content-Length" not in headers:
                self._nonce = nonce.encode()
        for name, value in SECURITY_HEADERS.items():
            headers[name] = value
        headers["Content-Security-Policy"] = content_security_policy(kind, nonce, self._request.host)
        if "Server" in headers:
            del headers["Server"]
        if self._nonce is not None:
            chunk = self._rewrite(chunk, finishing)
            if "Content-Length" in headers:
                headers["Content-Length"] = str(len(chunk))
        return status_code, headers, chunk

    def transform_chunk(self, chunk: bytes, finishing: bool) -> bytes:
        return self._rewrite(chunk, finishing) if self._nonce is not None else chunk

    def _rewrite(self, chunk: bytes, finishing: bool) -> bytes:
        assert self._nonce is not None
        data = self._carry + chunk
        self._carry = b""
        if not finishing:
            cut = data.rfind(b"<")
            if cut != -1 and len(data) - cut < 8 and b"<script".startswith(data[cut:].lower()):
                data, self._carry = data[:cut], data[cut:]
        return self._SCRIPT_TAG.sub(b'<script nonce="' + self._nonce + b'"', data)


class _Guarded:
    """Mixed into every handler class the server registers (see :func:`guarded`)."""

    handbook_policy: GuardPolicy
    handbook_job_aid_page: bool = False
    """The job-aid page route: URL overrides refused, and the page gets its ``_xsrf`` cookie."""
    handbook_json_errors: bool = False
    """Jupyter's API routes answer in JSON, refusals included."""

    def prepare(self, *args: Any, **kwargs: Any) -> Awaitable[None] | None:
        handler: Any = self
        refused = refusal(handler, self.handbook_policy, self.handbook_job_aid_page)
        if refused is not None:
            status, message = refused
            handler.clear()
            handler.set_status(status)
            handler.set_header("Cache-Control", "no-store")
            if self.handbook_json_errors:
                handler.finish(json.dumps({"message": message.strip(), "reason": None}))
            else:
                handler.set_header("Content-Type", "text/plain; charset=utf-8")
                handler.finish(message)
            return None
        prepared: Awaitable[None] | None = super().prepare(*args, **kwargs)  # type: ignore[misc]
        if self.handbook_job_aid_page:
            return _then_set_xsrf_cookie(handler, prepared)
        return prepared


async def _then_set_xsrf_cookie(handler: Any, prepared: Awaitable[None] | None) -> None:
    """After Jupyter's own checks, give a job-aid page its ``_xsrf`` cookie.

    The page's front end reads it to shut its kernel down when the tab closes (Voila's
    closing beacon); without it that request is refused and the kernel waits for the culler.
    """
    if prepared is not None:
        await prepared
    if not handler._finished:
        handler.xsrf_token  # noqa: B018  (reading it sets the cookie)


def page_user(handler: web.RequestHandler, policy: GuardPolicy) -> str | None:
    """Who is signed in for this request, as the job-aid kernel it starts is told (:data:`USER_ENV`)."""
    if policy.trusted_header:
        return trusted_user(handler.request.headers.get(policy.trusted_header))
    return _server_wide_user(policy.token, policy.trusted_header, policy.local_user)


def _server_wide_user(token: bool, trusted_header: str | None, local_user: str | None) -> str | None:
    """The user every kernel records when no request names one; the one rule for both
    :func:`page_user` and :func:`kernel_user_environment`.

    A sign-on proxy names each request's own user: None here. A token is one secret shared by
    everyone who has it: :data:`TOKEN_USER`, never the name of whoever started the server (that
    would put one officer's name on everyone's saves). Without sign-in the server is on loopback
    and the person who started it is the one at the machine: ``local_user`` (None when unset).
    """
    if trusted_header:
        return None
    return TOKEN_USER if token else local_user


def recorded_as(options: ServeOptions) -> str:
    """Who saves are recorded as, in words for the start-up line."""
    from protocols.records.actor import NO_SIGN_IN

    if options.trusted_header:
        return f"saves recorded as the user in {options.trusted_header}"
    if options.token:
        unused = f"; {USER_ENV} is not used with a shared token" if options.local_user else ""
        return f"saves recorded as {TOKEN_USER}{unused}"
    if options.local_user:
        return f"saves recorded as {options.local_user} (${USER_ENV})"
    return f"saves recorded as '{NO_SIGN_IN}'; set {USER_ENV} to name yourself"


class _KernelsForThisPage:
    """The kernel manager as one job-aid page sees it: the kernel it starts (or takes from the
    pool) is bound to the page's owner cookie, and a new kernel's environment names the user."""

    def __init__(self, manager: Any, handler: web.RequestHandler, policy: GuardPolicy) -> None:
        self._manager = manager
        self._handler = handler
        self._policy = policy

    def __getattr__(self, name: str) -> Any:
        return getattr(self._manager, name)

    async def start_kernel(self, **kwargs: Any) -> str:
        from jupyter_core.utils import ensure_async

        env = {str(k): str(v) for k, v in (kwargs.get("env") or os.environ).items()}
        env.pop(USER_ENV, None)
        if (user := page_user(self._handler, self._policy)) is not None:
            env[USER_ENV] = user
        kwargs["env"] = env
        kernel_id = str(await ensure_async(self._manager.start_kernel(**kwargs)))
        self._own(kernel_id)
        return kernel_id

    async def get_rendered_notebook(self, *args: Any, **kwargs: Any) -> Any:
        """A pool's kernel (started before any request; see :func:`kernel_user_environment`)."""
        result = await self._manager.get_rendered_notebook(*args, **kwargs)
        self._own(str(result[2]))
        return result

    def _own(self, kernel_id: str) -> None:
        owners = self._policy.kernel_owners
        if owners is None:
            return
        key = owners.bind(kernel_id, alive=self._manager.list_kernel_ids(),
                          user=page_user(self._handler, self._policy))
        for prefix, cookie in KERNEL_KEY_COOKIES.items():
            self._handler.set_cookie(cookie, key, path=f"{prefix}{kernel_id}", httponly=True,
                                     samesite="Strict")


class _JobAidKernels:
    """Mixed into the job-aid page handler: its kernels go through :class:`_KernelsForThisPage`."""

    handbook_policy: GuardPolicy

    @property
    def kernel_manager(self) -> Any:
        handler: Any = self
        return _KernelsForThisPage(handler.settings["kernel_manager"], handler, self.handbook_policy)


def kernel_user_environment(options: ServeOptions) -> dict[str, str | None]:
    """:data:`USER_ENV` for kernels started before any request (a preheated pool): the token
    user with ``--token``, else the server's own user or unset. (With ``--trusted-header``
    there is no pool.)"""
    return {USER_ENV: _server_wide_user(bool(options.token), options.trusted_header, options.local_user)}


class _ConfinedFiles:
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


class _InstalledFiles(_ConfinedFiles):
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


class _RememberedLookup:
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


class _TemplateFiles(_InstalledFiles):
    """Voila's template file route: only ``<template>/static/<file>`` paths."""

    def parse_url_path(self, url_path: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_-]+/static/.+", url_path) or bad_file_path(url_path):
            raise web.HTTPError(404)
        return super().parse_url_path(url_path)  # type: ignore[misc, no-any-return]


def guarded(cls: type[Any], policy: GuardPolicy, *, job_aid_page: bool = False) -> type[Any]:
    """``cls`` with the shared request checks, and file confinement for file routes."""
    from jupyter_server.base.handlers import APIHandler
    from jupyter_server.services.kernels.websocket import KernelWebsocketHandler
    from voila.handler import BaseVoilaHandler
    from voila.static_file_handler import MultiStaticFileHandler, TemplateStaticFileHandler

    from protocols.serve.session_lock import LockedKernelChannel, SessionLockHandler

    json_errors = issubclass(cls, (APIHandler, SessionLockHandler))
    bases: tuple[type[Any], ...] = (_Guarded,)
    if job_aid_page:
        bases += (_JobAidKernels,)
    if issubclass(cls, KernelWebsocketHandler):
        bases += (LockedKernelChannel,)  # a page behind its idle lock sends its kernel nothing
    if issubclass(cls, web.StaticFileHandler):
        bases += (Precompressed,)  # compressed once, then from memory
        if not issubclass(cls, CurrentVersion):
            bases += (CurrentVersion,)  # entity tags follow the file's bytes
    if issubclass(cls, _ConfinedFiles):
        pass  # the book (rebuilt while the server runs): confined already, checked every time
    elif issubclass(cls, web.StaticFileHandler):
        bases += (_TemplateFiles,) if issubclass(cls, TemplateStaticFileHandler) else (_InstalledFiles,)
        if issubclass(cls, MultiStaticFileHandler):
            bases += (_RememberedLookup,)
    elif not (json_errors or issubclass(cls, (BaseVoilaHandler, BookHandler, NoBookHandler))):
        bases += (_PlainErrors,)  # JSON from API handlers and Voila's own pages stay as they are
    namespace = {"handbook_policy": policy, "handbook_job_aid_page": job_aid_page,
                 "handbook_json_errors": json_errors, "__module__": __name__}
    return type(f"Guarded{cls.__name__}", (*bases, cls), namespace)


BOOK_ASSET_CACHE_SECONDS = 24 * 3600


class BookHandler(_ConfinedFiles, CurrentVersion, web.StaticFileHandler):
    """Serves the built book; ``/`` is its home page. Confined to the book folder on its own
    too, with its security headers and entity tags (``handbook preview`` serves a build with
    it, without the rest of this module)."""

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
        """Theme and widget files change only with a new build: keep them a day. Pages revalidate."""
        return BOOK_ASSET_CACHE_SECONDS if path.startswith(("_static/", "widgets/")) else 0

    def set_extra_headers(self, path: str) -> None:
        if not path.startswith(("_static/", "widgets/")):
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


def trusted_header_identity_provider(header: str) -> type[Any]:
    """A jupyter_server identity provider that believes ``header`` (set by a sign-on proxy)."""
    from jupyter_server.auth.identity import IdentityProvider, User

    class TrustedHeaderIdentityProvider(IdentityProvider):
        def get_user(self, handler: web.RequestHandler) -> Any:
            name = trusted_user(handler.request.headers.get(header))
            return User(username=name, name=name, display_name=name) if name else None

        @property
        def auth_enabled(self) -> bool:
            return True

        @property
        def login_available(self) -> bool:
            return False

        def should_check_origin(self, handler: web.RequestHandler) -> bool:
            return True

        def is_token_authenticated(self, handler: web.RequestHandler) -> bool:
            return False

        def validate_security(self, app: Any, ssl_options: dict[str, Any] | None = None) -> None:
            return None

    return TrustedHeaderIdentityProvider


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


def handbook_routes(voila_routes: list[Any], book_dir: Path, policy: GuardPolicy,
                    idle_lock: dict[str, Any] | None = None) -> list[Any]:
    """Keep the Voila routes a reader needs, guard every one, and add the idle lock's routes
    (``idle_lock``: :func:`idle_lock_settings`) and the book."""
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
    from protocols.library.loader import agency_from_env, content_from_env

    # What the kernels were given (cli.serve set these before calling): new sessions only while it holds.
    policy = replace(guard_policy(options), content_watch=ContentWatch(content_from_env(), agency_from_env()))
    for name, value in kernel_user_environment(options).items():  # what a pool's kernels inherit
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value

    failed_sign_ins = FailedSignIns()  # one count for /login, ?token= and the idle lock's token
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
            return handbook_routes(super().init_handlers(), book_dir, policy, idle_lock)

    app = HandbookVoila(config=voila_config(options, failed_sign_ins))
    app.initialize(argv=[])
    return app
