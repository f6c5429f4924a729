"""Content changed under a running `handbook serve`: new job aids are refused, never mixed.

The job-aid kernels get the library the server validated when it started (forked from a
parent that loaded it). After a trainer edits the content and runs `handbook build`, the
book shows the new text; a new job aid would have shown the old text under the same
version. Now a new job aid is refused with a page that says to restart the server, the log
names the changed file, job aids already open keep working, and putting the file back
opens job aids again.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from secserver import AID, Server, make_book, running_server

from protocols.library.loader import DEFAULT_CONTENT
from protocols.serve.content_watch import REFUSAL, ContentWatch, changed_files

PROMPT = "prompt: Where is the suspect now?"
EDITED = "prompt: Where is the suspect at this moment?"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT, target)
    return target


def test_the_watch_names_what_changed_and_notices_when_it_is_back(content: Path) -> None:
    said: list[str] = []
    watch = ContentWatch(content, None, said.append)
    assert watch.refusal() is None and said == []
    file = content / "protocols" / "scene-response.yaml"
    original = file.read_text(encoding="utf-8")
    file.write_text(original.replace(PROMPT, EDITED), encoding="utf-8")
    (content / "resources" / "extra.yaml").write_text("id: extra\n", encoding="utf-8")
    assert watch.refusal() == REFUSAL
    assert watch.refusal() == REFUSAL
    assert len(said) == 1, "the log says it once per change, not once per request"
    assert "protocols/scene-response.yaml, resources/extra.yaml" in said[0] and "restart" in said[0]
    file.write_text(original, encoding="utf-8")
    (content / "resources" / "extra.yaml").unlink()
    assert watch.refusal() is None
    assert "again what this server started with" in said[-1]


def test_an_agency_overlay_counts_as_content(content: Path, tmp_path: Path) -> None:
    agency = tmp_path / "agency"
    agency.mkdir()
    (agency / "agency.yaml").write_text("id: a\n", encoding="utf-8")
    watch = ContentWatch(content, agency / "agency.yaml", lambda _line: None)
    (agency / "agency.yaml").write_text("id: b\n", encoding="utf-8")
    assert watch.refusal() == REFUSAL


def test_changed_files_lists_added_removed_and_edited() -> None:
    assert changed_files({"a": "1", "b": "1"}, {"a": "2", "c": "1"}) == ["a", "b", "c"]
    assert changed_files({"a": "1"}, {"a": "1"}) == []


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    """`handbook serve` (kernels forked from a warm parent, as deployed) on a copy of the content."""
    base = tmp_path_factory.mktemp("content-change")
    content = base / "content"
    shutil.copytree(DEFAULT_CONTENT, content)
    with running_server(base, make_book(base), env={"HANDBOOK_CONTENT": str(content)}) as server:
        yield server, content


@pytest.mark.slow
def test_a_new_job_aid_is_refused_until_the_server_restarts(served: tuple[Server, Path]) -> None:
    server, content = served
    _html, kernel, cookies = server.job_aid()  # a job aid opened before the change
    file = content / "protocols" / "scene-response.yaml"
    original = file.read_text(encoding="utf-8")
    assert PROMPT in original
    file.write_text(original.replace(PROMPT, EDITED), encoding="utf-8")
    try:
        status, head, body = server.request(AID)
        assert status == 503, (status, body[:300])
        assert body.decode() == REFUSAL and "restart `handbook serve`" in REFUSAL
        assert head.get("cache-control") == "no-store"
        assert "kernelId" not in body.decode(), "no kernel was started for the refused page"
        log = server.log()
        assert "the content changed after this server started (protocols/scene-response.yaml)" in log
        assert "restart `handbook serve`" in log

        status, _head, _body = server.request(f"/api/kernels/{kernel}", headers={"Cookie": cookies})
        assert status == 200, "a job aid opened before the change keeps its kernel"
    finally:
        file.write_text(original, encoding="utf-8")
    _html, _kernel, _cookies = server.job_aid()  # the content is as the server started: open again
    assert "again what this server started with" in server.log()
