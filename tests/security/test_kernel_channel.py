"""A client on a job aid's kernel websocket cannot run code.

The attacker here is anyone who can open a job aid: they load the page, read the
kernel id from it and talk to the kernel directly, as the page's own JavaScript
does. Every attempt carries code that would create a sentinel file; the file must
never appear. Positive controls show the channel itself works (a kernel_info reply,
and a real widget update that starts a checklist), so "nothing happened" is not
just a dead connection.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from secserver import KernelChannel, Server, replies_to, running_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("kernel-channel")) as srv:
        yield srv


@pytest.fixture(scope="module")
def sentinel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sentinel") / "code-ran"


def _code(sentinel: Path) -> str:
    return f"__import__('pathlib').Path({str(sentinel)!r}).write_text('ran')"


def _attacks(sentinel: Path) -> list[tuple[str, str, dict[str, Any]]]:
    code = _code(sentinel)
    execute = {"code": code, "silent": False, "store_history": True, "user_expressions": {},
               "allow_stdin": False, "stop_on_error": True}
    return [
        ("shell", "execute_request", execute),
        ("control", "execute_request", execute),
        ("shell", "execute_request", {**execute, "user_expressions": {"x": code}, "code": ""}),
        ("shell", "inspect_request", {"code": code, "cursor_pos": 5, "detail_level": 1}),
        ("shell", "complete_request", {"code": code, "cursor_pos": len(code)}),
        ("shell", "history_request", {"output": True, "raw": True, "hist_access_type": "tail", "n": 10}),
        ("shell", "is_complete_request", {"code": code}),
        ("control", "debug_request", {"seq": 1, "type": "request", "command": "evaluate",
                                      "arguments": {"expression": code, "context": "repl"}}),
        ("control", "interrupt_request", {}),
        ("stdin", "input_reply", {"value": code}),
        ("shell", "comm_open", {"comm_id": "made-up-1", "target_name": "made-up-target",
                                "data": {"code": code}}),
        ("shell", "comm_open", {"comm_id": "made-up-2", "target_name": "jupyter.widget",
                                "data": {"state": {"_model_name": code, "_model_module": code,
                                                   "_view_name": code}, "buffer_paths": []}}),
        ("shell", "comm_msg", {"comm_id": "no-such-comm", "data": {"method": "custom",
                                                                  "content": {"code": code}}}),
    ]


BLOCKED_REPLIES = {"execute_reply", "execute_result", "execute_input", "error", "inspect_reply",
                   "complete_reply", "history_reply", "is_complete_reply", "debug_reply", "interrupt_reply"}
"""Replies that would mean a request got through. (A comm_open to an unknown target gets a
comm_close and a line on stderr from the kernel; that is the kernel refusing it.)"""


def _states(channel: KernelChannel) -> dict[str, dict[str, Any]]:
    """Every widget's state, asked the way the page asks (the widget control comm)."""
    opened = channel.send("comm_open", {"comm_id": "control-probe", "target_name": "jupyter.widget.control",
                                        "data": {}}, metadata={"version": "1.0.0"})
    channel.collect(10, until=lambda m: (m.get("parent_header") or {}).get("msg_id") == opened
                    and m["content"].get("execution_state") == "idle")
    msg_id = channel.send("comm_msg", {"comm_id": "control-probe", "data": {"method": "request_states"}})
    got = channel.collect(15, until=lambda m: m["header"]["msg_type"] == "comm_msg"
                          and m["content"].get("data", {}).get("method") == "update_states")
    for msg in got:
        data = msg["content"].get("data", {})
        if data.get("method") == "update_states":
            states: dict[str, dict[str, Any]] = {k: v["state"] for k, v in data["states"].items()}
            return states
    raise AssertionError(f"no widget states came back for {msg_id}")


def test_code_never_runs_but_the_channel_works(server: Server, sentinel: Path) -> None:
    _html, kernel_id, cookies = server.job_aid()
    channel = KernelChannel(server, kernel_id, cookies)
    try:
        sent = [channel.send(msg_type, content, channel=chan) for chan, msg_type, content in _attacks(sentinel)]
        probe = channel.send("kernel_info_request", {})
        got = channel.collect(20, until=lambda m: m["header"]["msg_type"] == "kernel_info_reply")
        # Positive control: the kernel answers on this very connection, after the attacks.
        assert any(m["header"]["msg_type"] == "kernel_info_reply" for m in replies_to(got, probe))
        got += channel.collect(2)
        for msg_id, (chan, msg_type, _content) in zip(sent, _attacks(sentinel), strict=True):
            answered = {m["header"]["msg_type"] for m in replies_to(got, msg_id)}
            assert not answered & BLOCKED_REPLIES, f"{chan}/{msg_type} was answered: {answered}"
        assert not any(m["header"]["msg_type"] in BLOCKED_REPLIES for m in got)
        streams = [m["content"] for m in got if m["header"]["msg_type"] == "stream"]
        assert all(s["name"] == "stderr" and "comm" in s["text"].lower() for s in streams), streams
    finally:
        channel.close()
    assert not sentinel.exists(), "code sent over the kernel websocket ran"


