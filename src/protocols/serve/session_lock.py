"""The idle lock on the server: only the server's "yes" shows a locked job aid again.

The page hides its content after the idle time (``protocols.ui.idle_lock``) and tells the
server (``POST /api/kernels/<id>/handbook-lock``). While the page is locked its kernel takes no
widget message, and ``POST /api/kernels/<id>/handbook-unlock`` answers yes only:

- with ``--token``: for the token typed again, compared in constant time. Locking also clears
  the browser's sign-in cookie, so a reload asks for the token too. Five wrong tokens in a row
  from one address (here, at ``/login`` or in ``?token=``) refuse every token from it for ten
  minutes (CJIS Security Policy 5.5.3);
- with ``--trusted-header``: when the sign-on proxy's header names the user the kernel was
  started for. No password is asked: the proxy's own session in the browser is what passes,
  for as long as the proxy keeps it (the lock screen says so);
- without sign-in (loopback): always. The lock is then a privacy screen, and says so.

Both routes sit under the kernel's own path, so only the page holding the kernel's owner cookie
reaches them (``guard.refusal``), and they need the page's ``_xsrf`` token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import struct
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from tornado import web
from tornado.log import app_log

from protocols.serve.auth import trusted_user

FAILED_LIMIT = 5
"""Wrong tokens in a row from one address before it is refused for :data:`LOCKOUT_SECONDS`."""
LOCKOUT_SECONDS = 10 * 60
ROUTE = r"/api/kernels/([0-9a-fA-F-]{1,64})/handbook-(lock|unlock)"
"""Under the kernel's path: the owner cookie (scoped to ``/api/kernels/<id>``) travels with it."""
V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"
PASSED_WHILE_LOCKED = frozenset({"kernel_info_request", "comm_info_request", "shutdown_request"})
"""What a locked page's kernel still takes: no widget message (``comm_*``), so nothing changes."""
MAX_TOKEN_LENGTH = 1024

SignIn = Literal["none", "token", "header"]


class KernelLocks(Protocol):
    """What the handler needs to know of a kernel (``kernel_owners.KernelOwners`` provides it)."""

    def owned(self, kernel_id: str) -> bool: ...
    def user_of(self, kernel_id: str) -> str | None: ...
    def lock(self, kernel_id: str) -> None: ...
    def unlock(self, kernel_id: str) -> None: ...
    def is_locked(self, kernel_id: str) -> bool: ...


def token_matches(typed: str, secret: str) -> bool:
    """Constant time, whatever the lengths (both are hashed first)."""
    return hmac.compare_digest(hashlib.sha256(typed.encode()).digest(), hashlib.sha256(secret.encode()).digest())


