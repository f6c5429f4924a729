"""Who may use the server and who a save is recorded as: loopback, a token, or a sign-on proxy.

With ``--token`` everyone shares one secret; with ``--trusted-header`` a reverse proxy names
each request's user in a header; without either the server listens on loopback only.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from tornado import web

from protocols import settings
from protocols.serve.options import ServeOptions

TOKEN_USER = "token-user"
"""With ``--token`` everyone shares one secret, so every kernel's user is this one name."""
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
TRUSTED_USER_RE = re.compile(r"^[A-Za-z0-9._@+-]{1,128}$")
"""What a user name from a trusted proxy header may look like."""


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
            f"with --token SECRET (or the {settings.TOKEN.name} environment variable). See SECURITY.md."
        )
    return None


def trusted_user(value: str | None) -> str | None:
    """The user name from a trusted proxy header, or None when absent or malformed."""
    if value is None:
        return None
    value = value.strip()
    return value if TRUSTED_USER_RE.fullmatch(value) else None


def server_wide_user(token: bool, trusted_header: str | None, local_user: str | None) -> str | None:
    """The user every kernel records when no request names one; the one rule for both
    :func:`protocols.serve.kernels.page_user` and :func:`protocols.serve.kernels.kernel_user_environment`.

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
        unused = f"; {settings.USER.name} is not used with a shared token" if options.local_user else ""
        return f"saves recorded as {TOKEN_USER}{unused}"
    if options.local_user:
        return f"saves recorded as {options.local_user} ({settings.USER.shown})"
    return f"saves recorded as '{NO_SIGN_IN}'; set {settings.USER.name} to name yourself"


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
