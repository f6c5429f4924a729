#!/usr/bin/env python3
"""Headless job-aid sessions: what Voila 0.5.13's front end asks of the server, without a browser.

    .venv/bin/python benchmarks/sessions.py http://127.0.0.1:8866 [AID ...] [--at-once N]

A session makes the requests a browser tab makes when a job aid opens, in the same order:

1. ``GET /voila/render/<aid>.ipynb``, read to the end (Voila streams it; the front end's script
   tag is last, so nothing starts before the page ends). The page config gives the kernel id.
2. The page's scripts and styles from the server's own origin, gzip accepted, six connections
   at a time like a browser. By default those the page names (its ``<script>``/``<link>`` tags
   and the widget extensions' entry points); pass ``assets`` (paths a real browser requested,
   see :func:`static_paths`) to fetch every lazily loaded chunk as well.
3. ``GET /api/kernels/<id>?<ms>`` (``KernelAPI.getKernelModel``), then the kernel websocket
   ``/api/kernels/<id>/channels?session_id=<uuid>`` with the binary
   ``v1.kernel.websocket.jupyter.org`` subprotocol that ``@jupyterlab/services`` asks for.
4. The widget manager's start-up (``_loadFromKernel`` in ``@jupyter-widgets/base-manager``):
   ``kernel_info_request`` (the kernel connection holds other messages until its reply), a
   ``comm_open`` of ``jupyter.widget.control`` (metadata version 1.0.0), a ``comm_msg``
   ``{"method": "request_states"}``, then, once ``update_states`` arrives on iopub, ``comm_close``.
   If the kernel closes that comm, or no answer comes within 4 s of the kernel connection being
   made, the manager falls back (``_loadFromKernelModels``) and so does this client: a
   ``comm_info_request`` for ``jupyter.widget``, then ``{"method": "request_state"}`` to every
   model it lists, until each has answered ``update``.

No ``/voila/query/<kernel_id>`` request: the front end never makes one. That websocket is opened
by a preheated kernel itself, and only if its notebook calls ``voila.utils.wait_for_request``.
Pages rendered progressively (``progressiveRendering``) are refused: the front end would open a
further websocket this client does not imitate.

The time reported is start → widget states received: the server's share of "first usable"
(a browser still has to build the views). The websocket stays open until :meth:`Session.close`,
as a user keeps the tab open: a closed websocket lets the server cull the kernel. Closing sends
no shutdown request, as a tab closed by the benchmark's browser sends none.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import re
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.client import HTTPConnection
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import websocket

PROTOCOL = "v1.kernel.websocket.jupyter.org"
CONTROL_TARGET = "jupyter.widget.control"
CONTROL_TIMEOUT = 4.0
"""How long the widget manager waits for ``update_states`` before it falls back (CONTROL_COMM_TIMEOUT)."""
STATIC_PREFIXES = ("/voila/static/", "/voila/templates/", "/voila/labextensions/")
"""Where a job-aid page's scripts and styles live."""
BROWSER_CONNECTIONS = 6
"""Connections a browser opens to one HTTP/1.1 origin."""
_CONFIG_RE = re.compile(r'<script[^>]*\bid="jupyter-config-data"[^>]*>(.*?)</script>', re.S)
_SCRIPT_RE = re.compile(r'<script\b[^>]*\bsrc="([^"]+)"', re.I)
_STYLE_RE = re.compile(r'<link\b(?=[^>]*\brel="stylesheet")[^>]*\bhref="([^"]+)"', re.I)


class SessionError(RuntimeError):
    """A session could not reach "widget states received"."""


@dataclass
class Opened:
    """What one session measured: ``seconds`` from start to widget states received."""

    seconds: float
    kernel_id: str
    models: int
    assets: int
    asset_bytes: int
    fallback: bool
    """The states came model by model (the control comm was closed or too slow), as in the browser."""
    marks: dict[str, float] = field(default_factory=dict)
    """Seconds from start at the end of each step: page, assets, websocket, kernel_info, states."""


def static_paths(urls: Iterable[str], base: str) -> list[str]:
    """The scripts and styles among ``urls`` (e.g. those a browser requested) at ``base``'s origin."""
    origin = urlsplit(base).netloc
    paths: dict[str, None] = {}
    for url in urls:
        parts = urlsplit(url)
        if parts.netloc == origin and parts.path.startswith(STATIC_PREFIXES):
            paths[parts.path + (f"?{parts.query}" if parts.query else "")] = None
    return list(paths)


