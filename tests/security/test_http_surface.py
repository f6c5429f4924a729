"""What the server answers over HTTP: headers everywhere, no files it should not give.

One server, a small book folder with planted files (a notebook, Python, YAML, a
database, a dotfile) and symlinks pointing outside it, and a long list of
traversal attempts against every file route. Nothing secret may come back, every
response carries the security headers, and nothing makes the server log a traceback.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from secserver import AID, ROOT, SECRET_MARKER, Server, make_widgets, running_server

from protocols.serve.policy import policy_kind

pytestmark = pytest.mark.slow

SECRETS = {
    SECRET_MARKER: "a planted file",
    "checklist_aid(": "a job-aid notebook's source",
    "[build-system]": "pyproject.toml",
    "from __future__ import annotations": "Python source",
    "pause_points:": "protocol YAML",
    "SQLite format 3": "a database file",
    "root:x:0:0": "/etc/passwd",
    "HANDBOOK_DATABASE_URL=": "the server's environment",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("http-surface")
    with running_server(tmp, args=["--widgets", str(make_widgets(tmp))]) as srv:
        yield srv


@pytest.fixture(scope="module")
def job_aid_page(server: Server) -> tuple[int, dict[str, str], bytes]:
    return server.request(AID)


# --- headers on every route family -------------------------------------------------------------

ROUTES = [
    ("GET", "/"), ("GET", "/index.html"), ("GET", "/chapter/"), ("GET", "/chapter/page.html"),
    ("GET", "/_static/site.css"), ("GET", "/_static/app.js"), ("HEAD", "/chapter/page.html"),
    ("GET", "/no-such-page.html"), ("GET", "/chapter"), ("POST", "/index.html"),
    ("GET", "/voila/render/no-such-aid.ipynb"), ("GET", f"{AID}?template=lab"),
    ("GET", "/voila/render/../etc"), ("GET", "/voila/static/voila.js"), ("HEAD", "/voila/static/voila.js"),
    ("GET", "/voila/static/no-such.js"), ("GET", "/voila/static/"),
    ("GET", "/voila/templates/handbook/static/index.css"), ("GET", "/voila/templates/handbook/index.html.j2"),
    ("GET", "/voila/templates/"), ("GET", "/voila/labextensions/anywidget/package.json"),
    ("GET", "/voila/labextensions/no-such/package.json"), ("GET", "/voila/labextensions/"),
    ("GET", "/voila/api/themes/no-such.css"), ("POST", "/voila/api/shutdown/00000000-0000-4000-8000-000000000000"),
    ("GET", "/api/kernels/00000000-0000-4000-8000-000000000000"),
    ("GET", "/api/kernels/00000000-0000-4000-8000-000000000000/channels"),
    ("GET", "/voila/files/scene-response.ipynb"), ("GET", "/voila/tree"), ("GET", "/voila/api/contents"),
    ("GET", "/login"), ("OPTIONS", "/"), ("DELETE", "/voila/static/voila.js"),
    ("GET", "/voila/handbook/front-end-chunks.js"), ("POST", "/voila/handbook/front-end-chunks.js"),
]


def _check_headers(head: dict[str, str], port: int, path: str, where: str) -> None:
    csp = head.get("content-security-policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives.get("default-src") == ["'self'"], f"{where}: {csp!r}"
    assert directives.get("frame-ancestors") == ["'none'"], where
    assert directives.get("object-src") == ["'none'"], where
    assert directives.get("base-uri") == ["'self'"], where
    for sources in directives.values():
        assert "ws:" not in sources and "wss:" not in sources and "*" not in sources, f"{where}: {csp!r}"
        assert not any(s.startswith(("http:", "https:")) for s in sources), f"{where}: {csp!r}"
    assert set(directives["connect-src"]) <= {"'self'", f"ws://127.0.0.1:{port}", f"wss://127.0.0.1:{port}"}, csp
    book_page = policy_kind(path.split("?")[0], head.get("content-type")) == "book"
    if not book_page:  # only the book's static pages may use inline scripts and eval (server.py says why)
        assert "'unsafe-eval'" not in directives["script-src"], f"{where}: {csp!r}"
        assert "'unsafe-inline'" not in directives["script-src"], f"{where}: {csp!r}"
    assert head.get("x-content-type-options") == "nosniff", where
    assert head.get("referrer-policy") == "no-referrer", where
    assert head.get("x-frame-options") == "DENY", where
    assert "server" not in head, f"{where}: the Server header names the software"


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_every_response_has_the_security_headers(server: Server, method: str, path: str) -> None:
    status, head, _body = server.request(path, method=method)
    assert status < 500, (status, path)
    _check_headers(head, server.port, path, f"{method} {path} -> {status}")


def test_headers_on_the_job_aid_page_and_a_not_modified_reply(server: Server,
                                                              job_aid_page: tuple[int, dict[str, str], bytes]) -> None:
    status, head, _body = job_aid_page
    assert status == 200
    _check_headers(head, server.port, AID, "job aid")
    status, head, _ = server.request("/voila/static/voila.js")
    etag = head["etag"]
    status, head, _ = server.request("/voila/static/voila.js", headers={"If-None-Match": etag})
    assert status == 304
    _check_headers(head, server.port, "/voila/static/voila.js", "304")


def test_job_aid_scripts_need_this_responses_nonce(job_aid_page: tuple[int, dict[str, str], bytes]) -> None:
    _status, head, body = job_aid_page
    csp = head["content-security-policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src")).split()
    nonces = [s for s in script_src if s.startswith("'nonce-")]
    assert len(nonces) == 1, script_src
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, script_src
    nonce = nonces[0][len("'nonce-"):-1]
    tags = re.findall(rb"<script\b[^>]*>", body, re.IGNORECASE)
    assert tags, "no scripts in the job-aid page"
    for tag in tags:
        assert f'nonce="{nonce}"'.encode() in tag, tag


def test_book_page_policy_keeps_inline_scripts_for_the_theme_only(server: Server) -> None:
    _status, head, body = server.request("/chapter/page.html")
    script_src = next(d for d in head["content-security-policy"].split(";") if "script-src" in d)
    assert "'unsafe-inline'" in script_src and "nonce" not in script_src
    assert b"nonce=" not in body, "book files are served as they are"


# --- nothing to download -----------------------------------------------------------------------

TRAVERSALS = ["../", "%2e%2e/", "%2e%2e%2f", "..%2f", "%252e%252e%252f", "..%5c", "%2e%2e%5c", ".%2e/",
              "....//", "..;/", "%c0%ae%c0%ae/"]
PREFIXES = ["/", "/voila/render/", "/voila/files/", "/voila/static/", "/voila/templates/",
            "/voila/templates/handbook/static/", "/voila/labextensions/", "/voila/api/themes/",
            "/voila/tree/", "/voila/api/contents/", "/_static/", "/chapter/"]
TARGETS = ["pyproject.toml", "widgets/scene-response.ipynb", "src/protocols/serve/app.py",
           "src/protocols/content/protocols/scene-response.yaml", "etc/passwd"]
DIRECT = [
    "/voila/files/scene-response.ipynb", "/voila/files/../pyproject.toml", "/voila/tree", "/voila/tree/",
    "/voila/tree/widgets", "/voila/api/contents", "/voila/api/contents/", "/voila/api/contents/scene-response.ipynb",
    "/voila/api/contents/scene-response.ipynb?content=1", "/api/contents/scene-response.ipynb",
    "/files/scene-response.ipynb", "/tree", "/scene-response.ipynb", "/widgets/scene-response.ipynb",
    "/voila/render/scene-response.ipynb/../../pyproject.toml", "/voila/render/%2e%2e/pyproject.toml",
    "/voila/render/..%2fpyproject.toml", "/voila/render/..%2f..%2fwork%2fpyproject.toml",
    "/voila/render/scene-response.py", "/voila/render/../src/protocols/cli/app.py",
    f"/voila/render/{ROOT}/widgets/scene-response.ipynb", f"/voila/render/%2f{str(ROOT)[1:]}/pyproject.toml",
    "/voila/static//etc/passwd", "/voila/static/%2fetc%2fpasswd", "/voila/static/..%2f..%2f..%2fetc%2fpasswd",
    "/voila/templates/handbook/index.html.j2", "/voila/templates/handbook/conf.json",
    "/voila/templates/../voila_data/voila/templates/handbook/index.html.j2",
    "/voila/templates/handbook/static/../index.html.j2", "/voila/templates/handbook/static/../../lab/index.html.j2",
    "/voila/templates/lab/static/../../../../../../../../etc/passwd", "/voila/templates/..%2f..%2fetc/static/passwd",
    "/voila/labextensions/../../../../etc/passwd", "/voila/labextensions/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/voila/labextensions/anywidget/../../../../../pyproject.toml",
    "/voila/api/themes/../../../../etc/passwd", "//etc/passwd", "/%2fetc%2fpasswd", "/etc/passwd",
    "/_static/leak.css", "/leak.html", "/leakdir/secret.txt", "/leakdir/", "/passwd.txt",
    "/widgets/aid.ipynb", "/conf.py", "/data.yaml", "/records.sqlite3", "/records.sqlite3-wal", "/.env",
    "/notes.md", "/%2eenv", "/_static/../conf.py", "/_static/%2e%2e/conf.py", "/chapter/..%2fconf.py",
    "/CONF.PY", "/data.YAML", "/Data.Yml", "/index.html%00.py", "/conf.py%00.html", "/.git/config",
    "/voila/render/index.ipynb/../scene-response.ipynb", "/voila/nbconvert/scene-response.ipynb",
    "/nbconvert/html/scene-response.ipynb", "/api/contents", "/api/sessions", "/api/kernels", "/api/kernelspecs",
    "/api/terminals", "/terminals/1", "/lab", "/notebooks/scene-response.ipynb", "/edit/pyproject.toml",
]
PROJECT_FILES = ["pyproject.toml", "src/protocols/serve/app.py", "widgets/scene-response.ipynb",
                 "src/protocols/content/protocols/scene-response.yaml", "_config.yml"]
"""The project's real files, by their absolute path (a deep climb lands at ``/`` from any root)."""
DEEP = [prefix + climb * 20 + quote(target)
        for prefix in ("/", "/voila/render/", "/voila/static/", "/voila/templates/handbook/static/",
                       "/voila/labextensions/anywidget/", "/voila/api/themes/", "/_static/", "/chapter/")
        for climb in ("../", "%2e%2e/", "..%2f", "%252e%252e%252f", "..%5c")
        for target in (*(f"{str(ROOT)[1:]}/{name}" for name in PROJECT_FILES), "etc/passwd", "proc/self/environ")]
