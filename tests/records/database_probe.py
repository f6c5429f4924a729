"""Run by test_scratch_database.py in a child pytest: reports the records database a test run uses."""

from __future__ import annotations

import os
from pathlib import Path

from protocols.records import Store, default_database_url


def test_report_the_database_in_use() -> None:
    url = default_database_url()
    Store.open().engine.dispose()  # what a job-aid notebook does when it starts
    Path(os.environ["PROBE_OUT"]).write_text(url, encoding="utf-8")
