"""Behind a sign-on proxy: with --trusted-header, a request without the user header gets nothing.

The proxy authenticates the officer and forwards the user name in a header. The
server then refuses every route (book, job aids, static files, kernels) to any
request that lacks a well-formed user name there.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from secserver import AID, KernelChannel, Server, replies_to, running_server

pytestmark = pytest.mark.slow
HEADER = "X-Forwarded-User"
USER = {HEADER: "officer.jones@agency.example"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("trusted-header"), args=["--trusted-header", HEADER]) as srv:
        yield srv


PATHS = ["/", "/chapter/page.html", "/_static/site.css", "/no-such-page", AID, "/voila/render/nope.ipynb",
         "/voila/static/voila.js", "/voila/templates/handbook/static/index.css",
         "/voila/labextensions/anywidget/package.json", "/api/kernels/00000000-0000-4000-8000-000000000000",
         "/api/kernels/00000000-0000-4000-8000-000000000000/channels", "/login"]


@pytest.mark.parametrize("value", [None, "", " ", "a b", "<script>", "x" * 129, "name\tname", "ñame", "a,b"])
@pytest.mark.parametrize("path", PATHS)
def test_requests_without_a_user_are_refused(server: Server, path: str, value: str | None) -> None:
    headers = {} if value is None else {HEADER: value}
    status, head, body = server.request(path, headers=headers)
    assert status == 401, (path, value, status)
    api = path.startswith("/api/") and not path.endswith("/channels")
    assert head["content-type"].startswith("application/json" if api else "text/plain")
    assert b"sign-on" in body
    assert head.get("x-content-type-options") == "nosniff"


def test_a_signed_in_user_gets_the_book_and_a_working_job_aid(server: Server) -> None:
    for path in ("/", "/chapter/page.html", "/voila/static/voila.js"):
        status, _head, _body = server.request(path, headers=USER)
        assert status == 200, path
    _html, kernel_id, cookies = server.job_aid(headers=USER)
    channel = KernelChannel(server, kernel_id, cookies, headers=USER)
    try:
        probe = channel.send("kernel_info_request", {})
        got = channel.collect(20, until=lambda m: m["header"]["msg_type"] == "kernel_info_reply")
        assert replies_to(got, probe)
    finally:
        channel.close()


def test_the_kernel_websocket_needs_the_user_too(server: Server) -> None:
    import websocket

    _html, kernel_id, cookies = server.job_aid(headers=USER)
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        KernelChannel(server, kernel_id, cookies)
    assert refused.value.status_code == 401


def test_no_traceback_in_the_server_log(server: Server) -> None:
    assert "Traceback" not in server.log(), server.log()[-3000:]
