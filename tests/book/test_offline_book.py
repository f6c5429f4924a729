"""The offline handbook: after one visit, the book works in airplane mode, and a new edition asks first.

Uses the test run's one build (``book``), copied, so a test may edit its copy. The browser tests
stop the web server once the book is kept: every later page comes from the phone's own copy.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from book_site import CHROMIUM_ARGS, CHROMIUM_PATH, read_page, serve
from checklist_page import answer, open_checklist, progress

from protocols.book.offline import DEFAULT_BUDGET_KB, MANIFEST, OFFLINE_AID_PAGE, SERVICE_WORKER
from protocols.book.offline_files import precached_files

pytestmark = [pytest.mark.slow]

CHAPTER = "book/arrive/scene-safety.html"
CHECKLIST = "book/arrive/scene-checklist.html"
CARDS = "book/reference/cards.html"
EDITION = re.compile(r"^const EDITION = (\{.*?\});\n", re.S)


def edition_of(site: Path) -> dict[str, Any]:
    found = EDITION.match((site / SERVICE_WORKER).read_text(encoding="utf-8"))
    assert found, "service-worker.js does not start with its edition"
    edition: dict[str, Any] = json.loads(found.group(1))
    return edition


@pytest.fixture
def site(book, tmp_path: Path) -> Path:
    copy = tmp_path / "html"
    shutil.copytree(book.html, copy)
    return copy


def test_the_precache_holds_every_page_and_what_it_loads_within_budget(book) -> None:
    site = book.html
    edition = edition_of(site)
    files = set(edition["files"])
    assert files == set(precached_files(site, extra=(OFFLINE_AID_PAGE, MANIFEST)))
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")
             if not p.relative_to(site).as_posix().startswith("_")}
    assert pages <= files, sorted(pages - files)
    for name in (CHAPTER, CHECKLIST, CARDS):
        for asset in read_page(site / name).scripts:
            if "://" not in asset:
                kept = (site / Path(name).parent / asset.split("?")[0]).resolve().relative_to(site.resolve())
                assert kept.as_posix() in files, f"{name} loads {asset}, which is not kept"
    assert [f for f in files if f.startswith("_static/widgets/")], "the checklist module is not kept"
    assert not [f for f in files if f.endswith((".map", ".ttf", ".eot", ".ipynb"))], "unused formats are kept"
    assert not [f for f in files if f.startswith("_sources/")]
    assert edition["bytes"] == sum((site / f).stat().st_size for f in files)
    assert edition["bytes"] <= DEFAULT_BUDGET_KB * 1024
    assert edition["changes"] and all(c["change"] and c["version"] for c in edition["changes"])
    manifest = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["display"] == "standalone" and manifest["start_url"] == "./index.html"
    assert (site / manifest["icons"][0]["src"]).is_file()
    page = (site / CHAPTER).read_text(encoding="utf-8")
    assert f'<link rel="manifest" href="../../{MANIFEST}">' in page


def test_the_offline_page_offers_the_books_own_checklists(book) -> None:
    text = (book.html / OFFLINE_AID_PAGE).read_text(encoding="utf-8")
    assert "This job aid needs a connection" in text
    scene = re.search(r'data-aid="scene-response"><h3>[^<]*</h3><ul>(.*?)</ul>', text, re.S)
    assert scene, "the scene-response aid is not on the offline page"
    first = re.search(r'href="([^"]+)"', scene.group(1))
    assert first and first.group(1) == CHECKLIST, "the answerable checklist does not come first"
    for href in re.findall(r'href="([^"#]+)', text):
        assert (book.html / href).is_file(), href
    assert 'data-aid="checklist?protocol=death-notification"' in text


def kept_page(browser: Any, base: str) -> Any:
    """A fresh context that has visited the book once, with its offline copy ready."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/{CHAPTER}")
    page.wait_for_function("document.documentElement.dataset.offlineReady === 'ready'", timeout=30_000)
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=10_000)
    return page


@pytest.mark.browser
def test_after_one_visit_the_book_works_with_no_network(site: Path, sync_api) -> None:
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        try:
            with serve(site) as base:
                page = kept_page(browser, base)
            page.context.set_offline(True)  # and the server is gone: airplane mode
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))

            page.goto(f"{base}/{CHAPTER}")
            assert page.locator("h1").first.inner_text().strip()
            assert page.locator(".hc-protocol").count() >= 1
            assert page.evaluate("getComputedStyle(document.body).fontFamily"), "no style offline"

            open_checklist(page, f"{base}/{CHECKLIST}")
            critical = page.locator(".hb-checklist .hb-item.hb-critical").count()
            assert answer(page, ".hb-checklist .hb-item.hb-critical") == critical > 0
            assert "· 0 critical open" in progress(page)

            page.goto(f"{base}/{CARDS}")
            assert page.locator(".hc-card").count() >= 10

            page.goto(f"{base}/{CHAPTER}")
            link = page.locator("a.hc-job-aid").first
            link.click()
            note = page.locator(".hc-offline-note")
            note.wait_for(timeout=5_000)
            assert "needs a connection" in note.inner_text()
            assert page.url.endswith(CHAPTER), "an offline job-aid link navigated away"

            page.goto(f"{base}/voila/render/scene-response.ipynb")
            page.wait_for_selector(".hc-offline-aid-wanted", timeout=10_000)
            assert "offline-job-aid.html" in page.url
            wanted = page.locator(".hc-offline-aids > li").first
            assert wanted.get_attribute("data-aid") == "scene-response"
            wanted.locator("a").first.click()
            open_checklist(page, f"{base}/{CHECKLIST}")
            assert "· 0 critical open" in progress(page), "the answers given offline were lost"
            assert errors == []
        finally:
            browser.close()


@pytest.mark.browser
def test_a_new_edition_says_what_changed_and_updates_when_asked(site: Path, sync_api) -> None:
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        try:
            with serve(site) as base:
                page = kept_page(browser, base)
                assert page.locator(".hc-update-bar").count() == 0, "a first visit has nothing to update"
                edition = edition_of(site)
                note = {"key": "checklist:scene-response@9.9", "kind": "checklist",
                        "title": "Make the scene safe and start support", "version": "9.9",
                        "date": "2026-12-31", "change": "A new item asks whether children are present."}
                published = {**edition, "id": "0" * 16, "changes": [note, *edition["changes"]]}
                worker = site / SERVICE_WORKER
                text = worker.read_text(encoding="utf-8")
                worker.write_text(EDITION.sub(lambda _: f"const EDITION = {json.dumps(published)};\n", text, count=1),
                                  encoding="utf-8")

                page.goto(f"{base}/{CHAPTER}")
                bar = page.locator(".hc-update-bar")
                bar.wait_for(timeout=30_000)
                assert "A new edition of the handbook is ready" in bar.inner_text()
                assert "children are present" in bar.inner_text()
                assert "version 9.9" in bar.inner_text()
                assert bar.locator(".hc-update-notes li").count() == 1, "old notes were shown as new"
                with page.expect_navigation(timeout=30_000):
                    bar.locator(".hc-update-now").click()
                page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=10_000)
                active = page.evaluate("""() => new Promise((resolve) => {
                    const channel = new MessageChannel();
                    channel.port1.onmessage = (event) => resolve(event.data.id);
                    navigator.serviceWorker.controller.postMessage({type: 'handbook-edition'}, [channel.port2]);
                })""")
                assert active == "0" * 16
                assert page.locator(".hc-update-bar").count() == 0
        finally:
            browser.close()
