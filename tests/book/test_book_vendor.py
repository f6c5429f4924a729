"""protocols.book.vendor: pinned, verified, cached front-end assets for the offline book."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from protocols.book import vendor
from required import unavailable

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's tarball cache (filled by npm once, as a build would)."""
    try:
        vendor.ensure_vendored(ROOT / "vendor")
    except vendor.VendorError as exc:
        unavailable(f"the widget assets cannot be fetched here ({exc})",
                    "run `python scripts/vendor_assets.py` where npm can reach its registry")
    return ROOT / "vendor" / vendor.CACHE_DIR


@pytest.fixture
def no_npm(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any attempt to reach the registry fail loudly."""
    monkeypatch.setattr(vendor.shutil, "which", lambda name: None)


def test_a_fresh_checkout_vendors_from_the_cache_without_network(tmp_path, cache, no_npm):
    target = tmp_path / "vendor"
    shutil.copytree(cache, target / vendor.CACHE_DIR)
    widgets = vendor.ensure_vendored(target)
    for name in ("require.js", "embed-amd.js", "widgets-config.js", "anywidget/index.js",
                 "licenses/requirejs-LICENSE.txt",
                 "licenses/jupyter-widgets-html-manager-LICENSE.txt"):
        assert (widgets / name).is_file(), name
    assert len(list(widgets.glob("*.woff2"))) == 3
    manifest = json.loads((widgets / vendor.MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["packages"]["requirejs"].startswith("2.3.8 sha512-")
    assert manifest["packages"]["anywidget"] == vendor.anywidget_version()
    assert vendor.is_up_to_date(target)


def test_published_files_name_no_cdn(tmp_path, cache, no_npm):
    target = tmp_path / "vendor"
    shutil.copytree(cache, target / vendor.CACHE_DIR)
    widgets = vendor.ensure_vendored(target)
    for path in widgets.rglob("*.js"):
        text = path.read_text(encoding="utf-8", errors="replace").lower()
        assert not [host for host in vendor.BANNED_HOSTS if host in text], path.name


def test_a_changed_file_is_put_back(tmp_path, cache, no_npm):
    target = tmp_path / "vendor"
    shutil.copytree(cache, target / vendor.CACHE_DIR)
    widgets = vendor.ensure_vendored(target)
    (widgets / "require.js").write_text("tampered", encoding="utf-8")
    assert not vendor.is_up_to_date(target)
    vendor.ensure_vendored(target)
    assert (widgets / "require.js").read_text(encoding="utf-8") != "tampered"


def test_a_tarball_that_fails_its_integrity_is_refused(tmp_path, cache, no_npm):
    target = tmp_path / "vendor"
    shutil.copytree(cache, target / vendor.CACHE_DIR)
    bad = target / vendor.CACHE_DIR / vendor.NPM_PACKAGES[0].tarball_name
    bad.write_bytes(b"not the pinned tarball")
    with pytest.raises(vendor.VendorError, match="npm"):
        vendor.ensure_vendored(target)
    assert not bad.exists(), "a corrupt tarball must not stay in the cache"


def test_integrity_matches_npm_format():
    assert vendor.integrity_of(b"") == (
        "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==")


def test_every_pin_has_an_integrity_and_a_licence():
    for package in vendor.NPM_PACKAGES:
        assert package.integrity.startswith("sha512-") and len(package.integrity) == 95
        assert package.licence
    third_party = (ROOT / "THIRD-PARTY.md").read_text(encoding="utf-8")
    for package in vendor.NPM_PACKAGES:
        assert package.name in third_party and package.version in third_party
    assert "anywidget" in third_party
