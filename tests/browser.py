"""The browser the tests drive: Debian's headless build of Chromium, with one list of flags.

``chromium-headless-shell`` is the same Chromium release as Debian's ``chromium``, built with only
its headless mode. It starts for about a third of the CPU time and loads, checks and photographs
book pages for 7-17 % less (benchmarks/browser_launch.py), and the suite launches a browser
dozens of times.
``handbook build --pdf`` prints with the full ``chromium`` (``protocols.book.manual_print``), and
the printed-manual tests run that command, so they check the real path.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from required import unavailable

CHROMIUM_PATH = "/usr/bin/chromium-headless-shell"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
"""No sandbox (CI runs as root), no GPU, and no request of Chromium's own to another host."""
FIX_CHROMIUM = ("install Debian's chromium-headless-shell package "
                "(`bash scripts/dev.sh setup` does it when run as root)")


def require_chromium() -> None:
    """Skip (or, in CI, fail) when the tests' Chromium is missing, saying how to install it."""
    if not Path(CHROMIUM_PATH).exists():
        unavailable(f"Chromium is not installed ({CHROMIUM_PATH} is missing)", FIX_CHROMIUM)


@contextmanager
def launched_chromium() -> Iterator[Any]:
    """The tests' Chromium through Playwright (never a downloaded one), closed at the end."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()
