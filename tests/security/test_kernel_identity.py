"""Each job-aid kernel is told who is signed in (``HANDBOOK_USER``), for the audit log.

Behind a sign-on proxy it is the header's value on the request that started the kernel;
with a token it is ``token-user``; on loopback with no authentication it is unset, even
if the server's own environment has one. The live test reads each kernel process's
environment, so its server starts kernels as new processes (``--no-fork-kernels``); the
unit tests check what the page hands the kernel manager in every mode.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from secserver import RecordingKernelManager, Server, running_server
from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine

from protocols.serve.guard import guard_policy
from protocols.serve.kernels import KernelsForThisPage, kernel_user_environment
from protocols.serve.options import ServeOptions
from protocols.settings import USER

HEADER = "X-Forwarded-User"


def _start(options: ServeOptions, headers: dict[str, str], server_env: dict[str, str]) -> dict[str, str]:
    import asyncio

    request = HTTPServerRequest(start_line=RequestStartLine("GET", "/voila/render/a.ipynb", "HTTP/1.1"),
                                headers=HTTPHeaders({"Host": "127.0.0.1", **headers}))
    handler = SimpleNamespace(request=request, set_cookie=lambda *a, **k: None)
    manager = RecordingKernelManager()
    kernels = KernelsForThisPage(manager, handler, guard_policy(options))  # type: ignore[arg-type]
    asyncio.run(kernels.start_kernel(kernel_name="python3", env={"PATH": "/bin", **server_env}))
    return manager.started[0]


@pytest.mark.parametrize(("options", "headers", "expected"), [
    (ServeOptions(Path("w"), Path("b"), trusted_header=HEADER), {HEADER: "officer.jones"}, "officer.jones"),
    (ServeOptions(Path("w"), Path("b"), trusted_header=HEADER), {HEADER: "sgt.lee@agency.example"},
     "sgt.lee@agency.example"),
    (ServeOptions(Path("w"), Path("b"), token="t" * 20), {}, "token-user"),
    (ServeOptions(Path("w"), Path("b"), token="t" * 20), {HEADER: "someone-else"}, "token-user"),
    (ServeOptions(Path("w"), Path("b")), {}, None),
    (ServeOptions(Path("w"), Path("b")), {HEADER: "forged"}, None),
])
def test_the_kernel_is_told_the_pages_user(options: ServeOptions, headers: dict[str, str],
                                           expected: str | None) -> None:
    env = _start(options, headers, {USER.name: "left-over-from-the-shell"})
    assert env.get(USER.name) == expected
    assert env["PATH"] == "/bin"


def test_preheated_kernels_get_only_a_user_known_before_any_request() -> None:
    from protocols.serve.app import voila_config

    assert kernel_user_environment(ServeOptions(Path("w"), Path("b"), token="t" * 20)) == {USER.name: "token-user"}
    assert kernel_user_environment(ServeOptions(Path("w"), Path("b"))) == {USER.name: None}
    proxied = ServeOptions(Path("w"), Path("b"), trusted_header=HEADER, preheat=True)
    assert voila_config(proxied).VoilaConfiguration.preheat_kernel is False  # no pool: no kernel without a user
    assert voila_config(ServeOptions(Path("w"), Path("b"))).VoilaConfiguration.preheat_kernel is True


# --- live: two users, two kernels ----------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("identity"), args=["--trusted-header", HEADER, "--no-fork-kernels"],
                        env={USER.name: "the-servers-own-user"}) as srv:
        yield srv


def _kernel_environment(server: Server, kernel_id: str) -> dict[str, str]:
    import psutil

    for process in psutil.Process(server.process.pid).children(recursive=True):
        if any(f"kernel-{kernel_id}.json" in part for part in process.cmdline()):
            return dict(process.environ())
    raise AssertionError(f"no process for kernel {kernel_id}")


@pytest.mark.slow
def test_two_users_kernels_each_see_their_own_user(server: Server) -> None:
    _html, jones, _ = server.job_aid(headers={HEADER: "officer.jones"})
    _html, lee, _ = server.job_aid(headers={HEADER: "sgt.lee@agency.example"})
    assert _kernel_environment(server, jones).get(USER.name) == "officer.jones"
    assert _kernel_environment(server, lee).get(USER.name) == "sgt.lee@agency.example"


def test_no_traceback_in_the_server_log(server: Server) -> None:
    assert "Traceback" not in server.log(), server.log()[-3000:]
