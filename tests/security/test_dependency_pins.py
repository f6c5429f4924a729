"""The dependency floor SECURITY.md promises is the one pyproject.toml asks for."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement
from packaging.version import Version
from secserver import ROOT


def _named_floor() -> Version:
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    found = re.search(r"`jupyter_server>=([0-9][0-9.]*)` is required", text)
    assert found, "SECURITY.md no longer names the jupyter_server version it requires"
    return Version(found.group(1))


def test_jupyter_server_is_pinned_at_or_above_the_version_security_md_names() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [Requirement(r) for r in project["dependencies"]
            if Requirement(r).name.replace("_", "-").lower() == "jupyter-server"]
    assert len(pins) == 1, "pyproject.toml must name jupyter_server itself, not only through Voila"
    floor = _named_floor()
    lows = [Version(spec.version) for spec in pins[0].specifier if spec.operator in (">=", "==", "~=")]
    assert lows and min(lows) >= floor, f"{pins[0]} allows versions below {floor} (SECURITY.md)"


def test_the_installed_jupyter_server_meets_the_floor() -> None:
    from importlib.metadata import version

    assert Version(version("jupyter_server")) >= _named_floor()