@dataclass
class FailedSignIns:
    """Wrong tokens in a row per address; :data:`FAILED_LIMIT` of them refuse it for a while."""

    limit: int = FAILED_LIMIT
    lockout_seconds: float = LOCKOUT_SECONDS
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, int] = field(default_factory=dict)
    _refused_until: dict[str, float] = field(default_factory=dict)

    def wait_seconds(self, node: str) -> float:
        """How long ``node`` must wait before a token is checked again (0: it may try now)."""
        until = self._refused_until.get(node)
        if until is None:
            return 0.0
        left = until - self.clock()
        if left > 0:
            return left
        del self._refused_until[node]
        return 0.0

    def check(self, node: str, typed: str, secret: str) -> Literal["ok", "wrong", "refused"]:
        """Compare ``typed`` with ``secret`` unless ``node`` is refused; count the outcome."""
        if self.wait_seconds(node) > 0:
            return "refused"
        if token_matches(typed, secret):
            self._failures.pop(node, None)
            return "ok"
        if len(self._failures) > 10_000:
            self._failures.clear()  # bounded; the refusals themselves are kept
        count = self._failures.get(node, 0) + 1
        if count >= self.limit:
            self._failures.pop(node, None)
            self._refused_until[node] = self.clock() + self.lockout_seconds
            app_log.warning("sign-in: %d wrong tokens in a row from %s; tokens from it are refused for "
                            "%d minutes", count, node, self.lockout_seconds // 60)
        else:
            self._failures[node] = count
        return "wrong"

    def tries_left(self, node: str) -> int:
        return self.limit - self._failures.get(node, 0)


def counted_token_identity_provider(attempts: FailedSignIns) -> type[Any]:
    """Jupyter's token sign-in (``?token=``, ``Authorization: token``, the ``/login`` form) with
    each wrong token counted in ``attempts`` and the token compared in constant time."""
    from jupyter_server.auth.identity import PasswordIdentityProvider, User

    class CountedTokenIdentityProvider(PasswordIdentityProvider):
        def _token_ok(self, handler: web.RequestHandler, typed: str | None) -> bool:
            if not self.token or not typed:
                return False
            return attempts.check(handler.request.remote_ip or "", typed[:MAX_TOKEN_LENGTH], self.token) == "ok"

        async def get_user_token(self, handler: web.RequestHandler) -> User | None:
            if not self._token_ok(handler, self.get_token(handler)):
                return None
            return await super().get_user_token(handler)

        def process_login_form(self, handler: web.RequestHandler) -> User | None:
            if not self._token_ok(handler, handler.get_argument("password", default="")):
                return None
            return self.generate_anonymous_user(handler)

    return CountedTokenIdentityProvider


class SessionLockHandler(web.RequestHandler):
    """``POST`` lock or unlock for one kernel's page; answers JSON ``{"unlocked": …, "sign_in": …}``."""

    def initialize(self, locks: KernelLocks, sign_in: SignIn, attempts: FailedSignIns,
                   token: str | None = None, header: str | None = None) -> None:
        self._locks = locks
        self._sign_in = sign_in
        self._attempts = attempts
        self._token = token
        self._header = header

    @property
    def base_url(self) -> str:
        """Where Jupyter's sign-in cookie lives (its identity provider asks the handler)."""
        return str(self.settings.get("base_url", "/"))

    def post(self, kernel_id: str, action: str) -> None:
        self.check_xsrf_cookie()
        if not self._locks.owned(kernel_id):
            self._answer(404, unlocked=False, reason="closed")
            return
        if action == "lock":
            self._locks.lock(kernel_id)
            if self._sign_in == "token":
                self.settings["identity_provider"].clear_login_cookie(self)
            self._answer(200, unlocked=False)
            return
        status, reason, extra = self._verdict(kernel_id)
        if status == 200:
            self._locks.unlock(kernel_id)
            if self._sign_in == "token":
                from jupyter_server.auth.identity import User

                self.settings["identity_provider"].set_login_cookie(self, User(uuid.uuid4().hex))
        self._answer(status, unlocked=status == 200, reason=reason, **extra)

    def _verdict(self, kernel_id: str) -> tuple[int, str | None, dict[str, Any]]:
        """Status, reason and details for an unlock request."""
        if self._sign_in == "none":
            return 200, None, {}
        if self._sign_in == "header":
            # A request without the header never gets here (guard.refusal answers 401).
            user = trusted_user(self.request.headers.get(self._header or ""))
            if user is not None and user == self._locks.user_of(kernel_id):
                return 200, None, {}
            app_log.warning("idle lock: %s asked to resume a job aid another user opened", user)
            return 403, "other-user", {}
        node = self.request.remote_ip or ""
        typed = self._typed_token()
        if not typed:
            return 400, "no-token", {}
        verdict = self._attempts.check(node, typed, self._token or "")
        if verdict == "ok":
            return 200, None, {}
        if verdict == "refused" or self._attempts.wait_seconds(node) > 0:
            return 429, "refused", {"wait_minutes": max(1, round(self._attempts.wait_seconds(node) / 60))}
        return 403, "wrong-token", {"tries_left": self._attempts.tries_left(node)}

    def _typed_token(self) -> str:
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError:
            return ""
        typed = body.get("token") if isinstance(body, dict) else None
        return typed[:MAX_TOKEN_LENGTH] if isinstance(typed, str) else ""

    def _answer(self, status: int, **fields: Any) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps({"sign_in": self._sign_in, **fields}))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """A refused ``_xsrf`` token (403) or anything unexpected: JSON the page can read."""
        self._answer(status_code, unlocked=False, reason="refused-request")


def message_type(message: str | bytes, subprotocol: str | None) -> str | None:
    """The ``msg_type`` of a message a page sent on its kernel websocket, or None if unreadable."""
    from jupyter_server.services.kernels.connection.base import (
        deserialize_binary_message,
        deserialize_msg_from_ws_v1,
    )

    try:
        if subprotocol == V1_PROTOCOL and isinstance(message, bytes):
            header = json.loads(deserialize_msg_from_ws_v1(message)[1][0])  # type: ignore[no-untyped-call]
        elif isinstance(message, bytes):
            header = deserialize_binary_message(message)["header"]  # type: ignore[no-untyped-call]
        else:
            header = json.loads(message)["header"]
        kind = header["msg_type"]
    except (ValueError, KeyError, TypeError, IndexError, struct.error):
        return None
    return kind if isinstance(kind, str) else None


class LockedKernelChannel:
    """Mixed into the kernel websocket handler: a locked page's widget messages are dropped."""

    handbook_policy: Any
    kernel_id: str
    selected_subprotocol: str | None

    def on_message(self, message: str | bytes) -> Any:
        locks = self.handbook_policy.kernel_owners
        if (locks is not None and locks.is_locked(self.kernel_id)
                and message_type(message, self.selected_subprotocol) not in PASSED_WHILE_LOCKED):
            return None
        return super().on_message(message)  # type: ignore[misc]
