"""The security headers every response carries, and the content security policy per page.

One tornado output transform (:class:`SecurityHeaders`) sets them on every response, whatever
handler wrote it. The policy depends on the path alone, so a 304, a HEAD or a 404 for a page
carries the policy its 200 did (a browser applies a 304's headers to the page it kept);
job-aid pages get a per-response script nonce instead of ``'unsafe-inline'``.
"""

from __future__ import annotations

import functools
import re
import secrets
from urllib.parse import unquote

from tornado import httputil, web

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
BOOK_SCRIPT_SRC = "'self' 'unsafe-inline' blob:"
"""Book pages only. They are static files and the theme has inline scripts; nothing typed by
a user is ever part of a book page. No eval: the checklists are drawn by the handbook's own
module, not by a widget manager. Job-aid pages need neither (tests/security prove both)."""


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
