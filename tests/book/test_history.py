"""Every page says when it was last updated and links to its change history (protocols.book.history)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from book_site import read_page

from protocols.book.directives.history import toc_chapters
from protocols.book.history import HISTORY_DOC, Change, anchor, git_history, last_updated_html, uncommitted

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(r'<p class="hc-last-updated">(.*?)</p>', re.S)


def _git(folder: Path, *args: str, day: str = "2026-01-02T10:00:00") -> None:
    env = {"GIT_AUTHOR_DATE": day, "GIT_COMMITTER_DATE": day, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@x",
           "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@x", "PATH": "/usr/bin:/bin", "HOME": str(folder)}
    subprocess.run(["git", *args], cwd=folder, env=env, check=True, capture_output=True)


def test_a_files_commits_come_newest_first_and_edits_not_yet_committed_are_seen(tmp_path: Path) -> None:
    (tmp_path / "book").mkdir()
    page = tmp_path / "book" / "page.md"
    page.write_text("# One\n", encoding="utf-8")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "First text", day="2026-01-02T10:00:00")
    page.write_text("# One\n\nMore.\n", encoding="utf-8")
    _git(tmp_path, "commit", "-q", "-am", "Second text\n\nwith a body", day="2026-03-04T10:00:00")
    assert git_history(tmp_path) == {"book/page.md": [Change("2026-03-04", "Second text"),
                                                      Change("2026-01-02", "First text")]}
    assert uncommitted(tmp_path) == set()
    page.write_text("# One, edited\n", encoding="utf-8")
    (tmp_path / "book" / "new.md").write_text("# New\n", encoding="utf-8")
    assert uncommitted(tmp_path) == {"book/page.md", "book/new.md"}


def test_outside_a_checkout_there_is_no_history_and_no_error(tmp_path: Path) -> None:
    assert git_history(tmp_path) == {} and uncommitted(tmp_path) == set()
    line = last_updated_html(None, False, [], "changes.html#x")
    assert "not recorded" in line and 'href="changes.html#x"' in line


def test_the_line_takes_the_newest_day_and_escapes_every_title() -> None:
    line = last_updated_html("2026-01-02", False, [("<b>Scene</b>", "1.1", "2026-05-06")], "c.html#a")
    assert line.startswith('<p class="hc-last-updated">Last updated 2026-05-06. &lt;b&gt;Scene&lt;/b&gt;: version 1.1.')


@pytest.mark.slow
def test_every_page_links_to_its_own_section_of_the_history(book) -> None:
    history = (book.html / f"{HISTORY_DOC}.html").read_text(encoding="utf-8")
    ids = set(re.findall(r'<section class="hc-history" id="([^"]+)"', history))
    pages = [name for name in toc_chapters(ROOT) if name != HISTORY_DOC]
    assert {anchor(name) for name in pages} <= ids, "a chapter is missing from the history page"
    assert "history-protocol-scene-response" in ids and "history-rights-ca-marsy-en" in ids
    for name in pages:
        text = (book.html / f"{name}.html").read_text(encoding="utf-8")
        lines = LINE.findall(text)
        assert len(lines) == 1, f"{name}: {len(lines)} 'Last updated' lines"
        assert re.match(r"Last updated (\d{4}-\d{2}-\d{2})", lines[0]), f"{name}: {lines[0]}"
        links = [h for h in read_page(book.html / f"{name}.html").links if "changes.html#" in h]
        assert links and links[0].endswith(f"#{anchor(name)}"), name
    scene = LINE.findall((book.html / "book/arrive/scene-safety.html").read_text(encoding="utf-8"))[0]
    assert "Make the scene safe and start support: version" in scene
    assert "<li><time>" in history, "no commit is listed (is this a git checkout?)"
