"""Problems found in content, reported as file:line, field path, what and how to fix."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from protocols.library.positions import position_words

_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def path_parts(path: str) -> tuple[str | int, ...]:
    """A shown field path as its parts: ``mini.pause_points[1].items[7]`` → ``("mini", "pause_points", 1, …)``."""
    return tuple(int(index) if index else name for name, index in _PATH_PART.findall(path))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content, precise enough to fix without reading code."""

    file: Path | None
    line: int | None
    path: str
    message: str
    fix: str = ""

    def location(self) -> str:
        """``file:line`` (or just the file) for editors and terminals to jump to."""
        if self.file is None:
            return "<content>"
        where = str(self.file)
        return f"{where}:{self.line}" if self.line else where

    def place(self) -> str:
        """The list entries on the field path, counted from 1: ``pause point 2, item 8`` (empty if none)."""
        return position_words(path_parts(self.path))

    def __str__(self) -> str:
        place = self.place()
        message = f"{self.message} (in {place})" if place and place not in self.message else self.message
        head = f"{self.location()}: {self.path}: {message}" if self.path else f"{self.location()}: {message}"
        return f"{head}\n    fix: {self.fix}" if self.fix else head


class ContentError(Exception):
    """The content did not validate; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{count} {noun} in the content:\n" + "\n".join(map(str, problems)))
