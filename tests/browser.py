"""The browser the tests drive: Debian's Chromium headless shell, with one list of flags.

``chromium-headless-shell`` is built from the same Chromium release as Debian's ``chromium``: its
old headless mode, a separate program, with the same Blink engine. It starts for about a third
of the CPU time and loads, checks and photographs book pages for 13 % less wall time and 17 %
less CPU (benchmarks/browser_launch.py), and the suite launches a browser dozens of times.
Officers use their own phones' browsers; what the full ``chromium`` does for the handbook is
print the manual (``handbook build --pdf``), and the printed-manual tests print with it
(:func:`require_printing_chromium`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from required import unavailable

CHROMIUM_PATH = "/usr/lib/chromium/chromium-headless-shell"
"""The program itself: /usr/bin/chromium-headless-shell is a shell script that starts it."""
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
"""No sandbox (CI runs as root), no GPU, and no request of Chromium's own to another host."""
FIX_CHROMIUM = ("install Debian's chromium-headless-shell package "
                "(`bash scripts/dev.sh setup` does it when run as root)")


def require_chromium() -> None:
    """Skip (or, in CI, fail) when the tests' Chromium is missing, saying how to install it."""
    if not Path(CHROMIUM_PATH).exists():
        unavailable(f"Chromium is not installed ({CHROMIUM_PATH} is missing)", FIX_CHROMIUM)


def require_printing_chromium() -> None:
    """Skip (or, in CI, fail) when the full Chromium that prints the manual is missing."""
    from protocols.book.manual_print import CHROMIUM

    if not CHROMIUM.exists():
        unavailable(f"Chromium is not installed ({CHROMIUM} is missing)",
                    "install Debian's chromium package (`bash scripts/dev.sh setup` does it when run as root)")


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
