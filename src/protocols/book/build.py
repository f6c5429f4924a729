"""Building the book: where the output goes, which agency it is for, and the zip to publish.

``handbook build`` and ``handbook preview`` run the build in a child process
(``python -m protocols.book.build ROOT OUT``) with Jupyter Book's own Sphinx set-up, so each
agency's site goes to its own folder (``_build/<agency-id>/html``) and keeps its own
incremental-build state next to it; the plain build stays in ``_build/html``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from protocols import settings
from protocols.library.agency import AgencyProfile, read_profile

READ_RE = re.compile(r"reading sources\.\.\. \[\s*\d+%\]\s+(\S+)")
ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")


def default_agency(root: Path) -> Path | None:
    """The profile the book uses when no agency is named (``handbook_default_agency``)."""
    try:
        config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return None
    value = ((config.get("sphinx") or {}).get("config") or {}).get("handbook_default_agency")
    if not value:
        return None
    path = Path(str(value)).expanduser()
    return path if path.is_absolute() else (root / path)


def profile_of(file: Path | None) -> AgencyProfile | None:
    """The profile in ``file``, or None when there is none or it does not read (validate says why)."""
    if file is None or not file.is_file():
        return None
    profile, _problems = read_profile(file)
    return profile


def output_dir(root: Path, agency: Path | None) -> Path:
    """``_build/html`` for the plain build; ``_build/<agency-id>/html`` for a named agency."""
    profile = profile_of(agency)
    if profile is None:
        return root / "_build" / "html"
    return root / "_build" / profile.id / "html"


@dataclass(frozen=True)
class BuildRun:
    """What one build did: exit code, seconds, pages read again, and its output."""

    returncode: int
    seconds: float
    pages: list[str]
    log: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def problems(self) -> list[str]:
        """The warning and error lines of the log (kernel chatter left out)."""
        lines = [ANSI_RE.sub("", line) for line in self.log.splitlines()]
        return [line for line in lines if re.search(r"\b(WARNING|ERROR|CRITICAL)\b", line)
                and not line.startswith("[IPKernelApp]")]

    def summary(self, root: Path, most: int = 5) -> list[str]:
        """What a trainer reads after a failed build: the problems once each, the first one first,
        paths shown from the book folder, without Sphinx's own counts and progress lines."""
        seen: list[str] = []
        for line in self.problems():
            shown = _from_root(line, root)
            if shown not in seen and not SPHINX_TALLY.search(shown):
                seen.append(shown)
        if not seen:
            return ["The build stopped without naming a page; the last lines of its log above say why."]
        head = ("The build found 1 problem:" if len(seen) == 1
                else f"The build found {len(seen)} problems. Fix the first one, then build again:")
        listed = [f"  {line}" for line in seen[:most]]
        more = [f"  ... and {len(seen) - most} more (all are in the log above)"] if len(seen) > most else []
        return [head, *listed, *more]


SPHINX_TALLY = re.compile(r"build (finished|succeeded) with problems|^\s*\d+ warnings?\b|warnings? treated as errors")
"""Sphinx's closing lines that count problems rather than name one."""


def _from_root(line: str, root: Path) -> str:
    """A log line with the book folder's absolute path taken off its file names."""
    prefix = f"{root.resolve()}{os.sep}"
    return line.replace(prefix, "").strip()


def command(root: Path, out: Path, strict: bool = True, offline: bool = True) -> list[str]:
    cmd = [sys.executable, "-m", "protocols.book.build", str(root), str(out)]
    return [*cmd, *(["--strict"] if strict else []), *([] if offline else ["--no-offline"])]


def environment(content: Path | None, agency: Path | None) -> dict[str, str]:
    """The environment for a build: this one, with the content and agency settings (absolute paths)."""
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    if content is not None:
        env[settings.CONTENT.name] = str(content.resolve())
    if agency is not None:
        env[settings.AGENCY.name] = str(agency.resolve())
    return env


def run_build(root: Path, out: Path, *, content: Path | None = None, agency: Path | None = None,
              strict: bool = True, capture: bool = False, offline: bool = True) -> BuildRun:
    """Build the book into ``out``; with ``capture`` the log is only kept, else printed as well.

    ``offline=False`` leaves out the service worker: a live preview must show every rebuild,
    where a kept edition would be served from the browser's cache.
    """
    import time

    started = time.monotonic()
    # The log is always kept (a failed build's summary reads it); without ``capture`` each line is
    # also printed as it comes, so a long build shows its progress.
    with subprocess.Popen(command(root, out, strict, offline), cwd=root, env=environment(content, agency),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as child:
        kept: list[str] = []
        assert child.stdout is not None
        for line in child.stdout:
            kept.append(line)
            if not capture:
                sys.stdout.write(line)
                sys.stdout.flush()
        returncode = child.wait()
    log = "".join(kept)
    pages = sorted({ANSI_RE.sub("", m) for m in READ_RE.findall(ANSI_RE.sub("", log))})
    return BuildRun(returncode, time.monotonic() - started, pages, log)


def zip_site(html: Path, folder: Path, agency_id: str, today: dt.date | None = None) -> Path:
    """Zip the built site as ``handbook-<agency>-<date>.zip`` with one top folder inside."""
    day = (today or dt.date.today()).isoformat()
    name = f"handbook-{agency_id}-{day}"
    target = folder / f"{name}.zip"
    folder.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(html.rglob("*")):
            if path.is_file() and path.name != ".buildinfo":
                archive.write(path, f"{name}/{path.relative_to(html).as_posix()}")
    tmp.replace(target)
    return target


def main(argv: list[str] | None = None) -> int:
    """Child-process entry: build the book in ROOT into OUT with Jupyter Book's Sphinx set-up."""
    parser = argparse.ArgumentParser(prog="python -m protocols.book.build")
    parser.add_argument("root", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--strict", action="store_true", help="-W -n --keep-going")
    parser.add_argument("--no-offline", action="store_true",
                        help="no service worker (a live preview shows every rebuild)")
    args = parser.parse_args(argv)
    from jupyter_book.sphinx import build_sphinx

    root = args.root.resolve()
    toc = root / "_toc.yml"
    overrides: dict[str, object] = {"external_toc_path": toc.as_posix(), "latex_individualpages": False}
    if args.strict:
        overrides["nitpicky"] = True
    if args.no_offline:
        overrides["handbook_offline"] = False
    result = build_sphinx(root, args.out.resolve(), use_external_toc=True, noconfig=True,
                          path_config=str(root / "_config.yml"), confoverrides=overrides,
                          builder="html", warningiserror=args.strict, keep_going=args.strict)
    if isinstance(result, BaseException):
        return 1
    return int(result or 0)


if __name__ == "__main__":  # pragma: no cover - run as a child process
    sys.exit(main())
