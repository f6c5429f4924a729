"""A test tool that is missing (axe-core, Chromium, jupyter-book, pdftoppm): a skip on a developer's
machine, a failure in CI, so a check can never pass there by not running.

Strict when ``CI`` is true (CI services set it) or ``HANDBOOK_REQUIRE_TEST_TOOLS`` is set
(``scripts/dev.sh test`` sets it).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[1]
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


FIX_SETUP = "install the project with its test extras (`bash scripts/dev.sh setup`)"
FIX_AXE = ("run `python scripts/vendor_assets.py` (part of `bash scripts/dev.sh setup`) where npm "
           "can reach its registry, or copy vendor/.cache from a machine that has run it")


def axe_core(target: Path) -> Path:
    """The pinned axe-core (``protocols.book.vendor.AXE_CORE``) from vendor/.cache, extracted into ``target``."""
    from protocols.book import vendor

    try:
        vendor.extract(vendor.AXE_CORE, vendor.fetch_tarball(vendor.AXE_CORE, vendor.cache_folder(ROOT / "vendor")),
                       target)
    except vendor.VendorError as exc:
        unavailable(f"axe-core is not available ({exc})", FIX_AXE)
    return target / "axe.min.js"


def load_module(path: Path, name: str) -> ModuleType:
    """A test helper file of another test folder, loaded as a plain module (its fixtures unregistered)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