def test_kernel_channels_are_unix_sockets(server: Server) -> None:
    """The server reaches its kernels over Unix sockets: no TCP port to race for or to reach.

    (ipykernel's own pipe for output from processes a kernel forks stays on a loopback port,
    authenticated by a random key; it is the only TCP listener a kernel may have.)
    """
    import psutil

    server.job_aid()
    root = psutil.Process(server.process.pid)
    kernels = [p for p in root.children(recursive=True) if p.ppid() != root.pid]  # the fork server's children
    assert kernels, "no kernel processes found under the server"
    for kernel in kernels:
        channels = {Path(c.laddr).name.rsplit("-", 1)[-1] for c in kernel.net_connections(kind="unix")
                    if c.laddr and "-ipc-" in Path(c.laddr).name}
        assert channels == {"1", "2", "3", "4", "5"}, (kernel.pid, channels)
        tcp = [c for c in kernel.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]
        assert len(tcp) <= 1 and all(c.laddr.ip == "127.0.0.1" for c in tcp), tcp
    listening = {c.laddr.port for c in root.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN}
    assert listening == {server.port}


def test_binary_protocol_is_filtered_too(server: Server, sentinel: Path) -> None:
    _html, kernel_id, cookies = server.job_aid()
    channel = KernelChannel(server, kernel_id, cookies, subprotocols=["v1.kernel.websocket.jupyter.org"])
    try:
        code = _code(sentinel)
        channel.send_v1("execute_request", {"code": code, "silent": False, "store_history": False,
                                            "user_expressions": {}, "allow_stdin": False})
        probe = channel.send_v1("kernel_info_request", {})
        got = channel.collect(20, until=lambda m: m["header"]["msg_type"] == "kernel_info_reply")
        assert replies_to(got, probe), "no kernel_info_reply over the v1 protocol"
        assert not any(m["header"]["msg_type"] in BLOCKED_REPLIES for m in got + channel.collect(2))
    finally:
        channel.close()
    assert not sentinel.exists()


def test_widget_messages_carry_no_code(server: Server, sentinel: Path) -> None:
    """Real widget updates reach Python, but a value is data checked by the engine, never code."""
    _html, kernel_id, cookies = server.job_aid()
    channel = KernelChannel(server, kernel_id, cookies)
    try:
        states = _states(channel)
        case_box = next(mid for mid, s in states.items()
                        if s.get("_model_name") == "TextModel" and "Case" in str(s.get("description")))
        code = _code(sentinel)
        for value in (code, f"{{{code}}}", "$(touch x)", "<script>alert(1)</script>"):
            channel.send("comm_msg", {"comm_id": case_box, "data": {
                "method": "update", "state": {"value": value}, "buffer_paths": []}})
        refusals = channel.collect(10, until=lambda m: "as your agency writes it" in str(m["content"]))
        assert any("as your agency writes it" in str(m["content"]) for m in refusals), \
            "the engine did not refuse the case number"

        # Positive control: a real update starts a checklist (the kernel draws it).
        channel.send("comm_msg", {"comm_id": case_box, "data": {
            "method": "update", "state": {"value": "26-WS-CONTROL-1"}, "buffer_paths": []}})

        def _is_checklist(m: dict[str, Any]) -> bool:
            return m["header"]["msg_type"] == "comm_open" and "spec" in m["content"].get("data", {}).get("state", {})

        channel.collect(20, until=_is_checklist)
        checklist = next((m["content"]["comm_id"] for m in channel.received if _is_checklist(m)), None)
        assert checklist, "the widget update had no effect: no checklist was opened"
        channel.collect(10, until=lambda m: "26-WS-CONTROL-1" in str(m["content"]))
        assert any("26-WS-CONTROL-1" in str(m["content"]) for m in channel.received), "no status for the case"
        hostile = [
            {"type": "answer", "item": code, "answer": {"value": code}},
            {"type": "answer", "item": "victim-immediate-safety", "answer": {"value": code}},
            {"type": code, "item": "victim-immediate-safety"},
            {"type": "answer", "item": "victim-immediate-safety", "answer": {"na": True, "reason": "\x00" + code}},
        ]
        for content in hostile:
            channel.send("comm_msg", {"comm_id": checklist, "data": {"method": "custom", "content": content}})

        def _rejections() -> list[dict[str, Any]]:
            return [m for m in channel.received
                    if m["content"].get("data", {}).get("content", {}).get("type") == "rejected"]

        channel.collect(15, until=lambda _m: len(_rejections()) >= len(hostile))
        assert len(_rejections()) == len(hostile), [m["content"] for m in channel.received[-10:]]
    finally:
        channel.close()
    assert not sentinel.exists()