WIDGET_PLANTS = ["/voila/render/leak.ipynb", "/voila/render/passwd.ipynb", "/voila/render/leakdir/secret.ipynb",
                 "/voila/render/leak.txt", "/voila/render/helper.py", "/voila/render/settings.yaml",
                 "/voila/files/leak.txt", "/voila/files/leakdir/secret.txt", "/voila/files/helper.py",
                 "/voila/static/../../leak.txt", "/voila/render/%2e%2e/outside-widgets/secret.ipynb",
                 "/voila/tree/leakdir", "/voila/api/contents/leakdir", "/voila/api/contents/leak.ipynb",
                 "/voila/render/scene-response.ipynb/../leak.ipynb", "/voila/render/leak.ipynb?x=1"]
ATTACKS = sorted({*DIRECT, *DEEP, *WIDGET_PLANTS,
                  *(p + t * 6 + x for p, t, x in itertools.product(PREFIXES, TRAVERSALS, TARGETS))})


def test_no_source_config_or_database_file_is_ever_served(server: Server) -> None:
    assert len(ATTACKS) >= 900 and len(DEEP) == 8 * 5 * 7
    assert all((ROOT / name).is_file() for name in PROJECT_FILES), "a deep-climb target is not a real file"
    leaks = []
    for path in ATTACKS:
        status, head, body = server.request(path)
        text = body.decode("utf-8", errors="replace")
        found = [what for marker, what in SECRETS.items() if marker in text]
        if found or status == 200 or status >= 500:
            leaks.append(f"{path} -> {status} {found}")
        if status in (301, 302, 303, 307, 308):
            location = head.get("location", "")
            assert not re.search(r"\.(ipynb|py|ya?ml|sqlite3?|toml)\b", location), (path, location)
    assert not leaks, "\n".join(leaks[:40])


