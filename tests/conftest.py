"""Shared fixtures: the shipped content, and a scratch copy a test may break; and the order in
which test files are handed to the workers."""

from __future__ import annotations

import functools
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.testing

from protocols.library.loader import DEFAULT_CONTENT

# Typer's test runner builds the whole command tree (every option of every command, its type
# hints evaluated) on each invoke: 23 ms, and the suite invokes the CLI about a thousand times.
# A built tree is a plain Click command, which Click apps reuse across calls: build it once.
typer.testing._get_command = functools.cache(typer.testing._get_command)  # type: ignore[attr-defined]

ROOT = Path(__file__).resolve().parent.parent
FILE_SECONDS = Path(__file__).with_name("file_seconds.json")
"""How long each test file took in a recorded run (``scripts/record_test_seconds.py``)."""
UNRECORDED_SECONDS = 2.0
"""What a file missing from the record is taken to need: most files take a second or two."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Longest files first, each file's tests in their own order.

    ``pytest -n 3 --dist loadfile --no-loadscope-reorder`` (scripts/dev.sh) hands whole files to
    the workers in this order, so the long browser files start early and the workers finish
    together, instead of one worker running a long file at the end while the others wait.
    """
    recorded: dict[str, float] = json.loads(FILE_SECONDS.read_text(encoding="utf-8")) if FILE_SECONDS.is_file() else {}
    items.sort(key=lambda item: -recorded.get(item.nodeid.split("::", 1)[0], UNRECORDED_SECONDS))


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped content folder."""
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT, target)
    return target


@pytest.fixture(autouse=True)
def _restore_handbook_environment() -> Iterator[None]:
    """Undo any ``HANDBOOK_*`` variable a test set in-process (a build or CLI call does).

    Without this, an in-process ``handbook build`` leaves ``$HANDBOOK_AGENCY`` behind and the
    next test in the same worker builds someone else's agency.
    """
    before = {k: v for k, v in os.environ.items() if k.startswith("HANDBOOK_")}
    yield
    for key in [k for k in os.environ if k.startswith("HANDBOOK_")]:
        if key not in before:
            del os.environ[key]
    os.environ.update(before)
