"""Helpers for the security tests: start `handbook serve` on loopback, talk to it raw.

Each test module that needs a server starts ONE with :func:`running_server` in a
module-scoped fixture. The server runs from the project folder with its own SQLite
records file and a small book folder made by :func:`make_book`.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from browser import launched_chromium as launched_chromium  # the security tests' one import
from served import HANDBOOK, ROOT, free_port, supervised

SECRET_MARKER = "TOP-SECRET-OUTSIDE-THE-BOOK"
AID = "/voila/render/scene-response.ipynb"




def real_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built handbook: the test run's shared build (read it or copy it; never change it)."""
    from bookbuild import shared_build

    return shared_build(tmp_path_factory).html


def make_book(base: Path) -> Path:
    """A small built-book folder, plus files that must never be served from it.

    Planted: a notebook, Python, YAML and a database in the folder itself, a hidden
    file, and symlinks that point outside it (to a file and to a folder).
    """
    book = base / "book"
    (book / "_static").mkdir(parents=True)
    (book / "chapter").mkdir()
    (book / "widgets").mkdir()
    page = ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{t}</title>"
            "<link rel='stylesheet' href='/_static/site.css'></head><body><main><h1>{t}</h1>"
            "<script>document.body.dataset.inline = 'ran';</script></main></body></html>")
    (book / "index.html").write_text(page.format(t="Handbook home"), encoding="utf-8")
    (book / "chapter" / "index.html").write_text(page.format(t="A chapter"), encoding="utf-8")
    (book / "chapter" / "page.html").write_text(page.format(t="A page"), encoding="utf-8")
    (book / "_static" / "site.css").write_text("body { color: #111; }\n", encoding="utf-8")
    (book / "_static" / "app.js").write_text("window.app = 1;\n", encoding="utf-8")
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET_MARKER + "\n", encoding="utf-8")
    (outside / "secret.css").write_text(f"/* {SECRET_MARKER} */\n", encoding="utf-8")
    (book / "_static" / "leak.css").symlink_to(outside / "secret.css")
    (book / "leak.html").symlink_to(outside / "secret.txt")
    (book / "leakdir").symlink_to(outside, target_is_directory=True)
    (book / "passwd.txt").symlink_to("/etc/passwd")
    for name, text in {
        "widgets/aid.ipynb": json.dumps({"cells": [{"source": SECRET_MARKER}]}),
        "conf.py": f"# {SECRET_MARKER}\n",
        "data.yaml": f"secret: {SECRET_MARKER}\n",
        "records.sqlite3": f"SQLite format 3\x00{SECRET_MARKER}",
        "records.sqlite3-wal": SECRET_MARKER,
        ".env": f"TOKEN={SECRET_MARKER}\n",
        "notes.md": SECRET_MARKER,
    }.items():
        (book / name).write_text(text, encoding="utf-8")
    return book