def test_the_routes_under_attack_still_serve_what_they_should(server: Server) -> None:
    """Positive controls: the refusals above are not just a dead server."""
    for path in ("/", "/chapter/page.html", "/_static/site.css", "/voila/static/voila.js",
                 "/voila/templates/handbook/static/index.css", "/voila/labextensions/anywidget/package.json"):
        status, _head, _body = server.request(path)
        assert status == 200, path


def test_job_aid_page_holds_no_notebook_source(job_aid_page: tuple[int, dict[str, str], bytes]) -> None:
    _status, _head, body = job_aid_page
    page = body.decode("utf-8")
    notebook = (ROOT / "widgets" / "scene-response.ipynb").read_text(encoding="utf-8")
    assert "checklist_aid(" in notebook, "the test's marker is no longer in the notebook"
    for marker in ("checklist_aid(", "from protocols", "import "):
        assert marker not in page, f"the job-aid page shows source code ({marker!r})"
    assert not re.search(r'class="[^"]*(jp-InputArea|highlight)', page), "an input cell is in the page"


# --- template and theme overrides, host names --------------------------------------------------

OVERRIDES = ["?template=lab", "?template=classic", "?template=", "?theme=dark", "?theme=light",
             "?template=../../../../etc", "?theme=x&template=y", "?a=1&template=reveal", "?template=lab&template=lab"]


@pytest.mark.parametrize("query", OVERRIDES)
def test_template_and_theme_overrides_are_refused(server: Server, query: str) -> None:
    status, head, body = server.request(AID + query)
    assert status == 400
    assert head["content-type"].startswith("text/plain")
    text = body.decode()
    assert "cannot be used here" in text and "remove it from the address" in text
    assert "<" not in text


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "127.0.0.1.evil.example", "10.0.0.5",
                                  "localhost.evil.example", "[::2]", ""])
