"""What the ``handbook`` command groups share: how an error is printed, which agency profile is used,
the records options and how a command opens the store."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from protocols.engine.answers import sentence
from protocols.records import Store, StoreError
from protocols.records.actor import ActorError, cli_user
from protocols.settings import DATABASE_URL, USER, Settings

ContentOption = Annotated[
    Path | None,
    typer.Option(
        "--content",
        help="Content folder to use instead of the shipped one (protocols/, rights/, …).",
        show_default=False,
    ),
]
DatabaseOption = Annotated[
    str | None,
    typer.Option("--database", help=f"Database URL (default: {DATABASE_URL.shown} or the SQLite file)."),
]
UserOption = Annotated[
    str | None,
    typer.Option("--user", help=f"Who to record in the audit log (default: {USER.shown}, else your login "
                 "name; printable, at most 64 characters).", show_default=False),
]


def fail(message: object, code: int = 1) -> typer.Exit:
    """Print ``message`` to stderr as an error and return an Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def chosen_agency(agency: Path | None) -> Path | None:
    """The agency profile named by ``--agency``, else by the agency setting
    (:data:`protocols.settings.AGENCY`); ``None`` when neither.

    Raises an Exit (code 2) when the named file does not exist.
    """
    chosen = agency if agency is not None else Settings.from_env().agency
    if chosen is not None and not chosen.is_file():
        raise fail(f"the agency profile {chosen} does not exist; pass the path of an agency.yaml file", 2)
    return chosen


def open_store(database: str | None, user: str | None = None) -> Store:
    """The store, recording ``--user`` (or its default) as the actor of every change."""
    try:
        actor = cli_user(user)
    except ActorError as exc:
        raise fail(sentence(str(exc)), 2) from None
    try:
        return Store.open(database, actor=actor)
    except StoreError as exc:
        raise fail(sentence(str(exc))) from None


def printable(text: str) -> str:
    """``text`` for a terminal: control and direction characters as visible escapes."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def write_all(texts: list[tuple[Path, str]]) -> str | None:
    """Write every file, or none: each goes to FILE.part first. Returns why it failed, if it did."""
    staged: list[tuple[Path, Path]] = []
    try:
        for target, text in texts:
            part = target.with_name(target.name + ".part")
            staged.append((part, target))
            part.write_text(text, encoding="utf-8")
        for part, target in staged:
            part.replace(target)
    except OSError as exc:
        for part, _target in staged:
            with contextlib.suppress(OSError):  # e.g. the folder is a file: there is nothing to remove
                part.unlink(missing_ok=True)
        return f"Cannot write {staged[-1][1]}: {exc.strerror}. Choose a file in a folder you can write."
    return None
