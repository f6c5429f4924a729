"""Fetch the pinned front-end tools the tests inject into pages into ``vendor/.cache`` (git-ignored).

The published book needs nothing from other projects' front ends: its checklists are drawn by
the handbook's own ``widgets_static.js`` (:mod:`protocols.book.static_widgets`). Only the tests
use a third-party script, axe-core, which they inject into built pages to check accessibility.

* npm packages are pinned by name, version and sha512 integrity (``TEST_PACKAGES``). Each is
  fetched once with ``npm pack NAME@VERSION`` into ``vendor/.cache/`` and verified
  (:mod:`protocols.book.npm`), so later runs need no network at all.

Run it by hand with ``python -m protocols.book.vendor`` (or ``scripts/vendor_assets.py``) to
prepare a machine while it can still reach the npm registry.
"""

from __future__ import annotations

import sys
from pathlib import Path

from protocols.book.npm import Log, NpmPackage, VendorError, extract, fetch_tarball, integrity_of
from protocols.library.project import project_folder

__all__ = ["AXE_CORE", "CACHE_DIR", "TEST_PACKAGES", "Log", "NpmPackage", "VendorError",
           "cache_folder", "extract", "fetch_tarball", "fetch_test_tools", "integrity_of", "main",
           "project_root", "vendor_folder"]

CACHE_DIR = ".cache"

AXE_CORE = NpmPackage(
    name="axe-core",
    version="4.14.1",
    integrity=(
        "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37O"
        "gudVGtQ=="
    ),
    licence="MPL-2.0",
    homepage="github.com/dequelabs/axe-core",
    files={"package/axe.min.js": "axe.min.js"},
    purpose="accessibility checks in the tests only (never published with the book)",
)
TEST_PACKAGES: tuple[NpmPackage, ...] = (AXE_CORE,)
"""Pinned and verified, fetched into the cache by setup, used only by tests."""


def project_root() -> Path:
    """The folder holding ``_config.yml`` (``project.project_folder``), else the working folder."""
    return project_folder() or Path.cwd().resolve()


def vendor_folder(vendor_dir: Path | None = None) -> Path:
    """``vendor_dir``, else ``vendor/`` in ``project_root()``; resolved."""
    return (vendor_dir or project_root() / "vendor").resolve()


def cache_folder(vendor_dir: Path | None = None) -> Path:
    """Where the verified tarballs are kept: ``.cache/`` in ``vendor_folder(vendor_dir)``."""
    return vendor_folder(vendor_dir) / CACHE_DIR


def fetch_test_tools(vendor_dir: Path | None = None, log: Log | None = None) -> Path:
    """Put the verified tarballs of ``TEST_PACKAGES`` in the cache (no-op when cached); the cache."""
    cache = cache_folder(vendor_dir)
    for package in TEST_PACKAGES:
        fetch_tarball(package, cache, log if log is not None else (lambda message: None))
    return cache


def main(argv: list[str] | None = None) -> int:
    """``python -m protocols.book.vendor [VENDOR_DIR]``: cache the test tools."""
    args = list(sys.argv[1:] if argv is None else argv)
    if any(a.startswith("-") for a in args) or len(args) > 1:
        print("usage: python -m protocols.book.vendor [VENDOR_DIR]", file=sys.stderr)
        return 2
    target = Path(args[0]) if args else None
    try:
        cache = fetch_test_tools(target, log=lambda m: print(m, file=sys.stderr))
    except VendorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"OK: test tools ({', '.join(p.spec for p in TEST_PACKAGES)}) are cached in {cache}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