def page_assets(page: str, config: dict[str, Any], base: str) -> list[str]:
    """The scripts and styles a page names, and the entry points of its widget extensions."""
    urls = [urljoin(base, html.unescape(u)) for u in _SCRIPT_RE.findall(page) + _STYLE_RE.findall(page)]
    extensions = str(config.get("fullLabextensionsUrl", "/voila/labextensions"))
    for ext in config.get("federated_extensions", []):
        urls.append(urljoin(base, f"{extensions}/{ext['name']}/{ext['load'].removeprefix('./')}"))
    return static_paths(urls, base)


def _frame(channel: str, parts: Sequence[dict[str, Any]]) -> bytes:
    """A v1 kernel websocket message: offsets, the channel, then header, parent, metadata, content."""
    chunks = [channel.encode()] + [json.dumps(p, separators=(",", ":")).encode() for p in parts]
    offsets = [8 * (len(chunks) + 2)]
    for chunk in chunks:
        offsets.append(offsets[-1] + len(chunk))
    head = b"".join(n.to_bytes(8, "little") for n in [len(offsets), *offsets])
    return head + b"".join(chunks)


def _unframe(data: bytes) -> tuple[str, list[Any]]:
    """Channel and [header, parent_header, metadata, content] of a v1 message (buffers dropped)."""
    count = int.from_bytes(data[:8], "little")
    offsets = [int.from_bytes(data[8 * (i + 1): 8 * (i + 2)], "little") for i in range(count)] + [len(data)]
    channel = data[offsets[0]:offsets[1]].decode()
    return channel, [json.loads(data[offsets[i]:offsets[i + 1]]) for i in range(1, 5)]


