"""What every ``handbook`` command group shares: how an error is printed, which agency profile is used."""

from __future__ import annotations

from pathlib import Path

import typer

from protocols.library.loader import agency_from_env


def fail(message: object, code: int = 1) -> typer.Exit:
    """Print ``message`` to stderr as an error and return an Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def chosen_agency(agency: Path | None) -> Path | None:
    """The agency profile named by ``--agency``, else by ``$HANDBOOK_AGENCY``; ``None`` when neither.

    Raises an Exit (code 2) when the named file does not exist.
    """
    chosen = agency if agency is not None else agency_from_env()
    if chosen is not None and not chosen.is_file():
        raise fail(f"the agency profile {chosen} does not exist; pass the path of an agency.yaml file", 2)
    return chosen