def test_websocket_from_another_origin_is_refused(server: Server) -> None:
    import websocket

    _html, kernel_id, cookies = server.job_aid()
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        KernelChannel(server, kernel_id, cookies, headers={"Origin": "http://evil.example"})
    assert refused.value.status_code in (400, 403)


def test_unknown_kernel_id_is_refused(server: Server) -> None:
    import websocket

    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        KernelChannel(server, "00000000-0000-4000-8000-000000000000", "")
    assert refused.value.status_code == 404


# --- one page's kernel is that page's alone ----------------------------------------------------


def _cookie(cookies: str, name: str) -> str:
    return next(c.split("=", 1)[1] for c in cookies.split("; ") if c.split("=", 1)[0] == name)


def _kernel_info_works(channel: KernelChannel) -> bool:
    probe = channel.send("kernel_info_request", {})
    got = channel.collect(20, until=lambda m: m["header"]["msg_type"] == "kernel_info_reply")
    return bool(replies_to(got, probe))


def test_another_page_that_knows_the_kernel_id_gets_nothing(server: Server) -> None:
    """Page B (another browser, or no cookies at all) knows page A's kernel id: every kernel
    route refuses it, and A's kernel keeps working for A (the positive control)."""
    import websocket

    _html, kernel_a, cookies_a = server.job_aid()
    _html, kernel_b, cookies_b = server.job_aid()
    assert kernel_a != kernel_b
    xsrf_b = {"X-XSRFToken": _cookie(cookies_b, "_xsrf"), "Cookie": cookies_b}
    b_key_only = f"handbook-kernel={_cookie(cookies_b, 'handbook-kernel')}"  # B's key, for A's kernel
    for cookies in (cookies_b, "", b_key_only):
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            KernelChannel(server, kernel_a, cookies)
        assert refused.value.status_code == 403, cookies
    for method, path in [("GET", f"/api/kernels/{kernel_a}"), ("POST", f"/api/kernels/{kernel_a}/interrupt"),
                         ("POST", f"/api/kernels/{kernel_a}/restart"), ("DELETE", f"/api/kernels/{kernel_a}"),
                         ("POST", f"/voila/api/shutdown/{kernel_a}")]:
        status, head, body = server.request(path, method=method, headers=xsrf_b, body=b"" if method != "GET" else None)
        assert status == 403, (method, path, status, body[:200])
        assert b"belongs to another page" in body and head.get("x-content-type-options") == "nosniff"
    # Positive controls: each page still reaches its own kernel, over REST and the websocket.
    for kernel_id, cookies in ((kernel_a, cookies_a), (kernel_b, cookies_b)):
        status, _head, body = server.request(f"/api/kernels/{kernel_id}", headers={"Cookie": cookies})
        assert status == 200 and kernel_id.encode() in body
        channel = KernelChannel(server, kernel_id, cookies)
        try:
            assert _kernel_info_works(channel), "the owning page lost its own kernel"
        finally:
            channel.close()


def test_the_owner_cookie_is_scoped_to_its_kernel_and_hidden_from_scripts(server: Server) -> None:
    status, head, _body = server.request("/voila/render/scene-response.ipynb")
    assert status == 200
    owner = [c for c in head["set-cookie"].split("\n") if c.startswith("handbook-kernel")]
    assert len(owner) == 2, owner
    for cookie in owner:
        attributes = {a.strip().split("=")[0].lower(): a.strip() for a in cookie.split(";")[1:]}
        assert "httponly" in attributes and attributes["samesite"].lower() == "samesite=strict", cookie
        assert re.fullmatch(r"Path=/(api/kernels|voila/api/shutdown)/[0-9a-f-]{36}", attributes["path"]), cookie


def test_the_websocket_upgrade_carries_the_security_headers(server: Server) -> None:
    _html, kernel_id, cookies = server.job_aid()
    channel = KernelChannel(server, kernel_id, cookies)
    try:
        head = {k.lower(): v for k, v in channel.ws.getheaders().items()}
        assert channel.ws.getstatus() == 101
    finally:
        channel.close()
    assert head.get("x-content-type-options") == "nosniff" and head.get("x-frame-options") == "DENY", head
    assert "frame-ancestors 'none'" in head.get("content-security-policy", ""), head
    assert head.get("referrer-policy") == "no-referrer" and "server" not in head, head


def test_the_sentinel_code_does_create_the_file_when_it_runs(tmp_path: Path) -> None:
    """Positive control for every attack above: the code they carry really writes the sentinel
    when Python runs it, so "the file never appeared" means the code never ran."""
    import subprocess
    import sys

    sentinel = tmp_path / "code-ran"
    subprocess.run([sys.executable, "-c", _code(sentinel)], check=True, timeout=30)
    assert sentinel.read_text() == "ran"


def test_no_traceback_in_the_server_log(server: Server) -> None:
    assert "Traceback" not in server.log(), server.log()[-3000:]
