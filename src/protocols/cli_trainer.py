"""`handbook` commands for trainers: agency diff, review dates, new files and a live preview."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path
from typing import Annotated

import typer

from protocols.errors import ContentError
from protocols.library import Library, load_library
from protocols.maintenance import KIND_LABELS, agency_diff, review_status

AgencyOption = Annotated[
    Path | None,
    typer.Option("--agency", help="An agency profile (agency.yaml) whose overlay adapts the content."),
]


def _load(content: Path | None, agency: Path | None) -> Library:
    try:
        return load_library(content, agency)
    except ContentError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"error: {len(exc.problems)} problem(s) in the content or the agency overlay", err=True)
        raise typer.Exit(1) from None


def register(app: typer.Typer) -> None:
    """Add the trainer commands to the ``handbook`` app."""

    @app.command("diff")
    def diff_(
        agency: Annotated[Path, typer.Option("--agency", help="The agency profile to compare.")],
        content: Annotated[Path | None, typer.Option("--content", help="Base content folder.")] = None,
    ) -> None:
        """Show what an agency's profile and overlay change against the shipped content."""
        base = _load(content, None)
        adapted = _load(content, agency)
        for line in agency_diff(base, adapted):
            typer.echo(line)

    @app.command("new")
    def new(
        kind: Annotated[str, typer.Argument(help="What to start: protocol, scenario or resource.",
                                            show_default=False)],
        name: Annotated[str, typer.Argument(help="Its id and file name, e.g. welfare-check.",
                                            show_default=False)],
        agency: Annotated[Path | None, typer.Option(
            "--agency", help="Write it into this agency's overlay folder instead of the content folder.",
            show_default=False)] = None,
        content: Annotated[Path | None, typer.Option("--content", help="Content folder to write into.",
                                                     show_default=False)] = None,
    ) -> None:
        """Start a new checklist (protocol), training scenario or referral directory (resource).

        Writes a filled-in template with notes that explain every field, e.g.
        src/protocols/content/protocols/NAME.yaml. It never overwrites a file, and the new
        file passes `handbook validate` as written: change it step by step and validate again.
        """
        from protocols.authoring import KINDS, AuthoringError, write_new

        if kind not in KINDS:
            typer.echo(f"error: cannot start a `{kind}`; use one of: {', '.join(KINDS)}", err=True)
            raise typer.Exit(2)
        taken: set[str] = set()
        # Broken content elsewhere does not stop a new file; `handbook validate` reports it.
        with contextlib.suppress(ContentError):
            taken = set(getattr(load_library(content, agency), KINDS[kind]))
        try:
            target = write_new(kind, name, content=content, agency=agency, taken=taken)
        except AuthoringError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        except OSError as exc:
            typer.echo(f"error: cannot write the file: {exc.strerror} ({exc.filename})", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"Wrote {target}")
        check = ("handbook validate" + (f" --content {content}" if content else "")
                 + (f" --agency {agency}" if agency else ""))
        typer.echo(f"Next: open it, follow the notes (lines starting with #), then run `{check}`.")

    @app.command("preview")
    def preview(
        path: Annotated[Path, typer.Argument(help="The book folder (holds _config.yml and _toc.yml).")]
        = Path("."),
        agency: AgencyOption = None,
        content: Annotated[Path | None, typer.Option("--content", help="Content folder to use.",
                                                     show_default=False)] = None,
        port: Annotated[int, typer.Option(help="Port for the preview (0: any free port).")] = 8867,
        output: Annotated[Path | None, typer.Option(
            "--output", help="Folder for the site (default: as `handbook build`).", show_default=False)]
        = None,
        interval: Annotated[float, typer.Option(help="Seconds between checks for changes.", min=0.2)] = 1.0,
    ) -> None:
        """Build the handbook, show it at http://127.0.0.1:PORT/, and rebuild when you save a file.

        Watches the content folder, the agency's folder, book/, _toc.yml and _config.yml.
        Each change is validated first: problems are listed with file, line and fix, and the
        preview keeps showing the last good build until they are fixed. Stop with Ctrl+C.
        """
        import threading

        from protocols.bookbuild import default_agency, output_dir
        from protocols.library import agency_from_env
        from protocols.preview import StaticServer, make_loop

        if not (path / "_config.yml").is_file() or not (path / "_toc.yml").is_file():
            typer.echo(f"error: {path} is not the book folder (no _config.yml and _toc.yml); run from "
                       "the project folder or pass the path", err=True)
            raise typer.Exit(2)
        chosen = agency if agency is not None else agency_from_env()
        if chosen is not None and not chosen.is_file():
            typer.echo(f"error: the agency profile {chosen} does not exist", err=True)
            raise typer.Exit(2)
        used = chosen if chosen is not None else default_agency(path)
        out = output if output is not None else output_dir(path, chosen)
        loop = make_loop(path, out, content=content, agency=chosen, used_agency=used, echo=typer.echo)
        server = StaticServer(out, "127.0.0.1", port)
        try:
            server.start()
        except OSError as exc:
            typer.echo(f"error: cannot listen on 127.0.0.1:{port} ({exc.strerror}); pass another "
                       "--port", err=True)
            raise typer.Exit(1) from None
        stop = threading.Event()
        try:
            typer.echo(f"Building {out} …")
            loop.start()
            typer.echo(f"Preview at {server.url}  (watching for changes; Ctrl+C to stop)")
            loop.run(stop, interval)
        except KeyboardInterrupt:
            typer.echo("Preview stopped.")
        finally:
            stop.set()
            server.stop()

    @app.command("review-due")
    def review_due(
        within: Annotated[int, typer.Option(help="Also list what falls due within this many days.", min=0)] = 30,
        agency: AgencyOption = None,
        today: Annotated[str | None, typer.Option(help="Pretend today is YYYY-MM-DD.")] = None,
        ci: Annotated[bool, typer.Option(help="Exit 1 when anything is overdue (default: on when $CI is set).")]
        = bool(os.environ.get("CI")),
    ) -> None:
        """List content whose review is overdue or due soon, with its owner."""
        try:
            day = dt.date.fromisoformat(today) if today else dt.date.today()
        except ValueError:
            typer.echo(f"error: --today must be a date like 2026-11-25, not {today!r}", err=True)
            raise typer.Exit(2) from None
        statuses = review_status(_load(None, agency), day)
        shown = [s for s in statuses if s.days_left <= within]
        overdue = [s for s in shown if s.overdue]
        if not shown:
            typer.echo(f"Nothing is due for review within {within} days (next: {statuses[0].due}).")
        for s in shown:
            state = f"OVERDUE by {-s.days_left} days" if s.overdue else f"due in {s.days_left} days"
            typer.echo(f"{state:22} {s.due}  {KIND_LABELS[s.kind]} {s.obj_id} (owner: {s.owner})")
        if overdue and ci:
            raise typer.Exit(1)
