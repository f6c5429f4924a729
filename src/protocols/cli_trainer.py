"""`handbook` commands for trainers: agency diff and review dates."""

from __future__ import annotations

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
