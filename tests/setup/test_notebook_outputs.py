"""Every notebook stores what it shows, and nbval fails when the content it shows changes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from protocols.book.notebook_outputs import (
    CHECK_TAG,
    checked_cells,
    project_notebooks,
    read_notebook,
    stored_text,
    text_outputs,
)

ROOT = Path(__file__).resolve().parents[2]
SANITIZE = ROOT / "tests" / "nbval-sanitize.cfg"
NOTEBOOK = ROOT / "widgets" / "scene-response.ipynb"


def test_every_notebook_has_a_checked_cell_with_stored_text() -> None:
    notebooks = project_notebooks(ROOT)
    assert {p.parent.name for p in notebooks} >= {"widgets", "arrive", "assess"}
    missing = [str(p.relative_to(ROOT)) for p in notebooks
               if not checked_cells(read_notebook(p))
               or not all(text.strip() for text in stored_text(read_notebook(p)))]
    assert not missing, f"tag a cell `{CHECK_TAG}` and run `bash scripts/dev.sh refresh-outputs`: {missing}"


def test_stored_outputs_keep_text_and_drop_widget_views() -> None:
    outputs = [
        {"output_type": "execute_result", "data": {
            "text/plain": "Job aid: X\n- one", "application/vnd.jupyter.widget-view+json": {"model_id": "0" * 32}}},
        {"output_type": "display_data", "data": {"image/png": "AAAA"}},
        {"output_type": "stream", "name": "stdout", "text": "hello\n"}]
    assert text_outputs(outputs) == [
        {"data": {"text/plain": ["Job aid: X\n", "- one"]}, "metadata": {}, "output_type": "display_data"},
        {"name": "stdout", "output_type": "stream", "text": ["hello\n"]}]


@pytest.fixture
def content_with_new_title(content_copy: Path) -> Path:
    path = content_copy / "protocols" / "scene-response.yaml"
    text = path.read_text(encoding="utf-8")
    changed = re.sub(r"^title: (.*)$", r"title: \1 (edited)", text, count=1, flags=re.MULTILINE)
    assert changed != text
    path.write_text(changed, encoding="utf-8")
    return content_copy


@pytest.mark.slow
def test_a_content_change_fails_nbval_until_the_output_is_refreshed(
        content_with_new_title: Path, tmp_path: Path) -> None:
    before = NOTEBOOK.read_bytes()
    env = {**os.environ, "HANDBOOK_CONTENT": str(content_with_new_title),
           "HANDBOOK_DATABASE_URL": f"sqlite:///{tmp_path}/records.sqlite3"}
    nbval = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "--nbval-lax",
         "--nbval-sanitize-with", str(SANITIZE), str(NOTEBOOK)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert nbval.returncode == 1, nbval.stdout[-3000:]
    assert "(edited)" in nbval.stdout
    check = subprocess.run([sys.executable, "-m", "protocols.book.notebook_outputs", "--check",
                            "--content", str(content_with_new_title), str(NOTEBOOK)],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert check.returncode == 1
    assert "widgets/scene-response.ipynb: stored output is out of date" in check.stdout
    assert NOTEBOOK.read_bytes() == before, "--check must change nothing"


@pytest.mark.slow
def test_refresh_outputs_ignores_an_agency_set_in_the_environment(tmp_path: Path) -> None:
    """River City adds an item to the scene checklist; its trainer's refresh must still store the
    shipped content's text, which is what the suite compares."""
    env = {**os.environ, "HANDBOOK_AGENCY": str(ROOT / "agencies" / "river-city" / "agency.yaml"),
           "HANDBOOK_DATABASE_URL": f"sqlite:///{tmp_path}/records.sqlite3"}
    check = subprocess.run([sys.executable, "-m", "protocols.book.notebook_outputs", "--check", str(NOTEBOOK)],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr
