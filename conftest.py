"""Every pytest run, notebooks included, uses a scratch records database and scratch signing
keys, never the user's own.

``pytest --nbval-lax widgets`` runs the job-aid notebooks in kernels that open the store
named by ``$HANDBOOK_DATABASE_URL`` (else the user's SQLite file). Setting it here, before
any kernel starts, keeps a test run out of real records. A URL already set is respected.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

DATABASE_ENV = "HANDBOOK_DATABASE_URL"
SIGNING_KEYS_ENV = "HANDBOOK_SIGNING_KEYS"
_scratch: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    folder = tempfile.mkdtemp(prefix="handbook-test-records-")
    _scratch.append(folder)
    # A database URL already set (a PostgreSQL run) is respected; signing keys are always scratch.
    os.environ.setdefault(DATABASE_ENV, f"sqlite:///{folder}/records.sqlite3")
    os.environ[SIGNING_KEYS_ENV] = f"{folder}/signing-keys"


def pytest_unconfigure(config: pytest.Config) -> None:
    while _scratch:
        shutil.rmtree(_scratch.pop(), ignore_errors=True)
