"""Nothing lost: answers confirmed before a kill -9 of the server are there after a restart.

Two trials against SQLite, one against the real PostgreSQL server the suite starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kill_trial import run_trial
from pgserver import empty_database
from playwright.sync_api import sync_playwright

from browser import CHROMIUM_ARGS, CHROMIUM_PATH, require_chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(params=[pytest.param(("sqlite", 2), id="sqlite"),
                        pytest.param(("postgres", 1), id="postgres", marks=pytest.mark.postgres)])
def store_and_trials(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, int]]:
    kind, trials = request.param
    with empty_database(kind, request, tmp_path) as url:
        yield url, trials


def test_answers_confirmed_before_a_kill_survive_it(store_and_trials: tuple[str, int]) -> None:
    db_url, trials = store_and_trials
    require_chromium()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        try:
            results = [run_trial(browser, db_url, f"26-KILL-{n}") for n in range(trials)]
        finally:
            browser.close()
    for result in results:
        assert result.confirmed == 4
        assert result.missing == []
        assert result.recovered == result.confirmed
