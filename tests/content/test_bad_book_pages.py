"""A chapter that names no page inside the book, or a book page that is not UTF-8, is a clear
problem from `handbook validate`, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.library.loader import DEFAULT_CONTENT

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A book project: its config, table of contents and pages, and a content copy inside it."""
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "book", tmp_path / "book")
    shutil.copytree(DEFAULT_CONTENT, tmp_path / "content")
    return tmp_path


@pytest.mark.parametrize("chapter", ["/", "../../etc/passwd", "''", "book/arrive/../../../outside"])
def test_a_chapter_outside_the_book_is_a_problem_on_its_line(project: Path, chapter: str) -> None:
    file = project / "content" / "protocols" / "de-escalation.yaml"
    lines = file.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("chapter:"))
    lines[line - 1] = f"chapter: {chapter}"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = runner.invoke(app, ["validate", "--content", str(project / "content"), "--no-reading-level"])
    assert done.exit_code == 1, done.output
    assert f"de-escalation.yaml:{line}: de-escalation.chapter: the chapter " in done.output
    assert "is not a page of the book" in done.output
    assert "Traceback" not in done.output and isinstance(done.exception, SystemExit)


def test_a_book_page_that_is_not_utf8_is_named_with_its_line(project: Path) -> None:
    (project / "book" / "notes.md").write_bytes(b"# Notes\n\nFine line.\nCaf\xe9 line saved as Latin-1.\n")
    done = runner.invoke(app, ["validate", "--content", str(project / "content")])
    assert done.exit_code == 1, done.output
    assert "book/notes.md:4: the page is not UTF-8 text (byte 0xe9)" in done.output
    assert "save the page as UTF-8" in done.output
    assert isinstance(done.exception, SystemExit)
