"""The run-time settings have one home: every HANDBOOK_* variable is named in protocols.settings only."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from protocols import settings
from protocols.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "protocols"


def test_no_module_but_settings_names_a_handbook_variable() -> None:
    """A grep over the package: the prefix appears in settings.py and nowhere else (docstrings included)."""
    found = []
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix not in {".py", ".js", ".css", ".j2", ".json", ".yaml", ".html"} or path.name == "settings.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if "HANDBOOK_" in line:
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "name the variable through protocols.settings instead:\n" + "\n".join(found)


def test_every_variable_is_read_and_written_back() -> None:
    environ = {
        settings.CONTENT.name: "/srv/content", settings.AGENCY.name: "/srv/agency.yaml",
        settings.LIBRARY_SNAPSHOT.name: "/tmp/snap.json", settings.DATABASE_URL.name: "sqlite:///r.sqlite3",
        settings.USER.name: "officer-7", settings.TOKEN.name: "a-secret-of-enough-length",
        settings.IDLE_LOCK_MINUTES.name: "12.5", settings.TEST_IDLE_LOCK_SECONDS.name: "3",
        settings.FORK_SERVER.name: "/tmp/fork.sock", settings.SIGNING_KEYS.name: "/srv/keys",
        settings.DEBUG.name: "1",
    }
    read = Settings.from_env(environ)
    assert read.problems == ()
    assert read.agency == Path("/srv/agency.yaml") and read.idle_lock_minutes == 12.5
    assert read.test_idle_lock_seconds == 3 and read.debug is True
    assert read.to_env() == environ
    assert {variable.name for variable in settings.VARIABLES} == set(environ)
    assert Settings.from_env(read.to_env()) == read


def test_nothing_set_gives_the_defaults_and_writes_nothing() -> None:
    read = Settings.from_env({})
    assert read == Settings() and read.idle_lock_minutes == settings.DEFAULT_IDLE_LOCK_MINUTES
    assert read.to_env() == {}


@pytest.mark.parametrize("text", ["abc", "0.5", "241", "nan", "inf", "-3"])
def test_an_unusable_lock_time_keeps_the_default_and_says_which_variable(text: str) -> None:
    read = Settings.from_env({settings.IDLE_LOCK_MINUTES.name: text})
    assert read.idle_lock_minutes == settings.DEFAULT_IDLE_LOCK_MINUTES  # fail safe: the screen still locks
    (problem,) = read.problems
    assert problem.startswith(f"{settings.IDLE_LOCK_MINUTES.name}={text!r} is not a number of minutes from 1 to 240")
    assert "--idle-lock-minutes" in problem


def test_apply_hands_a_child_exactly_these_settings() -> None:
    environ = {settings.AGENCY.name: "/old/agency.yaml", settings.DEBUG.name: "1", "PATH": "/bin"}
    Settings.from_env(environ).but(agency=None, database_url="sqlite:///new.sqlite3").apply(environ)
    assert environ == {settings.DEBUG.name: "1", settings.DATABASE_URL.name: "sqlite:///new.sqlite3",
                       "PATH": "/bin"}


def test_reading_settings_loads_nothing_heavy() -> None:
    code = ("import sys; import protocols.settings as s; s.Settings.from_env();"
            "heavy = [m for m in ('pydantic', 'sqlalchemy', 'ipywidgets', 'yaml') if m in sys.modules];"
            "print(','.join(heavy))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_the_package_imports_its_public_names_lazily() -> None:
    code = ("import sys, protocols; assert 'pydantic' not in sys.modules;"
            "from protocols import load_library, ContentError; print(load_library.__module__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "protocols.library.loader"
    assert re.search(r"no attribute 'nothing'", subprocess.run(
        [sys.executable, "-c", "import protocols; protocols.nothing"], capture_output=True, text=True).stderr)
