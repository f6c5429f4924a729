"""Fetch the front-end files the offline book needs into ``vendor/`` (git-ignored).

The interactive checklists in the book are Jupyter widgets. In a static page they need a
small JavaScript runtime: RequireJS, the ipywidgets HTML manager (``embed-amd.js`` and the
icon fonts it loads) and anywidget's AMD module. The book must never fetch them from a CDN,
so this module puts them in ``vendor/widgets/``, which the Sphinx extension publishes at the
site root with ``html_extra_path`` (only pages that contain a widget load them).

How it works

* npm packages are pinned by name, version and sha512 integrity (``NPM_PACKAGES``). Each is
  fetched once with ``npm pack NAME@VERSION`` into ``vendor/.cache/`` and verified
  (:mod:`protocols.book.npm`), so later builds need no network at all.
* anywidget's AMD module ships inside the anywidget wheel (``anywidget/nbextension/index.js``)
  and is copied from the installed package, with its version recorded.
* Two upstream strings that name a CDN are rewritten so the site holds no CDN address (see
  ``PATCHES``); each must match exactly the expected number of times.
* ``vendor/widgets/MANIFEST.json`` records what was installed. When it matches the pins the
  step does nothing, so it is cheap to call before every build.

Run it by hand with ``python -m protocols.book.vendor`` (``--force`` to rebuild from the cache).
It also caches the tools the tests inject into pages (``TEST_PACKAGES``: axe-core), pinned
and verified the same way, so a set-up machine runs the accessibility tests offline.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path

from protocols.book.npm import Log, NpmPackage, VendorError, extract, fetch_tarball, integrity_of
from protocols.library.project import project_folder

__all__ = ["AXE_CORE", "BANNED_HOSTS", "CACHE_DIR", "MANIFEST_NAME", "NPM_PACKAGES", "PATCHES",
           "TEST_PACKAGES", "WIDGETS_DIR", "Log", "NpmPackage", "VendorError", "anywidget_version",
           "cache_folder", "ensure_vendored", "expected_packages", "extract", "fetch_tarball",
           "fetch_test_tools", "integrity_of", "is_up_to_date", "main", "project_root", "vendor_folder"]

MANIFEST_NAME = "MANIFEST.json"
WIDGETS_DIR = "widgets"
CACHE_DIR = ".cache"

FONT_SUFFIXES = ("woff2", "woff", "ttf", "eot", "svg")

NPM_PACKAGES: tuple[NpmPackage, ...] = (
    NpmPackage(
        name="requirejs",
        version="2.3.8",
        integrity=(
            "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQ"
            "XSowL6Mw=="
        ),
        licence="MIT",
        homepage="requirejs.org",
        files={"package/require.js": "require.js"},
        purpose="AMD module loader that embed-amd.js and anywidget's module need",
    ),
    NpmPackage(
        name="@jupyter-widgets/html-manager",
        version="1.0.14",
        integrity=(
            "sha512-wglgQQ+VMj+MBKkTttdeoMtOah/H2A1w5GU1OAVXmDQqZYTK6C+oHZjQMxcNezIpiqUjC1YHKOo5Xd"
            "P3ENvBng=="
        ),
        licence="BSD-3-Clause (bundles Font Awesome Free 5: icons CC BY 4.0, fonts SIL OFL 1.1, "
        "code MIT)",
        homepage="github.com/jupyter-widgets/ipywidgets",
        files={
            "package/dist/embed-amd.js": "embed-amd.js",
            **{f"package/dist/*.{suffix}": "" for suffix in FONT_SUFFIXES},
        },
        licence_file="package/LICENSE",
        purpose="renders ipywidgets 8 state saved in a static page (embed-amd.js + icon fonts)",
    ),
)


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
"""Pinned like the widget runtime, fetched into the same cache by setup, used only by tests."""


@dataclass(frozen=True)
class Patch:
    """An exact text replacement in a vendored file, applied a known number of times."""

    file: str
    old: str
    new: str
    count: int
    why: str


def _host(*labels: str) -> str:
    """A host name assembled from its labels, so this source file names no CDN itself."""
    return ".".join(labels)


PATCHES: tuple[Patch, ...] = (
    Patch(
        file="embed-amd.js",
        old=f'"https://{_host("cdn", "jsdelivr", "net")}/npm/"',
        new='"./widgets-no-cdn/"',
        count=2,
        why="the default fallback CDN for widget modules not found locally; the book never "
        "fetches code from a CDN, so a missing module fails on this site instead",
    ),
    Patch(
        file="embed-amd.js",
        old=f"@import url('https://{_host('fonts', 'googleapis', 'com')}/css?family=Roboto+Mono');",
        new="(optional web-font import removed: the book works offline)",
        count=4,
        why="a commented-out web-font import; removed so no file names a font CDN",
    ),
)

BANNED_HOSTS = ("cdnjs", "jsdelivr", "unpkg", "googleapis", "gstatic")
"""Host names that must not appear in any published vendored file after patching."""


@dataclass
class Manifest:
    """What ``vendor/widgets`` holds, to tell whether it is up to date."""

    packages: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"packages": self.packages, "files": self.files}, indent=2,
                          sort_keys=True) + "\n"


def project_root() -> Path:
    """The folder holding ``_config.yml`` (``project.project_folder``), else the working folder.

    Unlike the other users of that search this never fails: outside a project, ``vendor/``
    is made in the working folder.
    """
    return project_folder() or Path.cwd().resolve()


def vendor_folder(vendor_dir: Path | None = None) -> Path:
    """``vendor_dir``, else ``vendor/`` in ``project_root()``; resolved."""
    return (vendor_dir or project_root() / "vendor").resolve()


def cache_folder(vendor_dir: Path | None = None) -> Path:
    """Where the verified tarballs are kept: ``.cache/`` in ``vendor_folder(vendor_dir)``."""
    return vendor_folder(vendor_dir) / CACHE_DIR


def anywidget_version() -> str:
    try:
        return metadata.version("anywidget")
    except metadata.PackageNotFoundError as exc:  # pragma: no cover - a dependency
        raise VendorError("the anywidget package is not installed; install the project "
                          "with `pip install -e .`") from exc


def _anywidget_module() -> bytes:
    source = resources.files("anywidget").joinpath("nbextension", "index.js")
    try:
        return source.read_bytes()
    except (FileNotFoundError, OSError) as exc:
        raise VendorError(f"anywidget {anywidget_version()} does not ship "
                          "nbextension/index.js; pin an anywidget release that does") from exc


def _anywidget_licence() -> bytes | None:
    try:
        dist = metadata.distribution("anywidget")
    except metadata.PackageNotFoundError:  # pragma: no cover
        return None
    for file in dist.files or ():
        if file.name.upper().startswith("LICENSE"):
            return Path(str(dist.locate_file(file))).read_bytes()
    return None


def _widgets_config_js() -> bytes:
    return resources.files("protocols").joinpath("book", "assets", "widgets-config.js").read_bytes()


def expected_packages() -> dict[str, str]:
    """Name → pinned version (or integrity) of everything the manifest must record."""
    pins = {p.name: f"{p.version} {p.integrity}" for p in NPM_PACKAGES}
    pins["anywidget"] = anywidget_version()
    pins["widgets-config.js"] = hashlib.sha256(_widgets_config_js()).hexdigest()
    pins["patches"] = hashlib.sha256(
        json.dumps([(p.file, p.old, p.new, p.count) for p in PATCHES]).encode()
    ).hexdigest()
    return pins


def _read_manifest(widgets: Path) -> Manifest | None:
    try:
        raw = json.loads((widgets / MANIFEST_NAME).read_text(encoding="utf-8"))
        return Manifest(packages=dict(raw["packages"]), files=dict(raw["files"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def is_up_to_date(vendor_dir: Path) -> bool:
    """True when ``vendor/widgets`` holds exactly the pinned assets, unmodified."""
    widgets = vendor_dir / WIDGETS_DIR
    manifest = _read_manifest(widgets)
    if manifest is None or manifest.packages != expected_packages():
        return False
    for name, digest in manifest.files.items():
        path = widgets / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            return False
    return True


def _apply_patches(target: Path) -> None:
    for patch in PATCHES:
        path = target / patch.file
        text = path.read_text(encoding="utf-8")
        found = text.count(patch.old)
        if found != patch.count:
            raise VendorError(
                f"{patch.file}: expected {patch.count} occurrence(s) of {patch.old!r} to patch, "
                f"found {found}; the pinned package changed? Review PATCHES in protocols/book/vendor.py"
            )
        path.write_text(text.replace(patch.old, patch.new), encoding="utf-8")


def _check_no_cdn(target: Path) -> None:
    for path in sorted(target.rglob("*")):
        if path.is_file() and path.suffix in (".js", ".css", ".html"):
            text = path.read_text(encoding="utf-8", errors="replace").lower()
            for host in BANNED_HOSTS:
                if host in text:
                    raise VendorError(f"{path.relative_to(target)} still names `{host}` after "
                                      "patching; add a patch in protocols/book/vendor.py")


def ensure_vendored(vendor_dir: Path | None = None, *, force: bool = False,
                    log: Log | None = None) -> Path:
    """Make ``vendor/widgets`` hold the pinned assets; return its path.

    Cheap when already up to date. Raises ``VendorError`` with a plain message otherwise.
    """
    say: Log = log if log is not None else (lambda message: None)
    vendor = vendor_folder(vendor_dir)
    widgets = vendor / WIDGETS_DIR
    if not force and is_up_to_date(vendor):
        return widgets
    vendor.mkdir(parents=True, exist_ok=True)
    with _locked(vendor / ".lock"):
        # Another build may have finished the job while this one waited for the lock.
        if not force and is_up_to_date(vendor):
            return widgets
        _install(vendor, widgets, say)
    say(f"vendored widget assets into {widgets}")
    return widgets


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One vendoring at a time (parallel test workers or builds share ``vendor/``)."""
    with path.open("a+") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no lock, the rename is atomic
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _install(vendor: Path, widgets: Path, say: Log) -> None:
    cache = cache_folder(vendor)
    staging = vendor / f".{WIDGETS_DIR}.tmp-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    try:
        files: list[str] = []
        for package in NPM_PACKAGES:
            data = fetch_tarball(package, cache, say)
            files += extract(package, data, staging)
        (staging / "anywidget").mkdir()
        (staging / "anywidget" / "index.js").write_bytes(_anywidget_module())
        files.append("anywidget/index.js")
        licence = _anywidget_licence()
        if licence is not None:
            (staging / "licenses" / "anywidget-LICENSE.txt").write_bytes(licence)
            files.append("licenses/anywidget-LICENSE.txt")
        (staging / "widgets-config.js").write_bytes(_widgets_config_js())
        files.append("widgets-config.js")
        _apply_patches(staging)
        _check_no_cdn(staging)
        manifest = Manifest(
            packages=expected_packages(),
            files={name: hashlib.sha256((staging / name).read_bytes()).hexdigest()
                   for name in sorted(set(files))},
        )
        (staging / MANIFEST_NAME).write_text(manifest.to_json(), encoding="utf-8")
        old = vendor / f".{WIDGETS_DIR}.old-{os.getpid()}"
        if widgets.exists():
            widgets.replace(old)
        staging.replace(widgets)
        if old.exists():
            shutil.rmtree(old)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def fetch_test_tools(vendor_dir: Path | None = None, log: Log | None = None) -> Path:
    """Put the verified tarballs of ``TEST_PACKAGES`` in the cache (no-op when cached); the cache."""
    cache = cache_folder(vendor_dir)
    for package in TEST_PACKAGES:
        fetch_tarball(package, cache, log if log is not None else (lambda message: None))
    return cache


def main(argv: list[str] | None = None) -> int:
    """``python -m protocols.book.vendor [--force] [VENDOR_DIR]``: the widget runtime and test tools."""
    args = list(sys.argv[1:] if argv is None else argv)
    force = "--force" in args
    rest = [a for a in args if a != "--force"]
    if any(a.startswith("-") for a in rest) or len(rest) > 1:
        print("usage: python -m protocols.book.vendor [--force] [VENDOR_DIR]", file=sys.stderr)
        return 2
    target = Path(rest[0]) if rest else None
    try:
        widgets = ensure_vendored(target, force=force, log=lambda m: print(m, file=sys.stderr))
        cache = fetch_test_tools(target, log=lambda m: print(m, file=sys.stderr))
    except VendorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"OK: widget assets are in {widgets}; test tools "
          f"({', '.join(p.spec for p in TEST_PACKAGES)}) are cached in {cache}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
