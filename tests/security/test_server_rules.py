"""The server's rules as plain functions: fast checks beside the live-server tests."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine

from protocols.serve.auth import auth_problem, trusted_user
from protocols.serve.confinement import bad_file_path
from protocols.serve.guard import GuardPolicy, guard_policy, refusal
from protocols.serve.options import ServeOptions
from protocols.serve.policy import SECURITY_HEADERS, SecurityHeaders, content_security_policy


@pytest.mark.parametrize("path", [
    "../x", "a/../b", "a/./b", "./a", "a//b", "/etc/passwd", "a\\b", "..\\x", "a\x00b", "C:/x",
    ".env", ".git/config", "a/.hidden/b", "a/.ssh", "..", ".", "x.ipynb", "X.IPYNB", "a/b.py", "conf.pyc",
    "data.yaml", "data.YML", "pyproject.toml", "setup.cfg", "x.ini", "db.sqlite", "db.sqlite3",
    "r.sqlite3-wal", "r.sqlite3-shm", "r.db-journal", "records.db", "t.j2", "README.md", "x.rst",
    "run.sh", "k.pem", "k.key", "server.log",
])
def test_bad_file_paths(path: str) -> None:
    assert bad_file_path(path)


@pytest.mark.parametrize("path", [
    "", "index.html", "book/arrive/scene-checklist.html", "_static/site.css", "widgets/require.js",
    "@jupyter-widgets/jupyterlab-manager/static/remoteEntry.js", "anywidget/package.json",
    "_static/scripts/bootstrap.js.map", "fonts/x.woff2", "chapter/", "objects.inv", "a.b.c.js",
])
def test_good_file_paths(path: str) -> None:
    assert not bad_file_path(path)


def _handler(host: str = "127.0.0.1:8866", query: str = "", headers: dict[str, str] | None = None) -> object:
    request = HTTPServerRequest(start_line=RequestStartLine("GET", "/voila/render/a.ipynb" + query, "HTTP/1.1"),
                                headers=HTTPHeaders({"Host": host, **(headers or {})}))
    return SimpleNamespace(request=request)


LOOPBACK = guard_policy(ServeOptions(widgets_dir=Path("w"), book_dir=Path("b")))


@pytest.mark.parametrize(("host", "ok"), [
    ("127.0.0.1:8866", True), ("localhost:1", True), ("LocalHost", True), ("[::1]:8866", True), ("127.0.0.1", True),
    ("evil.example", False), ("evil.example:8866", False), ("127.0.0.1.nip.io", False), ("[::2]", False),
    ("", False), ("localhost.", False), ("0.0.0.0:8866", False),
])
def test_host_names_on_loopback(host: str, ok: bool) -> None:
    result = refusal(_handler(host), LOOPBACK, False)  # type: ignore[arg-type]
    assert (result is None) is ok


def test_allowed_hosts_and_authenticated_servers() -> None:
    named = guard_policy(ServeOptions(Path("w"), Path("b"), allowed_hosts=("handbook.agency.example",)))
    assert refusal(_handler("handbook.agency.example"), named, False) is None  # type: ignore[arg-type]
    assert refusal(_handler("other.example"), named, False) is not None  # type: ignore[arg-type]
    token = guard_policy(ServeOptions(Path("w"), Path("b"), ip="0.0.0.0", token="x" * 20))
    assert token.allowed_hosts is None  # the token protects it; the proxy's name is not known
    anywhere = guard_policy(ServeOptions(Path("w"), Path("b"), allowed_hosts=("*",)))
    assert anywhere.allowed_hosts is None


@pytest.mark.parametrize("query", ["?template=lab", "?theme=dark", "?template=", "?x=1&theme=a", "?template"])
def test_overrides_are_refused(query: str) -> None:
    result = refusal(_handler(query=query), LOOPBACK, True)  # type: ignore[arg-type]
    assert result is not None and result[0] == 400


def test_other_query_arguments_pass() -> None:
    assert refusal(_handler(query="?scenario=kitchen-call&Template=x"), LOOPBACK, True) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(("value", "user"), [
    ("jdoe", "jdoe"), (" jdoe ", "jdoe"), ("j.doe@agency.example", "j.doe@agency.example"), ("a+b-c_d", "a+b-c_d"),
    (None, None), ("", None), ("a b", None), ("<x>", None), ("x" * 129, None), ("é", None), ("a;b", None),
])
def test_trusted_user_names(value: str | None, user: str | None) -> None:
    assert trusted_user(value) == user


def test_trusted_header_refuses_without_a_user() -> None:
    policy = GuardPolicy(None, "X-Forwarded-User")
    assert refusal(_handler(), policy, False)[0] == 401  # type: ignore[arg-type, index]
    assert refusal(_handler(headers={"X-Forwarded-User": "jdoe"}), policy, False) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(("ip", "token", "header", "refused"), [
    ("127.0.0.1", None, None, False), ("localhost", None, None, False), ("::1", None, None, False),
    ("127.0.0.2", None, None, False), ("0.0.0.0", None, None, True), ("::", None, None, True),
    ("192.168.1.10", None, None, True), ("handbook.local", None, None, True),
    ("0.0.0.0", "long-enough-token-123", None, False), ("0.0.0.0", "short", None, True),
    ("0.0.0.0", None, "X-Forwarded-User", False), ("127.0.0.1", None, "Bad Header", True),
    ("127.0.0.1", None, "X-User:", True), ("0.0.0.0", "long-enough-token-123", "X-Forwarded-User", True),
])
def test_auth_is_required_off_loopback(ip: str, token: str | None, header: str | None, refused: bool) -> None:
    assert (auth_problem(ip, token, header) is not None) is refused


def test_policies() -> None:
    for kind in ("other", "job-aid", "book"):
        csp = content_security_policy(kind, "NONCE" if kind == "job-aid" else None)
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp and "default-src 'self'" in csp
        assert "ws:" not in csp.replace("ws://", "")
    assert "'unsafe-eval'" not in content_security_policy("job-aid", "N")
    assert "'unsafe-inline'" not in content_security_policy("job-aid", "N").split("style-src")[0]
    assert "'nonce-N'" in content_security_policy("job-aid", "N")
    assert "'unsafe-inline'" not in content_security_policy("other").split("style-src")[0]
    named = content_security_policy("other", None, "127.0.0.1:1")
    assert "connect-src 'self' ws://127.0.0.1:1 wss://127.0.0.1:1" in named
    assert "evil" not in content_security_policy("other", None, "a; script-src evil")
    assert SECURITY_HEADERS["X-Content-Type-Options"] == "nosniff"


def _transform(path: str, chunks: list[bytes], content_type: str = "text/html") -> tuple[HTTPHeaders, bytes]:
    request = HTTPServerRequest(start_line=RequestStartLine("GET", path, "HTTP/1.1"),
                                headers=HTTPHeaders({"Host": "127.0.0.1:1"}))
    transform = SecurityHeaders(request)
    headers = HTTPHeaders({"Content-Type": content_type, "Server": "TornadoServer/6"})
    _status, headers, first = transform.transform_first_chunk(200, headers, chunks[0], len(chunks) == 1)
    body = first + b"".join(transform.transform_chunk(c, i == len(chunks) - 2) for i, c in enumerate(chunks[1:]))
    return headers, body


@pytest.mark.parametrize("cut", range(1, 40))
def test_every_script_gets_the_nonce_wherever_the_chunks_split(cut: int) -> None:
    page = b"<p>x</p><script>a()</script><SCRIPT src='/s.js'></SCRIPT><scripts>no</scripts><script\n>b</script>"
    headers, body = _transform("/voila/render/a.ipynb", [page[:cut], page[cut:cut + 7], page[cut + 7:]])
    nonce = headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert body.count(f'nonce="{nonce}"'.encode()) == 3
    assert b"<scripts>" in body and "Server" not in headers


def test_book_and_other_responses_are_left_as_they_are() -> None:
    headers, body = _transform("/book/page.html", [b"<script>x</script>"])
    assert body == b"<script>x</script>" and "'unsafe-inline'" in headers["Content-Security-Policy"]
    headers, body = _transform("/voila/static/x.js", [b"<script>"], "application/javascript")
    assert body == b"<script>" and "nonce" not in headers["Content-Security-Policy"]