def test_other_host_names_are_refused(server: Server, host: str) -> None:
    """DNS rebinding: a page on another site that points its name at 127.0.0.1 gets nothing."""
    for path in ("/", AID, "/voila/static/voila.js"):
        status, _head, body = server.request(path, headers={"Host": host})
        assert status == 403, (host, path, status)
        assert b"--allowed-host" in body


def test_the_host_refusal_carries_the_security_headers(server: Server) -> None:
    status, head, _body = server.request("/", headers={"Host": "evil.example"})
    assert status == 403
    host_free = {**head, "content-security-policy": re.sub(r"connect-src [^;]*", "connect-src 'self'",
                                                          head.get("content-security-policy", ""))}
    _check_headers(host_free, server.port, "/", "403 for another host name")
    assert head["content-type"].startswith("text/plain") and head.get("cache-control") == "no-store"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST", "[::1]"])
def test_loopback_host_names_work(server: Server, host: str) -> None:
    status, _head, _body = server.request("/", headers={"Host": f"{host}:{server.port}"})
    assert status == 200


def test_no_traceback_and_no_server_error_in_the_log(server: Server) -> None:
    log = server.log()
    assert "Traceback" not in log, log[-3000:]
    assert not re.search(r"^\[\w+\].*\b500 (GET|POST|HEAD)", log, re.M), log[-3000:]


def test_responses_travel_compressed_and_cached(server: Server) -> None:
    """Weak links: pages travel gzip-compressed; theme files are cached, pages revalidate."""
    import urllib.request

    def head(path: str) -> dict[str, str]:
        request = urllib.request.Request(f"{server.base}{path}", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return {k.lower(): v for k, v in response.headers.items()}

    assert head(AID).get("content-encoding") == "gzip"
    assert "max-age=86400" in head("/_static/app.js").get("cache-control", "")
    assert head("/chapter/page.html").get("cache-control") == "no-cache"


def test_front_end_files_are_compressed_once_and_decode_to_the_file(server: Server) -> None:
    """Voila's scripts come gzip-compressed from memory, byte for byte the file once decoded."""
    import gzip

    path = "/voila/static/voila.js"
    status, head, packed = server.request(path, headers={"Accept-Encoding": "gzip"})
    assert status == 200 and head.get("content-encoding") == "gzip"
    assert int(head["content-length"]) == len(packed)
    assert "Accept-Encoding" in head.get("vary", "")
    status, plain_head, plain = server.request(path)
    assert status == 200 and "content-encoding" not in plain_head
    assert gzip.decompress(packed) == plain
    assert head["etag"] != plain_head["etag"], "the two encodings are told apart by caches"
    status, _head, _body = server.request(path, headers={"Accept-Encoding": "gzip", "If-None-Match": head["etag"]})
    assert status == 304
    status, part_head, part = server.request(path, headers={"Accept-Encoding": "gzip", "Range": "bytes=0-99"})
    if part_head.get("content-encoding") == "gzip":  # the range itself, compressed on the way
        part = gzip.decompress(part)
    assert status == 206 and part == plain[:100]
    again = server.request(path, headers={"Accept-Encoding": "gzip"})
    assert again[2] == packed


def test_voila_chunks_come_in_one_compressed_revalidated_response(server: Server) -> None:
    import gzip

    from protocols.serve.front_end_bundle import ROUTE, listed_chunks

    html, _kernel, _cookies = server.job_aid()
    assert html.index('src="/voila/handbook/front-end-chunks.js"') < html.index("/voila/static/voila.js")
    status, head, packed = server.request(ROUTE, headers={"Accept-Encoding": "gzip"})
    assert status == 200 and head.get("content-encoding") == "gzip"
    assert head["content-type"].startswith("application/javascript")
    _check_headers(head, server.port, ROUTE, "front-end chunks")
    status, plain_head, plain = server.request(ROUTE)
    assert status == 200 and gzip.decompress(packed) == plain
    assert head["etag"] != plain_head["etag"], "the two encodings are told apart by caches"
    assert plain.count(b"webpackChunk") >= len(listed_chunks()) > 50
    status, again, body = server.request(ROUTE, headers={"Accept-Encoding": "gzip", "If-None-Match": head["etag"]})
    assert status == 304 and body == b""
    _check_headers(again, server.port, ROUTE, "front-end chunks, not modified")


def test_a_job_aid_page_loads_only_the_widget_front_ends(server: Server) -> None:
    """Front-end extensions installed in the environment are not loaded unless allow-listed."""
    html, _kernel, _cookies = server.job_aid()
    names = set(re.findall(r'"name":\s*"([@\w./-]+)"', html.split('"federated_extensions"', 1)[1].split("]", 1)[0]))
    assert names == {"@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8", "anywidget"}
