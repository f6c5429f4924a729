"""Fixtures for the job-aid tests: the shipped content, a scratch records store, a settable clock.

The controller and widget tests need no kernel: ipywidgets objects work in plain Python
(``button.click()`` runs the handlers), so each aid is driven the way a browser would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from aid_helpers import Clock

from protocols.library.loader import Library, load_library
from protocols.records import Store


@pytest.fixture(scope="session")
def library() -> Library:
    return load_library()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(f"sqlite:///{tmp_path}/r.sqlite3")


@pytest.fixture
def clock() -> Clock:
    return Clock()


