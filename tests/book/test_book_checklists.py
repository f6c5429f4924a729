"""The embedded checklists against the library, their job-aid link, and the execution cache.

Uses the test run's one build (``book`` in conftest.py); the cache test rebuilds a build of its
own (``editable_book``) incrementally: two pages, with no notebook run again.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
from book_site import CHROMIUM_ARGS, CHROMIUM_PATH, serve
from checklist_page import NOTEBOOK_PAGES, ROOT, answer, embedded_protocol, open_checklist, press_complete, progress

from protocols.library.loader import load_library
from protocols.render.job_aid_links import book_job_aid_url, job_aid_base
from protocols.render.labels import job_aid_for_protocol

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.mark.browser
@pytest.mark.slow
def test_embedded_checklists_match_the_library_and_flag_critical_items(book, sync_api):
    """Each embedded checklist, offline in the static page: every item of its protocol, the
    critical ones flagged in words until answered, answers kept in the browser, and a link
    to its job aid that follows the book's ``handbook_job_aid_base``."""
    library = load_library(book.content)
    with serve(book.html) as base, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        try:
            for docname in NOTEBOOK_PAGES:
                protocol = library.protocol(embedded_protocol(docname))
                check_one_checklist(browser.new_page(), base, docname, protocol)
        finally:
            browser.close()


def check_one_checklist(page, base: str, docname: str, protocol) -> None:  # type: ignore[no-untyped-def]
    items = protocol.items()
    critical = sum(1 for item in items if item.critical)
    aid = job_aid_for_protocol(protocol.id)
    assert aid is not None and critical > 0
    open_checklist(page, f"{base}/{docname}.html")
    assert page.locator(".hb-checklist .hb-item").count() == len(items), docname
    assert page.locator(".hb-checklist .hb-item .hb-controls").count() == len(items), docname
    assert page.locator(".hb-checklist .hb-item.hb-critical").count() == critical, docname

    assert progress(page) == f"0 of {len(items)} answered · {critical} critical open"
    assert page.get_by_text("Not answered (critical)").count() == critical
    refused = press_complete(page)
    assert refused.startswith(f"Not complete: {critical} critical items unanswered"), refused

    assert answer(page, ".hb-checklist .hb-item.hb-critical") == critical
    assert progress(page) == f"{critical} of {len(items)} answered · 0 critical open"
    assert page.get_by_text("Not answered (critical)").count() == 0
    assert press_complete(page) == "Checklist complete."
    assert page.evaluate("Object.keys(localStorage)"), "answers are not kept in the browser"

    link = page.locator(".hb-checklist .hb-jobaid a")
    assert link.count() == 1, docname
    href = link.get_attribute("href")
    assert not href.startswith("/"), f"{href} ignores the site's folder (handbook_job_aid_base)"
    expected = urljoin(f"{base}/", job_aid_base(ROOT / "_config.yml").strip("/") + f"/{aid.name}.ipynb")
    assert urljoin(page.url, href) == expected, href
    page.close()


def _config(folder: Path, base: str) -> None:
    (folder / "_config.yml").write_text(f"sphinx:\n  config:\n    handbook_job_aid_base: {base}\n",
                                        encoding="utf-8")


def test_the_job_aid_link_follows_the_books_setting(tmp_path):
    page_folder = tmp_path / "book" / "arrive"
    page_folder.mkdir(parents=True)
    _config(tmp_path, "aids/")
    assert book_job_aid_url("scene-response", page_folder) == "../../aids/scene-response.ipynb"
    _config(tmp_path, "https://aids.example.org/voila/render/")
    assert book_job_aid_url("screening", page_folder) == "https://aids.example.org/voila/render/screening.ipynb"
    (tmp_path / "_config.yml").write_text("sphinx: [", encoding="utf-8")
    with pytest.raises(ValueError, match=r"_config.yml: cannot read handbook_job_aid_base"):
        book_job_aid_url("screening", page_folder)


@pytest.mark.slow
def test_a_rebuild_takes_unchanged_notebooks_from_the_execution_cache(editable_book):
    """Both notebook pages are read again (touched) but their code is unchanged: none runs."""
    assert editable_book.returncode == 0, editable_book.log[-4000:]
    for docname in NOTEBOOK_PAGES:
        os.utime(ROOT / f"{docname}.ipynb")
    done = editable_book.rebuild()
    log = ANSI.sub("", done.stdout + done.stderr)
    assert done.returncode == 0, log[-4000:]
    reread = set(re.findall(r"reading sources\.\.\. \[\s*\d+%\]\s+(\S+)", log))
    assert set(NOTEBOOK_PAGES) <= reread, f"the notebook pages were not read again: {reread}"
    for docname in NOTEBOOK_PAGES:
        assert f"{docname}.ipynb: Using cached notebook" in log, log[-3000:]
    assert "Executing notebook" not in log
