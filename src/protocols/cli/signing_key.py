"""``handbook signing-key show`` and ``rotate``: the agency's export-signing key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from protocols.cli.common import DatabaseOption, UserOption, fail, open_store, write_all
from protocols.records import StoreError
from protocols.records.signing import KeyFolder, SigningError, public_pem

keys_app = typer.Typer(no_args_is_help=True, help="The agency's export-signing key: show its public key "
                       "(for whoever checks your exports) or rotate it.")


def register(app: typer.Typer) -> None:
    """Add the ``signing-key`` group to the ``handbook`` app."""
    app.add_typer(keys_app, name="signing-key")


@keys_app.command("show")
def show(
    out: Annotated[Path | None, typer.Option("--out", help="Also write the public key(s) to this file, to "
                                             "hand out.", show_default=False)] = None,
    include_retired: Annotated[bool, typer.Option("--all", help="Show the retired public keys too (they "
                                                  "check exports signed before a rotation).")] = False,
) -> None:
    """Print the public key that checks this agency's exports; give it to a prosecutor or court.

    The key is made at first use. With it, handbook verify-export FILE --public-key KEYFILE
    checks an export on any computer.
    """
    keys = KeyFolder.default()
    try:
        keys.signing_key()  # made at first use
        trusted = keys.trusted()
    except SigningError as exc:
        raise fail(exc) from None
    shown = sorted(trusted.values(), key=lambda k: (k.status != "current", k.key_id))
    if not include_retired:
        shown = [k for k in shown if k.status == "current"]
    pem = "".join(public_pem(k.public) for k in shown)
    typer.echo(f"Key folder: {keys.folder}")
    for k in shown:
        typer.echo(f"{k.status.capitalize()} key: {k.key_id}")
    retired = sum(1 for k in trusted.values() if k.status == "retired")
    if retired and not include_retired:
        typer.echo(f"({retired} retired key(s) not shown; give --all to show them.)")
    typer.echo(pem, nl=False)
    if out is not None:
        problem = write_all([(out, pem)])
        if problem:
            raise fail(problem)
        typer.echo(f"Wrote the public key{'s' if len(shown) > 1 else ''} to {out}.")


@keys_app.command("rotate")
def rotate(database: DatabaseOption = None, user: UserOption = None) -> None:
    """Make a new signing key and retire the old one.

    The old private key is deleted; its public key stays trusted here, so exports it signed
    still verify. Give the new public key (handbook signing-key show --out FILE) to whoever
    checks your exports. The rotation is noted in the audit log.
    """
    store = open_store(database, user)
    try:
        old, new = KeyFolder.default().rotate()
    except SigningError as exc:
        raise fail(exc) from None
    try:
        store.record_event("rotate-signing-key", None, "ok")
    except StoreError as exc:
        typer.echo(f"warning: the rotation is done but was not noted in the audit log: {exc}", err=True)
    retired = f"Retired key {old}; exports it signed still verify. " if old else ""
    typer.echo(f"{retired}New key {new}. Hand out its public key: handbook signing-key show --out FILE.")
