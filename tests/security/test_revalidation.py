"""Revisits and reloads: one policy per path whatever the status, and no stale "not modified".

A browser keeps a page it was sent and, on a revisit or a reload, asks the server whether it
changed (``If-None-Match``). On "304 Not Modified" it shows the page it kept, under the
headers of the 304. So a 304 carrying a stricter policy than the 200 did (the job aids'
``script-src 'self' blob:`` instead of the book's) blocked the book's inline scripts and its
widget runtime: the scene checklist vanished on a second visit, with no message. And a tag
computed once and kept after a rebuild answered "not modified" to a page that had changed.

- every kind of file the server sends (book chapter, book checklist pages, cards page, the
  home page, theme and widget-runtime files, job-aid front-end files) carries the same
  policy on its 200, HEAD, 304, 206, gzip and 404 answers; a job-aid page is never cached;
- in Chromium, the scene checklist works on the first visit, after leaving and coming back
  by a link, and after a reload, with no policy violation;
- a file rewritten the way a rebuild does it (in place, replaced, same size and same
  modification time) gets a new tag and its new bytes, gzip-compressed or not.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from secserver import AID, ROOT, Server, Watched, launched_chromium, real_book, running_server

from protocols.serve.front_end_bundle import ROUTE as CHUNKS_ROUTE
from protocols.serve.policy import content_security_policy, policy_kind
from required import load_module

pytestmark = [pytest.mark.slow]

CHECKLIST = "/book/arrive/scene-checklist.html"
CACHED_FILES = {
    "book home": "/",
    "book chapter": "/book/arrive/scene-safety.html",
    "book checklist page": CHECKLIST,
    "book screen-in checklist page": "/book/assess/screen-in-checklist.html",
    "cards page": "/book/reference/cards.html",
    "theme stylesheet": "/_static/handbook.css",
    "theme script": "/_static/handbook.js",
    "checklist drawer": "/_static/widgets_static.js",
    "image": "/_static/favicon.svg",
    "job-aid front end": "/voila/static/voila.js",
    "job-aid front-end chunks": CHUNKS_ROUTE,
    "job-aid stylesheet": "/voila/templates/handbook/static/index.css",
}
"""Everything a browser keeps and revalidates, one of each kind."""
REWRITTEN = {"page": "book/rewritten.html", "script": "_static/rewritten.js"}
"""Files the rebuild tests rewrite: copies, so the other tests' files never change under them."""


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the real built book, plus the files the rebuild tests rewrite."""
    base = tmp_path_factory.mktemp("revalidation-book")
    book = base / "html"
    shutil.copytree(real_book(tmp_path_factory), book, symlinks=True)
    shutil.copyfile(book / "book" / "arrive" / "scene-safety.html", book / REWRITTEN["page"])
    (book / REWRITTEN["script"]).write_text("window.rewritten = 0;\n" * 200, encoding="utf-8")
    shutil.copyfile(book / "book" / "arrive" / "scene-safety.html", book / "book" / "removed.html")
    return book


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, book: Path) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("revalidation"), book) as srv:
        yield srv


def _policy(head: dict[str, str], where: str) -> str:
    policy = head.get("content-security-policy")
    assert policy, f"{where}: no Content-Security-Policy"
    return policy


def _without_nonce(policy: str) -> str:
    return re.sub(r" 'nonce-[^']+'", "", policy)


# --- over HTTP ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", CACHED_FILES.values(), ids=CACHED_FILES.keys())
def test_every_answer_for_a_path_carries_the_policy_of_its_200(server: Server, path: str) -> None:
    status, head, _body = server.request(path)
    assert status == 200, (path, status)
    policy = _policy(head, f"200 {path}")
    assert policy == content_security_policy(policy_kind(path), None, f"127.0.0.1:{server.port}")
    etag = head.get("etag")
    assert etag, f"{path} has no entity tag: a browser could not revalidate it"

    answers = {
        "HEAD": server.request(path, method="HEAD"),
        "304": server.request(path, headers={"If-None-Match": etag}),
        "range": server.request(path, headers={"Range": "bytes=0-9"}),
        "gzip": server.request(path, headers={"Accept-Encoding": "gzip"}),
    }
    gzip_tag = answers["gzip"][1].get("etag")
    assert gzip_tag
    answers["gzip 304"] = server.request(path, headers={"Accept-Encoding": "gzip", "If-None-Match": gzip_tag})
    # The joined front-end chunks answer GET only and whole: HEAD 405, a range 200.
    expected = {"HEAD": {200, 405}, "304": {304}, "range": {206, 200}, "gzip": {200}, "gzip 304": {304}}
    if path != CHUNKS_ROUTE:
        expected.update({"HEAD": {200}, "range": {206} if len(_body) > 10 else {200}})
    for name, (got, answer_head, _) in answers.items():
        assert got in expected[name], (path, name, got)
        assert _policy(answer_head, f"{name} {path}") == policy, f"{name} for {path}"


def test_book_pages_keep_the_books_policy_on_revalidation(server: Server) -> None:
    """What broke the checklist: the 304 for a book page dropped inline scripts."""
    for path in (CHECKLIST, "/book/assess/screen-in-checklist.html", "/book/reference/cards.html"):
        _status, head, _ = server.request(path)
        _status, again, _ = server.request(path, headers={"If-None-Match": head["etag"]})
        script_src = next(d for d in _policy(again, path).split(";") if d.strip().startswith("script-src")).split()
        assert "'unsafe-inline'" in script_src and "'unsafe-eval'" not in script_src, (path, script_src)


def test_a_missing_page_carries_the_policy_it_had(server: Server, book: Path) -> None:
    path = "/book/removed.html"
    status, head, _ = server.request(path)
    assert status == 200
    (book / "book" / "removed.html").unlink()
    status, gone, _ = server.request(path, headers={"If-None-Match": head["etag"]})
    assert status == 404
    assert _policy(gone, f"404 {path}") == _policy(head, f"200 {path}")


def test_a_job_aid_page_is_never_revalidated_and_keeps_its_policy(server: Server) -> None:
    """A job-aid page's policy names a fresh nonce per response, so no 304 may ever stand for
    one: it is sent with ``no-store`` and no entity tag. Apart from the nonce, its policy is
    the same on every answer."""
    first = server.request(AID)
    second = server.request(AID)
    head_only = server.request(AID, method="HEAD")
    for status, head, _body in (first, second):
        assert status == 200
        assert "etag" not in head and "no-store" in head.get("cache-control", "")
    policies = {_without_nonce(_policy(h, f"{s} {AID}")) for s, h, _ in (first, second, head_only)}
    assert len(policies) == 1, policies
    assert _policy(first[1], AID) != _policy(second[1], AID), "each response has its own nonce"


# --- in Chromium -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_chromium() as instance:
        yield instance


@pytest.fixture(scope="module")
def checklist_page() -> Any:
    """tests/book/checklist_page.py: open and answer an embedded checklist."""
    return load_module(ROOT / "tests" / "book" / "checklist_page.py", "_security_checklist_page")


def _checklist_works(page: Any, checklist_page: Any, answered: int, where: str) -> int:
    """The checklist is drawn, shows the answers given so far, and takes one more."""
    page.wait_for_selector(".hb-checklist .hb-item", timeout=checklist_page.LOAD_TIMEOUT_MS)
    shown = checklist_page.progress(page)
    assert shown.startswith(f"{answered} of "), f"{where}: {shown!r}"
    item = ".hb-checklist .hb-item:not(.hb-done):not(.hb-critical) >> nth=0"
    page.locator(item).locator(".hb-option").first.click()
    page.wait_for_function("n => document.querySelector('.hb-checklist .hb-progress').textContent"
                           ".startsWith(n + ' of ')", arg=answered + 1, timeout=5_000)
    return answered + 1


@pytest.mark.browser
def test_the_scene_checklist_survives_leaving_coming_back_and_reloading(
        server: Server, browser: Any, checklist_page: Any) -> None:
    # The browser's own cache, as before the offline copy is kept (or where a browser keeps none):
    # with the service worker, a revisit never reaches the server (tests/book/test_offline_book.py).
    context = browser.new_context(service_workers="block")
    asked: list[dict[str, str]] = []
    try:
        watched = Watched(context)
        page = watched.page
        page.on("request", lambda r: asked.append(r.all_headers()) if r.url.endswith(CHECKLIST) else None)
        checklist_page.open_checklist(page, server.base + CHECKLIST)
        answered = _checklist_works(page, checklist_page, 0, "first visit")

        page.locator("a[href$='scene-safety.html']").first.click()
        page.wait_for_url("**/scene-safety.html")
        page.locator(f"a[href$='{CHECKLIST.rsplit('/', 1)[1]}']").first.click()
        page.wait_for_url(f"**{CHECKLIST}")
        answered = _checklist_works(page, checklist_page, answered, "back by a link")

        page.reload(wait_until="load")
        _checklist_works(page, checklist_page, answered, "after a reload")
        assert watched.problems == [], watched.problems
        revalidated = [headers for headers in asked if "if-none-match" in headers]
        assert len(revalidated) >= 2, f"the revisit and the reload were not revalidations: {asked}"
    finally:
        context.close()


# --- a rebuild rewrites files -------------------------------------------------------------------


def _send(server: Server, path: str, packed: bool, tag: str | None = None) -> tuple[int, str, bytes]:
    headers = {"Accept-Encoding": "gzip"} if packed else {}
    if tag:
        headers["If-None-Match"] = tag
    status, head, body = server.request(path, headers=headers)
    if packed and head.get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    return status, head.get("etag", ""), body


def _rewrite_in_place(file: Path, data: bytes) -> None:
    with file.open("r+b") as handle:  # as Sphinx writes a page: the same file, truncated
        handle.truncate(0)
        handle.write(data)


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("kind", REWRITTEN, ids=REWRITTEN)
def test_a_rebuilt_file_gets_a_new_tag_and_its_new_bytes(server: Server, book: Path, kind: str,
                                                         packed: bool) -> None:
    file = book / REWRITTEN[kind]
    path = "/" + REWRITTEN[kind]
    status, tag, body = _send(server, path, packed)
    assert status == 200 and body == file.read_bytes()
    assert _send(server, path, packed, tag)[0] == 304, "unchanged: not modified"

    marker = f"rebuilt-{kind}-{packed}".encode()
    for how in ("written in place", "same size and modification time", "replaced by a new file"):
        before = file.stat()
        if how == "written in place":
            _rewrite_in_place(file, body + b"<!-- " + marker + b" -->")
        elif how == "same size and modification time":  # a second build within one clock tick
            _rewrite_in_place(file, file.read_bytes().replace(marker, marker.upper()))
            os.utime(file, ns=(before.st_atime_ns, before.st_mtime_ns))
            assert (file.stat().st_size, file.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
        else:
            file.with_suffix(".new").write_bytes(file.read_bytes() + b"\n")
            file.with_suffix(".new").replace(file)
        now = file.read_bytes()
        status, new_tag, body = _send(server, path, packed, tag)
        assert status == 200, f"{how}: the old tag was answered 'not modified'"
        assert new_tag != tag, f"{how}: the tag did not change"
        assert body == now, f"{how}: not the file's new bytes"
        assert _send(server, path, packed, new_tag)[0] == 304, f"{how}: the new tag is not recognised"
        tag = new_tag


def test_the_policy_follows_the_path_not_the_status() -> None:
    for path in ("/", "/book/arrive/", "/book/arrive/scene-checklist.html", "/book/a%2Ehtml", "/404.HTM"):
        assert policy_kind(path) == policy_kind(path, "text/html; charset=UTF-8") == "book", path
    for path in ("/voila/render/scene-response.ipynb", "/voila/static/voila.js", "/login", "/logout"):
        assert policy_kind(path) == "job-aid", path
    for path in ("/_static/handbook.js", "/api/kernels/", "/_static/widgets/0123.js", "/book/arrive"):
        assert policy_kind(path) == "other", path
    assert policy_kind("/book/a.html", "text/plain; charset=utf-8") == "other", "a refusal is not the page"
