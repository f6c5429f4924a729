"""Preview rebuilds forked from a warm parent: Jupyter Book and Sphinx are imported once.

A build child (``python -m protocols.book.build ROOT OUT --strict``) spent about 1.7 s of a
4 s rebuild after a YAML edit only importing Jupyter Book, Sphinx, myst-nb and jsonschema
(which compiles some forty grammars on import). ``handbook preview`` rebuilds on every save,
so :class:`WarmBuilder` starts one warm parent per preview (``python -m protocols.trainer.warm_build
ROOT OUT``) that imports all of that once and then, for each line ``build LOG`` on its
standard input, forks a child that runs exactly the build ``protocols.book.build`` runs, with
its output in the file ``LOG``, and answers ``exit CODE``. Each child starts from the
parent's state right after the imports: nothing one build loads is there for the next.

The parent exits when the preview closes its standard input (or dies). If it cannot start or
stops answering, builds run the ordinary way. It imports the package's code once: after
editing the Python code (not the content or the chapters), restart the preview.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from protocols.book.build import ANSI_RE, READ_RE, BuildRun, environment, run_build
from protocols.serve.forked_child import exit_with

PRELOAD = (
    "jupyter_book.sphinx", "sphinx.application", "sphinx.builders.html", "sphinx_togglebutton",
    "sphinx_copybutton", "myst_nb", "myst_nb.sphinx_ext", "jupyter_book", "sphinx_external_toc",
    "sphinx_design", "sphinx_book_theme", "protocols.book.extension", "nbclient", "jupyter_cache",
)
"""What every build imports: Jupyter Book's Sphinx set-up and the extensions in ``_config.yml``."""


def pages_read(log: str) -> list[str]:
    """The pages a build read again, from its log (as ``bookbuild.run_build`` reports them)."""
    return sorted({ANSI_RE.sub("", m) for m in READ_RE.findall(ANSI_RE.sub("", log))})


class WarmBuilder:
    """Builds ``root`` into ``out`` through a warm parent; ``build`` has ``run_build``'s result."""

    def __init__(self, root: Path, out: Path, content: Path | None, agency: Path | None) -> None:
        self.root = root.resolve()
        self.out = out.resolve()
        self.content = content
        self.agency = agency
        self._process: subprocess.Popen[str] | None = None
        self._failed = False

    def build(self) -> BuildRun:
        started = time.monotonic()
        process = self._running()
        if process is None or process.stdin is None or process.stdout is None:
            return self._cold()
        descriptor, log_name = tempfile.mkstemp(prefix="handbook-preview-build-", suffix=".log")
        os.close(descriptor)
        log = Path(log_name)
        try:
            process.stdin.write(f"build {log}\n")
            process.stdin.flush()
            answer = process.stdout.readline().split()
            if len(answer) != 2 or answer[0] != "exit":
                raise OSError("the warm build parent stopped answering")
            text = log.read_text(encoding="utf-8", errors="replace")
        except (OSError, ValueError):
            self.stop()
            self._failed = True
            return self._cold()
        finally:
            log.unlink(missing_ok=True)
        return BuildRun(int(answer[1]), time.monotonic() - started, pages_read(text), text)

    def _cold(self) -> BuildRun:
        return run_build(self.root, self.out, content=self.content, agency=self.agency, capture=True,
                         offline=False)

    def _running(self) -> subprocess.Popen[str] | None:
        if self._failed:
            return None
        if self._process is None:
            try:
                self._process = subprocess.Popen(
                    [sys.executable, "-m", "protocols.trainer.warm_build", str(self.root), str(self.out)],
                    cwd=self.root, env=environment(self.content, self.agency), text=True,
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            except OSError:
                self._failed = True
                return None
            atexit.register(self.stop)
        if self._process.poll() is not None:  # it died: build the ordinary way from now on
            self.stop()
            self._failed = True
            return None
        return self._process

    def stop(self) -> None:
        """Close the parent's input (it exits) and wait a little for it."""
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(OSError, ValueError):
            if process.stdin is not None:
                process.stdin.close()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _forked_build(root: str, out: str, log: str) -> int:
    """In the warm parent: one build in a forked child, its output into ``log``; its exit code."""
    pid = os.fork()
    if pid == 0:
        def build() -> int:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            with open(os.devnull, "rb") as null:
                os.dup2(null.fileno(), 0)
            target = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(target, 1)
            os.dup2(target, 2)
            os.close(target)
            from protocols.book.build import main

            return main([root, out, "--strict", "--no-offline"])

        exit_with(build)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def serve(root: str, out: str, requests: IO[str], answers: IO[str]) -> None:
    """Import what builds need, then build once per ``build LOG`` line until ``requests`` ends."""
    import importlib

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C stops the preview, which closes our input
    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    for line in requests:
        command, _, log = line.strip().partition(" ")
        if command == "build" and log:
            answers.write(f"exit {_forked_build(root, out, log)}\n")
            answers.flush()


def main(argv: Sequence[str]) -> int:
    """``python -m protocols.trainer.warm_build ROOT OUT``."""
    if len(argv) != 3:
        print("usage: python -m protocols.trainer.warm_build ROOT OUT", file=sys.stderr)
        return 2
    serve(argv[1], argv[2], sys.stdin, sys.stdout)
    return 0


if __name__ == "__main__":
    # Run the importable module, not this __main__ copy.
    from protocols.trainer import warm_build

    sys.exit(warm_build.main(sys.argv))
