"""Fixtures for the accessibility tests: axe-core, a real `handbook serve`, a built book, Chromium.

* ``axe_js``: the pinned axe-core (``protocols.vendor.AXE_CORE``, fetched into vendor/.cache by
  setup), extracted to a temporary folder.
* ``server``: ONE ``handbook serve`` per test module, on a free loopback port, with its own
  scratch SQLite records database (the pattern of tests/jobaids/test_aids_e2e.py).
* ``built_book``: the handbook built once per session into a temporary folder, with the
  shared build helper (``tests/bookbuild.py``) and a copy of the content.
* ``browser``: Debian's Chromium, one per module.

A missing tool skips these tests on a developer's machine and fails them in CI (``required``).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bookbuild import JUPYTER_BOOK, fresh_build
from protocols import vendor
from required import unavailable
from served import Served, handbook_serve

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

AXE = vendor.AXE_CORE
"""The pin setup fetches (``scripts/vendor_assets.py``); tests/book uses the same one."""
FIX_AXE = ("run `python scripts/vendor_assets.py` (part of `bash scripts/dev.sh setup`) where npm "
           "can reach its registry, or copy vendor/.cache from a machine that has run it")
FIX_CHROMIUM = f"install Debian's chromium package (`apt-get install chromium`) so {CHROMIUM_PATH} exists"
FIX_BOOK = "install the project with its test extras (`bash scripts/dev.sh setup`)"


def book_helper(name: str) -> Any:
    """A module of tests/book loaded as a plain module (its fixtures are not registered here).

    ``book_site`` gives ``serve`` (a built site on a loopback port); ``checklist_page`` drives
    an embedded checklist.
    """
    spec = importlib.util.spec_from_file_location(f"_a11y_book_{name}", ROOT / "tests" / "book" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def checklist_page() -> Any:
    """tests/book/checklist_page.py: open, tick and complete an embedded checklist; a knowledge check."""
    return book_helper("checklist_page")


@pytest.fixture(scope="session")
def axe_js(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("axe")
    try:
        vendor.extract(AXE, vendor.fetch_tarball(AXE, ROOT / "vendor" / vendor.CACHE_DIR), target)
    except vendor.VendorError as exc:
        unavailable(f"axe-core is not available ({exc})", FIX_AXE)
    return target / "axe.min.js"


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML folder of a fresh build of the handbook (warnings are errors, as in tests/book)."""
    if not JUPYTER_BOOK.exists():
        unavailable(f"jupyter-book is not installed ({JUPYTER_BOOK} is missing)", FIX_BOOK)
    return fresh_build(tmp_path_factory.mktemp("a11y-book"))


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
    if not Path(CHROMIUM_PATH).exists():
        unavailable("Chromium is not installed", FIX_CHROMIUM)
    extra = [str(a) for a in getattr(request.module, "SERVE_ARGS", [])]
    with handbook_serve(tmp_path_factory.mktemp("a11y-serve"), *extra) as served:
        yield served


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    if not Path(CHROMIUM_PATH).exists():
        unavailable("Chromium is not installed", FIX_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture
def browser(playwright: Any) -> Iterator[Any]:
    """Chromium for one test (a browser that dies on a loaded machine takes no other test with it)."""
    chromium = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
