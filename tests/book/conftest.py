"""Fixtures for the book tests: one real build of the handbook, shared by every test.

The book is built ONCE per test session, from the project root, into a temporary folder
(``--path-output``), with the content copied to a temporary folder too and selected with
the content setting (``protocols.settings.CONTENT``) so a test can edit it without touching
the real content.

A missing tool (jupyter-book, Playwright, Chromium, axe-core) skips a test on a developer's
machine and fails it in CI (``required``), with what to do.

The extension's own tests build tiny projects in process with Sphinx's test fixtures
(``@pytest.mark.sphinx("html", testroot="NAME")`` builds ``roots/test-NAME``). The fixtures
are imported by name rather than listed in ``pytest_plugins``: pytest refuses that variable in
a conftest below the top level when the whole suite runs.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from sphinx.testing.fixtures import (  # noqa: F401 - fixtures and hook, used by name
    app,
    app_params,
    make_app,
    pytest_configure,
    shared_result,
    status,
    test_params,
    warning,
)

from bookbuild import CONTENT, JUPYTER_BOOK, SharedBuild, run_build, seed_execution_cache, shared_build
from browser import require_chromium
from required import FIX_SETUP, axe_core, load_module, unavailable

ROOT = Path(__file__).resolve().parents[2]
SPHINX_ROOTS = Path(__file__).resolve().parent / "roots"


@dataclass
class BookBuild:
    """A finished build: where it is, what it printed, and how to build it again."""

    out: Path
    content: Path
    returncode: int
    log: str
    seconds: float

    @property
    def html(self) -> Path:
        return self.out / "_build" / "html"

    def rebuild(self) -> subprocess.CompletedProcess[str]:
        """Build again into the same folder (incremental), with the same content folder."""
        return run_build(self.out, self.content)


@pytest.fixture(scope="session")
def book(tmp_path_factory: pytest.TempPathFactory) -> SharedBuild:
    """The test run's one build of the handbook (``-W -n --keep-going``), shared by every worker
    and by tests/a11y and tests/security: read it, never change it (``editable_book`` for that)."""
    if not JUPYTER_BOOK.exists():
        unavailable(f"jupyter-book is not installed ({JUPYTER_BOOK} is missing)", FIX_SETUP)
    return shared_build(tmp_path_factory)


@pytest.fixture
def editable_book(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BookBuild]:
    """A build of the handbook of this test's own, from its own copy of the content, to edit and
    build again."""
    if not JUPYTER_BOOK.exists():
        unavailable(f"jupyter-book is not installed ({JUPYTER_BOOK} is missing)", FIX_SETUP)
    base = tmp_path
    content = base / "content"
    shutil.copytree(CONTENT, content)
    out = base / "out"
    seed_execution_cache(tmp_path_factory, out / "_build" / "html")
    started = time.monotonic()
    done = run_build(out, content)
    yield BookBuild(out=out, content=content, returncode=done.returncode,
                    log=done.stdout + done.stderr, seconds=time.monotonic() - started)


@pytest.fixture(scope="session")
def sync_api() -> ModuleType:
    """Playwright's sync API, with Debian's Chromium present to drive."""
    try:
        import playwright.sync_api as api
    except ImportError:
        unavailable("Playwright is not installed", FIX_SETUP)
    require_chromium()
    return api


@pytest.fixture(scope="session")
def a11y_checks(sync_api: ModuleType) -> ModuleType:
    """tests/a11y/a11y_checks.py (touch targets, accessible names, sidebars) as a plain module."""
    return load_module(ROOT / "tests" / "a11y" / "a11y_checks.py", "_book_a11y_checks")


@pytest.fixture(scope="session")
def axe_js(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pinned axe-core, extracted."""
    return axe_core(tmp_path_factory.mktemp("book-axe"))


@pytest.fixture(scope="session")
def rootdir() -> Path:
    """Where ``@pytest.mark.sphinx(testroot="NAME")`` finds ``test-NAME`` (Sphinx's fixtures)."""
    return SPHINX_ROOTS


@pytest.fixture(scope="session")
def sphinx_test_tempdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where Sphinx's fixtures copy the test roots and build them: a folder of their own."""
    return tmp_path_factory.mktemp("sphinx-roots")
