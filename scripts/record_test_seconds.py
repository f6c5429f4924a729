"""Record how long each test file took, for the order in which the suite hands files to workers.

    .venv/bin/python -m pytest -n 2 --dist loadfile ... --junitxml=/tmp/suite.xml tests book widgets
    .venv/bin/python scripts/record_test_seconds.py /tmp/suite.xml

It writes tests/file_seconds.json (file → seconds, setup and teardown included, longest first).
tests/conftest.py sorts the test files by it, longest first. Refresh it when a slow file is
added or a file's time changes a lot; a stale record only costs balance, never a test.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "tests" / "file_seconds.json"


def file_seconds(report: Path) -> dict[str, float]:
    """Seconds per test file from a JUnit XML report, longest first."""
    totals: dict[str, float] = defaultdict(float)
    for case in ET.parse(report).getroot().iter("testcase"):
        classname = case.get("classname", "")
        if not classname:
            continue  # a file that failed to collect: it has no tests to time
        file = case.get("file") or _file_of(classname)
        totals[file] += float(case.get("time", "0"))
    return {file: round(seconds, 1) for file, seconds in sorted(totals.items(), key=lambda kv: -kv[1])}


def _file_of(classname: str) -> str:
    """``tests.book.test_book_build`` → ``tests/book/test_book_build.py``; a notebook's cells
    are named by it with dots (``book.arrive.scene-checklist.ipynb``)."""
    parts = classname.split(".")
    if parts[-1] == "ipynb":
        return "/".join(parts[:-1]) + ".ipynb"
    for end in range(len(parts), 0, -1):
        candidate = Path(*parts[:end]).with_suffix(".py")
        if (ROOT / candidate).is_file():
            return candidate.as_posix()
    return classname


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_file():
        print("usage: python scripts/record_test_seconds.py REPORT.xml  (a pytest --junitxml report)",
              file=sys.stderr)
        return 2
    seconds = file_seconds(Path(argv[0]))
    TARGET.write_text(json.dumps(seconds, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}: {len(seconds)} files, {sum(seconds.values()):.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