def make_widgets(base: Path) -> Path:
    """A copy of the job-aid folder, plus planted files and symlinks that must never be served.

    Planted: a notebook symlinked from outside (its markdown holds the secret marker), a
    notebook name pointing at ``/etc/passwd``, a symlinked folder and file, and source files.
    """
    import shutil

    widgets = base / "widgets"
    shutil.copytree(ROOT / "widgets", widgets)
    outside = base / "outside-widgets"
    outside.mkdir()
    notebook = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": SECRET_MARKER}],
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    (outside / "secret.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    (outside / "secret.txt").write_text(SECRET_MARKER + "\n", encoding="utf-8")
    (widgets / "leak.ipynb").symlink_to(outside / "secret.ipynb")
    (widgets / "passwd.ipynb").symlink_to("/etc/passwd")
    (widgets / "leak.txt").symlink_to(outside / "secret.txt")
    (widgets / "leakdir").symlink_to(outside, target_is_directory=True)
    (widgets / "helper.py").write_text(f"# {SECRET_MARKER}\n", encoding="utf-8")
    (widgets / "settings.yaml").write_text(f"secret: {SECRET_MARKER}\n", encoding="utf-8")
    return widgets


@dataclass
class Server:
    base: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    database: Path
    tmp: Path
    pages: dict[str, Any] = field(default_factory=dict)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def request(self, path: str, *, method: str = "GET", headers: dict[str, str] | None = None,
                body: bytes | None = None, timeout: float = 60) -> tuple[int, dict[str, str], bytes]:
        """One raw HTTP request; ``path`` is sent exactly as given (no normalising)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
            for name, value in sent.items():
                conn.putheader(name, value)
            conn.endheaders(body)
            response = conn.getresponse()
            data = response.read()
            head: dict[str, str] = {}
            for name, value in response.getheaders():  # a repeated header (Set-Cookie): one per line
                key = name.lower()
                head[key] = f"{head[key]}\n{value}" if key in head else value
            return response.status, head, data
        finally:
            conn.close()

    def job_aid(self, path: str = AID, headers: dict[str, str] | None = None) -> tuple[str, str, str]:
        """Load a job-aid page (starts a kernel): its HTML, kernel id and cookies."""
        status, head, body = self.request(path, headers=headers)
        assert status == 200, (status, body[:300])
        html = body.decode("utf-8")
        match = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', html)
        assert match, "no kernel id in the job-aid page"
        cookies = "; ".join(c.split(";")[0] for c in _all_headers(head, "set-cookie"))
        return html, match.group(1), cookies


def _all_headers(head: dict[str, str], name: str) -> list[str]:
    value = head.get(name)
    return value.split("\n") if value else []


@contextmanager
def running_server(tmp: Path, book: Path | None = None, *, args: list[str] | None = None,
                   env: dict[str, str] | None = None) -> Iterator[Server]:
    """`handbook serve --no-preheat` on a free loopback port, run by :func:`served.supervised`:
    stopped at the end with :func:`served.stop_cleanly` (a test fails unless the server exits 0 on
    SIGTERM and leaves no process behind); one that never opens its port fails with its start error."""
    port = free_port()
    database = tmp / "r.sqlite3"
    environ = {**os.environ, "HANDBOOK_DATABASE_URL": f"sqlite:///{database}", "PYTHONUNBUFFERED": "1"}
    for name in ("HANDBOOK_DEBUG", "HANDBOOK_TOKEN", "HANDBOOK_IDLE_LOCK_MINUTES", "HANDBOOK_AGENCY",
                 "HANDBOOK_TEST_ONLY_IDLE_LOCK_SECONDS", "HANDBOOK_USER"):
        environ.pop(name, None)
    environ.update(env or {})
    log_path = tmp / "server.log"
    command = [str(HANDBOOK), "serve", "--port", str(port), "--book", str(book or make_book(tmp)),
               "--no-preheat", *(args or [])]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    with supervised(process, port, log_path):
        yield Server(f"http://127.0.0.1:{port}", port, process, log_path, database, tmp)


class Watched:
    """A page plus every policy violation and script error it reports."""

    def __init__(self, context: Any) -> None:
        self.page = context.new_page()
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => "
            "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));")

    def _console(self, message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or "CSP violation" in text or "Refused to" in text:
            self.problems.append(text)


class KernelChannel:
    """A raw client of a job aid's kernel websocket (the JSON wire format a page uses)."""

    def __init__(self, server: Server, kernel_id: str, cookies: str,
                 headers: dict[str, str] | None = None, subprotocols: list[str] | None = None) -> None:
        import websocket

        self.session = uuid.uuid4().hex
        url = f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels?session_id={self.session}"
        self.ws = websocket.create_connection(url, cookie=cookies or None, timeout=10,
                                              header=[f"{k}: {v}" for k, v in (headers or {}).items()],
                                              subprotocols=subprotocols)
        self.received: list[dict[str, Any]] = []
        self.v1 = bool(subprotocols)

    def header(self, msg_type: str) -> dict[str, Any]:
        return {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": self.session,
                "username": "attacker", "date": dt.datetime.now(dt.UTC).isoformat(), "version": "5.3"}

    def send(self, msg_type: str, content: dict[str, Any], channel: str = "shell",
             metadata: dict[str, Any] | None = None) -> str:
        header = self.header(msg_type)
        self.ws.send(json.dumps({"header": header, "parent_header": {}, "metadata": metadata or {},
                                 "content": content, "channel": channel, "buffers": []}))
        return str(header["msg_id"])

    def send_v1(self, msg_type: str, content: dict[str, Any], channel: str = "shell") -> str:
        """The binary v1 wire format (needs the v1 subprotocol)."""
        from jupyter_server.services.kernels.connection.base import serialize_msg_to_ws_v1

        header = self.header(msg_type)
        parts = [json.dumps(part).encode() for part in (header, {}, {}, content)]
        self.ws.send_binary(serialize_msg_to_ws_v1(parts, channel))
        return str(header["msg_id"])

    def collect(self, seconds: float, until: Any = None) -> list[dict[str, Any]]:
        """Messages received within ``seconds`` (or until ``until(msg)`` is true)."""
        import websocket

        deadline = time.monotonic() + seconds
        got: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            self.ws.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                raw = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                break
            if isinstance(raw, bytes):
                msg = _from_v1(raw) if self.v1 else _from_binary(raw)
                if msg is None:
                    continue
            else:
                msg = json.loads(raw)
            got.append(msg)
            self.received.append(msg)
            if until is not None and until(msg):
                break
        return got

    def close(self) -> None:
        self.ws.close()


def _from_v1(raw: bytes) -> dict[str, Any] | None:
    try:
        count = int.from_bytes(raw[:8], "little")
        offsets = [int.from_bytes(raw[8 * (i + 1): 8 * (i + 2)], "little") for i in range(count)]
        channel = raw[offsets[0]:offsets[1]].decode()
        parts = [json.loads(raw[offsets[i]:offsets[i + 1]]) for i in range(1, 5)]
    except (ValueError, IndexError, UnicodeDecodeError):
        return None
    return {"channel": channel, "header": parts[0], "parent_header": parts[1], "metadata": parts[2],
            "content": parts[3]}


def _from_binary(raw: bytes) -> dict[str, Any] | None:
    """jupyter_server's legacy binary frame: a JSON message followed by its buffers."""
    try:
        count = int.from_bytes(raw[:4], "big")
        offsets = [int.from_bytes(raw[4 * (i + 1): 4 * (i + 2)], "big") for i in range(count)]
        msg: dict[str, Any] = json.loads(raw[offsets[0]:offsets[1] if count > 1 else None])
    except (ValueError, IndexError, UnicodeDecodeError):
        return None
    return msg


def replies_to(messages: list[dict[str, Any]], msg_id: str) -> list[dict[str, Any]]:
    """Messages whose parent is ``msg_id``, other than the kernel's busy/idle status."""
    return [m for m in messages
            if (m.get("parent_header") or {}).get("msg_id") == msg_id and m["header"]["msg_type"] != "status"]


def case_box(channel: KernelChannel) -> str:
    """The case-number box's comm id, asked the way the page asks (the widget control comm)."""
    opened = channel.send("comm_open", {"comm_id": "control-probe", "target_name": "jupyter.widget.control",
                                        "data": {}}, metadata={"version": "1.0.0"})
    channel.collect(10, until=lambda m: (m.get("parent_header") or {}).get("msg_id") == opened
                    and m["content"].get("execution_state") == "idle")
    channel.send("comm_msg", {"comm_id": "control-probe", "data": {"method": "request_states"}})
    got = channel.collect(15, until=lambda m: m["content"].get("data", {}).get("method") == "update_states")
    states = next(m["content"]["data"]["states"] for m in got
                  if m["content"].get("data", {}).get("method") == "update_states")
    return str(next(mid for mid, s in states.items()
                    if s["state"].get("_model_name") == "TextModel" and "Case" in str(s["state"].get("description"))))


class RecordingKernelManager:
    """A stand-in kernel manager that records the environment each kernel is started with."""

    def __init__(self) -> None:
        self.started: list[dict[str, str]] = []

    async def start_kernel(self, **kwargs: Any) -> str:
        self.started.append(kwargs["env"])
        return f"00000000-0000-4000-8000-{len(self.started):012d}"

    def list_kernel_ids(self) -> list[str]:
        return []
