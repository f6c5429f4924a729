"""A test tool that is missing (axe-core, Chromium, jupyter-book, pdftoppm): a skip on a developer's
machine, a failure in CI, so a check can never pass there by not running.

Strict when ``CI`` is true (CI services set it) or ``HANDBOOK_REQUIRE_TEST_TOOLS`` is set
(``scripts/dev.sh test`` sets it).
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

STRICT_VARIABLES = ("CI", "HANDBOOK_REQUIRE_TEST_TOOLS")


def strict() -> bool:
    """True when a missing tool must fail the test instead of skipping it."""
    return any(os.environ.get(name, "").strip().lower() in ("1", "true", "yes")
               for name in STRICT_VARIABLES)


def unavailable(what: str, fix: str) -> NoReturn:
    """Skip (or, when strict, fail) because ``what`` is missing; ``fix`` says how to get it."""
    message = f"{what}. To fix: {fix}."
    if strict():
        pytest.fail(f"{message} (A missing test tool fails when CI or "
                    "HANDBOOK_REQUIRE_TEST_TOOLS is set.)", pytrace=False)
    pytest.skip(message)
