"""Shared fixtures: the shipped content, and a scratch copy a test may break."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from protocols.library.loader import DEFAULT_CONTENT

ROOT = Path(__file__).resolve().parent.parent


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
