"""A notebook that embeds a checklist re-runs when what the widget shows or links to changes."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from protocols.book import fingerprint
from protocols.book.fingerprint import tag_notebook
from protocols.book.state import BuildState
from protocols.library.loader import load_library

FIXTURE = Path(__file__).parent / "fixtures" / "content"
CELL = 'from protocols.ui.checklist import ChecklistWidget\nChecklistWidget.for_protocol("scene-response")'


def fingerprinted(job_aid_base: str) -> str:
    """The checklist cell's source after the extension has tagged it, for one job-aid base."""
    state = BuildState()
    state.library = load_library(FIXTURE)
    app: Any = SimpleNamespace(
        env=SimpleNamespace(doc2path=lambda name: f"{name}.ipynb", note_dependency=lambda path: None),
        config=SimpleNamespace(handbook_job_aid_base=job_aid_base), _handbook_state=state)
    source = [json.dumps({"cells": [{"cell_type": "code", "source": CELL}]})]
    tag_notebook(app, "book/arrive/scene-checklist", source)
    return str(json.loads(source[0])["cells"][0]["source"])


def test_the_fingerprint_follows_the_job_aid_base() -> None:
    default = fingerprinted("voila/render/")
    assert "# handbook content: scene-response@" in default
    assert fingerprinted("voila/render/") == default  # stable: an unchanged build stays cached
    assert fingerprinted("aids/") != default  # a new base: the cell changes, so it runs again


def test_the_code_version_covers_every_module_of_the_extension_and_render() -> None:
    """An edit to any part of the extension (sub-packages too) or to render/ re-reads every page."""
    package = Path(fingerprint.__file__).parent
    modules = fingerprint.code_modules()
    assert {package / "extension.py", package / "directives" / "base.py",
            package.parent / "render" / "html.py"} <= set(modules)
    assert modules == sorted(set(modules), key=modules.index)  # each once, in a fixed order
