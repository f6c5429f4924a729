"""`handbook preview` shows each rebuild by itself: the page reloads, and never from a stale tag.

In-process first (the preview's server on a small site; the loop with a fake build), then
one real preview of a copy of the project in Chromium: a saved content file shows up in the
open page with nobody touching the browser.
"""

from __future__ import annotations

import http.client
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from preview_run import project_copy, running_preview

from bookbuild import seed_execution_cache
from browser import CHROMIUM_ARGS, CHROMIUM_PATH, require_chromium
from protocols.book.build import BuildRun
from protocols.serve.policy import content_security_policy
from protocols.trainer.preview import PreviewLoop, StaticServer
from protocols.trainer.preview_reload import BUILD_ROUTE, SCRIPT, SCRIPT_ROUTE, BuildGeneration, with_reload_script

PAGE = ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{t}</title></head>"
        "<body><main><h1>{t}</h1></main></body></html>")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Path, StaticServer]]:
    folder = tmp_path / "html"
    (folder / "book").mkdir(parents=True)
    (folder / "_static").mkdir()
    (folder / "index.html").write_text(PAGE.format(t="Home"), encoding="utf-8")
    (folder / "book" / "page.html").write_text(PAGE.format(t="A page"), encoding="utf-8")
    (folder / "_static" / "site.js").write_text("window.site = 1;\n" * 100, encoding="utf-8")
    server = StaticServer(folder)
    server.start()
    try:
        yield folder, server
    finally:
        server.stop()


def _request(server: StaticServer, path: str, headers: dict[str, str] | None = None,
             method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(server.ip, server.port, timeout=60)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def test_pages_carry_the_reload_script_the_built_files_do_not(site: tuple[Path, StaticServer]) -> None:
    folder, server = site
    build = server.builds.current
    for path, file in (("/", "index.html"), ("/book/page.html", "book/page.html")):
        status, head, body = _request(server, path)
        assert status == 200
        assert body == with_reload_script((folder / file).read_bytes(), build)
        assert f'src="{SCRIPT_ROUTE}" data-build="{build}"'.encode() in body
        assert b"_preview" not in (folder / file).read_bytes()
        assert head["content-security-policy"] == content_security_policy("book")
    status, head, script = _request(server, SCRIPT_ROUTE)
    assert status == 200 and script == SCRIPT.read_bytes()
    assert head["content-type"].startswith("application/javascript")
    assert head["content-security-policy"] == content_security_policy("other")
    status, _head, asset = _request(server, "/_static/site.js")
    assert status == 200 and b"_preview" not in asset, "only pages get the script"


def test_a_rebuilt_page_or_file_is_never_answered_not_modified(site: tuple[Path, StaticServer]) -> None:
    folder, server = site
    for path, file in (("/book/page.html", folder / "book" / "page.html"),
                       ("/_static/site.js", folder / "_static" / "site.js")):
        _status, head, _body = _request(server, path)
        old = head["etag"]
        status, again, _ = _request(server, path, {"If-None-Match": old})
        assert status == 304
        assert again["content-security-policy"] == head["content-security-policy"], "one policy per path"
        file.write_bytes(file.read_bytes().replace(b"1", b"2"))
        status, head, body = _request(server, path, {"If-None-Match": old})
        assert status == 200 and head["etag"] != old, path
        assert b"2" in body and body.replace(b"2", b"1") != body
        assert _request(server, path, {"If-None-Match": head["etag"]})[0] == 304


def test_a_new_build_changes_every_pages_tag(site: tuple[Path, StaticServer]) -> None:
    _folder, server = site
    _status, head, body = _request(server, "/book/page.html")
    server.builds.bump()
    status, _again, new_body = _request(server, "/book/page.html", {"If-None-Match": head["etag"]})
    assert status == 200, "the page names the build it came from: a new build is a new page"
    assert f'data-build="{server.builds.current}"'.encode() in new_body and new_body != body


def _ask(server: StaticServer, seen: str) -> str:
    status, head, body = _request(server, f"{BUILD_ROUTE}?seen={seen}")
    assert status == 200 and head["cache-control"] == "no-store"
    build: str = json.loads(body)["build"]
    return build


def test_the_build_question_is_answered_when_a_build_finishes(site: tuple[Path, StaticServer]) -> None:
    _folder, server = site
    first = server.builds.current
    assert _ask(server, "an-older-build") == first, "a page from another build is told at once"
    answers: list[str] = []
    waiting = threading.Thread(target=lambda: answers.append(_ask(server, first)))
    waiting.start()
    server.builds.bump()
    waiting.join(60)
    assert not waiting.is_alive() and answers == [server.builds.current] and answers[0] != first


def test_build_ids_differ_between_runs_of_the_preview() -> None:
    one, two = BuildGeneration(), BuildGeneration()
    assert one.current != two.current, "a page left open across a restart must reload too"
    before = one.current
    one.bump()
    assert one.current != before


def test_the_loop_moves_the_build_on_after_each_build_only() -> None:
    problems: list[str] = []
    loop = PreviewLoop([], lambda: (list(problems), []), lambda: BuildRun(0, 0.5, [], ""), echo=lambda _: None)
    first = loop.generation.current
    loop.start()
    built = loop.generation.current
    assert built != first
    problems.append("a.yaml:1: broken")
    assert loop._validate_and_build() == "invalid"
    assert loop.generation.current == built, "nothing was built: the open page stays as it is"


# --------------------------------------------------------------------------- one real run


@pytest.mark.slow
@pytest.mark.browser
def test_a_saved_content_file_shows_in_the_open_page_by_itself(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    require_chromium()
    from playwright.sync_api import sync_playwright

    root = project_copy(tmp_path)
    seed_execution_cache(tmp_path_factory, root / "_build" / "html")
    yaml_file = root / "content" / "protocols" / "scene-response.yaml"
    old, new = "prompt: Where is the suspect now?", "prompt: Where is the suspect at this moment?"
    assert old in yaml_file.read_text(encoding="utf-8")
    with running_preview(root, "--interval", "0.3") as preview, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{preview.base}book/arrive/scene-safety.html", wait_until="load")
            assert "Where is the suspect now?" in page.inner_text("main")
            page.evaluate("window.handbookTestMark = 'the page before the edit'")

            mark = len(preview.lines)
            yaml_file.write_text(yaml_file.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
            preview.wait_for(r"Rebuilt in [\d.]+ s: .*book/arrive/scene-safety", mark)
            page.wait_for_function("() => document.querySelector('main') && document.querySelector('main')"
                                   ".innerText.includes('Where is the suspect at this moment?')", timeout=60_000)
            assert page.evaluate("window.handbookTestMark === undefined"), "the page was reloaded"
            built = (root / "_build" / "html" / "book" / "arrive" / "scene-safety.html").read_text(encoding="utf-8")
            assert "Where is the suspect at this moment?" in built
            assert "_preview" not in built, "the built site never carries the reload script"
        finally:
            browser.close()
    assert preview.process.returncode == 0, "".join(preview.lines[-20:]) + preview.hung
    assert os.path.isdir(root / "_build" / "html")
