"""Pinned npm packages: fetched once with ``npm pack``, verified by sha512, read from the cache.

A tarball is fetched with ``npm pack NAME@VERSION`` (npm uses its configured registry and
proxy) into a cache folder; a cached tarball whose hash matches is reused, so later builds need
no network at all. A hash mismatch is an error, never a silent re-download. The pins themselves
live in :mod:`protocols.book.vendor`.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import subprocess
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

NPM_TIMEOUT_SECONDS = 300

Log = Callable[[str], None]


class VendorError(Exception):
    """The front-end assets could not be put in place; the message says why and what to do."""


@dataclass(frozen=True)
class NpmPackage:
    """One pinned npm package and the files taken from it.

    ``files`` maps a path inside the tarball to a path in the target folder; a path
    ending in ``/*.ext`` takes every file with that suffix from that folder.
    """

    name: str
    version: str
    integrity: str
    licence: str
    homepage: str
    files: dict[str, str]
    licence_file: str | None = None
    """Path of the licence text inside the tarball, if it ships one."""
    purpose: str = ""

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def tarball_name(self) -> str:
        # npm pack's own naming: "@scope/name" -> "scope-name-VERSION.tgz"
        return f"{self.name.lstrip('@').replace('/', '-')}-{self.version}.tgz"


def integrity_of(data: bytes) -> str:
    """The Subresource-Integrity style sha512 string npm records for a tarball."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def fetch_tarball(package: NpmPackage, cache: Path, log: Log = lambda message: None) -> bytes:
    """The verified tarball of ``package``, from the cache or from ``npm pack``.

    Also used by the tests for test-only tools (axe-core), with the same pin-and-verify rules.
    """
    cached = cache / package.tarball_name
    if cached.is_file():
        data = cached.read_bytes()
        if integrity_of(data) == package.integrity:
            return data
        log(f"cached {cached.name} does not match its pinned sha512; fetching it again")
        cached.unlink()
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError(
            f"cannot fetch {package.spec}: `npm` is not installed and {cached} is not cached. "
            "Install Node.js/npm, or copy vendor/.cache from a machine that has built the book."
        )
    cache.mkdir(parents=True, exist_ok=True)
    log(f"fetching {package.spec} with npm pack")
    try:
        done = subprocess.run(
            [npm, "pack", package.spec, "--json", "--ignore-scripts", "--pack-destination",
             str(cache)],
            cwd=cache, capture_output=True, text=True, timeout=NPM_TIMEOUT_SECONDS, check=False,
        )
    except subprocess.TimeoutExpired:
        raise VendorError(f"`npm pack {package.spec}` took longer than "
                          f"{NPM_TIMEOUT_SECONDS} s; check the network or npm proxy") from None
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise VendorError(
            f"`npm pack {package.spec}` failed ({detail}). The tests need this file: run "
            "`python scripts/vendor_assets.py` once where npm can reach its registry, or copy "
            "vendor/.cache from a machine that has run it."
        )
    try:
        reported = json.loads(done.stdout)[0]
        filename = reported["filename"]
        npm_integrity = reported.get("integrity")
    except (ValueError, KeyError, IndexError, TypeError):
        filename, npm_integrity = package.tarball_name, None
    fetched = cache / Path(filename).name
    if not fetched.is_file():
        raise VendorError(f"`npm pack {package.spec}` reported {filename} but wrote no such file")
    data = fetched.read_bytes()
    actual = integrity_of(data)
    if actual != package.integrity or (npm_integrity and npm_integrity != package.integrity):
        fetched.unlink()
        raise VendorError(
            f"{package.spec} does not match its pinned sha512 integrity (got {actual}); the "
            "download was refused. If the version was changed on purpose, update the pin in "
            "protocols/book/vendor.py."
        )
    if fetched != cached:
        fetched.replace(cached)
    return data


def extract(package: NpmPackage, data: bytes, target: Path) -> list[str]:
    """Copy the wanted members of the tarball under ``target``; return their new names."""
    written: list[str] = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        members = {m.name: m for m in archive.getmembers() if m.isfile()}
        for source, dest in package.files.items():
            if "/*." in source:
                folder, suffix = source.split("/*.", 1)
                chosen = sorted(n for n in members
                                if n.startswith(folder + "/") and "/" not in n[len(folder) + 1:]
                                and n.endswith("." + suffix))
                pairs = [(n, Path(n).name) for n in chosen]
            else:
                if source not in members:
                    raise VendorError(f"{package.spec} has no file {source}")
                pairs = [(source, dest)]
            for member_name, dest_name in pairs:
                extracted = archive.extractfile(members[member_name])
                assert extracted is not None
                out = target / dest_name
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(extracted.read())
                written.append(dest_name)
        if package.licence_file:
            extracted = archive.extractfile(members[package.licence_file])
            assert extracted is not None
            licence = extracted.read()
        else:
            licence = _licence_from_header(package, members, archive)
    safe = package.name.lstrip("@").replace("/", "-")
    out = target / "licenses" / f"{safe}-LICENSE.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(licence)
    written.append(out.relative_to(target).as_posix())
    return written


def _licence_from_header(package: NpmPackage, members: dict[str, tarfile.TarInfo],
                         archive: tarfile.TarFile) -> bytes:
    """The licence comment at the top of the package's main file (requirejs ships no file)."""
    first = next(iter(package.files))
    extracted = archive.extractfile(members[first])
    assert extracted is not None
    head = extracted.read(2000).decode("utf-8", "replace")
    comment = head.split("*/", 1)[0] + "*/" if "*/" in head else ""
    return (f"{package.spec}: licence {package.licence}, as stated in the header of "
            f"{Path(first).name}:\n\n{comment}\n").encode()
