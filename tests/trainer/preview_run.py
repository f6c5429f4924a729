"""A real `handbook preview` of a temporary copy of the project, for tests and the benchmark.

The copy holds what a build reads (the book's configuration, chapters, agencies) and the
content, so a test may edit any of them; the site is built into the copy's own
``_build/html``, never into the project's.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HANDBOOK = Path(sys.executable).with_name("handbook")
CONTENT = ROOT / "src" / "protocols" / "content"
PROJECT_PARTS = ("_config.yml", "_toc.yml", "book", "agencies")
FIRST_BUILD_SECONDS = 600


def project_copy(base: Path) -> Path:
    """A copy of the project's book sources and content under ``base``; its root folder."""
    root = base / "project"
    root.mkdir(parents=True)
    for part in PROJECT_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, root / part, symlinks=True,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        elif source.is_file():
            shutil.copyfile(source, root / part)
    shutil.copytree(CONTENT, root / "content")
    return root


@dataclass
class Preview:
    """A running preview: its address, everything it has printed so far, and when (wall clock)."""

    base: str
    lines: list[str]
    times: list[float]
    process: subprocess.Popen[str]
    hung: str = ""
    """Set when the preview did not stop on Ctrl+C: what its processes were doing."""

    def wait_for(self, pattern: str, start: int = 0, timeout: float = 180) -> re.Match[str]:
        """The first line from ``start`` on that matches ``pattern``; fails after ``timeout`` s."""
        return self.wait_for_line(pattern, start, timeout)[1]

    def wait_for_line(self, pattern: str, start: int = 0, timeout: float = 180) -> tuple[int, re.Match[str]]:
        """:meth:`wait_for`, with the matching line's index (its time is ``times[index]``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for index, line in enumerate(self.lines[start:], start):
                if found := re.search(pattern, line):
                    return index, found
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"no {pattern!r} from handbook preview:\n" + "".join(self.lines[-40:]))


HEARS_CTRL_C = ["env", "--default-signal=INT"]
"""Put before a preview's command: it starts with SIGINT's default action, as in a terminal. An
``&`` command of a non-interactive shell ignores SIGINT, and children inherit that: a suite
started so would give every preview a deaf Ctrl+C, which is how these tests stop it."""


def stop_with_ctrl_c(process: subprocess.Popen[str], timeout: float) -> str:
    """Ctrl+C (SIGINT) to a preview, then wait; a preview still running after ``timeout`` s is
    described (what each of its processes is doing and which signals it ignores), then killed.
    Returns that description, or "" when the preview stopped by itself."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout)
        return ""
    except subprocess.TimeoutExpired:
        try:
            return describe_tree(process.pid)
        except Exception as exc:  # a diagnosis must never keep the preview running
            return f"(could not describe the preview's processes: {exc})"
        finally:
            process.kill()
            process.wait()


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants, from /proc."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found += _tree(int(child))
    return found


def describe_tree(pid: int) -> str:
    """Each process of ``pid``'s tree: its command, state, ignored and caught signals, and where
    each thread waits in the kernel; Python stacks too where py-spy is installed."""
    lines = []
    spy = Path(sys.executable).with_name("py-spy")
    for each in _tree(pid):
        proc = Path(f"/proc/{each}")
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:160]
            status = {k: v.strip() for k, _, v in (line.partition(":") for line in
                                                   (proc / "status").read_text().splitlines())}
            waits = [(t / "wchan").read_text() for t in sorted((proc / "task").iterdir())]
        except OSError:
            continue  # it ended meanwhile
        lines.append(f"pid {each}: {command}\n  state {status.get('State')}, ignores {status.get('SigIgn')}, "
                     f"catches {status.get('SigCgt')}, blocks {status.get('SigBlk')}; threads wait in {waits}")
        if spy.exists():
            with contextlib.suppress(subprocess.TimeoutExpired):
                lines.append(subprocess.run([str(spy), "dump", "--pid", str(each)], capture_output=True,
                                            text=True, timeout=10).stdout[-3000:])
    return "\n".join(lines)


@contextlib.contextmanager
def running_preview(root: Path, *args: str) -> Iterator[Preview]:
    """`handbook preview ROOT --content ROOT/content --port 0 ARGS`, stopped with Ctrl+C at the end."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for name in ("HANDBOOK_AGENCY", "HANDBOOK_CONTENT", "HANDBOOK_DEBUG"):
        env.pop(name, None)
    process = subprocess.Popen(
        [*HEARS_CTRL_C, str(HANDBOOK), "preview", str(root), "--content", str(root / "content"), "--port", "0",
         *args], cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    times: list[float] = []
    output = process.stdout
    assert output is not None

    def read() -> None:
        for line in iter(output.readline, ""):
            times.append(time.time())
            lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    preview = Preview("", lines, times, process)
    try:
        preview.base = preview.wait_for(r"Preview at (http://127\.0\.0\.1:\d+/)",
                                        timeout=FIRST_BUILD_SECONDS).group(1)
        yield preview
    finally:
        preview.hung = stop_with_ctrl_c(process, 30)
        reader.join(5)