class Session:
    """One headless job-aid session against ``base`` (e.g. ``http://127.0.0.1:8866``)."""

    def __init__(self, base: str, aid: str, assets: Sequence[str] | None = None, timeout: float = 120) -> None:
        self.base = base.rstrip("/")
        self.aid = aid
        self.assets = assets
        self.timeout = timeout
        self.session_id = str(uuid.uuid4())
        self.cookie = ""
        self.kernel_id = ""
        self.ws: websocket.WebSocket | None = None
        self._deadline = 0.0

    def _left(self, what: str) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise SessionError(f"{self.aid}: {what} not done within {self.timeout:.0f} s")
        return left

    def _get(self, conn: HTTPConnection, path: str, accept: str = "*/*") -> tuple[bytes, Any]:
        """The raw (possibly gzipped) body of a GET, read to the end within the deadline."""
        conn.timeout = self._left(path)
        if conn.sock is not None:
            conn.sock.settimeout(conn.timeout)
        headers = {"Accept": accept, "Accept-Encoding": "gzip", "User-Agent": "handbook-bench"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        chunks = []
        while chunk := response.read(65536):
            chunks.append(chunk)
            self._left(path)
        if response.status != 200:
            raise SessionError(f"{self.aid}: GET {path} answered {response.status}")
        return b"".join(chunks), response

    def _connection(self) -> HTTPConnection:
        parts = urlsplit(self.base)
        return HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=self._left("connect"))

    def _fetch_all(self, paths: Sequence[str]) -> int:
        conn = self._connection()
        try:
            return sum(len(self._get(conn, path)[0]) for path in paths)
        finally:
            conn.close()

    def _send(self, msg_type: str, content: dict[str, Any], metadata: dict[str, Any] | None = None) -> str:
        assert self.ws is not None
        msg_id = str(uuid.uuid4())
        header = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "msg_id": msg_id,
                  "msg_type": msg_type, "session": self.session_id, "username": "", "version": "5.2"}
        self.ws.send_binary(_frame("shell", [header, {}, metadata or {}, content]))
        return msg_id

    def _wait(self, what: str, match: Any, until: float | None = None) -> dict[str, Any] | None:
        """Receive until ``match(channel, header, parent, content)`` is true; return that content.

        None once ``until`` (a ``time.monotonic()`` earlier than the session's deadline) has passed.
        """
        assert self.ws is not None
        while True:
            if until is not None and time.monotonic() >= until:
                return None
            left = self._left(what)
            self.ws.settimeout(min(left, until - time.monotonic()) if until is not None else left)
            try:
                data = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                continue  # the deadlines are checked above
            except websocket.WebSocketException as exc:
                raise SessionError(f"{self.aid}: websocket closed while waiting for {what}: {exc}") from exc
            if isinstance(data, str):
                raise SessionError(f"{self.aid}: a text frame on the {PROTOCOL} websocket")
            channel, (header, parent, _metadata, content) = _unframe(data)
            if match(channel, header, parent, content):
                return dict(content)

    def _reply(self, what: str, msg_id: str) -> dict[str, Any]:
        """The shell reply to ``msg_id``."""
        reply = self._wait(what, lambda ch, h, p, c: ch == "shell" and p.get("msg_id") == msg_id)
        assert reply is not None
        if reply.get("status") != "ok":
            raise SessionError(f"{self.aid}: {what} answered {reply.get('status')}")
        return reply

    def _states_one_by_one(self) -> int:
        """The manager's fallback: list the widget comms, ask each model for its state."""
        comms = self._reply("comm_info_reply", self._send("comm_info_request", {"target_name": "jupyter.widget"}))
        pending = {self._send("comm_msg", {"comm_id": comm_id, "data": {"method": "request_state"}}): comm_id
                   for comm_id in comms.get("comms", {})}
        count = len(pending)

        def answered(channel: str, header: dict[str, Any], parent: dict[str, Any], content: dict[str, Any]) -> bool:
            if header.get("msg_type") == "comm_msg" and content.get("data", {}).get("method") == "update":
                pending.pop(parent.get("msg_id", ""), None)
            return not pending

        if pending:
            self._wait("the models' states", answered)
        return count

    def open(self) -> Opened:
        """Open the job aid as a tab would; return when the widget states have arrived."""
        started = time.monotonic()
        self._deadline = started + self.timeout
        marks: dict[str, float] = {}

        def mark(name: str) -> None:
            marks[name] = round(time.monotonic() - started, 3)

        conn = self._connection()
        try:
            raw, response = self._get(conn, f"/voila/render/{self.aid}.ipynb", "text/html")
        finally:
            conn.close()
        page = (gzip.decompress(raw) if response.getheader("Content-Encoding") == "gzip" else raw).decode()
        self.cookie = "; ".join(c.split(";", 1)[0] for c in response.headers.get_all("Set-Cookie") or [])
        found = _CONFIG_RE.search(page)
        if not found:
            raise SessionError(f"{self.aid}: the page has no jupyter-config-data (an error page?)")
        config = json.loads(found.group(1))
        kernel_id = self.kernel_id = str(config.get("kernelId") or "")
        if not kernel_id:
            raise SessionError(f"{self.aid}: the page config names no kernel")
        if config.get("progressiveRendering"):
            raise SessionError(f"{self.aid}: progressive rendering is not imitated by this client")
        mark("page")

        paths = list(self.assets) if self.assets is not None else page_assets(page, config, self.base)
        with ThreadPoolExecutor(BROWSER_CONNECTIONS) as pool:
            asset_bytes = sum(pool.map(self._fetch_all, [paths[i::BROWSER_CONNECTIONS]
                                                         for i in range(BROWSER_CONNECTIONS)]))
        mark("assets")

        conn = self._connection()
        try:
            model = json.loads(self._get(conn, f"/api/kernels/{kernel_id}?{int(time.time() * 1000)}",
                                         "application/json")[0])
        finally:
            conn.close()
        if model.get("id") != kernel_id:
            raise SessionError(f"{self.aid}: /api/kernels/{kernel_id} did not describe that kernel")
        control_until = time.monotonic() + CONTROL_TIMEOUT  # the manager starts before the socket opens
        ws_url = self.base.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels?session_id={self.session_id}"
        try:
            self.ws = websocket.create_connection(ws_url, timeout=self._left("websocket"), subprotocols=[PROTOCOL],
                                                  cookie=self.cookie or None)
        except (OSError, websocket.WebSocketException) as exc:
            raise SessionError(f"{self.aid}: kernel websocket refused: {exc}") from exc
        if self.ws.getsubprotocol() != PROTOCOL:
            raise SessionError(f"{self.aid}: the server did not accept the {PROTOCOL} subprotocol")
        mark("websocket")

        self._reply("kernel_info_reply", self._send("kernel_info_request", {}))
        mark("kernel_info")

        comm_id = str(uuid.uuid4())
        self._send("comm_open", {"comm_id": comm_id, "target_name": CONTROL_TARGET, "data": {}}, {"version": "1.0.0"})
        self._send("comm_msg", {"comm_id": comm_id, "data": {"method": "request_states"}})

        def answer(channel: str, header: dict[str, Any], parent: dict[str, Any], content: dict[str, Any]) -> bool:
            kind = header.get("msg_type")
            return content.get("comm_id") == comm_id and (kind == "comm_close" or (
                kind == "comm_msg" and content.get("data", {}).get("method") == "update_states"))

        states = (self._wait("update_states", answer, control_until) or {}).get("data", {}).get("states")
        if states is not None:
            self._send("comm_close", {"comm_id": comm_id, "data": {}})
            models = len(states)
        else:  # closed by the kernel, or too slow: the manager asks model by model
            models = self._states_one_by_one()
        mark("states")
        if not models:
            raise SessionError(f"{self.aid}: the kernel holds no widget models")
        return Opened(marks["states"], kernel_id, models, len(paths), asset_bytes, states is None, marks)

    def close(self) -> None:
        """The tab goes away: the page's closing beacon (with its ``_xsrf`` cookie), then the websocket."""
        xsrf = re.search(r"(?:^|; )_xsrf=([^;]*)", self.cookie)
        if self.kernel_id:
            parts = urlsplit(self.base)
            conn = HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
            try:  # a browser does not wait for the answer either: a refusal is the server's choice
                body = urlencode({"_xsrf": xsrf.group(1) if xsrf else ""})
                conn.request("POST", f"/voila/api/shutdown/{self.kernel_id}", body=body,
                             headers={"Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded"})
                conn.getresponse().read()
            except OSError:
                pass
            finally:
                conn.close()
            self.kernel_id = ""
        if self.ws is not None:
            self.ws.close(timeout=2)
            self.ws = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def at_once(base: str, aid: str, count: int, assets: Sequence[str] | None = None,
            timeout: float = 120, alongside: Callable[[], None] | None = None) -> tuple[list[Opened], list[str]]:
    """``count`` sessions started together (a barrier); all stay open until the last one ends.

    ``alongside`` runs in the calling thread, released by the same barrier (e.g. a real browser
    opening the aid too); it reports its own result and failures.
    """
    sessions = [Session(base, aid, assets, timeout) for _ in range(count)]
    barrier = threading.Barrier(count + (alongside is not None))
    opened: list[Opened] = []
    errors: list[str] = []

    def run(session: Session) -> None:
        try:
            barrier.wait(timeout=30)
            opened.append(session.open())
        except Exception as exc:  # any failure is a failed session, reported with its reason
            errors.append(f"{type(exc).__name__}: {exc}"[:200])

    threads = [threading.Thread(target=run, args=(s,), daemon=True) for s in sessions]
    for thread in threads:
        thread.start()
    if alongside is not None:
        barrier.wait(timeout=30)
        alongside()
    for thread in threads:
        thread.join(timeout + 40)
    for session in sessions:
        session.close()
    errors += ["session did not end"] * (count - len(opened) - len(errors))
    return opened, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base", help="the server, e.g. http://127.0.0.1:8866")
    parser.add_argument("aids", nargs="*", default=["scene-response"])
    parser.add_argument("--at-once", type=int, default=1, help="sessions started together, per job aid")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    failed = False
    for aid in args.aids:
        opened, errors = at_once(args.base, aid, args.at_once, timeout=args.timeout)
        times = [o.seconds for o in opened]
        print(json.dumps({"aid": aid, "sessions": args.at_once, "failed": len(errors), "errors": errors[:3],
                          "median_s": round(statistics.median(times), 3) if times else None,
                          "models": sorted({o.models for o in opened}), "assets": sorted({o.assets for o in opened}),
                          "fallbacks": sum(o.fallback for o in opened),
                          "marks": opened[0].marks if opened else None}), flush=True)
        failed = failed or bool(errors) or any(o.models == 0 for o in opened)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
