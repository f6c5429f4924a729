"""A light client for one job-aid page through nginx: the page request, then the kernel websocket,
speaking the same widget messages the page's JavaScript sends.

A browser tab costs about 100 MB; this costs a socket, so a test can hold thirty sessions on two
cores. It keeps its own cookies the way a browser would: nginx's sticky ``handbook_route``
cookie, the page's ``_xsrf`` and the kernel's owner cookies.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import re
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from typing import Any

AID = "/voila/render/scene-response.ipynb"
CHOICE_ITEMS = ("suspect-status", "weapons-status", "medical-need", "others-at-risk", "referral-made",
                "language-used")
"""Scene-response items answered with a choice (the test picks the first option of each)."""


class PageLost(Exception):
    """The page's kernel connection is gone (the replica behind it died)."""


@dataclass
class Reply:
    kind: str
    content: dict[str, Any]


@dataclass
class AidPage:
    """One officer's job-aid tab, reached through ``base`` (nginx)."""

    base: str
    officer: str
    officer_header: str
    cookies: dict[str, str] = field(default_factory=dict)
    kernel_id: str = ""
    ws: Any = None
    checklist: str = ""
    state: dict[str, Any] = field(default_factory=dict)
    """The checklist widget's state as the kernel last sent it (answers, status)."""
    seen_text: list[str] = field(default_factory=list)
    seq: int = 0

    # --- HTTP ------------------------------------------------------------------------------

    def request(self, path: str, method: str = "GET", host: str | None = None) -> tuple[int, bytes]:
        """One request with this tab's cookies and officer; remembers cookies set in the answer.

        ``host``: ask that replica directly, with the user header nginx would add.
        """
        url = urllib.parse.urlsplit(host or self.base)
        conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=120)
        try:
            headers = {self.officer_header if host is None else "X-Forwarded-User": self.officer}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            conn.request(method, path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            if host is None:
                for name, value in response.getheaders():
                    if name.lower() == "set-cookie":
                        cookie, _, _attributes = value.partition(";")
                        key, _, val = cookie.partition("=")
                        self.cookies[key.strip()] = val.strip()
            return response.status, body
        finally:
            conn.close()

    def open(self) -> None:
        """Load the job-aid page (the replica starts a kernel for it) and connect to that kernel."""
        self.close()
        status, body = self.request(AID)
        if status != 200:
            raise AssertionError(f"the job-aid page answered {status}: {body[:300]!r}")
        match = re.search(rb'"kernelId":\s*"([0-9a-f-]{36})"', body)
        assert match, "no kernel id in the job-aid page"
        self.kernel_id = match.group(1).decode()
        self.checklist, self.state = "", {}
        self._connect()

    def _connect(self) -> None:
        import websocket

        url = urllib.parse.urlsplit(self.base)
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.ws = websocket.create_connection(
            f"ws://{url.netloc}/api/kernels/{self.kernel_id}/channels?session_id={uuid.uuid4().hex}",
            cookie=cookie, header=[f"{self.officer_header}: {self.officer}"], timeout=60)

    def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):  # a connection already dead is closed
                self.ws.close()
            self.ws = None

    # --- the kernel websocket --------------------------------------------------------------

    def _send(self, msg_type: str, content: dict[str, Any], metadata: dict[str, Any] | None = None) -> str:
        import websocket

        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "msg_type": msg_type, "session": uuid.uuid4().hex, "username": "",
                  "date": dt.datetime.now(dt.UTC).isoformat(), "version": "5.3"}
        try:
            self.ws.send(json.dumps({"header": header, "parent_header": {}, "metadata": metadata or {},
                                     "content": content, "channel": "shell", "buffers": []}))
        except (websocket.WebSocketException, OSError) as exc:
            raise PageLost(str(exc)) from None
        return msg_id

    def _receive(self, seconds: float) -> dict[str, Any] | None:
        """The next message within ``seconds`` (None: none came); ``PageLost`` if the connection closed."""
        import websocket

        self.ws.settimeout(max(0.05, seconds))
        try:
            raw = self.ws.recv()
        except websocket.WebSocketTimeoutException:
            return None
        except (websocket.WebSocketException, OSError) as exc:
            raise PageLost(str(exc)) from None
        if not raw:
            raise PageLost("the connection was closed")
        if isinstance(raw, bytes):
            return None  # widget buffers: not needed here
        msg: dict[str, Any] = json.loads(raw)
        self._note(msg)
        return msg

    def _note(self, msg: dict[str, Any]) -> None:
        """Keep the checklist's state and any text the page would show."""
        content = msg.get("content", {})
        data = content.get("data", {}) if isinstance(content, dict) else {}
        state = data.get("state", {}) if isinstance(data, dict) else {}
        if msg["header"]["msg_type"] in ("comm_open", "comm_msg") and isinstance(state, dict):
            if "spec" in state and msg["header"]["msg_type"] == "comm_open":
                self.checklist = content["comm_id"]
                self.state = dict(state)
            elif content.get("comm_id") == self.checklist and self.checklist:
                self.state.update(state)
            for key in ("value", "description"):
                if isinstance(state.get(key), str):
                    self.seen_text.append(state[key])

    def wait_for(self, seconds: float, until: Any) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            msg = self._receive(deadline - time.monotonic())
            if msg is not None and until(msg):
                return msg
        raise TimeoutError(f"nothing came within {seconds:g} s")

    def start_case(self, case: str, seconds: float = 90) -> None:
        """Type the case number (as the page does) and wait until the checklist is drawn."""
        control = f"control-{uuid.uuid4().hex[:8]}"
        opened = self._send("comm_open", {"comm_id": control,
                                          "target_name": "jupyter.widget.control", "data": {}},
                            metadata={"version": "1.0.0"})
        self.wait_for(seconds, lambda m: (m.get("parent_header") or {}).get("msg_id") == opened
                      and m["content"].get("execution_state") == "idle")
        self._send("comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
        got = self.wait_for(seconds, lambda m: m["content"].get("data", {}).get("method") == "update_states")
        states = got["content"]["data"]["states"]
        box = next(mid for mid, s in states.items()
                   if s["state"].get("_model_name") == "TextModel" and "Case" in str(s["state"].get("description")))
        self._send("comm_msg", {"comm_id": box, "data": {"method": "update", "state": {"value": case},
                                                         "buffer_paths": []}})
        self.wait_for(seconds, lambda _m: bool(self.checklist))
        # The status line that names the case comes with or right after the checklist.
        self.wait_for(seconds, lambda _m: any(case in t for t in self.seen_text))

    def answer(self, item: str, value: str, seconds: float = 30) -> Reply:
        """Answer one item; the kernel's reply (``saved`` only once the store confirmed it)."""
        self.seq += 1
        seq = self.seq
        self._send("comm_msg", {"comm_id": self.checklist, "data": {"method": "custom", "content": {
            "type": "answer", "item": item, "answer": {"value": value}, "seq": seq}}})
        msg = self.wait_for(seconds, lambda m: m["content"].get("comm_id") == self.checklist
                            and m["content"].get("data", {}).get("content", {}).get("seq") == seq)
        reply = msg["content"]["data"]["content"]
        if isinstance(reply.get("answers"), dict):
            self.state["answers"] = reply["answers"]
        return Reply(str(reply.get("type")), reply)

    def first_choice(self, item: str) -> str:
        """The first option of a choice item, as the checklist the kernel drew lists it."""
        for pause_point in self.state["spec"]["pause_points"]:
            for entry in pause_point["items"]:
                if entry["id"] == item:
                    return str(entry["value"]["choices"][0]["id"])
        raise KeyError(f"no item {item} in the checklist")

    def answers_shown(self) -> dict[str, Any]:
        answers = self.state.get("answers", {})
        return dict(answers) if isinstance(answers, dict) else {}

