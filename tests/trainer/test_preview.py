"""`handbook preview`: change → validate → rebuild, tested without a timer; one real run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from preview_run import HEARS_CTRL_C, stop_with_ctrl_c

from bookbuild import seed_execution_cache
from protocols.book.build import BuildRun
from protocols.trainer.preview import PreviewLoop, changed, content_problems, scan, watched_paths

ROOT = Path(__file__).resolve().parents[2]
HANDBOOK = Path(sys.executable).with_name("handbook")


class Fake:
    """A validate and a build that record their calls."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.builds = 0
        self.build_ok = True
        self.said: list[str] = []

    def validate(self) -> tuple[list[str], list[str]]:
        return list(self.problems), list(self.warnings)

    def build(self) -> BuildRun:
        self.builds += 1
        log = "" if self.build_ok else "book/x.md:3: WARNING: unknown document: 'nope'\n"
        return BuildRun(0 if self.build_ok else 1, 1.25, ["book/arrive/scene-safety"], log)


@pytest.fixture
def watched(tmp_path: Path) -> tuple[Path, PreviewLoop, Fake]:
    folder = tmp_path / "content"
    (folder / "protocols").mkdir(parents=True)
    (folder / "protocols" / "a.yaml").write_text("id: a\n", encoding="utf-8")
    fake = Fake()
    loop = PreviewLoop([folder], fake.validate, fake.build, fake.said.append)
    assert loop.start() == "rebuilt"
    assert fake.builds == 1
    return folder, loop, fake


