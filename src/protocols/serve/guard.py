"""The checks every request passes before its handler runs (see :func:`refusal`).

The ``Host`` header must name this server unless authentication is configured; with a sign-on
proxy every request must carry its user; a kernel's routes need the owner cookie of the page
that started it; a job-aid page takes no ``?template=`` or ``?theme=`` and opens only while the
content is what the server started with.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from tornado import web

from protocols.serve.auth import LOOPBACK_NAMES, trusted_user
from protocols.serve.confinement import real_job_aid
from protocols.serve.content_watch import ContentWatch
from protocols.serve.kernel_owners import KERNEL_KEY_COOKIES, KERNEL_ROUTE, KernelOwners
from protocols.serve.options import ServeOptions


@dataclass(frozen=True)
class GuardPolicy:
    """The per-request checks every route shares."""

    allowed_hosts: frozenset[str] | None
    """Host names the ``Host`` header may carry; None accepts any."""
    trusted_header: str | None = None
    token: bool = False
    """Token authentication is on (the kernels' user is :data:`protocols.serve.auth.TOKEN_USER`)."""
    kernel_owners: KernelOwners | None = field(default=None, compare=False)
    """None: kernels are not tied to pages (only for tests of the other rules)."""
    job_aids_dir: str | None = None
    """The job-aid folder: a page's notebook must really be in it (no symlink from elsewhere)."""
    content_watch: ContentWatch | None = field(default=None, compare=False)
    """None: new job-aid sessions are not checked against the content the server started with."""
    local_user: str | None = None
    """Without sign-in: who every kernel's saves are recorded as
    (:attr:`protocols.serve.options.ServeOptions.local_user`)."""


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


def refusal(handler: web.RequestHandler, policy: GuardPolicy, job_aid_page: bool) -> tuple[int, str] | None:
    """The status and plain message to refuse this request with, or None to let it through."""
    request = handler.request
    if policy.allowed_hosts is not None and _host_name(request.host or "") not in policy.allowed_hosts:
        return 403, ("Refused: this server does not answer to that host name. An administrator can "
                     "allow it with `handbook serve --allowed-host NAME`.\n")
    if policy.trusted_header and trusted_user(request.headers.get(policy.trusted_header)) is None:
        return 401, ("Sign in through your agency's sign-on page: this server accepts requests only "
                     "through it.\n")
    kernel_route = KERNEL_ROUTE.match(request.path)
    if kernel_route and policy.kernel_owners is not None:
        prefix, kernel_id = kernel_route.groups()
        key = handler.get_cookie(KERNEL_KEY_COOKIES[prefix])
        def exists() -> bool:
            return kernel_id in handler.settings.get("kernel_manager", ())

        if not policy.kernel_owners.allows(kernel_id, key, exists):
            return 403, ("Refused: this job aid's kernel belongs to another page. Open the job aid "
                         "yourself to get your own.\n")
    if job_aid_page:
        if policy.job_aids_dir is not None and not real_job_aid(policy.job_aids_dir, request.path):
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


class Guarded:
    """Mixed into every handler class the server registers (see :func:`protocols.serve.routes.guarded`)."""

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
