"""Fixtures for the accessibility tests: axe-core, a real `handbook serve`, a built book, Chromium.

* ``axe_js``: the pinned axe-core (``protocols.book.vendor.AXE_CORE``, fetched into vendor/.cache by
  setup), extracted to a temporary folder.
* ``server``: ONE ``handbook serve`` per test module, on a free loopback port, with its own
  scratch SQLite records database (the pattern of tests/jobaids/test_aids_e2e.py).
* ``built_book``: the handbook built once per session into a temporary folder, with the
  shared build helper (``tests/bookbuild.py``) and a copy of the content.
* ``browser``: Debian's Chromium, one per module.

A missing tool skips these tests on a developer's machine and fails them in CI (``required``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bookbuild import JUPYTER_BOOK, shared_build
from browser import CHROMIUM_ARGS, CHROMIUM_PATH, require_chromium
from required import FIX_SETUP, axe_core, load_module, unavailable
from served import Served, handbook_serve

ROOT = Path(__file__).resolve().parents[2]


def book_helper(name: str) -> Any:
    """A module of tests/book loaded as a plain module (its fixtures are not registered here).

    ``book_site`` gives ``serve`` (a built site on a loopback port); ``checklist_page`` drives
    an embedded checklist.
    """
    return load_module(ROOT / "tests" / "book" / f"{name}.py", f"_a11y_book_{name}")


@pytest.fixture(scope="session")
def checklist_page() -> Any:
    """tests/book/checklist_page.py: open, tick and complete an embedded checklist; a knowledge check."""
    return book_helper("checklist_page")


@pytest.fixture(scope="session")
def axe_js(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return axe_core(tmp_path_factory.mktemp("axe"))


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML folder of the test run's shared build of the handbook (read only)."""
    if not JUPYTER_BOOK.exists():
        unavailable(f"jupyter-book is not installed ({JUPYTER_BOOK} is missing)", FIX_SETUP)
    return shared_build(tmp_path_factory).html


@pytest.fixture(scope="module")
def book_url(built_book: Path) -> Iterator[str]:
    """The built book served on a loopback port (a plain static server, as in tests/book)."""
    with book_helper("book_site").serve(built_book) as base:
        yield str(base)


Server = Served


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`handbook serve` on a free loopback port with its own records database; stopped at the end.

    A test module may set ``SERVE_ARGS`` (e.g. ``["--no-preheat"]`` when it opens one aid only).
    """
    require_chromium()
    extra = [str(a) for a in getattr(request.module, "SERVE_ARGS", [])]
    with handbook_serve(tmp_path_factory.mktemp("a11y-serve"), *extra) as served:
        yield served


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture
def browser(playwright: Any) -> Iterator[Any]:
    """Chromium for one test (a browser that dies on a loaded machine takes no other test with it)."""
    chromium = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
