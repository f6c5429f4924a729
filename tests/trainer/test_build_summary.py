"""A failed `handbook build` ends with the problems once each, the first one first, not Sphinx's tally."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from protocols.book import build as book_build
from protocols.book.build import BuildRun
from protocols.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _log(root: Path) -> str:
    """A failed build's log as Sphinx writes it: progress, the same warning twice, a tally."""
    return "\n".join([
        "\x1b[01mreading sources... \x1b[39;49;00m[ 50%] \x1b[35mbook/follow-up/monitoring\x1b[39;49;00m",
        f"{root}/book/follow-up/monitoring.md:50: WARNING: there is no protocol 'supervisor-reveiw'. "
        "Known protocol ids: scene-response, supervisor-review",
        "[IPKernelApp] WARNING | Unknown message type: 'comm_open'",
        f"{root}/book/follow-up/monitoring.md:50: WARNING: there is no protocol 'supervisor-reveiw'. "
        "Known protocol ids: scene-response, supervisor-review",
        f"{root}/book/arrive/index.md:12: WARNING: undefined label: 'scene-safty'",
        "\x1b[01mbuild finished with problems, 3 warnings.\x1b[39;49;00m",
    ])


def test_the_summary_names_each_problem_once_from_the_book_folder() -> None:
    run = BuildRun(1, 12.0, [], _log(ROOT))
    assert run.summary(ROOT) == [
        "The build found 2 problems. Fix the first one, then build again:",
        "  book/follow-up/monitoring.md:50: WARNING: there is no protocol 'supervisor-reveiw'. "
        "Known protocol ids: scene-response, supervisor-review",
        "  book/arrive/index.md:12: WARNING: undefined label: 'scene-safty'",
    ]


def test_a_long_list_is_cut_with_a_count() -> None:
    log = "\n".join(f"{ROOT}/book/p{n}.md:1: WARNING: problem {n}" for n in range(8))
    shown = BuildRun(1, 1.0, [], log).summary(ROOT, most=5)
    assert shown[0] == "The build found 8 problems. Fix the first one, then build again:"
    assert shown[1] == "  book/p0.md:1: WARNING: problem 0"
    assert shown[-1] == "  ... and 3 more (all are in the log above)"


def test_a_build_that_names_no_page_says_where_to_look() -> None:
    shown = BuildRun(2, 1.0, [], "Traceback (most recent call last):\nOSError: disk full\n").summary(ROOT)
    assert shown == ["The build stopped without naming a page; the last lines of its log above say why."]


def test_handbook_build_ends_with_the_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    def failed_build(root: Path, out: Path, **_options: object) -> BuildRun:
        return BuildRun(1, 3.0, [], _log(root))

    monkeypatch.setattr(book_build, "run_build", failed_build)
    done = runner.invoke(app, ["build", str(ROOT)])
    assert done.exit_code == 1
    lines = done.output.splitlines()
    first = lines.index("The build found 2 problems. Fix the first one, then build again:")
    assert lines[first + 1].startswith("  book/follow-up/monitoring.md:50: WARNING: there is no protocol")
    assert lines[-1] == "error: the book did not build; nothing was published"
