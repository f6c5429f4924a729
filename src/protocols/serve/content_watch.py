"""One content for the book and the job aids while ``handbook serve`` runs.

The server validates the content when it starts, and every job-aid kernel gets that library
(forked from a parent that loaded it, or from the server's snapshot). If a trainer edits the
content and runs ``handbook build`` while the server runs, the book shows the new text at
once, but the job aids would go on showing the old text under the same version number.

So the server does not mix them: before a new job-aid session starts, :class:`ContentWatch`
compares the content files with what the server started with. While they differ, new
sessions are refused with a page that says to restart ``handbook serve``, and the server log
names the files that changed (once per change). Sessions already open keep the content they
started with. If the files go back to what the server started with, job aids open again.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from protocols.serve.precompressed import FileVersions

Digests = dict[str, str]
"""A content file's name (relative to its folder) -> a hash of its bytes."""
MAX_NAMED = 5

REFUSAL = ("This job aid cannot open right now: the handbook's content was changed after this "
           "server started, so a new job aid could show different guidance from the book. Ask "
           "whoever runs the server to restart `handbook serve`. Job aids already open keep "
           "working.\n")


def digests(content_dir: Path | None, agency: Path | None, versions: FileVersions) -> Digests:
    """A hash of each content file as it is now (an unreadable file counts as changed).

    ``versions`` hashes a file again only when its size, times or inode changed, so the check
    before each new job-aid session costs a ``stat`` per file.
    """
    from protocols.library.snapshot import content_files  # the library's models: only once a server starts

    return {name: versions.get(str(file)) or "unreadable" for name, file in content_files(content_dir, agency)}


def changed_files(before: Digests, now: Digests) -> list[str]:
    """Files added, removed or edited between two looks, by name."""
    return sorted((before.keys() ^ now.keys()) | {n for n in before.keys() & now.keys() if before[n] != now[n]})


def _to_log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class ContentWatch:
    """Whether the content is still what the server started with (see the module's notes)."""

    def __init__(self, content_dir: Path | None, agency: Path | None,
                 log: Callable[[str], None] = _to_log) -> None:
        self.content_dir = content_dir
        self.agency = agency
        self.log = log
        self._versions = FileVersions()
        self.started_with = digests(content_dir, agency, self._versions)
        self._reported: list[str] = []
        """The changed files last written to the log (empty: the content is as it started)."""

    def refusal(self) -> str | None:
        """The message refusing a new job-aid session, or None while the content is unchanged."""
        files = changed_files(self.started_with, digests(self.content_dir, self.agency, self._versions))
        if files != self._reported:
            self._report(files)
        return REFUSAL if files else None

    def _report(self, files: list[str]) -> None:
        self._reported = files
        if not files:
            self.log("handbook serve: the content is again what this server started with; "
                     "new job-aid sessions open again.")
            return
        shown = ", ".join(files[:MAX_NAMED]) + (f" and {len(files) - MAX_NAMED} more" if len(files) > MAX_NAMED else "")
        self.log(f"handbook serve: the content changed after this server started ({shown}). New "
                 "job-aid sessions are refused so they cannot show different guidance from the "
                 "book: restart `handbook serve` to serve the new content. Job aids already open "
                 "keep the content they started with.")
