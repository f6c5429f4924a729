"""Nothing lost: answers confirmed before a kill -9 of the server are there after a restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from kill_trial import CHROMIUM_ARGS, run_trial
from playwright.sync_api import sync_playwright

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_answers_confirmed_before_a_kill_survive_it(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'records.sqlite3'}"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            results = [run_trial(browser, db_url, f"KILL-{n}") for n in range(2)]
        finally:
            browser.close()
    for result in results:
        assert result.confirmed == 4
        assert result.missing == []
        assert result.recovered == result.confirmed
