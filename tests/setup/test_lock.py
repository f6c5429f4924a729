"""The lock and pyproject.toml agree, and this environment was installed from the lock.

``pyproject.toml`` keeps the ranges the handbook works with; ``requirements/lock.txt`` pins the
exact releases (with hashes) that ``scripts/dev.sh`` installs on every machine. When someone
edits one without refreshing the other (``bash scripts/dev.sh lock``), these tests say which
requirement disagrees.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements" / "lock.txt"
TOOLS = ROOT / "requirements" / "tools.in"
PROJECT = "crisis-handbook"
LOCKED_EXTRAS = ("test",)
PIN = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+)(?:\s*;\s*(?P<marker>[^\\]+?))?\s*\\?$")


def locked() -> dict[str, list[tuple[Version, str | None]]]:
    """Each pinned package (canonical name) → its versions, each with its environment marker.

    A universal lock may pin two releases of one package for different Python versions.
    """
    pins: dict[str, list[tuple[Version, str | None]]] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            pins.setdefault(canonicalize_name(match["name"]), []).append((Version(match["version"]), match["marker"]))
    return pins


def direct_requirements() -> list[Requirement]:
    """What pyproject.toml asks for in the locked extras (self-references expanded), and the tools."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [Requirement(text) for text in project["dependencies"]]
    extras, seen = list(LOCKED_EXTRAS), set()
    while extras:
        extra = extras.pop()
        seen.add(extra)
        for text in project["optional-dependencies"][extra]:
            requirement = Requirement(text)
            if canonicalize_name(requirement.name) == PROJECT:
                extras += [e for e in requirement.extras if e not in seen]
            else:
                wanted.append(requirement)
    tools = [line.split("#")[0].strip() for line in TOOLS.read_text(encoding="utf-8").splitlines()]
    return wanted + [Requirement(text) for text in tools if text]


def test_every_requirement_is_locked_at_a_version_it_allows() -> None:
    pins = locked()
    problems = []
    for requirement in direct_requirements():
        name = canonicalize_name(requirement.name)
        if name not in pins:
            problems.append(f"{requirement} is not in the lock")
        else:
            problems += [f"{requirement} does not allow the locked {name}=={version}" for version, _ in pins[name]
                         if not requirement.specifier.contains(version, prereleases=True)]
    assert not problems, ("pyproject.toml and requirements/lock.txt disagree; run `bash scripts/dev.sh lock`:\n"
                          + "\n".join(problems))


def test_the_lock_names_no_direct_requirement_that_pyproject_dropped() -> None:
    direct = {canonicalize_name(r.name) for r in direct_requirements()}
    stale = []
    for block in pin_blocks():
        match = PIN.match(block.splitlines()[0])
        if match and f"{PROJECT} (pyproject.toml)" in block and canonicalize_name(match["name"]) not in direct:
            stale.append(match["name"])
    assert not stale, f"the lock still installs {stale} for pyproject.toml, which no longer asks for them"


def pin_blocks() -> list[str]:
    """The lock's entries, each a pin line with its hashes and its "via" comments."""
    text = LOCK.read_text(encoding="utf-8")
    return [block for block in re.split(r"\n(?=[A-Za-z0-9])", text) if PIN.match(block.splitlines()[0])]


def test_every_pin_is_checked_by_hash() -> None:
    blocks = pin_blocks()
    assert len(blocks) == sum(len(versions) for versions in locked().values()) > 50
    unhashed = [b.splitlines()[0] for b in blocks if "--hash=sha256:" not in b]
    assert not unhashed, f"pins without a hash: {unhashed}"


def test_this_environment_was_installed_from_the_lock() -> None:
    environment = default_environment()
    mismatched = []
    for name, versions in locked().items():
        applies = [version for version, marker in versions if not marker or _marker_holds(marker, environment)]
        if not applies:
            continue
        version = applies[0]
        try:
            installed = Version(metadata.version(name))
        except metadata.PackageNotFoundError:
            mismatched.append(f"{name} is not installed (locked {version})")
            continue
        if installed != version:
            mismatched.append(f"{name} {installed} is installed, the lock says {version}")
    assert not mismatched, "run `bash scripts/dev.sh setup` to install the lock:\n" + "\n".join(mismatched)


def _marker_holds(marker: str, environment: dict[str, str]) -> bool:
    from packaging.markers import Marker

    return Marker(marker).evaluate(environment)


@pytest.mark.parametrize("bad", ["pydantic>=99", "no-such-package-anywhere>=1"])
def test_a_disagreement_is_reported(bad: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check itself can fail: a range the lock does not meet, a requirement it lacks."""
    monkeypatch.setattr(sys.modules[__name__], "direct_requirements", lambda: [Requirement(bad)])
    with pytest.raises(AssertionError, match="disagree"):
        test_every_requirement_is_locked_at_a_version_it_allows()


LEFT_OUT = ("rfc3987-syntax", "lark")
"""Packages the lock leaves out on purpose (``scripts/dev.sh lock``: jsonschema's slow IRI checker)."""


def test_the_slow_iri_checker_is_left_out_so_jsonschema_imports_fast() -> None:
    """jsonschema imports rfc3987-syntax when it is there, and that builds 38 grammars (about a
    second) in every server and build; the lock leaves it out, and so does this environment."""
    assert not set(LEFT_OUT) & set(locked()), "run `bash scripts/dev.sh lock`: it leaves these out"
    probe = "import sys, jsonschema; print(sorted(m for m in sys.modules if m.startswith(('rfc3987', 'lark'))))"
    imported = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                              timeout=60).stdout.strip()
    assert imported == "[]", f"jsonschema imported {imported}: `bash scripts/dev.sh setup` syncs .venv to the lock"
