"""Fixtures for the book tests: one real build of the handbook, shared by every test.

The book is built ONCE per test session, from the project root, into a temporary folder
(``--path-output``), with the content copied to a temporary folder too and selected with
``HANDBOOK_CONTENT`` so a test can edit it without touching the real content.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bookbuild import CONTENT, JUPYTER_BOOK, run_build


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
def book(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BookBuild]:
    """The handbook built once with ``-W -n --keep-going`` from a copy of the content."""
    if not JUPYTER_BOOK.exists():
        pytest.skip("jupyter-book is not installed in this environment")
    base = tmp_path_factory.mktemp("book")
    content = base / "content"
    shutil.copytree(CONTENT, content)
    out = base / "out"
    started = time.monotonic()
    done = run_build(out, content)
    yield BookBuild(out=out, content=content, returncode=done.returncode,
                    log=done.stdout + done.stderr, seconds=time.monotonic() - started)
