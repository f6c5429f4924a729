"""Shared fixtures: the shipped content, and a scratch copy a test may break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from protocols.library import DEFAULT_CONTENT

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped content folder."""
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT, target)
    return target
