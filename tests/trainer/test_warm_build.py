"""The preview's builds, forked from a warm parent: the same results as a build of its own.

One real project copy: a first build, a rebuild after a content edit (the new text is in the
page: nothing of the first build was kept), a failing build reported as such, and the
ordinary build taking over when the warm parent is gone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from preview_run import project_copy

from bookbuild import seed_execution_cache
from protocols.trainer.warm_build import WarmBuilder, pages_read

PROMPT = "prompt: Where is the suspect now?"


def test_the_pages_read_come_from_the_log() -> None:
    log = ("\x1b[01mreading sources... \x1b[39;49;00m[ 50%] \x1b[32mbook/arrive/scene-safety\x1b[39;49;00m\n"
           "reading sources... [100%] book/reference/cards\nwriting output... [100%] book/index\n")
    assert pages_read(log) == ["book/arrive/scene-safety", "book/reference/cards"]


@pytest.mark.slow
def test_warm_builds_follow_the_files_and_fall_back_when_the_parent_is_gone(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    root = project_copy(tmp_path)
    seed_execution_cache(tmp_path_factory, root / "_build" / "html")
    out = root / "_build" / "html"
    page = out / "book" / "arrive" / "scene-safety.html"
    builder = WarmBuilder(root, out, root / "content", None)
    try:
        first = builder.build()
        assert first.ok, first.log[-3000:]
        assert "Where is the suspect now?" in page.read_text(encoding="utf-8")

        protocol = root / "content" / "protocols" / "scene-response.yaml"
        protocol.write_text(protocol.read_text(encoding="utf-8").replace(
            PROMPT, "prompt: Where is the suspect at this moment?"), encoding="utf-8")
        edited = builder.build()
        assert edited.ok, edited.log[-3000:]
        assert "book/arrive/scene-safety" in edited.pages and "book/index" not in edited.pages
        assert "Where is the suspect at this moment?" in page.read_text(encoding="utf-8")

        chapter = root / "book" / "arrive" / "scene-safety.md"
        text = chapter.read_text(encoding="utf-8")
        chapter.write_text(text + "\nSee {doc}`no-such-page`.\n", encoding="utf-8")
        broken = builder.build()
        assert not broken.ok
        assert any("scene-safety" in line and "no-such-page" in line for line in broken.problems()), broken.log[-3000:]
        chapter.write_text(text, encoding="utf-8")

        process = builder._process
        assert process is not None
        process.kill()
        process.wait()
        cold = builder.build()  # the warm parent is gone: the build runs the ordinary way
        assert cold.ok, cold.log[-3000:]
        assert builder._process is None
        assert re.search(r"build succeeded", cold.log)
    finally:
        builder.stop()
