"""Saves name the user who is there: on loopback, whoever started ``handbook serve``.

Without sign-in the server is on loopback, and the person who started it (``HANDBOOK_USER``)
is the one at the machine: every save is recorded as that user, and the start-up line says so.
A token is one shared secret, so its saves stay ``token-user`` (never one officer's name on
everyone's saves); behind a sign-on proxy each request's own user is recorded. The live tests
save an answer through a job aid's kernel and read the records file.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from secserver import AID, KernelChannel, RecordingKernelManager, Server, case_box, running_server
from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine
from typer.testing import CliRunner

from protocols.records import Store
from protocols.records.actor import AID_DEFAULT, NO_SIGN_IN, recorded_by
from protocols.serve.auth import recorded_as
from protocols.serve.guard import guard_policy
from protocols.serve.kernels import KernelsForThisPage, kernel_user_environment
from protocols.serve.options import ServeOptions
from protocols.settings import USER
from served import free_port

HEADER = "X-Forwarded-User"
W, B = Path("w"), Path("b")


# --- unit: what each kernel is told ----------------------------------------------------------------


def _kernel_user(options: ServeOptions, headers: dict[str, str]) -> str | None:
    request = HTTPServerRequest(start_line=RequestStartLine("GET", "/voila/render/a.ipynb", "HTTP/1.1"),
                                headers=HTTPHeaders({"Host": "127.0.0.1", **headers}))
    handler = SimpleNamespace(request=request, set_cookie=lambda *a, **k: None)
    manager = RecordingKernelManager()
    policy = guard_policy(options)
    kernels = KernelsForThisPage(manager, handler, policy)  # type: ignore[arg-type]
    kernel_id = asyncio.run(kernels.start_kernel(env={USER.name: "left-over-from-the-shell"}))
    assert policy.kernel_owners is not None
    assert policy.kernel_owners.user_of(kernel_id) == manager.started[0].get(USER.name)  # the lock's check
    return manager.started[0].get(USER.name)


@pytest.mark.parametrize(("options", "headers", "expected"), [
    (ServeOptions(W, B, local_user="officer-ab12"), {}, "officer-ab12"),
    (ServeOptions(W, B, local_user="officer-ab12"), {HEADER: "forged"}, "officer-ab12"),
    (ServeOptions(W, B), {}, None),
    (ServeOptions(W, B, token="t" * 20, local_user="officer-ab12"), {}, "token-user"),
    (ServeOptions(W, B, token="t" * 20), {}, "token-user"),
    (ServeOptions(W, B, trusted_header=HEADER, local_user="officer-ab12"), {HEADER: "sgt.lee"}, "sgt.lee"),
])
def test_each_kernel_records_the_user_who_is_there(options: ServeOptions, headers: dict[str, str],
                                                   expected: str | None) -> None:
    assert _kernel_user(options, headers) == expected


def test_a_preheated_kernel_records_the_same_user() -> None:
    assert kernel_user_environment(ServeOptions(W, B, local_user="officer-ab12")) == {USER.name: "officer-ab12"}
    assert kernel_user_environment(ServeOptions(W, B)) == {USER.name: None}
    assert kernel_user_environment(ServeOptions(W, B, token="t" * 20, local_user="x")) == {USER.name: "token-user"}


def test_the_start_up_line_says_who_saves_are_recorded_as() -> None:
    assert recorded_as(ServeOptions(W, B, local_user="officer-ab12")) == \
        "saves recorded as officer-ab12 ($HANDBOOK_USER)"
    assert recorded_as(ServeOptions(W, B)) == f"saves recorded as '{NO_SIGN_IN}'; set HANDBOOK_USER to name yourself"
    assert recorded_as(ServeOptions(W, B, token="t" * 20, local_user="officer-ab12")) == \
        "saves recorded as token-user; HANDBOOK_USER is not used with a shared token"
    assert recorded_as(ServeOptions(W, B, trusted_header=HEADER)) == f"saves recorded as the user in {HEADER}"


@pytest.mark.parametrize(("value", "said"), [("officer\tab12", "control character"), ("", "is empty"),
                                             ("x" * 65, "65 characters long")])
def test_serve_refuses_a_user_it_could_not_record(monkeypatch: pytest.MonkeyPatch, value: str, said: str) -> None:
    import protocols.serve.app as server_module
    from protocols.cli.app import app

    def never_started(options: Any) -> Any:
        raise AssertionError("serve went on to start the server")

    monkeypatch.setattr(server_module, "make_app", never_started)
    monkeypatch.setenv(USER.name, value)
    result = CliRunner().invoke(app, ["serve", "--port", str(free_port())])
    assert result.exit_code == 2, result.output
    assert "$HANDBOOK_USER" in result.output and said in result.output and "Traceback" not in result.output


# --- live: an answer saved through a job aid --------------------------------------------------------


@pytest.fixture(scope="module")
def named_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("named"), env={USER.name: "officer-ab12"}) as srv:
        yield srv


@pytest.fixture(scope="module")
def unnamed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("unnamed")) as srv:
        yield srv


def _save_an_answer(server: Server, case_number: str) -> None:
    """Open the scene checklist for ``case_number`` and answer one item, as the page would."""
    _html, kernel_id, cookies = server.job_aid(AID)
    channel = KernelChannel(server, kernel_id, cookies)
    try:
        box = case_box(channel)
        channel.send("comm_msg", {"comm_id": box, "data": {
            "method": "update", "state": {"value": case_number}, "buffer_paths": []}})

        def is_checklist(m: dict[str, Any]) -> bool:
            return m["header"]["msg_type"] == "comm_open" and "spec" in m["content"].get("data", {}).get("state", {})

        channel.collect(20, until=is_checklist)
        checklist = next(m["content"]["comm_id"] for m in channel.received if is_checklist(m))
        channel.send("comm_msg", {"comm_id": checklist, "data": {"method": "custom", "content": {
            "type": "answer", "item": "victim-immediate-safety", "answer": {"value": "yes"}}}})

        def reply(m: dict[str, Any]) -> bool:
            return m["content"].get("data", {}).get("content", {}).get("type") in ("saved", "rejected", "refused")

        got = channel.collect(20, until=reply)
        replies = [m["content"]["data"]["content"]["type"] for m in got if reply(m)]
        assert replies == ["saved"], [m["content"] for m in got[-5:]]
    finally:
        channel.close()


def _actors(server: Server, case_number: str) -> list[str]:
    store = Store.open(f"sqlite:///{server.database}", actor="test-reader")
    runs = store.find("scene-response", case_number)
    assert len(runs) == 1, runs
    return store.actors(runs[0].id)


@pytest.mark.slow
def test_on_loopback_saves_are_recorded_as_the_user_who_started_the_server(named_server: Server) -> None:
    assert "saves recorded as officer-ab12 ($HANDBOOK_USER)" in named_server.log()
    _save_an_answer(named_server, "26-REC-NAMED-1")
    store = Store.open(f"sqlite:///{named_server.database}", actor="test-reader")
    run = store.find("scene-response", "26-REC-NAMED-1")[0]
    entries = [(e["action"], e["actor"]) for e in store.audit_log(run.id)]
    assert entries == [("create", "officer-ab12"), ("change", "officer-ab12")], entries
    assert recorded_by(_actors(named_server, "26-REC-NAMED-1")) == "officer-ab12"


@pytest.mark.slow
def test_without_a_user_saves_say_no_sign_in_is_configured(unnamed_server: Server) -> None:
    assert "set HANDBOOK_USER to name yourself" in unnamed_server.log()
    _save_an_answer(unnamed_server, "26-REC-UNNAMED-1")
    assert _actors(unnamed_server, "26-REC-UNNAMED-1") == [AID_DEFAULT]
    assert recorded_by(_actors(unnamed_server, "26-REC-UNNAMED-1")) == NO_SIGN_IN


@pytest.mark.parametrize("fixture", ["named_server", "unnamed_server"])
def test_no_traceback_in_the_server_log(fixture: str, request: pytest.FixtureRequest) -> None:
    assert "Traceback" not in request.getfixturevalue(fixture).log()
