"""Problems found in content, reported as file:line, field path, what and how to fix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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

    def __str__(self) -> str:
        head = f"{self.location()}: {self.path}: {self.message}" if self.path else (
            f"{self.location()}: {self.message}"
        )
        return f"{head}\n    fix: {self.fix}" if self.fix else head


class ContentError(Exception):
    """The content did not validate; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{count} {noun} in the content:\n" + "\n".join(map(str, problems)))
