"""The ``handbook`` command: validate, build, serve and maintain the handbook.

Every command reports bad input as a short message with what is wrong, where,
and how to fix it, and exits non-zero. It never prints a traceback unless
``HANDBOOK_DEBUG=1`` is set.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel

import typer

from protocols.errors import ContentError
from protocols.library import DEFAULT_CONTENT, load_library
from protocols.models import CONTENT_KINDS, SourceList

app = typer.Typer(
    help=(
        "Crisis-intervention handbook: validate the protocol content, build the book, "
        "and serve the job aids."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

ContentOption = Annotated[
    Path | None,
    typer.Option(
        "--content",
        help="Content folder to use instead of the shipped one (protocols/, rights/, …).",
        show_default=False,
    ),
]


class UsageProblem(Exception):
    """Bad input to a command: printed as one message, exit code 2."""


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` to stderr and return an Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@app.command()
def validate(content: ContentOption = None) -> None:
    """Check every content file; list each problem as file:line, field, what and how to fix.

    Exit code 0 when the content is valid, 1 when it has problems.
    """
    try:
        library = load_library(content)
    except ContentError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        count = len(exc.problems)
        raise fail(f"{count} problem{'s' if count != 1 else ''} found; nothing was changed") from None
    counts = ", ".join(f"{n} {kind}" for kind, n in library.counts().items())
    typer.echo(f"OK: the content is valid ({counts}; digest {library.digest}).")


@app.command()
def schema(
    out: Annotated[
        Path, typer.Option("--out", help="Folder to write one <kind>.schema.json file per kind.")
    ] = Path("schema"),
) -> None:
    """Write the JSON Schema of each content kind, for editor autocompletion.

    Point your editor's YAML plugin at it, e.g. with a first line in a protocol file:
    `# yaml-language-server: $schema=../../../../schema/protocols.schema.json`
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise fail(f"cannot create {out}: {exc.strerror}") from None
    models: dict[str, type[BaseModel]] = {"sources": SourceList, **CONTENT_KINDS}
    for kind, model in models.items():
        target = out / f"{kind}.schema.json"
        document = model.model_json_schema()
        document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        document["title"] = f"Handbook {kind} file"
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(target)
    typer.echo(f"Wrote {len(models)} schema files to {out}/")


@app.command()
def info() -> None:
    """Show where the content lives and what it holds."""
    typer.echo(f"content folder: {DEFAULT_CONTENT}")
    try:
        library = load_library()
    except ContentError as exc:
        raise fail(f"the content has {len(exc.problems)} problem(s); run `handbook validate`") from None
    for kind, n in library.counts().items():
        typer.echo(f"  {kind:16} {n}")


def main() -> None:
    """Entry point: run the app and turn any unexpected error into one clear line."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:
        if os.environ.get("HANDBOOK_DEBUG"):
            raise
        typer.echo(
            f"error: {type(exc).__name__}: {exc}\n"
            "This is a bug in the handbook tool, not in your input. "
            "Run again with HANDBOOK_DEBUG=1 for details and report it.",
            err=True,
        )
        sys.exit(70)


if __name__ == "__main__":  # pragma: no cover
    main()