def _touch(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    stamp = time.time_ns() + 2_000_000_000  # a clearly newer time, whatever the clock's grain
    os.utime(path, ns=(stamp, stamp))


def test_nothing_changed_means_no_work(watched: tuple[Path, PreviewLoop, Fake]) -> None:
    _folder, loop, fake = watched
    assert loop.step() is None
    assert fake.builds == 1


def test_a_saved_file_is_validated_then_rebuilt(watched: tuple[Path, PreviewLoop, Fake]) -> None:
    folder, loop, fake = watched
    _touch(folder / "protocols" / "a.yaml", "id: a\ntitle: new\n")
    assert loop.step() == "rebuilt"
    assert fake.builds == 2
    assert "Changed: a.yaml" in fake.said
    assert fake.said[-1] == "Rebuilt in 1.2 s: book/arrive/scene-safety"
    assert loop.step() is None  # the same state is not built twice


def test_added_and_removed_files_count_as_changes(watched: tuple[Path, PreviewLoop, Fake]) -> None:
    folder, loop, fake = watched
    (folder / "protocols" / "b.yaml").write_text("id: b\n", encoding="utf-8")
    assert loop.step() == "rebuilt"
    (folder / "protocols" / "b.yaml").unlink()
    assert loop.step() == "rebuilt"
    assert fake.builds == 3


def test_invalid_content_is_shown_and_not_built(watched: tuple[Path, PreviewLoop, Fake]) -> None:
    folder, loop, fake = watched
    fake.problems = ["content/protocols/a.yaml:2: YAML syntax error: mapping values are not allowed here"]
    _touch(folder / "protocols" / "a.yaml", "id: a\nscript: say: this\n")
    assert loop.step() == "invalid"
    assert fake.builds == 1, "a broken file must not replace the last good build"
    assert any("a.yaml:2: YAML syntax error" in line for line in fake.said)
    assert "last good build" in fake.said[-1]
    fake.problems = []
    _touch(folder / "protocols" / "a.yaml", "id: a\nscript: 'say: this'\n")
    assert loop.step() == "rebuilt"


def test_reading_level_warnings_do_not_block_the_preview(watched: tuple[Path, PreviewLoop, Fake]) -> None:
    folder, loop, fake = watched
    fake.warnings = ["a.yaml:9: reads at grade 11"]
    _touch(folder / "protocols" / "a.yaml", "id: a\nlong: words\n")
    assert loop.step() == "rebuilt"
    assert any("reading level: a.yaml:9" in line for line in fake.said)


def test_a_failed_build_names_the_page(watched: tuple[Path, PreviewLoop, Fake]) -> None:
    folder, loop, fake = watched
    fake.build_ok = False
    _touch(folder / "protocols" / "a.yaml", "id: a\nx: 1\n")
    assert loop.step() == "failed"
    assert any("book/x.md:3: WARNING" in line for line in fake.said)


def test_editor_litter_and_build_output_are_ignored(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "index").write_text("x", encoding="utf-8")
    (tmp_path / "_build").mkdir()
    (tmp_path / "_build" / "page.html").write_text("x", encoding="utf-8")
    (tmp_path / ".a.yaml.swp").write_text("x", encoding="utf-8")
    (tmp_path / "a.yaml~").write_text("x", encoding="utf-8")
    (tmp_path / "a.yaml").write_text("x", encoding="utf-8")
    assert list(scan([tmp_path])) == [str(tmp_path / "a.yaml")]
    assert changed({"a": (1, 1)}, {"a": (1, 1)}) == []
    assert changed({"a": (1, 1), "b": (1, 1)}, {"a": (2, 1), "c": (1, 1)}) == ["a", "b", "c"]


def test_it_watches_content_agency_chapters_and_book_config(tmp_path: Path) -> None:
    agency = ROOT / "agencies" / "river-city" / "agency.yaml"
    paths = watched_paths(ROOT, tmp_path, agency)
    assert paths == [tmp_path, agency.parent, ROOT / "book", ROOT / "_toc.yml", ROOT / "_config.yml"]


def test_content_problems_names_file_and_line(content_copy: Path) -> None:
    assert content_problems(content_copy, None) == ([], [])
    file = content_copy / "protocols" / "scene-response.yaml"
    file.write_text(file.read_text(encoding="utf-8").replace("kind: DO-CONFIRM", "kind: DO-IT"),
                    encoding="utf-8")
    problems, _ = content_problems(content_copy, None)
    assert len(problems) == 1 and "scene-response.yaml:" in problems[0] and "kind" in problems[0]


def test_the_loop_runs_until_stopped(watched: tuple[Path, PreviewLoop, Fake]) -> None:
    folder, loop, fake = watched
    stop = threading.Event()
    runner = threading.Thread(target=loop.run, args=(stop, 0.05))
    runner.start()
    _touch(folder / "protocols" / "a.yaml", "id: a\ny: 2\n")
    deadline = time.monotonic() + 5
    while fake.builds < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    stop.set()
    runner.join(2)
    assert fake.builds == 2 and not runner.is_alive()


# --------------------------------------------------------------------------- one real run


def _wait_for(lines: list[str], pattern: str, start: int = 0, timeout: float = 90) -> re.Match[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in lines[start:]:
            found = re.search(pattern, line)
            if found:
                return found
        time.sleep(0.1)
    raise AssertionError(f"no {pattern!r} in:\n" + "".join(lines[-40:]))


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


@pytest.mark.slow
def test_preview_builds_serves_and_rebuilds_on_save(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
                                                    content_copy: Path) -> None:
    if not HANDBOOK.exists():
        pytest.skip("the handbook command is not installed in this environment")
    out = tmp_path / "site" / "html"
    seed_execution_cache(tmp_path_factory, out)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("HANDBOOK_AGENCY", None)
    process = subprocess.Popen(
        [*HEARS_CTRL_C, str(HANDBOOK), "preview", "--content", str(content_copy), "--output", str(out), "--port", "0",
         "--interval", "0.3"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")),  # type: ignore[union-attr]
                              daemon=True)
    reader.start()
    try:
        base = _wait_for(lines, r"Preview at (http://127\.0\.0\.1:\d+/)").group(1)
        assert any("Built in" in line for line in lines)
        page = f"{base}book/arrive/scene-safety.html"
        assert "Sample County" in _get(page)

        file = content_copy / "protocols" / "scene-response.yaml"
        text = file.read_text(encoding="utf-8")
        mark = len(lines)
        file.write_text(text.replace("prompt: Where is the suspect now?",
                                     "prompt: Where is the suspect right now?"), encoding="utf-8")
        rebuilt = _wait_for(lines, r"Rebuilt in [\d.]+ s: (.*)", mark).group(1)
        assert "book/arrive/scene-safety" in rebuilt and "book/index" not in rebuilt
        assert "Where is the suspect right now?" in _get(page)

        mark = len(lines)
        file.write_text(text.replace("prompt: Where is the suspect now?",
                                     "prompt: Where: is the suspect now?"), encoding="utf-8")
        _wait_for(lines, r"Not rebuilt", mark)
        assert any("scene-response.yaml:" in line and "YAML" in line for line in lines[mark:])
        assert "Where is the suspect right now?" in _get(page), "the last good build is still served"
    finally:
        hung = stop_with_ctrl_c(process, 30)
        reader.join(5)
    assert process.returncode == 0, "".join(lines[-20:]) + hung
    assert "Preview stopped." in "".join(lines)
