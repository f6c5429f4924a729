"""With --token (or HANDBOOK_TOKEN), the job aids and their kernels need the token.

The book and the static front-end files stay readable: they hold the published
handbook and code, never case data (SECURITY.md). Everything that reaches a kernel
or a record needs the token.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from secserver import AID, KernelChannel, Server, replies_to, running_server

pytestmark = pytest.mark.slow
TOKEN = "s3cret-token-for-tests-0123456789"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("token"), env={"HANDBOOK_TOKEN": TOKEN}) as srv:
        yield srv


@pytest.mark.parametrize("query", ["", "?token=", "?token=wrong-token-0123456789", f"?token={TOKEN[:-1]}",
                                   f"?token={TOKEN}x", "?token[]=x"])
def test_job_aid_without_the_right_token_starts_no_kernel(server: Server, query: str) -> None:
    status, head, body = server.request(AID + query)
    assert status in (302, 401, 403), (query, status)
    if status == 302:
        assert head["location"].startswith("/login")
    assert b"kernelId" not in body


def test_job_aid_with_the_token_works_and_its_kernel_needs_the_login(server: Server) -> None:
    import websocket

    _html, kernel_id, cookies = server.job_aid(f"{AID}?token={TOKEN}")
    assert "username-" in cookies or cookies
    channel = KernelChannel(server, kernel_id, cookies)
    try:
        probe = channel.send("kernel_info_request", {})
        got = channel.collect(20, until=lambda m: m["header"]["msg_type"] == "kernel_info_reply")
        assert replies_to(got, probe)
    finally:
        channel.close()
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        KernelChannel(server, kernel_id, "")
    assert refused.value.status_code == 403


def test_the_book_stays_public(server: Server) -> None:
    status, _head, _body = server.request("/")
    assert status == 200


def test_no_traceback_in_the_server_log(server: Server) -> None:
    assert "Traceback" not in server.log(), server.log()[-3000:]
